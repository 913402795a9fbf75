// Values that several parts of drsynth must agree on: one definition each.
// Not part of the public API.
#pragma once

#include <cstddef>
#include <string_view>

namespace drsynth::detail {

// CloudFormation's limits on one template (checked by check_assembly).
inline constexpr std::size_t max_resources = 500;
inline constexpr std::size_t max_outputs = 200;
inline constexpr std::size_t max_parameters = 200;
inline constexpr std::size_t max_template_bytes = 1'000'000;
// The largest --template-body; a larger template is deployed through S3.
inline constexpr std::size_t max_inline_template_bytes = 51'200;

// The template parameter that receives the stack's asset bucket (created by
// Stack::assets_bucket(), given by deploy.sh).
inline constexpr std::string_view assets_bucket_parameter = "AssetsBucket";

// The cloud-assembly schema version written to manifest.json: one that both
// aws-cdk@2 and the older aws-cdk@3.0.0 build on npm accept.
inline constexpr std::string_view manifest_version = "36.0.0";
// The manifest's artifact for tree.json (so no stack may have this name).
inline constexpr std::string_view tree_artifact = "Tree";

}  // namespace drsynth::detail

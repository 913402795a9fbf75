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

// The cloud-assembly schema version written to manifest.json and to every
// <stack>.assets.json: one that each reader accepts: aws-cdk@2 (up to 55),
// the older aws-cdk@3.0.0 build on npm (up to 43), the standalone cdk-assets
// 4.7 (up to 54; aws-cdk-lib 2.276 writes 55, which it refuses). 36 has every
// field drsynth writes (file assets with packaging "file", destinations with
// a role, the bootstrap-version properties), nothing newer is needed.
inline constexpr std::string_view manifest_version = "36.0.0";

// The default CDK bootstrap stack (qualifier hnb659fds): its file-asset
// bucket and roles, with the placeholders cdk deploy and cdk-assets replace
// (${AWS::AccountId}, ${AWS::Region}, ${AWS::Partition}); the same text in a
// template is an Fn::Sub. "Resource IDs created during bootstrapping",
// https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html#bootstrapping-env-default-id
inline constexpr std::string_view cdk_bootstrap_assets_bucket = "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}";
inline constexpr std::string_view cdk_bootstrap_version_parameter = "/cdk-bootstrap/hnb659fds/version";
// The bootstrap version that has the roles below (version 6, as aws-cdk-lib's
// DefaultStackSynthesizer requires for them: inference from its manifests).
inline constexpr int cdk_bootstrap_min_version = 6;
inline constexpr std::string_view cdk_role_prefix = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-";
// The manifest's artifact for tree.json (so no stack may have this name).
inline constexpr std::string_view tree_artifact = "Tree";

}  // namespace drsynth::detail

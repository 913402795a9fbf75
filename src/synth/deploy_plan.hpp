// What the deploy plan (deploy.sh, deploy_plan.cpp) and the CLI's
// --s3-bucket check agree on about the asset bucket (internal).
#pragma once

#include <set>
#include <string>

namespace drsynth {
struct Assembly;
}

namespace drsynth::detail {

// The regions whose stacks upload to the bucket: Lambda code, or a template
// over CloudFormation's inline limit.
[[nodiscard]] std::set<std::string> bucket_regions(const Assembly& assembly);

}  // namespace drsynth::detail

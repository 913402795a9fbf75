// AWS regions: the shape of a region name in each partition, and the regions
// drsynth knows. A stack's region is written into its manifest environment,
// ARNs and the deploy scripts, so it is checked (E206) before anything is.
#pragma once

#include <string>
#include <string_view>

namespace drsynth::detail {

// ^(af|ap|ca|eu|il|me|mx|sa|us)-[a-z]+-[0-9]{1,2}$ (aws), ^cn-[a-z]+-[0-9]{1,2}$
// (aws-cn), ^us-gov-[a-z]+-[0-9]{1,2}$ (aws-us-gov), the ISO partitions'
// us-iso-, us-isob-, us-isof-, eu-isoe-, and eusc-de- (aws-eusc).
[[nodiscard]] bool is_region_shaped(std::string_view region) noexcept;

// "aws", "aws-cn", "aws-us-gov", ... for a region drsynth knows; empty otherwise.
[[nodiscard]] std::string_view partition_of(std::string_view region) noexcept;

// The regions drsynth knows, comma-separated, for messages and docs.
[[nodiscard]] std::string known_regions_text();

}  // namespace drsynth::detail

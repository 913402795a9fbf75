// Rules shared by the built-in systems' settings tables (internal): regions,
// accounts, CIDRs, e-mail addresses, log retentions and tag values. Each
// pattern keeps its own codes where the code is the pattern's (a region, a
// tag value); the others carry the code of the construct that would refuse
// the value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drsynth/settings.hpp"

namespace drsynth::patterns::detail {

// AWS commercial regions (where RDS, Route 53 private zones and Lambda run).
[[nodiscard]] bool is_known_region(std::string_view region);
// AWS tag values: at most 256 letters, digits, spaces and _ . : / = + - @
// (AWS's tag rules, src/tag_rules.hpp: fullwidth punctuation such as U+FF5C is refused).
[[nodiscard]] bool is_tag_value(std::string_view value);

// Why a probe CA bundle file cannot be used ("cannot be read", "holds no PEM
// certificate"), or nullopt when it can.
[[nodiscard]] std::optional<std::string> ca_bundle_problem(const std::string& path);

[[nodiscard]] std::optional<settings::Refusal> account(const settings::Typed& v);           // E204
[[nodiscard]] std::optional<settings::Refusal> log_retention(const settings::Typed& v);     // E746
// A VPC CIDR with room for two (three) subnets of /24: /16 to /23 (/22).
[[nodiscard]] std::optional<settings::Refusal> vpc_cidr(const settings::Typed& v);            // E700, E701, E703
[[nodiscard]] std::optional<settings::Refusal> vpc_cidr_three_azs(const settings::Typed& v);  // E700, E701, E703
[[nodiscard]] std::optional<settings::Refusal> application_cidr(const settings::Typed& v);  // E709, E710
[[nodiscard]] std::optional<settings::Refusal> email(const settings::Typed& v);             // E788
[[nodiscard]] std::optional<settings::Refusal> zone_id(const settings::Typed& v);           // E702

// The AZ ids a VPC of `region` gets from a setting such as primaryAzIds: the ids
// given; none (Fn::GetAZs positions, as before issue 21) for "by-position"; when
// nothing is given, the first `count` of drsynth's ids for the region (zones that
// offer the memory-optimized Graviton classes: docs/dr-design.md), or none for a
// region drsynth has no ids for.
[[nodiscard]] std::vector<std::string> zone_ids_for(const std::vector<std::string>& given, std::string_view region,
                                                    std::size_t count);
inline constexpr std::string_view by_position = "by-position";

// The application CIDRs as a whole (each one passed application_cidr):
// a network listed twice in any spelling (E709), networks that together are
// the whole internet (E710). The refusal's message follows the key; `got`
// is set to the offending CIDRs.
[[nodiscard]] std::optional<settings::Refusal> application_cidrs_together(const std::vector<std::string>& cidrs,
                                                                          std::string& got);

}  // namespace drsynth::patterns::detail

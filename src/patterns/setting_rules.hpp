// Rules shared by the built-in systems' settings tables (internal): regions,
// accounts, CIDRs, e-mail addresses, log retentions and tag values. Each
// pattern keeps its own codes where the code is the pattern's (a region, a
// tag value); the others carry the code of the construct that would refuse
// the value.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/char_rules.hpp"
#include "drsynth/core/app.hpp"
#include "drsynth/core/error.hpp"
#include "drsynth/core/settings.hpp"
#include "core/settings/text.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth::patterns::detail {

// AWS commercial regions (where RDS, Route 53 private zones and Lambda run).
[[nodiscard]] bool is_known_region(std::string_view region);
// AWS tag values: at most 256 letters, digits, spaces and _ . : / = + - @
// (AWS's tag rules, src/core/tag_rules.hpp: fullwidth punctuation such as U+FF5C is refused).
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

// A pattern's own code is a template argument, so that a rule stays a plain
// function (settings::Rule): region<codes::E804>, tag_value<codes::E810>.

// A known commercial region; with `Empty`, "" too (the witness: approval mode).
template <ErrorCode C, bool Empty = false>
std::optional<settings::Refusal> region(const settings::Typed& v) {
  const auto& s = std::get<std::string>(v);
  if ((Empty && s.empty()) || is_known_region(s)) return std::nullopt;
  return settings::Refusal{C, "is not a known AWS region",
                           Empty ? "\"\" (an operator approves) or a third commercial region"
                                 : "a commercial region such as us-east-1"};
}

template <ErrorCode C>
std::optional<settings::Refusal> tag_value(const settings::Typed& v) {
  if (is_tag_value(std::get<std::string>(v))) return std::nullopt;
  return settings::Refusal{C, "has a character AWS refuses in a tag value",
                           "letters, digits, spaces and _ . : / = + - @"};
}

// The environment suffix: characters every physical name takes (code
// `Chars`), and no longer than `limit()` allows (code `Long`, naming the
// name that binds it, as `spelled(limit, suffix)` spells it).
template <ErrorCode Chars, ErrorCode Long, auto limit, auto spelled>
std::optional<settings::Refusal> suffix(const settings::Typed& v) {
  const auto& s = std::get<std::string>(v);
  if (!drsynth::detail::is_hyphenated_lower_alnum(s))
    return settings::Refusal{Chars, "cannot be part of every physical name",
                             "lower-case letters and digits, single hyphens between them (^[a-z0-9]+(-[a-z0-9]+)*$)"};
  constexpr auto l = limit();
  if (s.size() > l.max_length)
    return settings::Refusal{Long,
                             "makes the " + std::string(l.what()) + " too long (" +
                                 settings::printable(spelled(l, s), 120) + ", " + std::to_string(s.size()) +
                                 " characters)",
                             "at most " + std::to_string(l.max_length) + " characters"};
  return std::nullopt;
}
// The suffix row's "accepted values" text for a limit.
[[nodiscard]] inline std::string suffix_allowed(std::size_t max_length) {
  return "`^[a-z0-9]+(-[a-z0-9]+)*$`, at most " + std::to_string(max_length) +
         " characters (computed from the longest physical name)";
}

// The rules between the two sites' settings both systems share: two
// different regions (`region_code`), VPC CIDRs that can be peered
// (`cidr_code`), a readable probe CA bundle (`ca_code`). `keys`: the
// settings' keys in that order (region A, region B, CIDR A, CIDR B).
struct SitePair {
  std::array<std::string, 2> regions;
  std::array<std::string, 2> cidrs;
  std::array<std::string_view, 4> keys;
  ErrorCode region_code;
  ErrorCode cidr_code;
  ErrorCode ca_code;
};
void check_site_pair(const SitePair& sites, const std::string& probe_ca_bundle, const std::string& path,
                     const std::function<std::string(std::string_view)>& name, std::vector<Diagnostic>& out);

// How a pattern's messages show a setting: "setting 'drRegion' (-c)" when it
// came from the context, "dr_region (setting drRegion)" for a prop set in code.
template <class Props>
[[nodiscard]] std::function<std::string(std::string_view)> prop_names(const settings::Table<Props>& table) {
  return [&table](std::string_view key) {
    return std::string(table.find(key)->prop) + " (setting " + std::string(key) + ")";
  };
}

// The props read from the app's context, each bad value and each broken rule
// between values (`together`) one error, all thrown together.
template <class Props, class Together>
[[nodiscard]] Props read_props(const App& app, const settings::Table<Props>& table, Together together) {
  auto props = table.read(app.settings());
  auto problems = together(props, "", [&](std::string_view key) { return "setting " + app.describe_context_key(key); });
  if (!problems.empty()) throw Error(std::move(problems));
  return props;
}

// Props set in code: each value outside its row, else each broken rule
// between values, thrown before any part is built from them.
template <class Props, class Together>
void refuse_bad_props(const Props& props, const settings::Table<Props>& table, const std::string& path, Together together) {
  auto problems = table.check(props, path);
  if (problems.empty()) problems = together(props, path, prop_names(table));
  if (!problems.empty()) throw Error(std::move(problems));
}

}  // namespace drsynth::patterns::detail

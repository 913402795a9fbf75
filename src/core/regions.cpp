#include "core/regions.hpp"

#include <algorithm>
#include <array>

#include "core/char_rules.hpp"

namespace drsynth::detail {

namespace {

struct Region {
  std::string_view name;
  std::string_view partition;
};

// Every region AWS lists as generally available (2026-12), by partition.
constexpr std::array<Region, 45> regions{{
    {"af-south-1", "aws"},      {"ap-east-1", "aws"},           {"ap-east-2", "aws"},
    {"ap-northeast-1", "aws"},  {"ap-northeast-2", "aws"},      {"ap-northeast-3", "aws"},
    {"ap-south-1", "aws"},      {"ap-south-2", "aws"},          {"ap-southeast-1", "aws"},
    {"ap-southeast-2", "aws"},  {"ap-southeast-3", "aws"},      {"ap-southeast-4", "aws"},
    {"ap-southeast-5", "aws"},  {"ap-southeast-7", "aws"},      {"ca-central-1", "aws"},
    {"ca-west-1", "aws"},       {"eu-central-1", "aws"},        {"eu-central-2", "aws"},
    {"eu-north-1", "aws"},      {"eu-south-1", "aws"},          {"eu-south-2", "aws"},
    {"eu-west-1", "aws"},       {"eu-west-2", "aws"},           {"eu-west-3", "aws"},
    {"il-central-1", "aws"},    {"me-central-1", "aws"},        {"me-south-1", "aws"},
    {"mx-central-1", "aws"},    {"sa-east-1", "aws"},           {"us-east-1", "aws"},
    {"us-east-2", "aws"},       {"us-west-1", "aws"},           {"us-west-2", "aws"},
    {"cn-north-1", "aws-cn"},   {"cn-northwest-1", "aws-cn"},   {"us-gov-east-1", "aws-us-gov"},
    {"us-gov-west-1", "aws-us-gov"}, {"us-iso-east-1", "aws-iso"}, {"us-iso-west-1", "aws-iso"},
    {"us-isob-east-1", "aws-iso-b"}, {"us-isof-south-1", "aws-iso-f"}, {"us-isof-east-1", "aws-iso-f"},
    {"eu-isoe-west-1", "aws-iso-e"}, {"eusc-de-east-1", "aws-eusc"}, {"ap-southeast-6", "aws"},
}};

// <prefix>-<lowercase letters>-<1 or 2 digits>
bool shaped_after(std::string_view s, std::string_view prefix) noexcept {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  const auto dash = s.find('-');
  if (dash == 0 || dash == std::string_view::npos) return false;
  const auto word = s.substr(0, dash);
  const auto number = s.substr(dash + 1);
  return chars_within(word, 1, 16, is_lower) && chars_within(number, 1, 2, is_digit);
}

}  // namespace

bool is_region_shaped(std::string_view region) noexcept {
  for (std::string_view p : {"us-gov-", "us-iso-", "us-isob-", "us-isof-", "eu-isoe-", "eusc-de-"})
    if (region.starts_with(p)) return shaped_after(region, p);
  for (std::string_view p : {"af-", "ap-", "ca-", "cn-", "eu-", "il-", "me-", "mx-", "sa-", "us-"})
    if (shaped_after(region, p)) return true;
  return false;
}

std::string_view partition_of(std::string_view region) noexcept {
  const auto it = std::find_if(regions.begin(), regions.end(), [&](const Region& r) { return r.name == region; });
  return it == regions.end() ? std::string_view{} : it->partition;
}

std::string known_regions_text() {
  std::string s;
  for (const auto& r : regions) s += (s.empty() ? "" : ", ") + std::string(r.name);
  return s;
}

}  // namespace drsynth::detail

#include "patterns/setting_rules.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "core/ca_bundle.hpp"
#include "core/char_rules.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "core/tag_rules.hpp"
#include "drsynth/logs/log_group.hpp"
#include "ec2/cidr.hpp"

namespace drsynth::patterns::detail {

namespace {

const std::string& text(const settings::Typed& v) { return std::get<std::string>(v); }

// AWS commercial regions (where RDS, Route 53 private zones and Lambda run).
constexpr std::array<std::string_view, 33> known_regions{
    "af-south-1",     "ap-east-1",      "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-south-2",     "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-7", "ca-central-1",   "ca-west-1",      "eu-central-1",   "eu-central-2",   "eu-north-1",
    "eu-south-1",     "eu-south-2",     "eu-west-1",      "eu-west-2",      "eu-west-3",      "il-central-1",
    "me-central-1",   "me-south-1",     "mx-central-1",   "sa-east-1",      "us-east-1",      "us-east-2",
    "us-west-1",      "us-west-2",      "ap-east-2"};

}  // namespace

bool is_known_region(std::string_view region) {
  return std::find(known_regions.begin(), known_regions.end(), region) != known_regions.end();
}

bool is_tag_value(std::string_view value) { return drsynth::detail::tag_value_problem(value).empty(); }

std::optional<std::string> ca_bundle_problem(const std::string& path) { return drsynth::detail::ca_bundle_problem(path); }

std::optional<settings::Refusal> account(const settings::Typed& v) {
  if (text(v).empty() || drsynth::detail::is_account_id(text(v))) return std::nullopt;
  return settings::Refusal{codes::E204, "is not an AWS account ID", "12 digits"};
}

std::optional<settings::Refusal> log_retention(const settings::Typed& v) {
  if (logs::is_valid_retention(static_cast<int>(std::get<std::int64_t>(v)))) return std::nullopt;
  return settings::Refusal{codes::E746, "is not a CloudWatch Logs retention", "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ..., 3653"};
}

namespace {
// A VPC of `azs` subnets of /24 (ec2::Vpc's default size), one per availability zone.
std::optional<settings::Refusal> vpc_cidr_for(const settings::Typed& v, int azs, int largest_prefix) {
  const auto c = ec2::detail::parse_ipv4_cidr(text(v));
  if (!c || ec2::detail::has_host_bits(*c))
    return settings::Refusal{codes::E700, "is not an IPv4 network address", "a.b.c.d/n without host bits, e.g. 10.10.0.0/16"};
  if (c->prefix < 16 || c->prefix > 28) return settings::Refusal{codes::E701, "has a prefix AWS refuses for a VPC", "/16 to /28"};
  if (c->prefix > largest_prefix)
    return settings::Refusal{codes::E703,
                             "is too small for the system's " + std::to_string(azs) +
                                 " subnets of /24 (one per availability zone)",
                             "/16 to /" + std::to_string(largest_prefix)};
  return std::nullopt;
}
}  // namespace

std::optional<settings::Refusal> vpc_cidr(const settings::Typed& v) { return vpc_cidr_for(v, 2, 23); }
std::optional<settings::Refusal> vpc_cidr_three_azs(const settings::Typed& v) { return vpc_cidr_for(v, 3, 22); }

std::optional<settings::Refusal> application_cidr(const settings::Typed& v) {
  const std::string& s = text(v);
  if (!ec2::detail::parse_ipv4_cidr(s) && !ec2::detail::is_ipv6_cidr(s))
    return settings::Refusal{codes::E709, "is not an IPv4 or IPv6 CIDR", "e.g. 10.1.0.0/16"};
  if (s == "0.0.0.0/0" || s == "::/0")
    return settings::Refusal{codes::E710, "opens the database to the whole internet", "the application networks' CIDRs"};
  return std::nullopt;
}

std::optional<settings::Refusal> zone_id(const settings::Typed& v) {
  if (text(v) == by_position || ec2::is_availability_zone_id(text(v))) return std::nullopt;
  return settings::Refusal{codes::E702, "is not an availability zone id",
                           "an AZ id such as use1-az1 (aws ec2 describe-availability-zones), or by-position"};
}

std::vector<std::string> zone_ids_for(const std::vector<std::string>& given, std::string_view region,
                                      std::size_t count) {
  if (given.size() == 1 && given.front() == by_position) return {};
  if (!given.empty()) return given;
  // Zones known to offer db.r6g/r7g in RDS. use1-az3 is left out: the oldest zone of
  // us-east-1 offers few current instance families (no Nitro/Graviton).
  struct Zones {
    std::string_view region;
    std::array<std::string_view, 3> ids;
  };
  static constexpr std::array<Zones, 4> table{{
      {"us-east-1", {"use1-az1", "use1-az2", "use1-az4"}},
      {"us-west-2", {"usw2-az1", "usw2-az2", "usw2-az3"}},
      {"eu-west-1", {"euw1-az1", "euw1-az2", "euw1-az3"}},
      {"eu-central-1", {"euc1-az1", "euc1-az2", "euc1-az3"}},
  }};
  for (const auto& z : table)
    if (z.region == region)
      return {z.ids.begin(), z.ids.begin() + static_cast<std::ptrdiff_t>(std::min(count, z.ids.size()))};
  return {};
}

std::optional<settings::Refusal> application_cidrs_together(const std::vector<std::string>& cidrs, std::string& got) {
  std::vector<std::pair<ec2::detail::AddressRange, const std::string*>> seen;
  for (const auto& c : cidrs) {
    const auto r = ec2::detail::address_range(c);
    if (!r) continue;
    for (const auto& [other, text] : seen)
      if (other == *r) {
        got = *text == c ? "\"" + c + "\" twice" : "\"" + *text + "\" and \"" + c + "\"";
        return settings::Refusal{codes::E709, "lists one network twice (AWS refuses a permission given twice)",
                                 "each network once"};
      }
    seen.emplace_back(*r, &c);
  }
  if (ec2::detail::cover_the_internet(cidrs)) {
    for (const auto& c : cidrs) got += (got.empty() ? "" : ", ") + c;
    return settings::Refusal{codes::E710, "together cover the whole internet",
                             "the application networks' CIDRs (not a set that adds up to 0.0.0.0/0 or ::/0)"};
  }
  return std::nullopt;
}

void check_site_pair(const SitePair& sites, const std::string& probe_ca_bundle, const std::string& path,
                     const std::function<std::string(std::string_view)>& name, std::vector<Diagnostic>& out) {
  auto error = [&](ErrorCode code, std::string message, std::string got, std::string expected) {
    out.push_back({code, Severity::error, path, std::move(message), std::move(got), std::move(expected)});
  };
  if (sites.regions[0] == sites.regions[1])
    error(sites.region_code, name(sites.keys[0]) + " and " + name(sites.keys[1]) +
                                 " are the same region: a regional outage would take both",
          sites.regions[1], "two different regions");
  const auto a = ec2::detail::parse_ipv4_cidr(sites.cidrs[0]);
  const auto b = ec2::detail::parse_ipv4_cidr(sites.cidrs[1]);
  if (a && b && ec2::detail::overlaps(*a, *b))
    error(sites.cidr_code, name(sites.keys[2]) + " and " + name(sites.keys[3]) + " overlap, so the VPCs cannot be peered",
          sites.cidrs[0] + " and " + sites.cidrs[1], "non-overlapping CIDRs");
  if (!probe_ca_bundle.empty()) {
    if (const auto problem = ca_bundle_problem(probe_ca_bundle))
      error(sites.ca_code, name("probeCaBundle") + " " + *problem, "\"" + probe_ca_bundle + "\"",
            "a readable PEM file of CA certificates");
  }
}

std::optional<settings::Refusal> email(const settings::Typed& v) {
  if (drsynth::detail::is_email(text(v))) return std::nullopt;
  return settings::Refusal{codes::E788, "is not an e-mail address", "user@example.com"};
}

}  // namespace drsynth::patterns::detail

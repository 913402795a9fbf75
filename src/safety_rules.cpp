#include "safety_rules.hpp"

#include <algorithm>
#include <array>

namespace drsynth::detail {

namespace {

constexpr std::array rules = {
    SafetyRule{"S001", "ingress from 0.0.0.0/0 or ::/0"},
    SafetyRule{"S002", "IAM Allow with action * / <service>:*, or resource * for an action that supports "
                       "resource-level permissions"},
    SafetyRule{"S003", "database storage not encrypted"},
    SafetyRule{"S004", "plaintext secret: a literal value in a property named like a password"},
    SafetyRule{"S005", "DeletionPolicy/UpdateReplacePolicy other than Delete, or DeletionProtection true, when the app "
                       "is destroyable"},
    SafetyRule{"S006", "log group without RetentionInDays"},
    // Evaluated by `drsynth synth` against the assembly it replaces (src/diff/guard.cpp).
    SafetyRule{"S007", "`drsynth synth` would replace a stateful resource", RuleCheckedBy::diff_guard},
};

// The Service Authorization Reference lists no resource type for these
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html).
constexpr std::array<std::string_view, 15> star_resource_actions = {
    "cloudwatch:putmetricdata",      "cloudwatch:getmetricdata",       "cloudwatch:listmetrics",
    "cloudwatch:getmetricstatistics",
    "ec2:createnetworkinterface",    "ec2:describenetworkinterfaces",  "ec2:deletenetworkinterface",
    "ec2:assignprivateipaddresses",  "ec2:unassignprivateipaddresses", "ec2:describesubnets",
    "ec2:describesecuritygroups",    "xray:puttracesegments",          "xray:puttelemetryrecords",
    "sts:getcalleridentity",         "secretsmanager:getrandompassword",
};

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::span<const SafetyRule> safety_rules() noexcept { return rules; }

const SafetyRule* find_safety_rule(std::string_view id) noexcept {
  const auto it = std::find_if(rules.begin(), rules.end(), [&](const SafetyRule& r) { return r.id == id; });
  return it == rules.end() ? nullptr : &*it;
}

std::string safety_rule_ids() {
  auto number = [](std::string_view id) { return std::stoi(std::string(id.substr(1))); };
  bool consecutive = true;
  for (std::size_t i = 1; i < rules.size(); ++i) consecutive = consecutive && number(rules[i].id) == number(rules[i - 1].id) + 1;
  if (consecutive) return std::string(rules.front().id) + "-" + std::string(rules.back().id);
  std::string out;
  for (const auto& r : rules) out += (out.empty() ? "" : ", ") + std::string(r.id);
  return out;
}

bool action_requires_star_resource(std::string_view action) noexcept {
  return std::any_of(star_resource_actions.begin(), star_resource_actions.end(), [&](std::string_view known) {
    return known.size() == action.size() &&
           std::equal(known.begin(), known.end(), action.begin(), [](char k, char a) { return k == ascii_lower(a); });
  });
}

}  // namespace drsynth::detail

#include "drsynth/iam/policy_statement.hpp"
#include "core/char_rules.hpp"
#include "core/safety_rules.hpp"

#include <algorithm>

#include "drsynth/core/construct.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth::iam {

namespace {

std::string q(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool is_wildcard_action(const std::string& a) { return a == "*" || (a.size() > 2 && a.ends_with(":*")); }

}  // namespace

bool action_requires_star_resource(std::string_view action) { return detail::action_requires_star_resource(action); }

Value to_value(const PolicyStatement& s) {
  Value out = Value::object();
  if (!s.sid.empty()) out["Sid"] = s.sid;
  out["Effect"] = s.effect == Effect::allow ? "Allow" : "Deny";
  if (s.actions.size() == 1) {
    out["Action"] = s.actions.front();
  } else {
    Value actions = Value::array();
    for (const auto& a : s.actions) actions.push_back(a);
    out["Action"] = actions;
  }
  if (s.resources.size() == 1) {
    out["Resource"] = s.resources.front();
  } else {
    out["Resource"] = Value(Value::Array(s.resources.begin(), s.resources.end()));
  }
  if (!s.conditions.empty()) out["Condition"] = Value(s.conditions);
  return out;
}

Value policy_document(const std::vector<PolicyStatement>& statements) {
  Value list = Value::array();
  for (const auto& s : statements) list.push_back(to_value(s));
  return Value::object({{"Version", "2012-10-17"}, {"Statement", list}});
}

void validate_statement(const PolicyStatement& s, Validation& v, const Construct& at) {
  const bool acknowledged = !s.acknowledge_wildcard.empty();
  if (s.actions.empty()) v.error(codes::E772, at, "policy statement has no actions", "[]", "at least one action");
  if (s.resources.empty()) v.error(codes::E773, at, "policy statement has no resources", "[]", "at least one resource ARN");
  bool all_star_only = !s.actions.empty();
  for (const auto& a : s.actions) {
    if (a != "*" && !detail::is_iam_action(a)) {
      v.error(codes::E774, at, "invalid IAM action", q(a), "<service>:<Action>, e.g. rds:DescribeDBInstances");
    }
    if (is_wildcard_action(a) && !acknowledged) {
      v.error(codes::E770, at, "wildcard action grants every permission of the service", q(a),
              "explicit actions, or acknowledge_wildcard = \"<reason>\" on the statement");
    }
    if (!action_requires_star_resource(a)) all_star_only = false;
  }
  for (const auto& r : s.resources) {
    if (r.is_string() && r.as_string() == "*" && !all_star_only && !acknowledged) {
      std::string listed;
      for (const auto& a : s.actions) {
        if (action_requires_star_resource(a)) continue;
        listed += (listed.empty() ? "" : ", ") + a;
      }
      v.error(codes::E771, at, "resource \"*\" for actions that support resource-level permissions (" + listed + ")",
              "\"*\"", "the ARNs of the resources the actions need");
    }
  }
}

}  // namespace drsynth::iam

// The safety rules, one table: which rules exist (Construct::acknowledge),
// which of them the template checker evaluates (src/synth/safety.cpp), and
// what each is about (docs/errors.md lists the same rows; a test compares
// them). Not part of the public API.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace drsynth::detail {

// Who evaluates a rule: the checker of each synthesized template, or a guard
// outside synthesis (a rule only such a guard evaluates can be acknowledged
// like any other, and the checker ignores it).
// The AWS Control Tower proactive controls (ids "CT.<SERVICE>.PR.<n>") are
// checked by the Guard rules AWS ships for CloudFormation
// (@cdklabs/cdk-validator-cfnguard, run by tests/tools/guard_check.cpp); they are
// in this table so that a construct can acknowledge one with its reason.
enum class RuleCheckedBy { template_checker, diff_guard, control_tower_guard };

struct SafetyRule {
  std::string_view id;       // "S001", "CT.RDS.PR.13"
  std::string_view summary;  // what it finds, as docs/errors.md says it
  RuleCheckedBy checked_by = RuleCheckedBy::template_checker;
};

[[nodiscard]] std::span<const SafetyRule> safety_rules() noexcept;
[[nodiscard]] const SafetyRule* find_safety_rule(std::string_view id) noexcept;
// "S001-S007 or an AWS Control Tower control: CT.CLOUDWATCH.PR.1, ..." (S ids as a
// range when consecutive), for messages.
[[nodiscard]] std::string safety_rule_ids();

// IAM actions without resource-level permissions: IAM accepts only the "*"
// resource for them (Service Authorization Reference, "Resource types" column
// empty). Case-insensitive. Data for rule S002 and iam::PolicyStatement.
[[nodiscard]] bool action_requires_star_resource(std::string_view action) noexcept;

}  // namespace drsynth::detail

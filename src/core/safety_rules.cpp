#include "core/safety_rules.hpp"

#include <algorithm>
#include <array>
#include <vector>

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
    // Evaluated by `drsynth synth` against the assembly it replaces (src/tools/diff/guard.cpp).
    SafetyRule{"S007", "`drsynth synth` would replace a stateful resource", RuleCheckedBy::diff_guard},
    // AWS Control Tower proactive controls that an app may break on purpose, with a
    // reason (the built-in systems' reasons: src/patterns/control_tower.cpp). The
    // summaries are AWS's titles of the controls.
    SafetyRule{"CT.CLOUDWATCH.PR.1", "Require an Amazon CloudWatch alarm to have an action configured for the alarm state",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.CLOUDWATCH.PR.2", "Require an Amazon CloudWatch log group to be retained for at least one year",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.CLOUDWATCH.PR.3", "Require an Amazon CloudWatch log group to be encrypted at rest with an AWS KMS key",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.KMS.PR.3",
               "Require an AWS KMS key policy to have a statement that limits creation of AWS KMS grants to AWS services",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.LAMBDA.PR.3",
               "Require an AWS Lambda function to be in a customer-managed Amazon Virtual Private Cloud (VPC)",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.RDS.PR.2", "Require an Amazon RDS database instance or cluster to have enhanced monitoring configured",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.RDS.PR.3", "Require an Amazon RDS cluster to have deletion protection configured",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.RDS.PR.4", "Require an Amazon RDS database cluster to have AWS IAM database authentication configured",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.RDS.PR.5", "Require an Amazon RDS database instance to have minor version upgrades configured",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.RDS.PR.7", "Require Amazon RDS database instances to have AWS IAM authentication configured",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.RDS.PR.13", "Require any Amazon RDS instance to have deletion protection configured",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.RDS.PR.14",
               "Require an Amazon RDS database instance to export logs to Amazon CloudWatch Logs by means of the "
               "EnableCloudwatchLogsExports property",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.RDS.PR.20", "Require an Amazon RDS database instance not to use a database engine default port",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.RDS.PR.24", "Require an Amazon RDS database instance to have encryption at rest configured",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.RDS.PR.28",
               "Require an Amazon RDS DB parameter group to require Transport Layer Security (TLS) connections for "
               "supported engine types",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.RDS.PR.30",
               "Require that an Amazon RDS database instance has encryption at rest configured to use a KMS key that "
               "you specify for supported engine types",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.S3.PR.2", "Require an Amazon S3 bucket to have server access logging configured",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.S3.PR.4", "Require an Amazon S3 bucket to have event notifications configured",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.S3.PR.9", "Require that an Amazon S3 bucket has S3 Object Lock activated",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.SQS.PR.1", "Require any Amazon SQS queue to have a dead-letter queue configured",
               RuleCheckedBy::control_tower_guard},
    SafetyRule{"CT.SQS.PR.2", "Require any Amazon SQS queue to have encryption at rest configured",
               RuleCheckedBy::control_tower_guard},
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
  std::vector<std::string_view> own;
  std::string controls;
  for (const auto& r : rules) {
    if (r.checked_by == RuleCheckedBy::control_tower_guard)
      controls += (controls.empty() ? "" : ", ") + std::string(r.id);
    else
      own.push_back(r.id);
  }
  auto number = [](std::string_view id) { return std::stoi(std::string(id.substr(1))); };
  bool consecutive = true;
  for (std::size_t i = 1; i < own.size(); ++i) consecutive = consecutive && number(own[i]) == number(own[i - 1]) + 1;
  std::string out;
  if (consecutive && !own.empty())
    out = std::string(own.front()) + "-" + std::string(own.back());
  else
    for (const auto& id : own) out += (out.empty() ? "" : ", ") + std::string(id);
  if (!controls.empty()) out += " or an AWS Control Tower control: " + controls;
  return out;
}

bool action_requires_star_resource(std::string_view action) noexcept {
  return std::any_of(star_resource_actions.begin(), star_resource_actions.end(), [&](std::string_view known) {
    return known.size() == action.size() &&
           std::equal(known.begin(), known.end(), action.begin(), [](char k, char a) { return k == ascii_lower(a); });
  });
}

}  // namespace drsynth::detail

// kms::Key: a customer-managed AWS::KMS::Key (symmetric, rotation on) whose key
// policy admits exactly the principals that need it, plus an optional
// AWS::KMS::Alias.
//
//   auto& key = stack.add<kms::Key>("DataKey", {.description = "RDS and logs of dr-dev",
//                                               .alias = "alias/dr-data-dev"});
//   key.grant_log_group("/aws/rds/cluster/aurora-primary-dev/postgresql");  // logs.<region>, encryption context
//   key.grant_service("events.rds.amazonaws.com", kms::publish_actions());  // RDS events to an encrypted topic
//   key.grant_via_service("rds");                                           // account principals through RDS only
//   key.grant(role, kms::decrypt_actions(), "secretsmanager");              // IAM statement on the role
//
// The key policy (KeyPolicy) is built from typed statements, in this order:
//   1. "AccountAdmin": the account root, kms:* on the key. It lets IAM policies of the
//      account grant use of the key (without it nobody, not even the account, can
//      manage the key) and is the only statement with a wildcard action.
//   2. "GrantsOnlyForAwsServices": Deny kms:CreateGrant to everyone unless the grant is
//      for an AWS resource or the caller is an AWS service (BoolIfExists
//      kms:GrantIsForAWSResource / aws:PrincipalIsAWSService false): RDS and Secrets
//      Manager still attach the key, nobody hands out grants (Control Tower CT.KMS.PR.3).
//   3. the service grants, in the order given: Principal {"Service": ...} with the
//      actions and conditions given (grant_service), or the account through one
//      service (grant_via_service: kms:ViaService <service>.<region>.amazonaws.com and
//      kms:CallerAccount, still subject to the caller's IAM permissions).
//   4. "CloudWatchLogs" (first grant_log_group): logs.<region>.amazonaws.com with
//      kms:EncryptionContext:aws:logs:arn limited to the log groups granted.
// Grants to roles (grant) are statements in the role's own policy on this key's
// ARN (the admin statement delegates to IAM), so the key never depends on a role.
// Destroyable by default: DeletionPolicy/UpdateReplacePolicy Delete and the
// minimum PendingWindowInDays (7): deleting the stack schedules the key's deletion.
//
// Error codes: E910-E914 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/removal_policy.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::iam {
class Role;
}

namespace drsynth::kms {

struct KeyProps {
  std::string description{"drsynth customer-managed key"};
  // "alias/<name>": an AWS::KMS::Alias child "Alias" pointing at the key.
  std::optional<std::string> alias{};
  bool enable_key_rotation{true};
  std::optional<int> rotation_period_days{};  // 90..2560; KMS's default (365) when unset
  int pending_window_days{7};                  // 7..30: the wait before a deleted key is gone
  RemovalPolicy removal_policy{RemovalPolicy::destroy};
};

// Use of data keys: what a service that encrypts and decrypts with the key needs.
[[nodiscard]] std::vector<std::string> encrypt_decrypt_actions();
// Decrypt only (readers of a secret or of messages).
[[nodiscard]] std::vector<std::string> decrypt_actions();
// What a publisher into an encrypted SNS topic or SQS queue needs
// (kms:Decrypt and kms:GenerateDataKey*).
[[nodiscard]] std::vector<std::string> publish_actions();

class Key : public Construct {
 public:
  using Props = KeyProps;

  Key(Construct& scope, std::string id, KeyProps props);

  // A key-policy statement for a service principal, e.g.
  // grant_service("cloudwatch.amazonaws.com", kms::publish_actions()).
  void grant_service(std::string service_principal, std::vector<std::string> actions, Value::Object conditions = {},
                     std::string sid = {});
  // Principals of this account, through `service` only ("rds", "secretsmanager",
  // "s3", "sqs", "sns", ...): kms:ViaService <service>.<key region>.amazonaws.com and
  // kms:CallerAccount. Default actions: encrypt_decrypt_actions() + kms:CreateGrant
  // and kms:DescribeKey, which RDS and other storage services need to attach the key.
  void grant_via_service(std::string service, std::vector<std::string> actions = {});
  // CloudWatch Logs of the key's region may use the key for this log group
  // (AWS::Logs::LogGroup KmsKeyId). One statement collects every group granted.
  void grant_log_group(std::string log_group_name);
  // Adds {actions on this key's ARN} to the role's policy, optionally only
  // through a service (kms:ViaService <via_service>.<region>.amazonaws.com).
  void grant(iam::Role& role, std::vector<std::string> actions, std::string via_service = {}) const;

  // GetAtt Arn (what KmsKeyId of log groups, SNS, SQS, S3 and RDS expects).
  [[nodiscard]] Value key_arn() const { return resource_->get_att("Arn"); }
  // Ref: the key id.
  [[nodiscard]] Value key_id() const { return resource_->ref(); }
  [[nodiscard]] const std::string& region() const;
  [[nodiscard]] const std::optional<std::string>& alias_name() const noexcept { return props_.alias; }
  [[nodiscard]] CfnResource& resource() noexcept { return *resource_; }
  [[nodiscard]] const CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] CfnResource* alias() const noexcept { return alias_; }
  [[nodiscard]] const KeyProps& props() const noexcept { return props_; }
  // The service principals and via-services granted so far (for tests and patterns).
  [[nodiscard]] std::vector<std::string> granted_services() const;
  [[nodiscard]] const std::vector<std::string>& granted_log_groups() const noexcept { return log_groups_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.kms.Key"; }

 private:
  struct Grant {
    std::string sid;
    std::string service;       // service principal, or
    std::string via_service;   // kms:ViaService service name
    std::vector<std::string> actions;
    Value::Object conditions;
  };
  void render_policy();

  KeyProps props_;
  CfnResource* resource_ = nullptr;
  CfnResource* alias_ = nullptr;
  std::vector<Grant> grants_;
  std::vector<std::string> log_groups_;
};

}  // namespace drsynth::kms

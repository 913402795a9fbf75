// logs::LogGroup: an AWS::Logs::LogGroup with a name and a retention.
//
//   stack.add<logs::LogGroup>("Logs", {.log_group_name = logs::rds_postgresql_log_group_name("postgres-primary-dev"),
//                                      .retention_days = 30});
//
// Error codes: E745, E746, E748, E960 (each with its rule and fix in drsynth/core/error_codes.def).
//
// With kms_key, the group is encrypted with that customer-managed key (KmsKeyId:
// the key's ARN) and the key's policy admits logs.<region>.amazonaws.com for
// this group only (kms::Key::grant_log_group, encryption-context condition).
// PostgreSQL logs with log_statement=all hold SQL text: encrypt them.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/link.hpp"
#include "drsynth/core/removal_policy.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::kms {
class Key;
}

namespace drsynth::logs {

struct LogGroupProps {
  std::string log_group_name{};
  int retention_days{30};
  RemovalPolicy removal_policy{RemovalPolicy::destroy};
  Link<kms::Key> kms_key{};  // a customer-managed key of the group's region; none: AWS-owned encryption
};

class LogGroup : public Construct {
 public:
  using Props = LogGroupProps;

  LogGroup(Construct& scope, std::string id, LogGroupProps props);

  [[nodiscard]] const std::string& log_group_name() const noexcept { return props_.log_group_name; }
  [[nodiscard]] int retention_days() const noexcept { return props_.retention_days; }
  [[nodiscard]] Value arn() const { return resource_->get_att("Arn"); }
  [[nodiscard]] kms::Key* kms_key() const noexcept { return props_.kms_key.pointer(); }
  [[nodiscard]] CfnResource& resource() noexcept { return *resource_; }
  [[nodiscard]] const CfnResource& resource() const noexcept { return *resource_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.logs.LogGroup"; }

 private:
  LogGroupProps props_;
  CfnResource* resource_ = nullptr;
};

// Where RDS for PostgreSQL publishes the "postgresql" log of an instance.
[[nodiscard]] std::string rds_postgresql_log_group_name(std::string_view instance_identifier);
// Where RDS publishes the `log_type` log ("postgresql", "upgrade") of an instance.
[[nodiscard]] std::string rds_log_group_name(std::string_view instance_identifier, std::string_view log_type);
// Whether `days` is a RetentionInDays value CloudFormation accepts (1, 3, 5, 7, 14, 30, ...).
[[nodiscard]] bool is_valid_retention(int days) noexcept;
// Every such value, ascending.
[[nodiscard]] std::span<const int> retention_values() noexcept;

}  // namespace drsynth::logs

// lambda::Function: an AWS::Lambda::Function with its own execution role
// (<Function>/ServiceRole, iam::Role) and log group (<Function>/LogGroup,
// /aws/lambda/<name>, destroyed with the stack).
//
// Error codes: E760-E769, E960 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drsynth/core/asset.hpp"
#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/cloudwatch/alarm_action.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/events/rule_target.hpp"
#include "drsynth/iam/role.hpp"
#include "drsynth/core/link.hpp"

namespace drsynth::kms {
class Key;
}

namespace drsynth::lambda {

struct VpcConfig {
  std::vector<Value> subnet_ids{};
  std::vector<Value> security_group_ids{};
};

struct FunctionProps {
  std::string function_name{};  // physical name, e.g. "failover-dev"
  std::string description{};
  std::string runtime = "python3.12";
  std::string handler = "index.handler";
  // Exactly one of: a folder shipped as an asset (zip in the stack's assets
  // bucket), the same from files in memory (what a folder would hold), or
  // inline source (Code.ZipFile, python/nodejs, handler index.*).
  std::filesystem::path code_asset{};
  std::shared_ptr<const std::vector<AssetFile>> code_files{};
  std::map<std::string, std::filesystem::path> code_extra_files{};  // added to the code asset (AssetProps::extra_files)
  std::string inline_code{};
  int timeout_seconds = 3;
  int memory_mb = 128;
  std::map<std::string, Value> environment{};
  // Subnets set: runs in the VPC and gets AWSLambdaVPCAccessExecutionRole
  // (else AWSLambdaBasicExecutionRole).
  VpcConfig vpc{};
  std::optional<int> reserved_concurrency{};
  int log_retention_days = 14;
  // A customer-managed key of the function's region for its log group
  // (KmsKeyId; the key's policy admits CloudWatch Logs for /aws/lambda/<name>,
  // so function_name is required). None: CloudWatch Logs' own encryption.
  Link<kms::Key> log_kms_key{};
  std::string role_name{};  // physical name of the ServiceRole; empty: generated
  // Where the props were written: a relative code_asset (or extra file) that
  // the working folder does not hold is looked up beside that source file
  // (AssetProps::from). Leave it as it is.
  const char* from = __builtin_FILE();
};

struct PermissionProps {
  std::string principal{};  // "events.amazonaws.com"
  Value source_arn{};       // null: none
  std::string action = "lambda:InvokeFunction";
};

// An alarm action: the alarm invokes the function directly (its ARN in
// AlarmActions plus an AWS::Lambda::Permission <Function>/AlarmPermission for
// lambda.alarms.cloudwatch.amazonaws.com with SourceArn the alarm's ARN; when
// the alarm is in another stack the permission is created beside the alarm as
// <Alarm>/InvokePermission<function id>, so the stacks do not form a cycle).
// A rule target: an events::Schedule runs it (an AWS::Lambda::Permission
// <Schedule>/InvokePermission<function id> for events.amazonaws.com).
class Function : public Construct, public cloudwatch::AlarmAction, public events::RuleTarget {
 public:
  using Props = FunctionProps;
  Function(Construct& scope, std::string id, FunctionProps props);

  // Adds to the ServiceRole's DefaultPolicy; the function DependsOn that policy.
  void add_to_role_policy(iam::PolicyStatement statement);
  void add_environment(std::string name, Value value);
  // An AWS::Lambda::Permission child <Function>/<id> that lets `principal` invoke it.
  CfnResource& add_permission(std::string id, PermissionProps props);

  [[nodiscard]] Value function_arn() const { return resource_->get_att("Arn"); }
  // Ref: the function name (generated when function_name is empty); the
  // physical name given is props().function_name.
  [[nodiscard]] Value function_name() const { return resource_->ref(); }
  [[nodiscard]] iam::Role& role() const noexcept { return *role_; }
  [[nodiscard]] CfnResource& resource() const noexcept { return *resource_; }
  // The AWS::Logs::LogGroup resource /aws/lambda/<name>.
  [[nodiscard]] CfnResource& log_group() const noexcept { return *log_group_; }
  [[nodiscard]] const Asset* asset() const noexcept { return asset_; }
  [[nodiscard]] const FunctionProps& props() const noexcept { return props_; }
  [[nodiscard]] Value bind_to_alarm(Construct& alarm, const Value& alarm_arn) override;
  [[nodiscard]] Value bind_to_rule(Construct& rule, const Value& rule_arn) const override;

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.lambda.Function"; }

 private:
  void render_environment();

  FunctionProps props_;
  iam::Role* role_ = nullptr;
  CfnResource* resource_ = nullptr;
  CfnResource* log_group_ = nullptr;
  Asset* asset_ = nullptr;
  bool policy_dependency_ = false;
};

// The handler code of the ready-made functions (HealthProbe: probe/,
// FailoverFunction: failover/) is compiled into the library from runtime/, so
// a program finds it wherever it is installed or copied. When
// $DRSYNTH_RUNTIME_DIR is set, the handlers are read from <that folder>/probe
// and /failover instead (e.g. an edited copy of <prefix>/share/drsynth/runtime).
// Returns that folder, or an empty path when the compiled-in code is used.
[[nodiscard]] std::filesystem::path runtime_dir();

}  // namespace drsynth::lambda

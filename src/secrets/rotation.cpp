// DatabaseSecret::add_rotation: the rotation function, its network and the schedule
// (see database_secret.hpp for why drsynth ships its own function).
#include <algorithm>

#include "drsynth/core/error_codes.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/lambda/function.hpp"
#include "drsynth/secrets/database_secret.hpp"
#include "drsynth/core/stack.hpp"
#include "lambda/ready_made.hpp"

namespace drsynth::secrets {

lambda::Function& DatabaseSecret::add_rotation(RotationProps props) {
  rotations_.push_back(props);
  if (rotation_function_ != nullptr) return *rotation_function_;  // E957
  ec2::Vpc& vpc = *props.vpc;
  ec2::SecurityGroup& db_sg = *props.database_security_group;
  const int db_port = db_sg.port();

  auto& sg = add<ec2::SecurityGroup>(
      "RotationSecurityGroup",
      ec2::SecurityGroupProps{.vpc = vpc, .description = "Secret rotation function: PostgreSQL and Secrets Manager only"});
  sg.allow_to_cidr(vpc.cidr(), db_port, "PostgreSQL in the VPC");
  sg.allow_to_cidr(vpc.cidr(), 443, "Secrets Manager interface endpoint");
  db_sg.allow_from(sg, db_port, "secret rotation function");

  std::vector<Value> subnets = vpc.subnet_ids();
  lambda::FunctionProps function_props{
      .function_name = props.function_name,
      .description = "Rotates the database master password (single user, SCRAM-SHA-256 verifier)",
      .runtime = "python3.12",
      .handler = "index.handler",
      .timeout_seconds = props.timeout_seconds,
      .environment = {{"EXCLUDE_CHARACTERS", props_.exclude_characters},
                      {"PASSWORD_LENGTH", std::to_string(props_.password_length)}},
      .vpc = {.subnet_ids = std::move(subnets), .security_group_ids = {sg.group_id()}},
      .log_retention_days = props.log_retention_days,
      // The log group under a customer-managed key, the secret's unless another is given.
      .log_kms_key = props.log_kms_key ? props.log_kms_key : props_.kms_key};
  // runtime/rotation/ as compiled into the library (or $DRSYNTH_RUNTIME_DIR/rotation),
  // with the RDS CA bundle: it verifies the database's certificate before sending a password.
  lambda::detail::use_handler(function_props, lambda::detail::rotation_code);
  rotation_function_ = &add<lambda::Function>("RotationFunction", std::move(function_props));
  lambda::Function& fn = *rotation_function_;
  fn.add_to_role_policy({.actions = {"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                                     "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"},
                         .resources = {secret_arn()}});
  if (props_.kms_key) props_.kms_key->grant(fn.role(), {"kms:Decrypt", "kms:GenerateDataKey"}, "secretsmanager");
  // Secrets Manager writes each new version to every replica under the replica
  // region's key, as the caller of PutSecretValue (the function): without
  // kms:GenerateDataKey/kms:Encrypt on that key through Secrets Manager of that
  // region the replica keeps the old password ("Encrypt secrets and replicas with
  // AWS KMS", Secrets Manager User Guide). The replica keys admit the account
  // through secretsmanager.<region> (grant_via_service), so the role's statement
  // is what decides.
  for (const auto& replica_key : props_.replica_kms_keys)
    replica_key->grant(fn.role(), {"kms:Encrypt", "kms:GenerateDataKey"}, "secretsmanager");
  auto& permission = fn.add_permission(
      "InvokePermission", lambda::PermissionProps{.principal = "secretsmanager.amazonaws.com"});
  // Confused-deputy protection: Secrets Manager of this account, rotating this
  // secret only (Secrets Manager invokes the function with the secret as the
  // source ARN; Control Tower CT.LAMBDA.PR.2 wants SourceArn or a literal
  // SourceAccount for a service principal).
  permission.set_property("SourceAccount", stack().account_value());
  permission.set_property("SourceArn", secret_arn());

  rotation_schedule_ = &add<CfnResource>("RotationSchedule",
                                         CfnResourceProps{.type = "AWS::SecretsManager::RotationSchedule"});
  CfnResource& schedule = *rotation_schedule_;
  schedule.set_property("SecretId", secret_arn());
  schedule.set_property("RotationLambdaARN", fn.function_arn());
  Value rules = Value::object();
  if (props.schedule_expression)
    rules["ScheduleExpression"] = *props.schedule_expression;
  else
    rules["AutomaticallyAfterDays"] = props.automatically_after_days;
  if (props.window_duration) rules["Duration"] = *props.window_duration;
  schedule.set_property("RotationRules", std::move(rules));
  schedule.set_property("RotateImmediatelyOnUpdate", props.rotate_immediately_on_update);
  // Secrets Manager checks that it may invoke the function when the schedule is
  // created; the first rotation needs host and port, which the attachment adds.
  schedule.add_dependency(permission);
  if (attachment_ != nullptr) schedule.add_dependency(*attachment_);
  // ... and a database that answers (an Aurora cluster's writer instance).
  for (const CfnResource* r : ready_when_) schedule.add_dependency(*r);
  return fn;
}

void DatabaseSecret::validate_rotation(Validation& v) const {
  if (rotations_.empty()) return;
  if (rotations_.size() > 1)
    v.error(codes::E957, *this, "rotation added twice", std::to_string(rotations_.size()) + " rotations", "one rotation per secret");
  const RotationProps& r = rotations_.front();
  if (r.schedule_expression) {
    const std::string& e = *r.schedule_expression;
    if (!((e.starts_with("rate(") || e.starts_with("cron(")) && e.ends_with(")")))
      v.error(codes::E955, *this, "rotation schedule expression is invalid", e, "rate(<n> hours|days) or cron(...)");
  } else if (r.automatically_after_days < 1 || r.automatically_after_days > 1000) {
    v.error(codes::E955, *this, "rotation interval is out of range", std::to_string(r.automatically_after_days) + " days",
            "1 to 1000 days");
  }
  const auto& endpoints = r.vpc->props().interface_endpoints;
  if (std::find(endpoints.begin(), endpoints.end(), "secretsmanager") == endpoints.end())
    v.error(codes::E956, *this, "the rotation VPC " + r.vpc->path() + " has no secretsmanager interface endpoint",
            "interface_endpoints without secretsmanager",
            "\"secretsmanager\" in VpcProps::interface_endpoints (the VPC has no NAT: the function reaches "
            "Secrets Manager only through the endpoint)");
  if (r.vpc->region() != stack().region())
    v.error(codes::E956, *this, "the rotation VPC " + r.vpc->path() + " is in another region", r.vpc->region(),
            stack().region());
  if (attached_.empty())
    v.error(codes::E957, *this, "rotation of a secret that is attached to no database", "no attach()",
            "a DatabaseInstance or DatabaseCluster using this secret (the attachment adds host and port)");
  if (r.function_name.empty())
    v.error(codes::E958, *this, "the rotation function needs a name", "\"\"", "e.g. rotate-db-dev");
  if (r.timeout_seconds < 30 || r.timeout_seconds > 900)
    v.error(codes::E958, *this, "rotation function timeout is out of range", std::to_string(r.timeout_seconds) + " s",
            "30 to 900 seconds");
}

}  // namespace drsynth::secrets

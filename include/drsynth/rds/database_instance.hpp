// rds::DatabaseInstance: an RDS for PostgreSQL instance (the primary of a DR pair).
//
//   auto& db = stack.add<rds::DatabaseInstance>("Primary", {
//       .instance_identifier = "postgres-primary-dev", .engine_version = "15.17",
//       .vpc = vpc, .security_groups = {db_sg}, .parameter_group = params, .secret = secret});
//   db.connections().allow_default_port_from(app_sg);      // ingress on port() into db_sg
//   db.metric_cpu_utilization().create_alarm(stack, "HighCpu", {.threshold = 80});
//
// Renders AWS::RDS::DBInstance at Primary/Resource with Engine postgres,
// encrypted gp3 storage (AWS managed key unless kms_key or kms_key_id), Multi-AZ, backups,
// PubliclyAccessible false, CopyTagsToSnapshot, CloudWatch export of the
// "postgresql" log, and both DeletionPolicy and UpdateReplacePolicy from
// removal_policy (Delete by default; CloudFormation's own default is Snapshot).
// Children: SubnetGroup/Default (unless a subnet_group is given),
// LogRetentionpostgresql/Resource (the log group /aws/rds/instance/<id>/postgresql,
// created first: the instance DependsOn it, so the retention applies),
// MonitoringRole (when monitoring_interval > 0).
// Master credentials come from the DatabaseSecret as dynamic references, and
// the secret gets its SecretTargetAttachment. Without `.secret`, a
// secrets::DatabaseSecret with the defaults is generated as the child "Secret"
// (secret(); generated_secret() is then true); a ReadReplica of this instance in
// another region adds its region to that secret's replica regions, so the
// credentials survive the loss of this region. A secret you give is left as it is. Never ManageMasterUserPassword:
// RDS does not support it for the source of a read replica (the team's shared AWS-FACTS.md).
//
// Error codes: E720-E727, E729-E736, E738, E739, E960, E970 (each with its rule
// and fix in drsynth/core/error_codes.def).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/ec2/connections.hpp"
#include "drsynth/core/link.hpp"
#include "drsynth/rds/engine.hpp"
#include "drsynth/rds/instance_metrics.hpp"
#include "drsynth/core/removal_policy.hpp"
#include "drsynth/secrets/attachment_target.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::ec2 {
class Vpc;
class SecurityGroup;
}  // namespace drsynth::ec2
namespace drsynth::kms {
class Key;
}
namespace drsynth::logs {
class LogGroup;
}
namespace drsynth::secrets {
class DatabaseSecret;
}

namespace drsynth::rds {

class ParameterGroup;
class SubnetGroup;

struct DatabaseInstanceProps {
  std::string instance_identifier{};
  std::string engine_version{default_postgres_version};
  std::string instance_class{"db.r6g.large"};
  Required<ec2::Vpc, "vpc"> vpc;            // a subnet group over its subnets is created...
  Link<SubnetGroup> subnet_group{};         // ...unless one (over the same VPC) is given
  // One or more, written in the source ({db_sg}): an instance without one would
  // get the VPC's default group, so an empty list does not compile.
  RequiredList<ec2::SecurityGroup, "security_groups"> security_groups;
  bool multi_az{true};
  int allocated_storage{100};             // GiB, >= 20
  std::optional<int> max_allocated_storage{};  // storage autoscaling ceiling
  std::string storage_type{"gp3"};
  bool storage_encrypted{true};
  std::optional<std::string> kms_key_id{};  // AWS managed key (aws/rds) when unset (and no kms_key)
  // A customer-managed storage key of the instance's region (KmsKeyId: its ARN);
  // give the key grant_via_service("rds"). The storage key is fixed at creation:
  // setting or changing it replaces an existing instance (the S007 guard refuses).
  Link<kms::Key> kms_key{};
  int backup_retention_days{7};
  std::optional<std::string> preferred_backup_window{};  // "03:00-04:00" (UTC)
  bool deletion_protection{false};
  Link<ParameterGroup> parameter_group{};  // the engine's default group when unset
  Link<secrets::DatabaseSecret> secret{};  // master credentials; generated (child "Secret") when not given
  std::optional<std::string> database_name{};
  int port{5432};
  int log_retention_days{30};
  bool enable_performance_insights{false};
  int performance_insights_retention_days{7};
  int monitoring_interval{0};  // seconds; > 0 creates a MonitoringRole
  bool auto_minor_version_upgrade{false};  // the version is pinned
  bool copy_tags_to_snapshot{true};
  RemovalPolicy removal_policy{RemovalPolicy::destroy};
  // Also export the "upgrade" log (major version upgrade output) to
  // /aws/rds/instance/<id>/upgrade, with the same retention (child LogRetentionupgrade).
  bool export_upgrade_log{false};
  Link<kms::Key> log_kms_key{};  // customer-managed key of the log groups (E960: same region)
};

// A secret attachment target (secrets::DatabaseSecret::attach): the secret
// then also holds the instance's host, port, engine and database name.
// Its metrics: rds/instance_metrics.hpp.
class DatabaseInstance : public Construct, public secrets::AttachmentTarget, public InstanceMetrics {
 public:
  using Props = DatabaseInstanceProps;

  DatabaseInstance(Construct& scope, std::string id, DatabaseInstanceProps props);

  [[nodiscard]] Value endpoint_address() const { return resource_->get_att("Endpoint.Address"); }
  [[nodiscard]] Value endpoint_port() const { return resource_->get_att("Endpoint.Port"); }
  // GetAtt DBInstanceArn (a reference: Fn::GetStackOutput when used in another region).
  [[nodiscard]] Value arn() const { return resource_->get_att("DBInstanceArn"); }
  [[nodiscard]] const std::string& instance_identifier() const noexcept { return props_.instance_identifier; }
  [[nodiscard]] const std::string& engine_version() const noexcept { return props_.engine_version; }
  [[nodiscard]] const std::string& instance_class() const noexcept { return props_.instance_class; }
  [[nodiscard]] int port() const noexcept { return props_.port; }
  [[nodiscard]] bool storage_encrypted() const noexcept { return props_.storage_encrypted; }
  [[nodiscard]] int backup_retention_days() const noexcept { return props_.backup_retention_days; }
  [[nodiscard]] const std::string& region() const;
  // The AWS::Logs::LogGroup resource of the instance's postgresql log.
  [[nodiscard]] CfnResource& log_group() const noexcept;
  // The AWS::Logs::LogGroup resource of the "upgrade" log; nullptr unless export_upgrade_log.
  [[nodiscard]] CfnResource* upgrade_log_group() const noexcept;
  [[nodiscard]] SubnetGroup* subnet_group() const noexcept { return subnet_group_; }
  // The secret given in props, or the generated one.
  [[nodiscard]] secrets::DatabaseSecret& secret() const noexcept { return *secret_; }
  [[nodiscard]] bool generated_secret() const noexcept { return !props_.secret; }
  // Ingress into the instance's security groups; default_port() is port().
  [[nodiscard]] ec2::Connections connections() const;
  [[nodiscard]] CfnResource& resource() noexcept { return *resource_; }
  [[nodiscard]] const CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] const DatabaseInstanceProps& props() const noexcept { return props_; }
  [[nodiscard]] secrets::AttachmentTargetProps as_attachment_target() const override;
  [[nodiscard]] const Construct& attachment_construct() const override { return *this; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.rds.DatabaseInstance"; }

 protected:
  [[nodiscard]] const std::string& metric_instance_identifier() const override {
    return props_.instance_identifier;
  }

 private:
  DatabaseInstanceProps props_;
  CfnResource* resource_ = nullptr;
  logs::LogGroup* log_group_ = nullptr;
  logs::LogGroup* upgrade_log_group_ = nullptr;
  SubnetGroup* subnet_group_ = nullptr;
  secrets::DatabaseSecret* secret_ = nullptr;
};

}  // namespace drsynth::rds

// rds::ReadReplica: a read replica of a DatabaseInstance, in the same or
// (the DR case) another region.
//
//   auto& replica = dr_stack.add<rds::ReadReplica>("Replica", {
//       .source = primary, .instance_identifier = "postgres-replica-dev",
//       .vpc = replica_vpc, .security_groups = {replica_sg}, .parameter_group = replica_params});
//   replica.metric_replica_lag().create_alarm(dr_stack, "Lag", {.threshold = 300, .evaluation_periods = 3});
//   replica.connections().allow_default_port_from(app_sg);   // the source's port
//
// SourceDBInstanceIdentifier is the source's ARN (GetAtt DBInstanceArn; across
// regions drsynth renders it as Fn::GetStackOutput), SourceRegion the source
// stack's region when it differs, KmsKeyId "alias/aws/rds" of the replica's
// region by default across regions (the source is encrypted, so the replica
// must be; a key of the source's region cannot be used). BackupRetentionPeriod
// is rendered (RDS supports backups on PostgreSQL >= 14.1 replicas).
// Never rendered (CloudFormation/cfn-lint E3020 or inherited from the source):
// MasterUsername, MasterUserPassword, StorageEncrypted, CharacterSetName, DBName,
// PreferredBackupWindow, DBSnapshotIdentifier, AllocatedStorage, EngineVersion.
// A source whose secret was generated (DatabaseInstance::generated_secret()) gets
// this replica's region added to that secret's replica regions when they differ.
// Children: SubnetGroup/Default (unless a subnet_group is given), LogRetentionpostgresql/Resource
// (the instance DependsOn it), MonitoringRole (monitoring_interval > 0).
//
// Error codes: E734-E736 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/ec2/connections.hpp"
#include "drsynth/core/link.hpp"
#include "drsynth/rds/instance_metrics.hpp"
#include "drsynth/core/removal_policy.hpp"
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

namespace drsynth::rds {

class DatabaseInstance;
class ParameterGroup;
class SubnetGroup;

struct ReadReplicaProps {
  Required<DatabaseInstance, "source"> source;  // may be in another stack and region
  std::string instance_identifier{};
  std::string instance_class{"db.r6g.large"};
  Required<ec2::Vpc, "vpc"> vpc;
  Link<SubnetGroup> subnet_group{};  // over the same VPC; created when not given
  RequiredList<ec2::SecurityGroup, "security_groups"> security_groups;  // one or more
  bool multi_az{true};
  int backup_retention_days{7};
  std::string storage_type{"gp3"};
  std::optional<int> max_allocated_storage{};
  Link<ParameterGroup> parameter_group{};  // one of the replica's region
  // Encryption key in the replica's region; "alias/aws/rds" across regions when unset.
  std::optional<std::string> kms_key_id{};
  bool deletion_protection{false};
  int log_retention_days{30};
  bool enable_performance_insights{false};
  int performance_insights_retention_days{7};
  int monitoring_interval{0};
  bool auto_minor_version_upgrade{false};
  bool copy_tags_to_snapshot{true};
  RemovalPolicy removal_policy{RemovalPolicy::destroy};
  // Also export the "upgrade" log (major version upgrade output) to
  // /aws/rds/instance/<id>/upgrade, with the same retention (child LogRetentionupgrade).
  bool export_upgrade_log{false};
  Link<kms::Key> log_kms_key{};  // customer-managed key of the log groups (E960: same region)
};

// Its metrics: rds/instance_metrics.hpp, plus metric_replica_lag().
class ReadReplica : public Construct, public InstanceMetrics {
 public:
  using Props = ReadReplicaProps;

  ReadReplica(Construct& scope, std::string id, ReadReplicaProps props);

  [[nodiscard]] Value endpoint_address() const { return resource_->get_att("Endpoint.Address"); }
  [[nodiscard]] Value endpoint_port() const { return resource_->get_att("Endpoint.Port"); }
  [[nodiscard]] Value arn() const { return resource_->get_att("DBInstanceArn"); }
  [[nodiscard]] const std::string& instance_identifier() const noexcept { return props_.instance_identifier; }
  [[nodiscard]] const DatabaseInstance& source() const noexcept { return *props_.source; }
  // Seconds behind the source (AWS/RDS ReplicaLag).
  [[nodiscard]] cloudwatch::Metric metric_replica_lag(cloudwatch::MetricOptions options = {}) const {
    return metric("ReplicaLag", std::move(options));
  }
  // Ingress into the replica's security groups; default_port() is the source's port.
  [[nodiscard]] ec2::Connections connections() const;
  // Whether the source is in another region (SourceRegion and a KMS key are then rendered).
  [[nodiscard]] bool cross_region() const;
  [[nodiscard]] const std::string& region() const;
  // The AWS::Logs::LogGroup resource of the replica's postgresql log.
  [[nodiscard]] CfnResource& log_group() const noexcept;
  // The AWS::Logs::LogGroup resource of the "upgrade" log; nullptr unless export_upgrade_log.
  [[nodiscard]] CfnResource* upgrade_log_group() const noexcept;
  [[nodiscard]] SubnetGroup* subnet_group() const noexcept { return subnet_group_; }
  [[nodiscard]] CfnResource& resource() noexcept { return *resource_; }
  [[nodiscard]] const CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] const ReadReplicaProps& props() const noexcept { return props_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.rds.ReadReplica"; }

 protected:
  [[nodiscard]] const std::string& metric_instance_identifier() const override {
    return props_.instance_identifier;
  }

 private:
  ReadReplicaProps props_;
  CfnResource* resource_ = nullptr;
  logs::LogGroup* log_group_ = nullptr;
  logs::LogGroup* upgrade_log_group_ = nullptr;
  SubnetGroup* subnet_group_ = nullptr;
};

}  // namespace drsynth::rds

// rds::DatabaseCluster: an Aurora PostgreSQL cluster (AWS::RDS::DBCluster) with
// its instances: the primary or a secondary of a GlobalCluster, or a cluster on its own.
//
//   auto& primary = east.add<rds::DatabaseCluster>("Primary", {
//       .cluster_identifier = "aurora-primary-dev", .global_cluster = global, .secret = secret,
//       .vpc = vpc, .security_groups = {db_sg}, .parameter_group = params, .kms_key = east_key,
//       .instance_class = "db.serverless", .serverless_v2 = rds::ServerlessV2Scaling{.min_capacity = 0.5}});
//   auto& secondary = west.add<rds::DatabaseCluster>("Secondary", {
//       .cluster_identifier = "aurora-secondary-dev", .global_cluster = global,
//       .global_role = rds::GlobalRole::secondary, .vpc = west_vpc, .security_groups = {west_sg},
//       .parameter_group = west_params, .kms_key = west_key});
//   alarm_props.metric = secondary.metric_global_replication_lag();  // AuroraGlobalDBReplicationLag, ms
//
// Cluster (Primary/Resource): Engine aurora-postgresql, EngineVersion, storage encrypted
// (KmsKeyId: kms_key's ARN, a key of the cluster's region; a secondary without kms_key
// uses alias/aws/rds of its region), BackupRetentionPeriod (7 days: point-in-time
// recovery over that window), CopyTagsToSnapshot, DeletionProtection, CloudWatch export
// of the "postgresql" log, ServerlessV2ScalingConfiguration (serverless_v2), and
// DeletionPolicy/UpdateReplacePolicy from removal_policy (Delete by default).
//   primary: MasterUsername/MasterUserPassword as dynamic references to the secret
//   (never RDS-managed passwords: not supported in a global database), DatabaseName, and
//   the secret's SecretTargetAttachment (TargetType AWS::RDS::DBCluster);
//   secondary: GlobalClusterIdentifier and no credentials, no DatabaseName (Aurora
//   replicates them from the primary).
// Instances (Primary/Instance1..N, AWS::RDS::DBInstance, N = 1 + readers): identifiers
// "<cluster>-1".."<cluster>-N", DBClusterIdentifier, Engine aurora-postgresql, the
// instance class (db.serverless for Serverless v2), AZs spread over the VPC's AZs
// (Fn::Select i of Fn::GetAZs), PromotionTier 0 for Instance1 and i-1 for the others
// (the failover order), not publicly accessible. Instances 2..N DependsOn Instance1,
// so that Instance1 is created first and is the writer (of a primary cluster).
// Children: SubnetGroup/Default (given a vpc), LogRetentionpostgresql (the log group
// /aws/rds/cluster/<id>/postgresql, created first so its retention and KMS key apply;
// the cluster DependsOn it), LogRetentioninstance (with the "instance" export),
// MonitoringRole (monitoring_interval > 0).
// Aurora PostgreSQL exports "postgresql", "instance" and "iam-db-auth-error" logs; it has
// no "upgrade" log (that is RDS for PostgreSQL, see DatabaseInstance::export_upgrade_log).
//
// Error codes: E930-E939, E941, E942, E944, E970 (each with its rule and fix in
// drsynth/core/error_codes.def).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/cloudwatch/metric.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/link.hpp"
#include "drsynth/rds/aurora_engine.hpp"
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

class ClusterParameterGroup;
class GlobalCluster;
class SubnetGroup;

enum class GlobalRole { primary, secondary };

struct ServerlessV2Scaling {
  double min_capacity{0.5};  // ACUs, multiples of 0.5 (0: pause when idle)
  double max_capacity{4};
};

struct DatabaseClusterProps {
  std::string cluster_identifier{};
  std::string engine_version{default_aurora_postgres_version};
  Link<GlobalCluster> global_cluster{};
  GlobalRole global_role{GlobalRole::primary};  // secondary: no credentials, replicates from the primary
  Link<secrets::DatabaseSecret> secret{};       // master credentials (primary / standalone)
  std::optional<std::string> database_name{};   // primary / standalone only
  Required<ec2::Vpc, "vpc"> vpc;                // a subnet group over its subnets is created...
  Link<SubnetGroup> subnet_group{};             // ...unless one (over the same VPC) is given
  // One or more, written in the source ({db_sg}): without one the VPC's default group is used.
  RequiredList<ec2::SecurityGroup, "security_groups"> security_groups;
  Link<ClusterParameterGroup> parameter_group{};  // the engine's default group when unset
  bool storage_encrypted{true};
  Link<kms::Key> kms_key{};  // storage key of this region; AWS managed (aws/rds) when unset
  int backup_retention_days{7};
  std::optional<std::string> preferred_backup_window{};  // "03:00-04:00" (UTC)
  int port{5432};
  bool deletion_protection{false};
  std::vector<std::string> log_exports{"postgresql"};
  int log_retention_days{30};
  Link<kms::Key> log_kms_key{};  // customer-managed key for the exported log groups
  // Instances: one writer (Instance1) and `readers` readers.
  std::string instance_class{"db.r6g.large"};  // or db.serverless
  int readers{2};
  std::optional<ServerlessV2Scaling> serverless_v2{};
  bool enable_performance_insights{false};
  int performance_insights_retention_days{7};
  int monitoring_interval{0};  // seconds; > 0 creates a MonitoringRole
  bool auto_minor_version_upgrade{false};  // the version is pinned
  bool copy_tags_to_snapshot{true};
  RemovalPolicy removal_policy{RemovalPolicy::destroy};
};

class DatabaseCluster : public Construct, public secrets::AttachmentTarget {
 public:
  using Props = DatabaseClusterProps;

  DatabaseCluster(Construct& scope, std::string id, DatabaseClusterProps props);

  // The cluster (writer) endpoint and the reader endpoint.
  [[nodiscard]] Value endpoint_address() const { return resource_->get_att("Endpoint.Address"); }
  [[nodiscard]] Value endpoint_port() const { return resource_->get_att("Endpoint.Port"); }
  [[nodiscard]] Value read_endpoint_address() const { return resource_->get_att("ReadEndpoint.Address"); }
  [[nodiscard]] Value arn() const { return resource_->get_att("DBClusterArn"); }
  // Ref: the cluster identifier.
  [[nodiscard]] Value cluster_ref() const { return resource_->ref(); }
  [[nodiscard]] const std::string& cluster_identifier() const noexcept { return props_.cluster_identifier; }
  // Instance i (0-based) is "<cluster>-<i+1>".
  [[nodiscard]] std::vector<std::string> instance_identifiers() const;
  [[nodiscard]] const std::string& engine_version() const noexcept { return props_.engine_version; }
  [[nodiscard]] GlobalRole global_role() const noexcept { return props_.global_role; }
  [[nodiscard]] bool storage_encrypted() const noexcept { return props_.storage_encrypted; }
  [[nodiscard]] int port() const noexcept { return props_.port; }
  [[nodiscard]] const std::string& region() const;
  // The AWS::Logs::LogGroup resource of the "postgresql" export; nullptr when it is not exported.
  [[nodiscard]] CfnResource* log_group() const noexcept;
  [[nodiscard]] SubnetGroup* subnet_group() const noexcept { return subnet_group_; }
  [[nodiscard]] secrets::DatabaseSecret* secret() const noexcept { return props_.secret.pointer(); }
  [[nodiscard]] const std::vector<CfnResource*>& instances() const noexcept { return instances_; }
  [[nodiscard]] CfnResource& resource() noexcept { return *resource_; }
  [[nodiscard]] const CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] const DatabaseClusterProps& props() const noexcept { return props_; }

  // AWS/RDS metrics of this cluster (dimension DBClusterIdentifier), period 60 s.
  [[nodiscard]] cloudwatch::Metric metric(std::string metric_name, std::string statistic = "Average",
                                          std::optional<std::string> unit = std::nullopt) const;
  // AuroraGlobalDBReplicationLag (Maximum, Milliseconds): how far this secondary is
  // behind the primary; reported by the secondary cluster.
  [[nodiscard]] cloudwatch::Metric metric_global_replication_lag() const;
  // AuroraGlobalDBRPOLag (Maximum, Milliseconds): the recovery point lag of this secondary.
  [[nodiscard]] cloudwatch::Metric metric_global_rpo_lag() const;
  // AuroraReplicaLagMaximum (Maximum, Milliseconds): lag of the readers in this region.
  [[nodiscard]] cloudwatch::Metric metric_replica_lag_maximum() const;
  // CPUUtilization (Average, Percent); ServerlessDatabaseCapacity (Average, ACUs).
  [[nodiscard]] cloudwatch::Metric metric_cpu_utilization() const;
  [[nodiscard]] cloudwatch::Metric metric_serverless_capacity() const;

  // secrets::AttachmentTarget: TargetType AWS::RDS::DBCluster.
  [[nodiscard]] secrets::AttachmentTargetProps as_attachment_target() const override;
  [[nodiscard]] const Construct& attachment_construct() const override { return *this; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.rds.DatabaseCluster"; }

 private:
  void build_instances();

  DatabaseClusterProps props_;
  CfnResource* resource_ = nullptr;
  logs::LogGroup* log_group_ = nullptr;
  SubnetGroup* subnet_group_ = nullptr;
  std::vector<CfnResource*> instances_;
};

// Where Aurora publishes a cluster's log of `log_type` ("postgresql", "instance").
[[nodiscard]] std::string aurora_log_group_name(std::string_view cluster_identifier, std::string_view log_type);

}  // namespace drsynth::rds

#include "drsynth/rds/database_cluster.hpp"
#include "rds/aurora_class_hint.hpp"

#include <algorithm>
#include <cmath>

#include "core/char_rules.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/logs/log_group.hpp"
#include "drsynth/rds/cluster_parameter_group.hpp"
#include "drsynth/rds/global_cluster.hpp"
#include "drsynth/rds/subnet_group.hpp"
#include "drsynth/secrets/database_secret.hpp"
#include "drsynth/core/stack.hpp"
#include "rds/instance_common.hpp"
#include "rds/version_rules.hpp"

namespace drsynth::rds {

namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Exactly: a value a hair off a step (0.5000000000000001) would be written as is.
bool half_steps(double d) { return d * 2 == std::round(d * 2); }

constexpr std::string_view aurora_log_types[] = {"postgresql", "instance", "iam-db-auth-error"};

// The id of a log type in construct paths, like DatabaseInstance's LogRetentionpostgresql.
std::string log_child_id(std::string_view type) {
  std::string id = "LogRetention";
  for (char c : type)
    if (drsynth::detail::is_alnum(c)) id += c;
  return id;
}

}  // namespace

std::string aurora_log_group_name(std::string_view cluster_identifier, std::string_view log_type) {
  // RDS lowercases cluster identifiers, and so the log group it writes to.
  return "/aws/rds/cluster/" + lowercase(cluster_identifier) + "/" + std::string(log_type);
}

DatabaseCluster::DatabaseCluster(Construct& scope, std::string id, DatabaseClusterProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  const bool secondary = props_.global_role == GlobalRole::secondary;
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::RDS::DBCluster"});
  CfnResource& r = *resource_;
  r.set_property("DBClusterIdentifier", props_.cluster_identifier);
  r.set_property("Engine", "aurora-postgresql");
  r.set_property("EngineVersion", props_.engine_version);
  detail::add_deploy_check(stack(), *this, Engine::aurora_postgresql, props_.engine_version,
                           static_cast<bool>(props_.global_cluster), r);
  if (props_.global_cluster) {
    r.set_property("GlobalClusterIdentifier", props_.global_cluster->identifier());
    props_.global_cluster->add_member(*this);
  }
  if (!secondary && props_.secret) {
    // Dynamic references only: the password never appears in the template.
    r.set_property("MasterUsername", props_.secret->username_ref());
    r.set_property("MasterUserPassword", props_.secret->password_ref());
  }
  if (!secondary && props_.database_name) r.set_property("DatabaseName", *props_.database_name);
  r.set_property("Port", props_.port);
  r.set_property("StorageEncrypted", props_.storage_encrypted);
  if (props_.kms_key)
    r.set_property("KmsKeyId", props_.kms_key->key_arn());
  else if (secondary && props_.storage_encrypted)
    r.set_property("KmsKeyId", "alias/aws/rds");  // a key of this region: the primary's cannot be used here
  r.set_property("BackupRetentionPeriod", props_.backup_retention_days);
  if (props_.preferred_backup_window) r.set_property("PreferredBackupWindow", *props_.preferred_backup_window);
  r.set_property("CopyTagsToSnapshot", props_.copy_tags_to_snapshot);
  r.set_property("DeletionProtection", props_.deletion_protection);
  if (!props_.log_exports.empty()) {
    Value::Array exports;
    for (const auto& t : props_.log_exports) exports.emplace_back(t);
    r.set_property("EnableCloudwatchLogsExports", Value(std::move(exports)));
  }
  if (props_.serverless_v2)
    r.set_property("ServerlessV2ScalingConfiguration",
                   Value::object({{"MinCapacity", props_.serverless_v2->min_capacity},
                                  {"MaxCapacity", props_.serverless_v2->max_capacity}}));

  subnet_group_ = props_.subnet_group.pointer();
  if (subnet_group_ == nullptr)
    subnet_group_ = &add<SubnetGroup>(
        "SubnetGroup", SubnetGroupProps{.vpc = *props_.vpc, .description = "Subnets of cluster " + props_.cluster_identifier});
  r.set_property("DBSubnetGroupName", subnet_group_->name());
  Value::Array groups;
  for (const auto* sg : props_.security_groups) groups.push_back(sg->group_id());
  r.set_property("VpcSecurityGroupIds", Value(std::move(groups)));
  if (props_.parameter_group) r.set_property("DBClusterParameterGroupName", props_.parameter_group->name());

  // Aurora creates /aws/rds/cluster/<id>/<type> on first export, without a
  // retention; creating it first (and making the cluster wait) sets one.
  for (const auto& type : props_.log_exports) {
    if (std::find(std::begin(aurora_log_types), std::end(aurora_log_types), type) == std::end(aurora_log_types))
      continue;  // E941
    auto& group = add<logs::LogGroup>(
        log_child_id(type),
        logs::LogGroupProps{.log_group_name = aurora_log_group_name(props_.cluster_identifier, type),
                            .retention_days = props_.log_retention_days,
                            // Log groups cannot be snapshotted: keep them instead.
                            .removal_policy = props_.removal_policy == RemovalPolicy::snapshot ? RemovalPolicy::retain
                                                                                               : props_.removal_policy,
                            .kms_key = props_.log_kms_key});
    r.add_dependency(group.resource());
    if (type == "postgresql") log_group_ = &group;
  }
  r.apply_removal_policy(props_.removal_policy);
  build_instances();
  // After the instances: the attachment tells the secret which of them must exist
  // before Secrets Manager can test a rotation (ready_when).
  if (!secondary && props_.secret) props_.secret->attach(*this);
}

void DatabaseCluster::build_instances() {
  const int count = 1 + std::clamp(props_.readers, 0, 15);
  const int azs = std::max<int>(1, static_cast<int>(props_.vpc->subnets().size()));
  CfnResource* monitoring_role = props_.monitoring_interval > 0 ? &detail::add_monitoring_role(*this) : nullptr;
  const auto ids = instance_identifiers();
  for (int i = 0; i < count; ++i) {
    auto& inst = add<CfnResource>("Instance" + std::to_string(i + 1), CfnResourceProps{.type = "AWS::RDS::DBInstance"});
    inst.set_property("DBInstanceIdentifier", ids[static_cast<std::size_t>(i)]);
    inst.set_property("DBClusterIdentifier", resource_->ref());
    inst.set_property("Engine", "aurora-postgresql");
    inst.set_property("DBInstanceClass", props_.instance_class);
    // The zone of subnet i: by AZ id when the VPC places its subnets so (the same
    // physical zones in every account), else Fn::GetAZs position i.
    inst.set_property("AvailabilityZone", props_.vpc->subnet_availability_zone(static_cast<std::size_t>(i % azs)));
    inst.set_property("PromotionTier", i == 0 ? 0 : std::min(i, 15));
    inst.set_property("PubliclyAccessible", false);
    inst.set_property("AutoMinorVersionUpgrade", props_.auto_minor_version_upgrade);
    if (props_.enable_performance_insights) {
      inst.set_property("EnablePerformanceInsights", true);
      inst.set_property("PerformanceInsightsRetentionPeriod", props_.performance_insights_retention_days);
    }
    if (monitoring_role != nullptr) {
      inst.set_property("MonitoringInterval", props_.monitoring_interval);
      inst.set_property("MonitoringRoleArn", monitoring_role->get_att("Arn"));
    }
    // The cluster's snapshot holds the data: instances are deleted with it.
    inst.apply_removal_policy(props_.removal_policy == RemovalPolicy::retain ? RemovalPolicy::retain
                                                                             : RemovalPolicy::destroy);
    if (i > 0) inst.add_dependency(*instances_.front());
    instances_.push_back(&inst);
  }
}

std::vector<std::string> DatabaseCluster::instance_identifiers() const {
  std::vector<std::string> out;
  const int count = 1 + std::clamp(props_.readers, 0, 15);
  for (int i = 1; i <= count; ++i) out.push_back(props_.cluster_identifier + "-" + std::to_string(i));
  return out;
}

const std::string& DatabaseCluster::region() const { return stack().region(); }

CfnResource* DatabaseCluster::log_group() const noexcept {
  return log_group_ != nullptr ? &log_group_->resource() : nullptr;
}

secrets::AttachmentTargetProps DatabaseCluster::as_attachment_target() const {
  // A cluster answers only once its writer instance exists.
  return {.target_id = resource_->ref(), .target_type = "AWS::RDS::DBCluster",
          .ready_when = {instances_.empty() ? nullptr : instances_.front()}};
}

cloudwatch::Metric DatabaseCluster::metric(std::string metric_name, std::string statistic,
                                           std::optional<std::string> unit) const {
  return cloudwatch::Metric{.namespace_name = "AWS/RDS",
                            .metric_name = std::move(metric_name),
                            .dimensions = {{"DBClusterIdentifier", lowercase(props_.cluster_identifier)}},
                            .statistic = std::move(statistic),
                            .period_seconds = 60,
                            .unit = std::move(unit)};
}

cloudwatch::Metric DatabaseCluster::metric_global_replication_lag() const {
  return metric("AuroraGlobalDBReplicationLag", "Maximum", "Milliseconds");
}
cloudwatch::Metric DatabaseCluster::metric_global_rpo_lag() const {
  return metric("AuroraGlobalDBRPOLag", "Maximum", "Milliseconds");
}
cloudwatch::Metric DatabaseCluster::metric_replica_lag_maximum() const {
  return metric("AuroraReplicaLagMaximum", "Maximum", "Milliseconds");
}
cloudwatch::Metric DatabaseCluster::metric_cpu_utilization() const { return metric("CPUUtilization", "Average", "Percent"); }
cloudwatch::Metric DatabaseCluster::metric_serverless_capacity() const {
  return metric("ServerlessDatabaseCapacity", "Average");
}

void DatabaseCluster::validate(Validation& v) const {
  const auto& p = props_;
  const bool secondary = p.global_role == GlobalRole::secondary;
  const std::string& own = region();
  if (!drsynth::detail::letter_then_single_hyphens(p.cluster_identifier, 62))
    v.error(codes::E930, *this, "DB cluster identifier is invalid", p.cluster_identifier,
            "1-63 letters, digits and single hyphens, a letter first, no trailing hyphen");
  else if (const auto ids = instance_identifiers(); ids.back().size() > 63)
    v.error(codes::E930, *this, "DB cluster identifier leaves no room for the instance identifiers", ids.back(),
            "at most 63 characters: a cluster identifier of at most " +
                std::to_string(63 - (ids.back().size() - p.cluster_identifier.size())) + " characters");
  // A member of a global cluster: the global cluster warns once for all of them.
  detail::check_engine_version(v, *this, Engine::aurora_postgresql, p.engine_version, *resource_, codes::E931, !p.global_cluster);
  if (p.parameter_group) {
    if (p.parameter_group->family() != aurora_parameter_group_family(p.engine_version))
      v.error(codes::E932, *this, "cluster parameter group " + p.parameter_group->path() + " is for another engine major version",
              p.parameter_group->family(), aurora_parameter_group_family(p.engine_version));
    if (p.parameter_group->stack().region() != own)
      v.error(codes::E932, *this, "cluster parameter group " + p.parameter_group->path() + " is in another region",
              p.parameter_group->stack().region(), own);
  }
  const ec2::Vpc& vpc = *p.vpc;
  if (p.subnet_group && &p.subnet_group->vpc() != &vpc)
    v.error(codes::E933, *this, "subnet_group is over another VPC than vpc", p.subnet_group->path(), vpc.path());
  if (vpc.stack().region() != own)
    v.error(codes::E933, *this, "the VPC is in another region", vpc.stack().region(), own);
  if (p.subnet_group && p.subnet_group->stack().region() != own)
    v.error(codes::E933, *this, "the subnet group is in another region", p.subnet_group->stack().region(), own);
  for (const auto* sg : p.security_groups)
    if (&sg->vpc() != &vpc)
      v.error(codes::E934, *this, "security group " + sg->path() + " belongs to another VPC", sg->vpc().path(), vpc.path());
  if (secondary) {
    if (!p.global_cluster)
      v.error(codes::E935, *this, "a secondary cluster needs a global cluster", "global_cluster unset",
              "the rds::GlobalCluster it replicates from");
    if (p.secret)
      v.error(codes::E935, *this, "a secondary cluster takes no master credentials (they come from the primary)",
              p.secret->path(), "no secret");
    if (p.database_name)
      v.error(codes::E935, *this, "a secondary cluster takes no database name (it comes from the primary)", *p.database_name,
              "no database_name");
  } else if (!p.secret) {
    v.error(codes::E935, *this, "no master credentials", "secret unset",
            "a secrets::DatabaseSecret (RDS-managed passwords are not supported in a global database)");
  }
  if (p.kms_key && p.kms_key->region() != own)
    v.error(codes::E936, *this, "the storage key " + p.kms_key->path() + " is in another region", p.kms_key->region(),
            own + " (each cluster of a global database uses a key of its own region)");
  if (p.kms_key && !p.storage_encrypted)
    v.error(codes::E936, *this, "kms_key is set but storage is not encrypted", p.kms_key->path(), "storage_encrypted = true");
  if (p.log_kms_key && p.log_kms_key->region() != own)
    v.error(codes::E936, *this, "the log key " + p.log_kms_key->path() + " is in another region", p.log_kms_key->region(), own);
  if (p.backup_retention_days < 1 || p.backup_retention_days > 35)
    v.error(codes::E937, *this, "backup retention is out of range", std::to_string(p.backup_retention_days),
            "1 to 35 days (Aurora always keeps backups)");
  if (p.preferred_backup_window && !drsynth::detail::is_hh_mm_window(*p.preferred_backup_window))
    v.error(codes::E937, *this, "preferred backup window is invalid", *p.preferred_backup_window,
            "hh24:mi-hh24:mi in UTC, e.g. 03:00-04:00");
  if (p.instance_class == serverless_instance_class && !p.serverless_v2)
    v.error(codes::E938, *this, "db.serverless instances need a Serverless v2 scaling configuration", "serverless_v2 unset",
            "serverless_v2 = {.min_capacity = 0.5, .max_capacity = ...}");
  if (p.serverless_v2) {
    const double lo = p.serverless_v2->min_capacity;
    const double hi = p.serverless_v2->max_capacity;
    auto shown = [](double d) {
      std::string s = std::to_string(d);
      s.erase(s.find_last_not_of('0') + 1);
      if (!s.empty() && s.back() == '.') s.pop_back();
      return s;
    };
    if (!half_steps(lo) || lo < 0 || lo > 256)
      v.error(codes::E938, *this, "Serverless v2 minimum capacity is invalid", shown(lo) + " ACU", "0 to 256 ACU in steps of 0.5");
    if (!half_steps(hi) || hi < 1 || hi > 256)
      v.error(codes::E938, *this, "Serverless v2 maximum capacity is invalid", shown(hi) + " ACU", "1 to 256 ACU in steps of 0.5");
    else if (hi < lo)
      v.error(codes::E938, *this, "Serverless v2 maximum capacity is below the minimum", shown(hi) + " ACU",
              ">= " + shown(lo) + " ACU");
  }
  if (!is_aurora_postgres_instance_class(p.instance_class))
    v.error(codes::E939, *this, "instance class is not offered for Aurora PostgreSQL", p.instance_class,
            detail::aurora_class_hint(p.instance_class));
  if (p.readers < 0 || p.readers > 15)
    v.error(codes::E939, *this, "number of readers is out of range", std::to_string(p.readers), "0 to 15 Aurora Replicas");
  for (const auto& t : p.log_exports)
    if (std::find(std::begin(aurora_log_types), std::end(aurora_log_types), t) == std::end(aurora_log_types))
      v.error(codes::E941, *this, "Aurora PostgreSQL does not export this log", t,
              "postgresql, instance or iam-db-auth-error (\"upgrade\" exists only for RDS for PostgreSQL instances)");
  if (p.port < 1150 || p.port > 65535)
    v.error(codes::E942, *this, "port is out of range for RDS", std::to_string(p.port), "1150 to 65535");
  if (p.database_name &&
      !drsynth::detail::letter_then(*p.database_name, 62, [](char c) { return drsynth::detail::is_alnum(c) || c == '_'; }))
    v.error(codes::E942, *this, "database name is invalid for PostgreSQL", *p.database_name,
            "a letter, then letters, digits or _ (1-63 characters)");
  if (!detail::valid_monitoring_interval(p.monitoring_interval))
    v.error(codes::E944, *this, "monitoring interval is invalid", std::to_string(p.monitoring_interval),
            "0, 1, 5, 10, 15, 30 or 60 seconds");
  if (p.enable_performance_insights && !detail::valid_performance_insights_retention(p.performance_insights_retention_days))
    v.error(codes::E944, *this, "performance insights retention is invalid", std::to_string(p.performance_insights_retention_days),
            "7, a multiple of 31 up to 713, or 731 days");
}

}  // namespace drsynth::rds

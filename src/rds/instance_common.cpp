#include "rds/instance_common.hpp"
#include "core/char_rules.hpp"

#include <algorithm>

#include "drsynth/core/error_codes.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/logs/log_group.hpp"
#include "drsynth/rds/engine.hpp"
#include "drsynth/rds/parameter_group.hpp"
#include "drsynth/rds/subnet_group.hpp"
#include "drsynth/core/stack.hpp"

namespace drsynth::rds::detail {

CfnResource& add_monitoring_role(Construct& self) {
  auto& role = self.add<CfnResource>("MonitoringRole", CfnResourceProps{.type = "AWS::IAM::Role"});
  role.set_property("AssumeRolePolicyDocument",
                    Value::object({{"Version", "2012-10-17"},
                                   {"Statement", Value::array({Value::object(
                                                     {{"Effect", "Allow"},
                                                      {"Principal", Value::object({{"Service", "monitoring.rds.amazonaws.com"}})},
                                                      {"Action", "sts:AssumeRole"}})})}}));
  role.set_property("ManagedPolicyArns",
                    Value::array({Value::sub(
                        "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole")}));
  return role;
}

bool valid_monitoring_interval(int seconds) noexcept {
  static constexpr int intervals[] = {0, 1, 5, 10, 15, 30, 60};
  return std::find(std::begin(intervals), std::end(intervals), seconds) != std::end(intervals);
}

bool valid_performance_insights_retention(int pi) noexcept {
  return pi == 7 || (pi % 31 == 0 && pi >= 31 && pi <= 713) || pi == 731;
}

Children build(Construct& self, const CommonSettings& s) {
  Children c;
  c.resource = &self.add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::RDS::DBInstance"});
  CfnResource& r = *c.resource;
  r.set_property("DBInstanceIdentifier", *s.instance_identifier);
  r.set_property("DBInstanceClass", *s.instance_class);
  r.set_property("Engine", "postgres");
  r.set_property("MultiAZ", s.multi_az);
  r.set_property("StorageType", s.storage_type);
  if (s.max_allocated_storage) r.set_property("MaxAllocatedStorage", *s.max_allocated_storage);
  r.set_property("BackupRetentionPeriod", s.backup_retention_days);
  r.set_property("PubliclyAccessible", false);
  r.set_property("CopyTagsToSnapshot", s.copy_tags_to_snapshot);
  r.set_property("AutoMinorVersionUpgrade", s.auto_minor_version_upgrade);
  r.set_property("DeletionProtection", s.deletion_protection);
  r.set_property("EnableCloudwatchLogsExports",
                 s.export_upgrade_log ? Value::array({"postgresql", "upgrade"}) : Value::array({"postgresql"}));

  c.subnet_group = s.subnet_group;
  if (c.subnet_group == nullptr)
    c.subnet_group = &self.add<SubnetGroup>(
        "SubnetGroup", SubnetGroupProps{.vpc = s.vpc, .description = "Subnets of database " + *s.instance_identifier});
  r.set_property("DBSubnetGroupName", c.subnet_group->name());
  Value::Array groups;
  for (const auto* sg : s.security_groups) groups.push_back(sg->group_id());
  r.set_property("VPCSecurityGroups", Value(std::move(groups)));
  if (s.parameter_group != nullptr) r.set_property("DBParameterGroupName", s.parameter_group->name());

  if (s.enable_performance_insights) {
    r.set_property("EnablePerformanceInsights", true);
    r.set_property("PerformanceInsightsRetentionPeriod", s.performance_insights_retention_days);
  }
  if (s.monitoring_interval > 0) {
    auto& role = add_monitoring_role(self);
    r.set_property("MonitoringInterval", s.monitoring_interval);
    r.set_property("MonitoringRoleArn", role.get_att("Arn"));
  }

  // RDS creates /aws/rds/instance/<id>/postgresql on first export, without a
  // retention; creating it first (and making the instance wait) sets one.
  const Link<kms::Key> log_key = s.log_kms_key != nullptr ? Link<kms::Key>(*s.log_kms_key) : Link<kms::Key>{};
  // Log groups cannot be snapshotted: keep them instead.
  const RemovalPolicy log_removal = s.removal_policy == RemovalPolicy::snapshot ? RemovalPolicy::retain : s.removal_policy;
  c.log_group = &self.add<logs::LogGroup>(
      "LogRetentionpostgresql", logs::LogGroupProps{.log_group_name = logs::rds_postgresql_log_group_name(*s.instance_identifier),
                                                    .retention_days = s.log_retention_days,
                                                    .removal_policy = log_removal,
                                                    .kms_key = log_key});
  r.add_dependency(c.log_group->resource());
  if (s.export_upgrade_log) {
    c.upgrade_log_group = &self.add<logs::LogGroup>(
        "LogRetentionupgrade", logs::LogGroupProps{.log_group_name = logs::rds_log_group_name(*s.instance_identifier, "upgrade"),
                                                   .retention_days = s.log_retention_days,
                                                   .removal_policy = log_removal,
                                                   .kms_key = log_key});
    r.add_dependency(c.upgrade_log_group->resource());
  }
  r.apply_removal_policy(s.removal_policy);
  return c;
}

void validate(const Construct& self, const CommonSettings& s, Validation& v) {
  if (!drsynth::detail::letter_then_single_hyphens(*s.instance_identifier, 62))
    v.error(codes::E721, self, "DB instance identifier is invalid", *s.instance_identifier,
            "1-63 letters, digits and single hyphens, a letter first, no trailing hyphen");
  if (!is_known_instance_class(*s.instance_class))
    v.error(codes::E722, self, "DB instance class is not known", *s.instance_class, known_instance_classes_summary());
  static constexpr std::string_view storage_types[] = {"gp2", "gp3", "io1", "io2", "standard"};
  if (std::find(std::begin(storage_types), std::end(storage_types), s.storage_type) == std::end(storage_types))
    v.error(codes::E724, self, "storage type is invalid", s.storage_type, "gp2, gp3, io1, io2 or standard");
  if (s.backup_retention_days < 0 || s.backup_retention_days > 35)
    v.error(codes::E725, self, "backup retention is out of range", std::to_string(s.backup_retention_days), "0 to 35 days");

  const std::string& region = self.stack().region();
  if (s.subnet_group != nullptr && &s.subnet_group->vpc() != &s.vpc)
    v.error(codes::E729, self, "subnet_group is over another VPC than vpc", s.subnet_group->path(), s.vpc.path());
  if (s.vpc.stack().region() != region)
    v.error(codes::E729, self, "the VPC is in another region", s.vpc.stack().region(), region);
  else if (s.subnet_group != nullptr && s.subnet_group->stack().region() != region)
    v.error(codes::E729, self, "the subnet group is in another region", s.subnet_group->stack().region(), region);
  if (s.parameter_group != nullptr) {
    if (!s.replica && s.parameter_group->family() != parameter_group_family(s.engine_version))
      v.error(codes::E730, self, "parameter group " + s.parameter_group->path() + " is for another engine major version",
              s.parameter_group->family(), parameter_group_family(s.engine_version));
    if (s.parameter_group->stack().region() != region)
      v.error(codes::E730, self, "parameter group " + s.parameter_group->path() + " is in another region",
              s.parameter_group->stack().region(), region);
  }
  for (const auto* sg : s.security_groups) {
    if (&sg->vpc() != &s.vpc)
      v.error(codes::E731, self, "security group " + sg->path() + " belongs to another VPC", sg->vpc().path(), s.vpc.path());
  }
  if (!valid_monitoring_interval(s.monitoring_interval))
    v.error(codes::E732, self, "monitoring interval is invalid", std::to_string(s.monitoring_interval),
            "0, 1, 5, 10, 15, 30 or 60 seconds");
  if (s.log_kms_key != nullptr && s.log_kms_key->region() != region)
    v.error(codes::E960, self, "the log key " + s.log_kms_key->path() + " is in another region", s.log_kms_key->region(),
            region + " (CloudWatch Logs uses keys of its own region)");
  const int pi = s.performance_insights_retention_days;
  if (s.enable_performance_insights && !valid_performance_insights_retention(pi))
    v.error(codes::E732, self, "performance insights retention is invalid", std::to_string(pi),
            "7, a multiple of 31 up to 713, or 731 days");
}

}  // namespace drsynth::rds::detail

// What DatabaseInstance and ReadReplica share (internal).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/link.hpp"
#include "drsynth/core/removal_policy.hpp"

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
class ParameterGroup;
class SubnetGroup;
}  // namespace drsynth::rds

namespace drsynth::rds::detail {

struct CommonSettings {
  const std::string* instance_identifier;
  const std::string* instance_class;
  std::string engine_version;  // the instance's (a replica: its source's)
  ec2::Vpc& vpc;
  SubnetGroup* subnet_group;  // nullptr: created over vpc
  const RequiredList<ec2::SecurityGroup, "security_groups">& security_groups;
  bool multi_az;
  int backup_retention_days;
  std::string storage_type;
  std::optional<int> max_allocated_storage;
  ParameterGroup* parameter_group;
  bool deletion_protection;
  int log_retention_days;
  bool enable_performance_insights;
  int performance_insights_retention_days;
  int monitoring_interval;
  bool auto_minor_version_upgrade;
  bool copy_tags_to_snapshot;
  RemovalPolicy removal_policy;
  bool replica = false;  // the parameter group family is checked as E736 instead
  bool export_upgrade_log = false;  // also export (and keep) the "upgrade" log
  kms::Key* log_kms_key = nullptr;  // customer-managed key of the log groups
};

struct Children {
  CfnResource* resource = nullptr;
  logs::LogGroup* log_group = nullptr;
  logs::LogGroup* upgrade_log_group = nullptr;
  SubnetGroup* subnet_group = nullptr;
};

// The enhanced-monitoring role (child "MonitoringRole") RDS instances of `self` publish with.
[[nodiscard]] CfnResource& add_monitoring_role(Construct& self);
// RDS's rules for MonitoringInterval and PerformanceInsightsRetentionPeriod.
[[nodiscard]] bool valid_monitoring_interval(int seconds) noexcept;
[[nodiscard]] bool valid_performance_insights_retention(int days) noexcept;

// Creates Resource, the subnet group (if needed), the log group and the
// monitoring role, and sets the properties both kinds of instance share.
[[nodiscard]] Children build(Construct& self, const CommonSettings& s);
// E721, E722, E724, E725, E729, E730, E731, E732.
void validate(const Construct& self, const CommonSettings& s, Validation& v);

}  // namespace drsynth::rds::detail

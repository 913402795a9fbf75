// Every physical name of the AuroraGlobalDisasterRecovery system, from one
// table (internal): {resource-type}-{purpose}-{environmentSuffix}, with AWS's
// length limit of each. The part builders spell names only through
// `AuroraNames`; the settings compute the longest suffix from the same rows.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace drsynth::patterns::detail {

enum class AuroraName : std::uint8_t {
  base_stack,
  primary_stack,
  secondary_stack,
  routes_stack,
  failover_stack,
  failover_primary_stack,
  global_cluster,
  primary_cluster,
  secondary_cluster,
  primary_parameter_group,
  secondary_parameter_group,
  primary_vpc,
  secondary_vpc,
  peering,
  primary_db_security_group,
  secondary_db_security_group,
  primary_probe_security_group,
  secondary_probe_security_group,
  primary_data_key_alias,
  secondary_data_key_alias,
  primary_events_key_alias,
  secondary_events_key_alias,
  primary_flow_log_group,
  secondary_flow_log_group,
  secret,
  rotation_function,
  export_bucket,
  export_replica_bucket,
  export_replication_role,
  primary_events_topic,
  secondary_events_topic,
  primary_events_queue,
  secondary_events_queue,
  primary_events_dlq,
  secondary_events_dlq,
  primary_event_subscription,
  secondary_event_subscription,
  primary_events_dlq_alarm,
  secondary_events_dlq_alarm,
  lag_alarm,
  lag_guard_alarm,
  zone,
  database_cname,
  primary_probe_function,
  secondary_probe_function,
  primary_probe_role,
  secondary_probe_role,
  primary_probe_dimension,
  secondary_probe_dimension,
  primary_view_alarm,
  secondary_view_alarm,
  primary_hold_alarm,
  secondary_hold_alarm,
  primary_fence_alarm,
  secondary_fence_alarm,
  primary_failover_function,
  secondary_failover_function,
  primary_failover_role,
  secondary_failover_role,
  primary_failover_dlq,
  secondary_failover_dlq,
  primary_failover_dlq_alarm,
  secondary_failover_dlq_alarm,
  primary_lock_parameter,
  secondary_lock_parameter,
  primary_state_parameter,
  secondary_state_parameter,
  primary_snapshot_subscription,
  secondary_snapshot_subscription,
};

struct AuroraNameRule {
  AuroraName name;
  std::string_view what;  // for messages
  std::string_view prefix;
  std::string_view tail;
  std::size_t max_length;  // of prefix + suffix + tail, as AWS limits it
};

inline constexpr std::array aurora_name_rules{
    AuroraNameRule{AuroraName::base_stack, "base stack name", "AuroraDrBase-", "", 128},
    AuroraNameRule{AuroraName::primary_stack, "primary stack name", "AuroraPrimary-", "", 128},
    AuroraNameRule{AuroraName::secondary_stack, "secondary stack name", "AuroraSecondary-", "", 128},
    AuroraNameRule{AuroraName::routes_stack, "routes stack name", "AuroraPrimaryRoutes-", "", 128},
    AuroraNameRule{AuroraName::failover_stack, "failover stack name", "AuroraFailover-", "", 128},
    AuroraNameRule{AuroraName::failover_primary_stack, "primary failover stack name", "AuroraFailoverPrimary-", "", 128},
    AuroraNameRule{AuroraName::global_cluster, "global cluster identifier", "aurora-global-", "", 63},
    AuroraNameRule{AuroraName::primary_cluster, "primary cluster identifier", "aurora-primary-", "", 63 - 3},
    AuroraNameRule{AuroraName::secondary_cluster, "secondary cluster identifier", "aurora-secondary-", "", 63 - 3},
    AuroraNameRule{AuroraName::primary_parameter_group, "primary cluster parameter group", "aurora-params-primary-", "", 255},
    AuroraNameRule{AuroraName::secondary_parameter_group, "secondary cluster parameter group", "aurora-params-secondary-", "", 255},
    AuroraNameRule{AuroraName::primary_vpc, "primary VPC Name tag", "vpc-primary-", "", 256},
    AuroraNameRule{AuroraName::secondary_vpc, "secondary VPC Name tag", "vpc-secondary-", "", 256},
    AuroraNameRule{AuroraName::peering, "peering Name tag", "peering-aurora-", "", 256},
    AuroraNameRule{AuroraName::primary_db_security_group, "primary DB security group", "secgroup-db-primary-", "", 255},
    AuroraNameRule{AuroraName::secondary_db_security_group, "secondary DB security group", "secgroup-db-secondary-", "", 255},
    AuroraNameRule{AuroraName::primary_probe_security_group, "primary probe security group", "secgroup-probe-primary-", "", 255},
    AuroraNameRule{AuroraName::secondary_probe_security_group, "secondary probe security group", "secgroup-probe-secondary-", "", 255},
    AuroraNameRule{AuroraName::primary_data_key_alias, "primary data key alias", "alias/kms-data-primary-", "", 256},
    AuroraNameRule{AuroraName::secondary_data_key_alias, "secondary data key alias", "alias/kms-data-secondary-", "", 256},
    AuroraNameRule{AuroraName::primary_events_key_alias, "primary events key alias", "alias/kms-events-primary-", "", 256},
    AuroraNameRule{AuroraName::secondary_events_key_alias, "secondary events key alias", "alias/kms-events-secondary-", "", 256},
    AuroraNameRule{AuroraName::primary_flow_log_group, "primary flow log group", "/drsynth/vpc-flow-logs/vpc-primary-", "", 512},
    AuroraNameRule{AuroraName::secondary_flow_log_group, "secondary flow log group", "/drsynth/vpc-flow-logs/vpc-secondary-", "", 512},
    AuroraNameRule{AuroraName::secret, "secret name", "secret-aurora-master-", "", 512},
    AuroraNameRule{AuroraName::rotation_function, "rotation function name", "lambda-rotate-aurora-", "", 64},
    // Bucket names are global: 3..63 characters.
    AuroraNameRule{AuroraName::export_bucket, "export bucket name", "s3-db-export-", "", 63},
    AuroraNameRule{AuroraName::export_replica_bucket, "export replica bucket name", "s3-db-export-replica-", "", 63},
    AuroraNameRule{AuroraName::export_replication_role, "export replication role", "role-s3-replication-", "", 64},
    AuroraNameRule{AuroraName::primary_events_topic, "primary events topic", "sns-db-events-primary-", "", 256},
    AuroraNameRule{AuroraName::secondary_events_topic, "secondary events topic", "sns-db-events-secondary-", "", 256},
    AuroraNameRule{AuroraName::primary_events_queue, "primary events queue", "sqs-db-events-primary-", "", 80},
    AuroraNameRule{AuroraName::secondary_events_queue, "secondary events queue", "sqs-db-events-secondary-", "", 80},
    AuroraNameRule{AuroraName::primary_events_dlq, "primary events DLQ", "sqs-db-events-dlq-primary-", "", 80},
    AuroraNameRule{AuroraName::secondary_events_dlq, "secondary events DLQ", "sqs-db-events-dlq-secondary-", "", 80},
    AuroraNameRule{AuroraName::primary_event_subscription, "primary event subscription", "rds-events-primary-", "", 255},
    AuroraNameRule{AuroraName::secondary_event_subscription, "secondary event subscription", "rds-events-secondary-", "", 255},
    AuroraNameRule{AuroraName::primary_events_dlq_alarm, "primary events DLQ alarm", "alarm-events-dlq-primary-", "", 255},
    AuroraNameRule{AuroraName::secondary_events_dlq_alarm, "secondary events DLQ alarm", "alarm-events-dlq-secondary-", "", 255},
    AuroraNameRule{AuroraName::lag_alarm, "replication lag alarm", "alarm-replication-lag-", "", 255},
    AuroraNameRule{AuroraName::lag_guard_alarm, "DNS lag guard alarm", "alarm-lag-guard-", "", 255},
    AuroraNameRule{AuroraName::zone, "hosted zone label", "aurora-", ".internal", 63 + std::string_view(".internal").size()},
    AuroraNameRule{AuroraName::database_cname, "writer CNAME", "writer.aurora-", ".internal", 253},
    AuroraNameRule{AuroraName::primary_probe_function, "primary probe function", "lambda-probe-primary-", "", 64},
    AuroraNameRule{AuroraName::secondary_probe_function, "secondary probe function", "lambda-probe-secondary-", "", 64},
    AuroraNameRule{AuroraName::primary_probe_role, "primary probe role", "role-probe-primary-", "", 64},
    AuroraNameRule{AuroraName::secondary_probe_role, "secondary probe role", "role-probe-secondary-", "", 64},
    AuroraNameRule{AuroraName::primary_probe_dimension, "primary probe metric dimension", "aurora-writer-from-primary-", "", 1024},
    AuroraNameRule{AuroraName::secondary_probe_dimension, "secondary probe metric dimension", "aurora-writer-from-secondary-", "", 1024},
    AuroraNameRule{AuroraName::primary_view_alarm, "primary view alarm", "alarm-writer-down-primary-", "", 255},
    AuroraNameRule{AuroraName::secondary_view_alarm, "secondary view alarm", "alarm-writer-down-secondary-", "", 255},
    AuroraNameRule{AuroraName::primary_hold_alarm, "primary hold alarm", "alarm-writer-down-held-primary-", "", 255},
    AuroraNameRule{AuroraName::secondary_hold_alarm, "secondary hold alarm", "alarm-writer-down-held-secondary-", "", 255},
    AuroraNameRule{AuroraName::primary_fence_alarm, "primary record fence alarm", "alarm-fence-primary-", "", 255},
    AuroraNameRule{AuroraName::secondary_fence_alarm, "secondary record fence alarm", "alarm-fence-secondary-", "", 255},
    AuroraNameRule{AuroraName::primary_failover_function, "primary failover function", "lambda-failover-primary-", "", 64},
    AuroraNameRule{AuroraName::secondary_failover_function, "secondary failover function", "lambda-failover-secondary-", "", 64},
    AuroraNameRule{AuroraName::primary_failover_role, "primary failover role", "role-failover-primary-", "", 64},
    AuroraNameRule{AuroraName::secondary_failover_role, "secondary failover role", "role-failover-secondary-", "", 64},
    AuroraNameRule{AuroraName::primary_failover_dlq, "primary failover DLQ", "sqs-failover-dlq-primary-", "", 80},
    AuroraNameRule{AuroraName::secondary_failover_dlq, "secondary failover DLQ", "sqs-failover-dlq-secondary-", "", 80},
    AuroraNameRule{AuroraName::primary_failover_dlq_alarm, "primary failover DLQ alarm", "alarm-failover-dlq-primary-", "", 255},
    AuroraNameRule{AuroraName::secondary_failover_dlq_alarm, "secondary failover DLQ alarm", "alarm-failover-dlq-secondary-", "", 255},
    AuroraNameRule{AuroraName::primary_lock_parameter, "primary lock parameter", "/drsynth/aurora-", "/failover-lock-primary", 1011},
    AuroraNameRule{AuroraName::secondary_lock_parameter, "secondary lock parameter", "/drsynth/aurora-", "/failover-lock-secondary", 1011},
    AuroraNameRule{AuroraName::primary_state_parameter, "primary state parameter", "/drsynth/aurora-", "/failover-state-primary", 1011},
    AuroraNameRule{AuroraName::secondary_state_parameter, "secondary state parameter", "/drsynth/aurora-", "/failover-state-secondary", 1011},
    AuroraNameRule{AuroraName::primary_snapshot_subscription, "primary snapshot event subscription", "rds-snapshot-events-primary-", "", 255},
    AuroraNameRule{AuroraName::secondary_snapshot_subscription, "secondary snapshot event subscription", "rds-snapshot-events-secondary-", "", 255},
};

constexpr bool aurora_rows_in_enum_order() {
  for (std::size_t i = 0; i < aurora_name_rules.size(); ++i)
    if (static_cast<std::size_t>(aurora_name_rules[i].name) != i) return false;
  return static_cast<std::size_t>(AuroraName::secondary_snapshot_subscription) + 1 == aurora_name_rules.size();
}
static_assert(aurora_rows_in_enum_order(), "aurora_name_rules: one row per AuroraName, in the enum's order");

struct AuroraSuffixLimit {
  std::size_t max_length;
  const AuroraNameRule* binding;
};
[[nodiscard]] constexpr AuroraSuffixLimit aurora_suffix_limit() {
  AuroraSuffixLimit limit{SIZE_MAX, &aurora_name_rules.front()};
  for (const auto& r : aurora_name_rules) {
    const std::size_t room = r.max_length - r.prefix.size() - r.tail.size();
    if (room < limit.max_length) limit = {room, &r};
  }
  return limit;
}

class AuroraNames {
 public:
  explicit AuroraNames(std::string suffix) : suffix_(std::move(suffix)) {}
  [[nodiscard]] std::string operator()(AuroraName n) const {
    const auto& r = aurora_name_rules[static_cast<std::size_t>(n)];
    std::string s;
    s.reserve(r.prefix.size() + suffix_.size() + r.tail.size());
    return s.append(r.prefix).append(suffix_).append(r.tail);
  }
  [[nodiscard]] const std::string& suffix() const noexcept { return suffix_; }

 private:
  std::string suffix_;
};

}  // namespace drsynth::patterns::detail

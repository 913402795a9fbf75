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

#include "patterns/name_table.hpp"

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
  zone,
  database_cname,
  primary_snapshot_subscription,
  secondary_snapshot_subscription,
  witness_stack,
  metric_dimension,
};

using AuroraNameRule = NameRow<AuroraName>;

inline constexpr std::string_view bucket_tail = "-${AWS::AccountId}-${AWS::Region}";
static_assert(bucket_tail.size() == 33 && 1 + 12 + 1 + 14 == 28);

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
    AuroraNameRule{AuroraName::primary_data_key_alias, "primary data key alias", "alias/kms-data-primary-", "", 256},
    AuroraNameRule{AuroraName::secondary_data_key_alias, "secondary data key alias", "alias/kms-data-secondary-", "", 256},
    AuroraNameRule{AuroraName::primary_events_key_alias, "primary events key alias", "alias/kms-events-primary-", "", 256},
    AuroraNameRule{AuroraName::secondary_events_key_alias, "secondary events key alias", "alias/kms-events-secondary-", "", 256},
    AuroraNameRule{AuroraName::primary_flow_log_group, "primary flow log group", "/drsynth/vpc-flow-logs/vpc-primary-", "", 512},
    AuroraNameRule{AuroraName::secondary_flow_log_group, "secondary flow log group", "/drsynth/vpc-flow-logs/vpc-secondary-", "", 512},
    AuroraNameRule{AuroraName::secret, "secret name", "secret-aurora-master-", "", 512},
    AuroraNameRule{AuroraName::rotation_function, "rotation function name", "lambda-rotate-aurora-", "", 64},
    // Bucket names are global across every account: the account id and the region
    // make them this deployment's own (Fn::Sub renders them). S3 allows 63
    // characters; the tail is 33 characters in the template and at most 28 once
    // deployed (12 digits, a region of up to 14 characters), hence 63 + 5.
    AuroraNameRule{AuroraName::export_bucket, "export bucket name", "s3-db-export-", bucket_tail, 63 + 5},
    AuroraNameRule{AuroraName::export_replica_bucket, "export replica bucket name", "s3-db-export-replica-",
                   bucket_tail, 63 + 5},
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
    AuroraNameRule{AuroraName::zone, "hosted zone label", "aurora-", ".internal", 63 + std::string_view(".internal").size()},
    AuroraNameRule{AuroraName::database_cname, "writer CNAME", "writer.aurora-", ".internal", 253},
    AuroraNameRule{AuroraName::primary_snapshot_subscription, "primary snapshot event subscription", "rds-snapshot-events-primary-", "", 255},
    AuroraNameRule{AuroraName::secondary_snapshot_subscription, "secondary snapshot event subscription", "rds-snapshot-events-secondary-", "", 255},
    AuroraNameRule{AuroraName::witness_stack, "witness stack name", "AuroraWitness-", "", 128},
    AuroraNameRule{AuroraName::metric_dimension, "metric dimension value", "aurora-dr-", "", 1024},
};

static_assert(rows_in_enum_order(aurora_name_rules, AuroraName::metric_dimension),
              "aurora_name_rules: one row per AuroraName, in the enum's order");

// The DR kit's names of this system (dr_kit_names.hpp): its tag and site words.
inline constexpr std::string_view aurora_kit_system = "aurora";
inline constexpr std::array<std::string_view, 2> aurora_site_words{"primary", "secondary"};

// The longest suffix every name can take (the table's and the kit's).
using AuroraSuffixLimit = SuffixLimitWithKit<AuroraName>;
[[nodiscard]] constexpr AuroraSuffixLimit aurora_suffix_limit() {
  return with_kit(suffix_limit_of(aurora_name_rules), kit_suffix_room(aurora_kit_system, 9));
}

using AuroraNames = NamesOf<AuroraName, aurora_name_rules>;
inline constexpr auto aurora_kit_names = kit_names_of<aurora_kit_system, aurora_site_words>;
[[nodiscard]] inline std::string aurora_spelled(const AuroraSuffixLimit& l, const std::string& s) {
  return spelled_with_kit<AuroraNames>(l, s, aurora_kit_names(s), 1);  // "secondary", the longer word
}

}  // namespace drsynth::patterns::detail

// Every physical name of the PostgresDisasterRecovery system, from one table
// (internal).
//
// A name is prefix + environment suffix + tail, and AWS limits its length.
// The parts builders can only spell a name through `Names` with a `Name` of
// this table, and validation computes the longest suffix from the same rows:
// adding a name is one enumerator and one row.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "patterns/name_table.hpp"

namespace drsynth::patterns::detail {

enum class Name : std::uint8_t {
  primary_stack,
  replica_stack,
  routes_stack,
  failover_stack,
  primary_vpc,
  replica_vpc,
  peering,
  primary_db_security_group,
  replica_db_security_group,
  probe_security_group,
  primary_parameter_group,
  replica_parameter_group,
  primary_subnet_group,
  replica_subnet_group,
  primary_instance,
  replica_instance,
  secret,
  zone,
  database_cname,
  topic,
  probe_function,
  probe_role,
  probe_metric_dimension,
  health_alarm,
  failover_function,
  failover_role,
  failover_lock_parameter,
  replica_lag_alarm,
  replica_storage_alarm,
  replica_cpu_alarm,
  probe_errors_alarm,
  local_probe_function,
  local_probe_role,
  local_probe_security_group,
  local_health_alarm,
  hold_alarm,
  fence_alarm,
  dead_letter_alarm,
  dead_letter_queue,
  alarm_key_alias,
  failover_state_parameter,
  primary_data_key_alias,
  replica_data_key_alias,
  primary_flow_log_group,
  replica_flow_log_group,
  rotation_function,
  base_stack,
  replica_secret_key_alias,
};

using NameRule = NameRow<Name>;

inline constexpr std::array name_rules{
    NameRule{Name::primary_stack, "primary stack name", "DrPrimary-", "", 128},
    NameRule{Name::replica_stack, "replica stack name", "DrReplica-", "", 128},
    NameRule{Name::routes_stack, "routes stack name", "DrPrimaryRoutes-", "", 128},
    NameRule{Name::failover_stack, "failover stack name", "DrFailover-", "", 128},
    // Name tags: a tag value is at most 256 characters.
    NameRule{Name::primary_vpc, "primary VPC Name tag", "vpc-primary-", "", 256},
    NameRule{Name::replica_vpc, "replica VPC Name tag", "vpc-replica-", "", 256},
    NameRule{Name::peering, "peering Name tag", "peering-", "", 256},
    NameRule{Name::primary_db_security_group, "primary DB security group name", "db-sg-primary-", "", 255},
    NameRule{Name::replica_db_security_group, "replica DB security group name", "db-sg-replica-", "", 255},
    NameRule{Name::probe_security_group, "probe security group name", "probe-sg-", "", 255},
    NameRule{Name::primary_parameter_group, "primary parameter group name", "postgres15-primary-", "", 255},
    NameRule{Name::replica_parameter_group, "replica parameter group name", "postgres15-replica-", "", 255},
    NameRule{Name::primary_subnet_group, "primary DB subnet group name", "db-subnets-primary-", "", 255},
    NameRule{Name::replica_subnet_group, "replica DB subnet group name", "db-subnets-replica-", "", 255},
    NameRule{Name::primary_instance, "primary DB instance identifier", "postgres-primary-", "", 63},
    NameRule{Name::replica_instance, "replica DB instance identifier", "postgres-replica-", "", 63},
    NameRule{Name::secret, "secret name", "db-credentials-", "", 512},
    // "db-<suffix>" is a DNS label: at most 63 characters, ".internal" after it.
    NameRule{Name::zone, "hosted zone label", "db-", ".internal", 63 + std::string_view(".internal").size()},
    NameRule{Name::database_cname, "database CNAME", "postgres.db-", ".internal", 253},
    NameRule{Name::topic, "SNS topic name", "dr-alarms-", "", 256},
    NameRule{Name::probe_function, "probe function name", "probe-", "", 64},
    NameRule{Name::probe_role, "probe role name", "probe-role-", "", 64},
    NameRule{Name::probe_metric_dimension, "probe metric dimension value", "postgres-dr-", "", 1024},
    NameRule{Name::health_alarm, "health alarm name", "primary-down-", "", 255},
    NameRule{Name::failover_function, "failover function name", "failover-", "", 64},
    NameRule{Name::failover_role, "failover role name", "failover-role-", "", 64},
    NameRule{Name::failover_lock_parameter, "failover lock parameter", "/drsynth/", "/failover-lock", 1011},
    NameRule{Name::replica_lag_alarm, "replica lag alarm name", "replica-lag-", "", 255},
    NameRule{Name::replica_storage_alarm, "replica storage alarm name", "replica-storage-", "", 255},
    NameRule{Name::replica_cpu_alarm, "replica CPU alarm name", "replica-cpu-", "", 255},
    NameRule{Name::probe_errors_alarm, "probe errors alarm name", "probe-errors-", "", 255},
    NameRule{Name::local_probe_function, "local probe function name", "probe-local-", "", 64},
    NameRule{Name::local_probe_role, "local probe role name", "probe-local-role-", "", 64},
    NameRule{Name::local_probe_security_group, "local probe security group name", "probe-local-sg-", "", 255},
    NameRule{Name::local_health_alarm, "local health alarm name", "primary-down-local-", "", 255},
    NameRule{Name::hold_alarm, "hold alarm name", "primary-down-held-", "", 255},
    NameRule{Name::fence_alarm, "fence alarm name", "primary-fenced-", "", 255},
    NameRule{Name::dead_letter_alarm, "dead-letter alarm name", "failover-dead-letters-", "", 255},
    NameRule{Name::dead_letter_queue, "dead-letter queue name", "failover-dlq-", "", 80},
    NameRule{Name::alarm_key_alias, "alarm key alias", "alias/dr-alarms-", "", 256},
    NameRule{Name::failover_state_parameter, "failover state parameter", "/drsynth/", "/failover-state", 1011},
    NameRule{Name::primary_data_key_alias, "primary data key alias", "alias/dr-data-primary-", "", 256},
    NameRule{Name::replica_data_key_alias, "replica data key alias", "alias/dr-data-replica-", "", 256},
    NameRule{Name::primary_flow_log_group, "primary flow log group", "/drsynth/vpc-flow-logs/vpc-primary-", "", 512},
    NameRule{Name::replica_flow_log_group, "replica flow log group", "/drsynth/vpc-flow-logs/vpc-replica-", "", 512},
    NameRule{Name::rotation_function, "secret rotation function name", "rotate-db-", "", 64},
    NameRule{Name::base_stack, "base stack name", "DrBase-", "", 128},
    NameRule{Name::replica_secret_key_alias, "secret replica key alias", "alias/dr-secret-replica-", "", 256},
};

static_assert(rows_in_enum_order(name_rules, Name::replica_secret_key_alias),
              "name_rules: one row per Name, in the enum's order");

[[nodiscard]] constexpr const NameRule& rule(Name n) { return name_rules[static_cast<std::size_t>(n)]; }

// The longest suffix every name can take, and the name that sets it.
using SuffixLimit = SuffixLimitOf<Name>;
[[nodiscard]] constexpr SuffixLimit suffix_limit() { return suffix_limit_of(name_rules); }

// The system's names for one environment suffix.
using Names = NamesOf<Name, name_rules>;

}  // namespace drsynth::patterns::detail

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

#include "patterns/dr_kit_names.hpp"
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
  primary_parameter_group,
  replica_parameter_group,
  primary_subnet_group,
  replica_subnet_group,
  primary_instance,
  replica_instance,
  secret,
  zone,
  database_cname,
  probe_metric_dimension,
  replica_lag_alarm,
  replica_storage_alarm,
  replica_cpu_alarm,
  primary_data_key_alias,
  replica_data_key_alias,
  primary_flow_log_group,
  replica_flow_log_group,
  rotation_function,
  base_stack,
  replica_secret_key_alias,
  failover_primary_stack,
  witness_stack,
  primary_topic,
  replica_topic,
  primary_alarm_key_alias,
  replica_alarm_key_alias,
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
    NameRule{Name::probe_metric_dimension, "probe metric dimension value", "postgres-dr-", "", 1024},
    NameRule{Name::replica_lag_alarm, "replica lag alarm name", "replica-lag-", "", 255},
    NameRule{Name::replica_storage_alarm, "replica storage alarm name", "replica-storage-", "", 255},
    NameRule{Name::replica_cpu_alarm, "replica CPU alarm name", "replica-cpu-", "", 255},
    NameRule{Name::primary_data_key_alias, "primary data key alias", "alias/dr-data-primary-", "", 256},
    NameRule{Name::replica_data_key_alias, "replica data key alias", "alias/dr-data-replica-", "", 256},
    NameRule{Name::primary_flow_log_group, "primary flow log group", "/drsynth/vpc-flow-logs/vpc-primary-", "", 512},
    NameRule{Name::replica_flow_log_group, "replica flow log group", "/drsynth/vpc-flow-logs/vpc-replica-", "", 512},
    NameRule{Name::rotation_function, "secret rotation function name", "rotate-db-", "", 64},
    NameRule{Name::base_stack, "base stack name", "DrBase-", "", 128},
    NameRule{Name::replica_secret_key_alias, "secret replica key alias", "alias/dr-secret-replica-", "", 256},
    NameRule{Name::failover_primary_stack, "primary failover stack name", "DrFailoverPrimary-", "", 128},
    NameRule{Name::witness_stack, "witness stack name", "DrWitness-", "", 128},
    NameRule{Name::primary_topic, "primary region's alarm topic", "dr-alarms-primary-", "", 256},
    NameRule{Name::replica_topic, "DR region's alarm topic", "dr-alarms-replica-", "", 256},
    NameRule{Name::primary_alarm_key_alias, "primary alarm topic key alias", "alias/dr-alarms-primary-", "", 256},
    NameRule{Name::replica_alarm_key_alias, "DR alarm topic key alias", "alias/dr-alarms-replica-", "", 256},
};

static_assert(rows_in_enum_order(name_rules, Name::replica_alarm_key_alias),
              "name_rules: one row per Name, in the enum's order");

[[nodiscard]] constexpr const NameRule& rule(Name n) { return name_rules[static_cast<std::size_t>(n)]; }

// The DR kit's names of this system (dr_kit_names.hpp): its tag and site words.
inline constexpr std::string_view kit_system = "rds";
inline constexpr std::array<std::string_view, 2> site_words{"primary", "replica"};

// The longest suffix every name can take (the table's and the kit's), and
// the name that sets it.
using SuffixLimit = SuffixLimitWithKit<Name>;
[[nodiscard]] constexpr SuffixLimit suffix_limit() {
  return with_kit(suffix_limit_of(name_rules), kit_suffix_room(kit_system, 7));
}

// The system's names for one environment suffix.
using Names = NamesOf<Name, name_rules>;
inline constexpr auto kit_names = kit_names_of<kit_system, site_words>;
[[nodiscard]] inline std::string spelled(const SuffixLimit& l, const std::string& s) {
  return spelled_with_kit<Names>(l, s, kit_names(s), 0);
}

}  // namespace drsynth::patterns::detail

// Monitoring of the PostgresDisasterRecovery system: alarms on the replica
// that notify the operators and never act on their own (the probes' silence
// and faults are the DR kit's).
#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/rds/read_replica.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/core/stack.hpp"
#include "patterns/dr_parts.hpp"

namespace drsynth::patterns::detail {

void add_monitoring(const Failover& failover, const PostgresDisasterRecoveryProps& p, const Names& names,
                    const rds::ReadReplica& replica) {
  // The replica's metrics live in the DR region, as does this stack.
  const Value replica_id(replica.instance_identifier());
  auto rds_metric = [&](std::string metric_name, std::string statistic, std::optional<std::string> unit) {
    return cloudwatch::Metric{.namespace_name = "AWS/RDS",
                              .metric_name = std::move(metric_name),
                              .dimensions = {{"DBInstanceIdentifier", replica_id}},
                              .statistic = std::move(statistic),
                              .period_seconds = 60,
                              .unit = std::move(unit)};
  };
  auto monitor = [&](const char* alarm_id, cloudwatch::AlarmProps alarm_props) {
    auto& alarm = failover.stack.add<cloudwatch::Alarm>(alarm_id, std::move(alarm_props));
    alarm.add_alarm_action(*failover.topics[1]);
    alarm.add_ok_action(*failover.topics[1]);
  };
  monitor("ReplicaLag", {.alarm_name = names(Name::replica_lag_alarm),
                         .description = "Replication lag above " + std::to_string(p.replica_lag_threshold_seconds) + " s",
                         .metric = rds_metric("ReplicaLag", "Maximum", "Seconds"),
                         .threshold = static_cast<double>(p.replica_lag_threshold_seconds),
                         .comparison = cloudwatch::ComparisonOperator::greater_than_threshold,
                         .evaluation_periods = 3,
                         .datapoints_to_alarm = 2,
                         .treat_missing_data = cloudwatch::TreatMissingData::breaching});
  monitor("ReplicaDisk", {.alarm_name = names(Name::replica_storage_alarm),
                          .description = "Replica free storage below the threshold",
                          .metric = rds_metric("FreeStorageSpace", "Minimum", "Bytes"),
                          .threshold = p.free_storage_threshold_gib * 1024 * 1024 * 1024,
                          .comparison = cloudwatch::ComparisonOperator::less_than_threshold,
                          .evaluation_periods = 5,
                          .treat_missing_data = cloudwatch::TreatMissingData::missing});
  monitor("ReplicaCpu", {.alarm_name = names(Name::replica_cpu_alarm),
                         .description = "Replica CPU above the threshold",
                         .metric = rds_metric("CPUUtilization", "Average", "Percent"),
                         .threshold = p.cpu_threshold_percent,
                         .comparison = cloudwatch::ComparisonOperator::greater_than_threshold,
                         .evaluation_periods = 5,
                         .treat_missing_data = cloudwatch::TreatMissingData::missing});
}

}  // namespace drsynth::patterns::detail

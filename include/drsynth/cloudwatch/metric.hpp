// cloudwatch::Metric: what an alarm watches (plain data, not a construct).
//
// Constructs hand out their own metrics (rds::DatabaseInstance::metric_cpu_utilization(),
// rds::ReadReplica::metric_replica_lag(), ...), and a metric makes its alarm:
//
//   auto& cpu = db.metric_cpu_utilization().create_alarm(stack, "HighCpu", {.threshold = 80,
//                                                                           .evaluation_periods = 3});
//   cpu.add_alarm_action(topic);
//
// Error codes: E780-E782 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "drsynth/core/value.hpp"

namespace drsynth {
class Construct;
}

namespace drsynth::cloudwatch {

class Alarm;

enum class ComparisonOperator {
  greater_than_or_equal_to_threshold,
  greater_than_threshold,
  less_than_threshold,
  less_than_or_equal_to_threshold,
};
enum class TreatMissingData { missing, breaching, not_breaching, ignore };

// How a construct's metric is aggregated (the arguments of metric_*()).
struct MetricOptions {
  std::string statistic = "Average";
  int period_seconds = 60;
};

// Metric::create_alarm's props: cloudwatch::AlarmProps without the metric.
struct CreateAlarmOptions {
  std::string alarm_name{};  // physical name; empty: CloudFormation generates one
  std::string description{};
  double threshold = 0;
  ComparisonOperator comparison = ComparisonOperator::greater_than_threshold;
  int evaluation_periods = 1;
  std::optional<int> datapoints_to_alarm{};
  TreatMissingData treat_missing_data = TreatMissingData::missing;
};

struct Metric {
  std::string namespace_name{};            // "AWS/RDS", "drsynth"
  std::string metric_name{};               // "ReplicaLag"
  std::map<std::string, Value> dimensions{};  // {"DBInstanceIdentifier": replica.ref()}
  std::string statistic = "Average";       // Average/Minimum/Maximum/Sum/SampleCount or p99 etc.
  int period_seconds = 60;
  std::optional<std::string> unit{};       // "Seconds", "Bytes", "Count", ...

  // A cloudwatch::Alarm on this metric at scope/id (checked like any alarm, E780-E786).
  Alarm& create_alarm(Construct& scope, std::string id, CreateAlarmOptions options) const;
};

// True for Average, Minimum, Maximum, Sum, SampleCount (the Statistic property).
[[nodiscard]] bool is_simple_statistic(const std::string& s);
// True for pNN / pNN.NN (the ExtendedStatistic property).
[[nodiscard]] bool is_extended_statistic(std::string_view s);

}  // namespace drsynth::cloudwatch

// cloudwatch::Metric: what an alarm watches (plain data, not a construct).
//
// Error codes (E780-E789, shared with cloudwatch/alarm.hpp, sns/topic.hpp):
//   E780  period is not 10, 20, 30 or a multiple of 60 seconds
//   E781  metric has no namespace or name, or more than 30 dimensions
//   E782  statistic is not Average/Minimum/Maximum/Sum/SampleCount or pNN(.NN)
#pragma once

#include <map>
#include <optional>
#include <string>

#include "drsynth/value.hpp"

namespace drsynth::cloudwatch {

struct Metric {
  std::string namespace_name{};            // "AWS/RDS", "drsynth"
  std::string metric_name{};               // "ReplicaLag"
  std::map<std::string, Value> dimensions{};  // {"DBInstanceIdentifier": replica.ref()}
  std::string statistic = "Average";       // Average/Minimum/Maximum/Sum/SampleCount or p99 etc.
  int period_seconds = 60;
  std::optional<std::string> unit{};       // "Seconds", "Bytes", "Count", ...
};

// True for Average, Minimum, Maximum, Sum, SampleCount (the Statistic property).
[[nodiscard]] bool is_simple_statistic(const std::string& s);
// True for pNN / pNN.NN (the ExtendedStatistic property).
[[nodiscard]] bool is_extended_statistic(std::string_view s);

}  // namespace drsynth::cloudwatch

// The alarms both built-in systems build their failover path from
// (internal): a probe's "down" alarm and a record's fence, and the timing
// assumptions their budgets share.
#pragma once

#include <string>

#include "drsynth/cloudwatch/alarm.hpp"

namespace drsynth::lambda {
class HealthProbe;
}

namespace drsynth::patterns::detail {

// Assumptions AWS does not publish as guarantees (docs/dr-design.md).
inline constexpr int alarm_evaluation_delay_seconds = 30;    // metric ingestion + the alarm's once-a-minute evaluation
inline constexpr int health_check_propagation_seconds = 30;  // Route 53 following the alarm state to its resolvers
inline constexpr int function_start_seconds = 10;            // alarm action -> failover function running (cold start)

// PrimaryHealthy < 1 over `periods` one-minute periods, missing data breaching
// (a silent probe must not look healthy); Route 53 may follow it.
[[nodiscard]] cloudwatch::AlarmProps probe_down_alarm(const lambda::HealthProbe& probe, std::string name,
                                                      std::string description, int periods);

// drsynth/Fenced (dimension System=`dimension`) >= 1, set by a failover
// function before the irreversible step; no data keeps the state, so a fence
// stays until failback lifts it. Route 53 may follow it.
[[nodiscard]] cloudwatch::AlarmProps fence_alarm(std::string name, std::string description, std::string dimension);

}  // namespace drsynth::patterns::detail

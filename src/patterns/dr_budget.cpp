// The recovery-time budget of the PostgreSQL DR system, computed from its
// settings (docs/dr-design.md has the table and explains each assumption).
#include <algorithm>
#include <cstdint>
#include <string>

#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "patterns/failover_alarms.hpp"

namespace drsynth::patterns {

using detail::alarm_evaluation_delay_seconds;
using detail::function_start_seconds;
using detail::health_check_propagation_seconds;

RecoveryBudget recovery_budget(const PostgresDisasterRecoveryProps& p) {
  RecoveryBudget b;
  // 64-bit: props set in code are checked against the settings' limits, but
  // the budget is also printed for them.
  const std::int64_t interval = std::int64_t{p.probe_interval_minutes} * 60;
  const std::int64_t alarm_window = std::int64_t{p.health_alarm_periods} * 60;
  b.detection_seconds = interval + p.probe_timeout_seconds + alarm_window + alarm_evaluation_delay_seconds;
  b.dns_seconds = b.detection_seconds + health_check_propagation_seconds + p.record_ttl_seconds;
  b.hold_seconds = std::max<std::int64_t>(0, std::int64_t{p.hold_minutes} - p.health_alarm_periods) * interval;
  b.writable_after_detection_seconds = b.hold_seconds + function_start_seconds + p.expected_promotion_seconds;
  b.promoted_seconds = b.detection_seconds + b.writable_after_detection_seconds;
  b.worst_seconds = std::max(b.dns_seconds, b.writable_after_detection_seconds);
  auto line = [&](const std::string& what, std::int64_t s) { b.steps.push_back("  " + what + ": " + std::to_string(s) + " s"); };
  line("failure to the next probe (probe interval)", interval);
  line("probe times out", p.probe_timeout_seconds);
  line("failing datapoints fill the DR-view alarm (" + std::to_string(p.health_alarm_periods) + " x 60 s)", alarm_window);
  line("CloudWatch ingests and evaluates the alarm", alarm_evaluation_delay_seconds);
  line("= detection: DR-view alarm in ALARM, from the failure", b.detection_seconds);
  line("  + Route 53 health check follows the alarm", health_check_propagation_seconds);
  line("  + resolvers' cached answers expire (TTL)", p.record_ttl_seconds);
  line("  = DNS answers with the replica, from the failure", b.dns_seconds);
  line("  detection + rest of the hold (" + std::to_string(p.hold_minutes) + " unhealthy minutes in a row)",
       b.hold_seconds);
  line("  + failover function starts, checks the primary region's RDS API and fences", function_start_seconds);
  line("  + RDS promotes the replica (expected)", p.expected_promotion_seconds);
  line("  = replica writable, from detection (the objective's measure)", b.writable_after_detection_seconds);
  line("  = replica writable, from the failure", b.promoted_seconds);
  return b;
}

}  // namespace drsynth::patterns

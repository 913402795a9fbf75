#include "drsynth/patterns/aurora_global_disaster_recovery.hpp"

#include "drsynth/app.hpp"
#include "drsynth/rds/database_cluster.hpp"
#include "drsynth/stack.hpp"
#include "drsynth/tags.hpp"
#include "patterns/aurora_names.hpp"
#include "patterns/aurora_parts.hpp"
#include "patterns/control_tower.hpp"
#include "patterns/failover_alarms.hpp"

namespace drsynth::patterns {

using detail::alarm_evaluation_delay_seconds;
using detail::AuroraName;
using detail::function_start_seconds;
using detail::health_check_propagation_seconds;

namespace {

// Assumptions of the Aurora failover function's own steps (docs/dr-design.md).
constexpr int local_calls_seconds = 3;    // lock, state, DescribeGlobalClusters, fence (this region)
constexpr int failover_call_seconds = 2;  // FailoverGlobalCluster accepted

}  // namespace

AuroraFailoverBudget aurora_failover_budget(const AuroraGlobalDisasterRecoveryProps& p) {
  AuroraFailoverBudget b;
  const std::int64_t probe_interval = 60;
  const std::int64_t view_window = std::int64_t{p.health_alarm_periods} * 60;
  const std::int64_t hold_window = std::int64_t{p.hold_minutes} * 60;
  const std::int64_t second_signal = 2 * std::int64_t{p.second_signal_timeout_seconds};
  b.dns_seconds = probe_interval + p.probe_timeout_seconds + view_window + alarm_evaluation_delay_seconds +
                  health_check_propagation_seconds + p.record_ttl_seconds;
  b.detection_seconds = probe_interval + p.probe_timeout_seconds + hold_window + alarm_evaluation_delay_seconds;
  b.requested_after_detection_seconds = function_start_seconds + local_calls_seconds + second_signal + failover_call_seconds;
  b.writable_after_detection_seconds = b.requested_after_detection_seconds + p.expected_promotion_seconds;
  auto line = [&](const std::string& what, std::int64_t s) { b.steps.push_back("  " + what + ": " + std::to_string(s) + " s"); };
  line("failure to the next probe (every minute) + its timeout", probe_interval + p.probe_timeout_seconds);
  line("  + failing datapoints fill a region's view alarm (" + std::to_string(p.health_alarm_periods) + " x 60 s), "
       "CloudWatch evaluates it, Route 53 follows, cached answers expire (TTL)",
       view_window + alarm_evaluation_delay_seconds + health_check_propagation_seconds + p.record_ttl_seconds);
  line("  = DNS answers with the secondary's endpoint, from the failure", b.dns_seconds);
  line("  + the hold alarm fills instead (" + std::to_string(p.hold_minutes) + " unhealthy minutes in a row) and "
       "CloudWatch evaluates it",
       hold_window + alarm_evaluation_delay_seconds);
  line("  = detection: the hold alarm in ALARM, from the failure", b.detection_seconds);
  line("detection: the failover function starts", function_start_seconds);
  line("  + lock, state, global cluster, fence (this region's APIs)", local_calls_seconds);
  line("  + second signal: the other region's view alarm and RDS API (2 x " +
           std::to_string(p.second_signal_timeout_seconds) + " s when that region does not answer)",
       second_signal);
  line("  + FailoverGlobalCluster accepted", failover_call_seconds);
  line("  = failover requested, from detection", b.requested_after_detection_seconds);
  line("  + Aurora promotes the secondary cluster (expected; AWS's time)", p.expected_promotion_seconds);
  line("  = the secondary is a writer, from detection (the objective's measure)", b.writable_after_detection_seconds);
  return b;
}

AuroraGlobalDisasterRecovery::AuroraGlobalDisasterRecovery(Construct& scope, std::string id,
                                                           AuroraGlobalDisasterRecoveryProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  auto problems = aurora_global_settings().check(props_, path());
  if (problems.empty()) {
    problems = detail::check_together(props_, path(), [](std::string_view key) {
      const auto* row = aurora_global_settings().find(key);
      return std::string(row->prop) + " (setting " + std::string(key) + ")";
    });
  }
  if (!problems.empty()) throw Error(std::move(problems));
  const auto& p = props_;
  const detail::AuroraNames names(p.environment_suffix);
  cname_ = names(AuroraName::database_cname);
  Tags::of(*this)
      .add("Environment", p.environment_tag)
      .add("DR-Tier", p.dr_tier)
      .add("Project", p.project)
      .add("EnvironmentSuffix", p.environment_suffix)
      .add("ManagedBy", "drsynth");

  const auto base = detail::add_aurora_base(*this, p, names);
  const auto primary = detail::add_aurora_primary(*this, p, names, base);
  const auto secondary = detail::add_aurora_secondary(*this, p, names, base, primary);
  auto& routes = detail::add_aurora_peering(*this, p, names, primary.region, secondary);
  const auto failover = detail::add_aurora_failover(*this, p, names, primary, secondary, routes);

  base_stack_ = &base.stack;
  primary_stack_ = &primary.region.stack;
  secondary_stack_ = &secondary.stack;
  failover_stack_ = &failover.stack;
  global_ = &primary.global;
  primary_cluster_ = &primary.region.cluster;
  secondary_cluster_ = &secondary.cluster;
  export_bucket_ = &primary.export_bucket;
  primary_events_topic_ = &primary.region.events_topic;
  zone_ = &failover.zone;
  detail::acknowledge_control_tower(*this, detail::BuiltIn::aurora_global, p.deletion_protection);
}

void AuroraGlobalDisasterRecovery::validate(Validation& v) const {
  if (props_.alarm_emails.empty())
    v.warning("E830", *this, "no alarm subscription: database events, alarms and failover decisions reach nobody",
              "alarmEmails []", "at least one address (alarmEmails), or subscriptions added to the events topics");
}

void AuroraGlobalDisasterRecovery::summarize(std::vector<std::string>& lines) const {
  const auto b = aurora_failover_budget(props_);
  lines.push_back("Applications connect to " + cname_ + " (Aurora global database, primary " + props_.primary_region +
                  ", secondary " + props_.secondary_region + ").");
  lines.push_back("Failover budget: the secondary is a writer " + std::to_string(b.writable_after_detection_seconds) +
                  " s after detection (objective " + std::to_string(props_.failover_objective_seconds) +
                  " s); detection is " + std::to_string(b.detection_seconds) + " s after a failure; DNS moves after " +
                  std::to_string(b.dns_seconds) + " s:");
  lines.insert(lines.end(), b.steps.begin(), b.steps.end());
}

}  // namespace drsynth::patterns

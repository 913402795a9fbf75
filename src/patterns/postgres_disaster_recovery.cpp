#include "drsynth/patterns/postgres_disaster_recovery.hpp"

#include <algorithm>

#include "drsynth/app.hpp"
#include "drsynth/lambda/failover_function.hpp"
#include "drsynth/lambda/health_probe.hpp"
#include "drsynth/rds/database_instance.hpp"
#include "drsynth/rds/read_replica.hpp"
#include "drsynth/stack.hpp"
#include "drsynth/tags.hpp"
#include "ec2/cidr.hpp"
#include "patterns/dr_names.hpp"
#include "patterns/dr_parts.hpp"
#include "patterns/dr_settings.hpp"

namespace drsynth::patterns {

namespace {

using detail::Name;

// Assumptions of the recovery-time budget that AWS does not publish as
// guarantees (docs/dr-design.md explains each).
constexpr int alarm_evaluation_delay_seconds = 30;   // metric ingestion + the alarm's once-a-minute evaluation
constexpr int health_check_propagation_seconds = 30;  // Route 53 following the alarm state to its resolvers
constexpr int function_start_seconds = 10;            // alarm action -> failover function running (cold start)

}  // namespace

RecoveryBudget recovery_budget(const PostgresDisasterRecoveryProps& p) {
  RecoveryBudget b;
  const std::int64_t interval = std::int64_t{p.probe_interval_minutes} * 60;
  const std::int64_t alarm_window = std::int64_t{p.health_alarm_periods} * 60;
  b.detection_seconds = interval + p.probe_timeout_seconds + alarm_window + alarm_evaluation_delay_seconds;
  b.dns_seconds = b.detection_seconds + health_check_propagation_seconds + p.record_ttl_seconds;
  b.promoted_seconds = b.detection_seconds + function_start_seconds + p.expected_promotion_seconds;
  b.worst_seconds = std::max(b.dns_seconds, b.promoted_seconds);
  auto line = [&](const std::string& what, std::int64_t s) {
    b.steps.push_back("  " + what + ": " + std::to_string(s) + " s");
  };
  line("failure to the next probe (probe interval)", interval);
  line("probe times out", p.probe_timeout_seconds);
  line("failing datapoints fill the health alarm (" + std::to_string(p.health_alarm_periods) + " x 60 s)", alarm_window);
  line("CloudWatch ingests and evaluates the alarm", alarm_evaluation_delay_seconds);
  line("= alarm in ALARM", b.detection_seconds);
  line("  + Route 53 health check follows the alarm", health_check_propagation_seconds);
  line("  + resolvers' cached answers expire (TTL)", p.record_ttl_seconds);
  line("  = DNS answers with the replica", b.dns_seconds);
  line("  + failover function starts", function_start_seconds);
  line("  + RDS promotes the replica (expected)", p.expected_promotion_seconds);
  line("  = replica promoted and writable", b.promoted_seconds);
  return b;
}

// The system, part by part (each builder is in its own file, dr_parts.hpp).
PostgresDisasterRecovery::PostgresDisasterRecovery(Construct& scope, std::string id, PostgresDisasterRecoveryProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  // Every part is built from these values: a bad one would fail again in
  // each construct it reaches, so it is reported once, here.
  auto problems = postgres_dr_settings().check(props_, path());
  if (problems.empty()) {
    problems = detail::check_together(props_, path(), [](std::string_view key) {
      const auto* row = postgres_dr_settings().find(key);
      return std::string(row->prop) + " (setting " + std::string(key) + ")";
    });
  }
  if (!problems.empty()) throw Error(std::move(problems));
  const auto& p = props_;
  const detail::Names names(p.environment_suffix);
  cname_ = names(Name::database_cname);
  Tags::of(*this)
      .add("Environment", p.environment_suffix)
      .add("Project", p.project)
      .add("DR-Tier", p.dr_tier)
      .add("ManagedBy", "drsynth");

  const auto primary = detail::add_primary_region(*this, p, names);
  const auto replica = detail::add_replica_region(*this, p, names, primary.database);
  routes_stack_ = &detail::add_peering(*this, p, names, primary, replica);
  const auto failover = detail::add_failover(*this, p, names, primary, replica);
  detail::add_monitoring(failover, p, names, replica.replica);
  detail::add_outputs(failover, names);

  primary_stack_ = &primary.stack;
  primary_ = &primary.database;
  replica_stack_ = &replica.stack;
  replica_ = &replica.replica;
  failover_stack_ = &failover.stack;
  topic_ = &failover.topic;
  zone_ = &failover.zone;
  probe_ = &failover.probe;
  health_alarm_ = &failover.health_alarm;
  failover_ = &failover.function;
}

namespace detail {

std::vector<Diagnostic> check_together(const PostgresDisasterRecoveryProps& p, const std::string& path,
                                       const std::function<std::string(std::string_view)>& name) {
  std::vector<Diagnostic> out;
  auto error = [&](const char* code, std::string message, std::string got, std::string expected) {
    out.push_back({code, Severity::error, path, std::move(message), std::move(got), std::move(expected)});
  };
  if (p.primary_region == p.dr_region)
    error("E804", name("primaryRegion") + " and " + name("drRegion") +
                      " are the same region: a regional outage would take both",
          p.dr_region, "two different regions");
  const auto a = ec2::detail::parse_ipv4_cidr(p.primary_vpc_cidr);
  const auto b = ec2::detail::parse_ipv4_cidr(p.dr_vpc_cidr);
  if (a && b && ec2::detail::overlaps(*a, *b))
    error("E805", name("primaryVpcCidr") + " and " + name("drVpcCidr") + " overlap, so the VPCs cannot be peered",
          p.primary_vpc_cidr + " and " + p.dr_vpc_cidr, "non-overlapping CIDRs");
  if (p.free_storage_threshold_gib >= p.allocated_storage_gib)
    error("E808", name("freeStorageThresholdGiB") + " is not below " + name("allocatedStorageGiB") +
                      ": the alarm would always fire",
          settings::shown(p.free_storage_threshold_gib) + " GiB",
          "below the allocated " + std::to_string(p.allocated_storage_gib) + " GiB");
  const auto budget = recovery_budget(p);
  if (budget.worst_seconds > p.recovery_time_objective_seconds) {
    auto n = [](std::int64_t x) { return std::to_string(x); };
    error("E807",
          "the recovery-time budget exceeds " + name("recoveryTimeObjectiveSeconds") + ": alarm after " +
              n(budget.detection_seconds) + " s (probe interval " + n(std::int64_t{p.probe_interval_minutes} * 60) +
              " + timeout " + n(p.probe_timeout_seconds) + " + alarm periods " +
              n(std::int64_t{p.health_alarm_periods} * 60) + " + evaluation " + n(alarm_evaluation_delay_seconds) +
              "), DNS after " + n(budget.dns_seconds) + " s (+ health check " + n(health_check_propagation_seconds) +
              " + TTL " + n(p.record_ttl_seconds) + "), promoted after " + n(budget.promoted_seconds) +
              " s (+ function start " + n(function_start_seconds) + " + promotion " + n(p.expected_promotion_seconds) +
              "); shorten probeIntervalMinutes, healthAlarmPeriods, recordTtlSeconds or expectedPromotionSeconds, "
              "or raise the objective",
          n(budget.worst_seconds) + " s", "<= " + n(p.recovery_time_objective_seconds) + " s");
  }
  return out;
}

}  // namespace detail

void PostgresDisasterRecovery::summarize(std::vector<std::string>& lines) const {
  const auto b = recovery_budget(props_);
  lines.push_back("Applications connect to " + cname_ + " (primary " + props_.primary_region + ", replica " +
                  props_.dr_region + ").");
  lines.push_back("Recovery-time budget, worst case from a primary failure: DNS answers with the replica after " +
                  std::to_string(b.dns_seconds) + " s, the replica is promoted after " +
                  std::to_string(b.promoted_seconds) + " s (objective " +
                  std::to_string(props_.recovery_time_objective_seconds) + " s):");
  lines.insert(lines.end(), b.steps.begin(), b.steps.end());
}

void define_default_system(App& app) {
  // The seed asks for everything destroyable: let safety rule S005 hold the
  // system to it unless the settings say otherwise.
  if (app.context("destroyable") == nullptr) app.set_context("destroyable", true);
  app.add<PostgresDisasterRecovery>("DisasterRecovery", settings_from_context(app));
}

}  // namespace drsynth::patterns

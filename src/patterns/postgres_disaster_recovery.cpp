#include "drsynth/patterns/postgres_disaster_recovery.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "drsynth/app.hpp"
#include "drsynth/lambda/failover_function.hpp"
#include "patterns/control_tower.hpp"
#include "drsynth/lambda/health_probe.hpp"
#include "drsynth/rds/database_instance.hpp"
#include "drsynth/rds/read_replica.hpp"
#include "drsynth/stack.hpp"
#include "drsynth/tags.hpp"
#include "ec2/cidr.hpp"
#include "patterns/dr_names.hpp"
#include "patterns/dr_parts.hpp"
#include "patterns/dr_settings.hpp"
#include "patterns/setting_rules.hpp"

namespace drsynth::patterns {

using detail::Name;

// The system, part by part (each builder is in its own file, dr_parts.hpp).
PostgresDisasterRecovery::PostgresDisasterRecovery(Construct& scope, std::string id,
                                                   const PostgresDisasterRecoveryProps& props)
    : Construct(scope, std::move(id)), props_(props) {
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

  const auto base = detail::add_replica_base(*this, p, names);
  const auto primary = detail::add_primary_region(*this, p, names, base);
  const auto replica = detail::add_replica_region(*this, p, names, primary.database, base);
  routes_stack_ = &detail::add_peering(*this, p, names, primary, replica);
  const auto failover = detail::add_failover(*this, p, names, primary, replica);
  detail::add_monitoring(failover, p, names, replica.replica);
  detail::add_outputs(failover, names);

  base_stack_ = &base.stack;
  primary_stack_ = &primary.stack;
  primary_ = &primary.database;
  replica_stack_ = &replica.stack;
  replica_ = &replica.replica;
  failover_stack_ = &failover.stack;
  detail::acknowledge_control_tower(*this, detail::BuiltIn::rds_replica, false);
  topic_ = &failover.topic;
  zone_ = &failover.zone;
  probe_ = &failover.probe;
  health_alarm_ = &failover.health_alarm;
  failover_ = &failover.function;
}

void PostgresDisasterRecovery::validate(Validation& v) const {
  if (props_.alarm_emails.empty())
    v.warning("E815", *this, "no alarm subscription: alarms and failover decisions reach nobody", "alarmEmails []",
              "at least one address (alarmEmails), or a subscription added to the topic " +
                  detail::Names(props_.environment_suffix)(Name::topic));
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
  // DNS moves first (reversible), promotion later (irreversible).
  if (p.hold_minutes <= p.health_alarm_periods)
    error("E811", name("holdMinutes") + " must be longer than " + name("healthAlarmPeriods") +
                      ": DNS moves first, promotion later",
          std::to_string(p.hold_minutes) + " minutes", "more than " + std::to_string(p.health_alarm_periods));
  {
    std::string got;
    if (const auto r = application_cidrs_together(p.application_cidrs, got))
      error(r->code.c_str(), name("applicationCidrs") + " " + r->message, got, r->expected);
  }
  if (!p.probe_ca_bundle.empty()) {
    if (const auto problem = ca_bundle_problem(p.probe_ca_bundle))
      error("E813", name("probeCaBundle") + " " + *problem, "\"" + p.probe_ca_bundle + "\"",
            "a readable PEM file of CA certificates");
  }
  const auto budget = recovery_budget(p);
  if (budget.worst_seconds > p.recovery_time_objective_seconds) {
    error("E807",
          "the recovery-time budget exceeds " + name("recoveryTimeObjectiveSeconds") +
              "; shorten probeIntervalMinutes, healthAlarmPeriods, recordTtlSeconds, holdMinutes or "
              "expectedPromotionSeconds (not below what keeps a Multi-AZ failover from promoting), or raise the "
              "objective",
          std::to_string(budget.worst_seconds) + " s", "<= " + std::to_string(p.recovery_time_objective_seconds) + " s");
    out.back().details = budget.steps;  // one step per line
  }
  return out;
}

}  // namespace detail

void PostgresDisasterRecovery::summarize(std::vector<std::string>& lines) const {
  const auto b = recovery_budget(props_);
  lines.push_back("Applications connect to " + cname_ + " (primary " + props_.primary_region + ", replica " +
                  props_.dr_region + ").");
  lines.push_back("Recovery-time budget, worst case: DNS answers with the replica " + std::to_string(b.dns_seconds) +
                  " s after a primary failure; the replica is writable " +
                  std::to_string(b.writable_after_detection_seconds) + " s after detection (" +
                  std::to_string(b.promoted_seconds) + " s after the failure; objective " +
                  std::to_string(props_.recovery_time_objective_seconds) + " s):");
  lines.insert(lines.end(), b.steps.begin(), b.steps.end());
}

}  // namespace drsynth::patterns

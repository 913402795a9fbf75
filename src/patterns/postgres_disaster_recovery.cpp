#include "drsynth/patterns/postgres_disaster_recovery.hpp"

#include <algorithm>
#include <array>

#include "char_rules.hpp"
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

namespace drsynth::patterns {

namespace {

using detail::Name;

// AWS commercial regions (where RDS, Route 53 private zones and Lambda run).
constexpr std::array<std::string_view, 33> known_regions{
    "af-south-1",     "ap-east-1",      "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-south-2",     "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-7", "ca-central-1",   "ca-west-1",      "eu-central-1",   "eu-central-2",   "eu-north-1",
    "eu-south-1",     "eu-south-2",     "eu-west-1",      "eu-west-2",      "eu-west-3",      "il-central-1",
    "me-central-1",   "me-south-1",     "mx-central-1",   "sa-east-1",      "us-east-1",      "us-east-2",
    "us-west-1",      "us-west-2",      "ap-east-2"};

bool known_region(std::string_view r) {
  return std::find(known_regions.begin(), known_regions.end(), r) != known_regions.end();
}

// Assumptions of the recovery-time budget that AWS does not publish as
// guarantees (docs/dr-design.md explains each).
constexpr int alarm_evaluation_delay_seconds = 30;   // metric ingestion + the alarm's once-a-minute evaluation
constexpr int health_check_propagation_seconds = 30;  // Route 53 following the alarm state to its resolvers
constexpr int function_start_seconds = 10;            // alarm action -> failover function running (cold start)

}  // namespace

RecoveryBudget recovery_budget(const PostgresDisasterRecoveryProps& p) {
  RecoveryBudget b;
  const int interval = p.probe_interval_minutes * 60;
  const int alarm_window = p.health_alarm_periods * 60;
  b.detection_seconds = interval + p.probe_timeout_seconds + alarm_window + alarm_evaluation_delay_seconds;
  b.dns_seconds = b.detection_seconds + health_check_propagation_seconds + p.record_ttl_seconds;
  b.promoted_seconds = b.detection_seconds + function_start_seconds + p.expected_promotion_seconds;
  b.worst_seconds = std::max(b.dns_seconds, b.promoted_seconds);
  auto line = [&](const std::string& what, int s) { b.steps.push_back("  " + what + ": " + std::to_string(s) + " s"); };
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

void PostgresDisasterRecovery::validate(Validation& v) const {
  const auto& p = props_;
  const std::string& s = p.environment_suffix;
  if (!drsynth::detail::is_hyphenated_lower_alnum(s)) {
    v.error("E801", *this, "environment suffix cannot be part of every physical name", "\"" + s + "\"",
            "lower-case letters and digits, single hyphens between them (^[a-z0-9]+(-[a-z0-9]+)*$)");
  }
  // The longest suffix every name can take: computed from the name table.
  constexpr auto limit = detail::suffix_limit();
  if (s.size() > limit.max_length) {
    v.error("E802", *this,
            std::string("environment suffix makes the ") + std::string(limit.binding->what) + " too long (" +
                detail::Names(s)(limit.binding->name) + ")",
            std::to_string(s.size()) + " characters", "at most " + std::to_string(limit.max_length) + " characters");
  }
  if (!rds::at_least_r6g_large(p.instance_class))
    v.error("E803", *this, "primary instance class is below the DR minimum", p.instance_class,
            "db.r6g.large or larger (memory-optimized)");
  if (!p.replica_instance_class.empty() && !rds::at_least_r6g_large(p.replica_instance_class))
    v.error("E803", *this, "replica instance class is below the DR minimum", p.replica_instance_class,
            "db.r6g.large or larger (memory-optimized)");
  for (const auto* r : {&p.primary_region, &p.dr_region})
    if (!known_region(*r)) v.error("E804", *this, "unknown AWS region", "\"" + *r + "\"", "a region such as us-east-1");
  if (p.primary_region == p.dr_region)
    v.error("E804", *this, "primary and DR regions are the same: a regional outage would take both", p.dr_region,
            "two different regions");
  const auto a = ec2::detail::parse_ipv4_cidr(p.primary_vpc_cidr);
  const auto b = ec2::detail::parse_ipv4_cidr(p.dr_vpc_cidr);
  if (a && b && ec2::detail::overlaps(*a, *b))
    v.error("E805", *this, "the primary and DR VPC CIDRs overlap, so they cannot be peered",
            p.primary_vpc_cidr + " and " + p.dr_vpc_cidr, "non-overlapping CIDRs");
  if (p.backup_retention_days < 7 || p.backup_retention_days > 35)
    v.error("E806", *this, "backup retention does not meet the DR requirement", std::to_string(p.backup_retention_days),
            "7..35 days");
  if (p.replica_lag_threshold_seconds < 1 || p.replica_lag_threshold_seconds > 3600)
    v.error("E808", *this, "replica lag threshold out of range", std::to_string(p.replica_lag_threshold_seconds),
            "1..3600 seconds");
  if (p.cpu_threshold_percent <= 0 || p.cpu_threshold_percent > 100)
    v.error("E808", *this, "CPU threshold out of range", std::to_string(p.cpu_threshold_percent), "0 < percent <= 100");
  if (p.free_storage_threshold_gib <= 0 || p.free_storage_threshold_gib >= p.allocated_storage_gib)
    v.error("E808", *this, "free-storage threshold out of range", std::to_string(p.free_storage_threshold_gib) + " GiB",
            "above 0 and below the allocated " + std::to_string(p.allocated_storage_gib) + " GiB");
  if (p.health_alarm_periods < 1 || p.health_alarm_periods > 5)
    v.error("E808", *this, "health alarm periods out of range", std::to_string(p.health_alarm_periods), "1..5");
  if (p.probe_interval_minutes < 1 || p.probe_timeout_seconds < 1 || p.probe_timeout_seconds > 30)
    v.error("E808", *this, "probe interval or timeout out of range",
            std::to_string(p.probe_interval_minutes) + " min / " + std::to_string(p.probe_timeout_seconds) + " s",
            "interval >= 1 minute, timeout 1..30 s");
  if (p.record_ttl_seconds < 0 || p.record_ttl_seconds > 60)
    v.error("E809", *this, "record TTL too long for health-checked failover", std::to_string(p.record_ttl_seconds),
            "0..60 seconds");
  const auto budget = recovery_budget(p);
  if (budget.worst_seconds > p.recovery_time_objective_seconds) {
    std::string why;
    for (const auto& l : budget.steps) why += "\n" + l;
    v.error("E807", *this,
            "the recovery-time budget exceeds the objective; shorten the probe interval, alarm periods or TTL" + why,
            std::to_string(budget.worst_seconds) + " s",
            "<= " + std::to_string(p.recovery_time_objective_seconds) + " s (recoveryTimeObjectiveSeconds)");
  }
}

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

// ---- settings --------------------------------------------------------------

PostgresDisasterRecoveryProps settings_from_context(const App& app) {
  PostgresDisasterRecoveryProps p;
  std::vector<Diagnostic> errors;
  auto bad = [&](const std::string& key, const nlohmann::json& v, const std::string& expected) {
    std::string got = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (got.size() > 80) got = got.substr(0, 77) + "...";
    errors.push_back({"E810", Severity::error, "", "setting " + app.describe_context_key(key) + " has the wrong type or value",
                      got, expected});
  };
  auto str = [&](const std::string& key, const nlohmann::json& v, std::string& out) {
    if (const auto* typed = app.context_argument_text(key); typed != nullptr && v.is_number()) {
      out = *typed;  // "-c engineVersion=15.10" means the string "15.10"
      return;
    }
    if (!v.is_string() || v.get_ref<const std::string&>().size() > 1024) return bad(key, v, "a string");
    out = v.get<std::string>();
  };
  auto num = [&](const std::string& key, const nlohmann::json& v, auto& out) {
    using T = std::decay_t<decltype(out)>;
    if (v.is_number()) {
      const double d = v.get<double>();
      if constexpr (std::is_integral_v<T>) {
        if (d != static_cast<double>(static_cast<long long>(d)) || d < -1e9 || d > 1e9) return bad(key, v, "an integer");
      }
      out = static_cast<T>(d);
      return;
    }
    bad(key, v, std::is_integral_v<T> ? "an integer" : "a number");
  };
  auto strings = [&](const std::string& key, const nlohmann::json& v, std::vector<std::string>& out) {
    if (v.is_string()) {  // "-c applicationCidrs=10.0.0.0/8" gives one string
      out = {v.get<std::string>()};
      return;
    }
    if (!v.is_array()) return bad(key, v, "a JSON array of strings");
    out.clear();
    for (const auto& e : v) {
      if (!e.is_string()) return bad(key, v, "a JSON array of strings");
      out.push_back(e.get<std::string>());
    }
  };
  std::optional<std::string> account;
  for (const auto& [key, v] : app.all_context()) {
    if (key.find(':') != std::string::npos || key.starts_with("@aws-cdk")) continue;  // AWS CDK CLI's own keys
    if (key == "environmentSuffix") str(key, v, p.environment_suffix);
    else if (key == "primaryRegion") str(key, v, p.primary_region);
    else if (key == "drRegion") str(key, v, p.dr_region);
    else if (key == "account") {
      std::string a;
      str(key, v, a);
      if (!a.empty()) p.account = a;
    }
    else if (key == "engineVersion") str(key, v, p.engine_version);
    else if (key == "instanceClass") str(key, v, p.instance_class);
    else if (key == "replicaInstanceClass") str(key, v, p.replica_instance_class);
    else if (key == "allocatedStorageGiB") num(key, v, p.allocated_storage_gib);
    else if (key == "backupRetentionDays") num(key, v, p.backup_retention_days);
    else if (key == "logRetentionDays") num(key, v, p.log_retention_days);
    else if (key == "primaryVpcCidr") str(key, v, p.primary_vpc_cidr);
    else if (key == "drVpcCidr") str(key, v, p.dr_vpc_cidr);
    else if (key == "applicationCidrs") strings(key, v, p.application_cidrs);
    else if (key == "replicaLagThresholdSeconds") num(key, v, p.replica_lag_threshold_seconds);
    else if (key == "freeStorageThresholdGiB") num(key, v, p.free_storage_threshold_gib);
    else if (key == "cpuThresholdPercent") num(key, v, p.cpu_threshold_percent);
    else if (key == "alarmEmails") strings(key, v, p.alarm_emails);
    else if (key == "probeIntervalMinutes") num(key, v, p.probe_interval_minutes);
    else if (key == "probeTimeoutSeconds") num(key, v, p.probe_timeout_seconds);
    else if (key == "healthAlarmPeriods") num(key, v, p.health_alarm_periods);
    else if (key == "recordTtlSeconds") num(key, v, p.record_ttl_seconds);
    else if (key == "expectedPromotionSeconds") num(key, v, p.expected_promotion_seconds);
    else if (key == "recoveryTimeObjectiveSeconds") num(key, v, p.recovery_time_objective_seconds);
    else if (key == "project") str(key, v, p.project);
    else if (key == "destroyable") {  // read by the safety rules (S005), see docs/errors.md
      if (!v.is_boolean()) bad(key, v, "true or false");
    }
    else if (key == "drTier") str(key, v, p.dr_tier);
    else {
      std::string shown = nlohmann::json(key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      errors.push_back({"E810", Severity::error, "", "unknown setting " + app.describe_context_key(key), shown,
                        "one of the settings listed in docs/cli.md (e.g. environmentSuffix, primaryRegion, drRegion)"});
    }
  }
  if (!errors.empty()) throw Error(std::move(errors));
  return p;
}

void define_default_system(App& app) {
  // The seed asks for everything destroyable: let safety rule S005 hold the
  // system to it unless the settings say otherwise.
  if (app.context("destroyable") == nullptr) app.set_context("destroyable", true);
  app.add<PostgresDisasterRecovery>("DisasterRecovery", settings_from_context(app));
}

}  // namespace drsynth::patterns

// The DR kit (internal): the failover path both built-in systems share,
// built once from two site specs and an engine part. docs/dr-design.md
// explains each piece; docs/architecture.md the kit's place.
//
// Sites A (the writer at deploy time) and B (the standby) get the same
// machinery, each in its own region X (the other site is Y):
//   view stack of X:  the probe (in X's VPC, probing both sites, its own
//                     first), the view alarms W_X(A) and W_X(B), the fence
//                     F(Y) (Fenced{Site=Y} published in X's region: the
//                     region that would fence Y), the lag guard L(X), G(X)
//                     (OK while X fences Y: lifts L(X) for DNS), the probe's
//                     silence and fault alarms
//   failover stack of X: the hold alarm H_X(Y), U_X(Y) (X's probe reaches no
//                     server at Y), the failover function X with
//                     its dead-letter queue, reserved concurrency and
//                     reconcile schedule, the function's silence alarm, the
//                     alarm on X's topic failing to deliver (its action is
//                     function X, which relays the page to Y's topic)
// and, in the global stack (deployed after both view stacks, before or as
// B's failover stack): the private zone, per site S the health checks
// F(S) twice (LastKnownStatus), W_A(S) and W_B(S) (Unhealthy without data:
// a silent probe or a lost region is no vote for S), L(S) (Healthy without
// data: a writer publishes no lag), G(S) (Unhealthy without data),
// writer_check(S) = 3 of [F, F, W_A, W_B] and fallback_check(S) = 3 of
// [F, F, L, G]; the records: A weight 100 with
// writer_check(A), B weight 0 with fallback_check(B). A witness function in
// a third region when one is configured. Every alarm has an action.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drsynth/cloudwatch/metric.hpp"
#include "drsynth/core/error.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/iam/policy_statement.hpp"
#include "drsynth/patterns/recovery_budget.hpp"
#include "drsynth/core/value.hpp"
#include "patterns/dr_kit_names.hpp"

namespace drsynth {
class Stack;
class Construct;
}  // namespace drsynth
namespace drsynth::cloudwatch {
class Alarm;
}
namespace drsynth::ec2 {
class SecurityGroup;
class Vpc;
}  // namespace drsynth::ec2
namespace drsynth::kms {
class Key;
}
namespace drsynth::lambda {
class FailoverFunction;
class HealthProbe;
class WitnessFunction;
}  // namespace drsynth::lambda
namespace drsynth::route53 {
class HealthCheck;
class PrivateHostedZone;
}  // namespace drsynth::route53
namespace drsynth::sns {
class Topic;
}

namespace drsynth::patterns::detail {

// A site: where its database is and which stack of its region holds its
// probe and alarms (its failover function goes into the kit's failover
// stack of its region, add_kit_stacks).
struct SiteSpec {
  std::string id;    // the record's set identifier and the Site dimension
  std::string word;  // in physical names and construct ids ("primary")
  ec2::Vpc& vpc;     // the probe runs here (interface endpoints, no NAT); its stack's region is the site's
  Value endpoint;    // the database's endpoint address (the record's value)
  kms::Key& secret_key;  // the key of the region's copy of the secret: the probe may decrypt through Secrets Manager
  sns::Topic& topic;     // the region's paging topic (customer-managed key)
  Stack& view_stack;
  // When given, admits the probe of this site on 5432 (else the site's
  // database admits its VPC's CIDR already).
  ec2::SecurityGroup* db_security_group = nullptr;
};

// The kit's own stacks: the failover stack of site B's region (the zone, the
// health checks, the records and B's function), site A's failover stack,
// and the witness's stack when witnessRegion is set.
struct KitStackNames {
  std::string failover;
  std::string failover_primary;
  std::string witness;
  std::string description;  // what each description starts with: "drsynth PostgreSQL DR (dev)"
};
struct KitStacks {
  Stack& failover;
  Stack& failover_primary;
  Stack* witness;  // null: approval mode
};
[[nodiscard]] KitStacks add_kit_stacks(Construct& scope, const KitStackNames& names, const std::array<std::string, 2>& regions,
                                       const std::string& witness_region, const std::optional<std::string>& account);

// One database engine's part of the kit, for sites A (0) and B (1): the
// site databases' identifiers and ARNs, what a failover function of a site
// may do to them (promote its own site, fail back, describe both: the
// system's own resources only) and the variables of its engine, what the
// witness may read, and the replication lag of the lag guard.
// dr_kit_engines.hpp makes one from typed links to the databases.
struct EnginePart {
  std::string engine{};  // ENGINE: "rds" or "aurora"
  std::array<Value, 2> db_ids{};
  std::array<Value, 2> db_arns{};
  // The site's replication lag while it is the standby (in its region); a
  // writer publishes none. `lag_per_second`: the metric's unit in seconds.
  std::array<cloudwatch::Metric, 2> lag_metrics{};
  double lag_per_second = 1;
  std::array<std::vector<iam::PolicyStatement>, 2> failover_statements{};
  std::array<std::map<std::string, Value>, 2> failover_environment{};
  // The self-fence of each site's own copy (its parameter group and the
  // reboot of its writer): statements and FENCE_PARAMETER_GROUP, added to a
  // site's function only when the lease is on (a witness is configured).
  std::array<std::vector<iam::PolicyStatement>, 2> fence_statements{};
  std::array<std::map<std::string, Value>, 2> fence_environment{};
  std::vector<iam::PolicyStatement> witness_statements{};
  std::map<std::string, Value> witness_environment{};
};

// The kit's settings, the same for both systems (docs/cli.md).
struct KitSettings {
  int health_alarm_periods = 2;
  int hold_minutes = 3;
  int arm_after_healthy_minutes = 5;
  int promotion_deadline_minutes = 30;
  int max_promotion_lag_seconds = 300;
  int dns_lag_guard_seconds = 60;
  int second_signal_timeout_seconds = 5;
  int failover_reserved_concurrency = 5;
  int record_ttl_seconds = 30;
  int probe_timeout_seconds = 5;
  int expected_promotion_seconds = 300;
  int recovery_time_objective_seconds = 720;
  std::string witness_region{};  // empty: approval mode
  int lease_expiry_seconds = 240;     // with a witness: the writer's lease (docs/dr-design.md, "The lease")
  int self_fence_after_seconds = 90;
  std::vector<std::string> alarm_emails{};
  int log_retention_days = 30;
  std::string probe_ca_bundle{};
  bool probe_allow_md5 = false;
  bool probe_allow_cleartext = false;
};

// The same members of either system's props.
template <class Props>
[[nodiscard]] KitSettings kit_settings_of(const Props& p) {
  return {.health_alarm_periods = p.health_alarm_periods,
          .hold_minutes = p.hold_minutes,
          .arm_after_healthy_minutes = p.arm_after_healthy_minutes,
          .promotion_deadline_minutes = p.promotion_deadline_minutes,
          .max_promotion_lag_seconds = p.max_promotion_lag_seconds,
          .dns_lag_guard_seconds = p.dns_lag_guard_seconds,
          .second_signal_timeout_seconds = p.second_signal_timeout_seconds,
          .failover_reserved_concurrency = p.failover_reserved_concurrency,
          .record_ttl_seconds = p.record_ttl_seconds,
          .probe_timeout_seconds = p.probe_timeout_seconds,
          .expected_promotion_seconds = p.expected_promotion_seconds,
          .recovery_time_objective_seconds = p.recovery_time_objective_seconds,
          .witness_region = p.witness_region,
          .lease_expiry_seconds = p.lease_expiry_seconds,
          .self_fence_after_seconds = p.self_fence_after_seconds,
          .alarm_emails = p.alarm_emails,
          .log_retention_days = p.log_retention_days,
          .probe_ca_bundle = p.probe_ca_bundle,
          .probe_allow_md5 = p.probe_allow_md5,
          .probe_allow_cleartext = p.probe_allow_cleartext};
}

struct KitSpec {
  std::array<SiteSpec, 2> sites;  // A (the writer at deploy time), B
  const EnginePart& engine;
  KitSettings settings;
  KitNames names;
  KitStacks stacks;
  std::string secret_name;       // the master secret; each probe reads its region's copy
  std::string metric_dimension;  // the System dimension of every metric of the system
  std::string zone_name;
  std::string record_name;       // the weighted CNAME applications use
};

// What the patterns and their tests keep.
struct Site {
  lambda::HealthProbe* probe = nullptr;
  std::array<cloudwatch::Alarm*, 2> views{};  // W_X(A), W_X(B)
  cloudwatch::Alarm* hold = nullptr;          // H_X(Y)
  cloudwatch::Alarm* fence_of_other = nullptr;  // F(Y), in X's region
  cloudwatch::Alarm* lag_guard = nullptr;     // L(X)
  cloudwatch::Alarm* guard_applies = nullptr; // G(X): OK while X fences Y (lifts L(X) for DNS)
  lambda::FailoverFunction* function = nullptr;
  route53::HealthCheck* writer_check = nullptr;
  route53::HealthCheck* fallback_check = nullptr;
  std::array<route53::HealthCheck*, 2> fence_checks{};  // the two that follow F(X)
};
struct Kit {
  std::array<Site, 2> sites;
  route53::PrivateHostedZone* zone = nullptr;
  lambda::WitnessFunction* witness = nullptr;
};

[[nodiscard]] Kit build_dr_kit(const KitSpec& spec);

// A stack of a DR system (both systems' parts use it).
[[nodiscard]] Stack& add_dr_stack(Construct& scope, std::string id, std::string name, const std::string& region,
                                  const std::optional<std::string>& account, std::string description);

// The rules between the kit's settings, with `sites` the two site regions:
// the hold longer than the view alarm (`hold`), the witness in a third
// region (`witness`), the budget within the objective (`budget`),
// the self-fence ahead of the lease's expiry (`lease`).
struct KitCodes {
  ErrorCode hold;
  ErrorCode witness;
  ErrorCode budget;
  ErrorCode lease;
};
// The lease's inequality (runtime/drsynth_failover/lease.py, the same
// figures): the writer notices at its first reconcile after
// self_fence_after (one interval), after its renewal attempts (2 x the
// second-signal timeout), fences within fence_seconds, with a margin for
// the clocks; all of it before the lease expires at either holder.
inline constexpr int lease_reconcile_interval_seconds = 60;
inline constexpr int lease_fence_seconds = 45;
inline constexpr int lease_clock_margin_seconds = 10;
[[nodiscard]] constexpr int lease_minimum_expiry(int self_fence_after, int second_signal_timeout) {
  return self_fence_after + lease_reconcile_interval_seconds + 2 * second_signal_timeout + lease_fence_seconds +
         lease_clock_margin_seconds;
}
// `promotion`: the engine's step of the budget (its static promotion()).
void check_kit_together(const KitSettings& k, const std::array<std::string, 2>& site_regions,
                        const BudgetStep& promotion, const KitCodes& codes, const std::string& path,
                        const std::function<std::string(std::string_view)>& name, std::vector<Diagnostic>& out);

// The two lines `drsynth synth` prints first (`connect`: "Applications
// connect to <name> (<where the sites are>"; the witness is added) and the
// budget's lines; `standby`: what the standby is called ("replica").
void kit_summary(std::vector<std::string>& lines, const std::string& connect, const KitSettings& k,
                 const RecoveryBudget& budget, const std::string& standby);

// The budget from the failure (dr_kit_budget.cpp), with the engine's
// promotion step.
[[nodiscard]] RecoveryBudget kit_budget(const KitSettings& k, const BudgetStep& promotion, std::string engine);

}  // namespace drsynth::patterns::detail

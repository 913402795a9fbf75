// PostgresDisasterRecovery: the built-in multi-region PostgreSQL DR system.
//
// Two sites: A, the RDS PostgreSQL primary (Multi-AZ, encrypted, 7-day
// backups) in the primary region, and B, its cross-region read replica in the
// DR region. Both get the same failover machinery from the DR kit (a probe
// of both sites, view, hold and fence alarms, a failover function, a paging
// topic), the private zone's health checks and weighted records live in the
// DR region, and a witness function runs in a third region. For one
// environment suffix it builds these stacks (names carry the suffix), in
// deployment order:
//   DrBase-<s>            DR region: the key of the master secret's replica
//   DrPrimary-<s>         primary region: VPC, security group, parameter
//                         group, secret (replicated), log group, primary database
//   DrReplica-<s>         DR region: VPC, peering, cross-region read replica
//   DrPrimaryRoutes-<s>   primary region: routes back over the peering, site
//                         A's probe and alarms (view, fence of B, lag guard,
//                         silence, fault), its paging topic
//   DrWitness-<s>         witness region (witnessRegion; none when empty)
//   DrFailover-<s>        DR region: private zone, health checks, weighted
//                         records, site B's probe, alarms, topic and failover
//                         function, monitoring
//   DrFailoverPrimary-<s> primary region: site A's failover function and hold alarm
// docs/dr-design.md explains every choice; docs/dr-runbook.md is the runbook.
//
// Error codes: E801-E817 (each with its rule and fix in drsynth/core/error_codes.def).
// A setting read from the context is reported by its key and origin
// (drsynth.json:3, -c); a prop set in code that breaks its setting's rule
// throws from the constructor, before any part is built from it: one error
// per mistake, not one per construct the value reaches.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "drsynth/core/construct.hpp"
#include "drsynth/patterns/recovery_budget.hpp"
#include "drsynth/rds/engine.hpp"
#include "drsynth/core/settings.hpp"

namespace drsynth {
class App;
class Stack;
}  // namespace drsynth
namespace drsynth::rds {
class DatabaseInstance;
class ReadReplica;
}  // namespace drsynth::rds
namespace drsynth::route53 {
class PrivateHostedZone;
}
namespace drsynth::lambda {
class FailoverFunction;
class HealthProbe;
class WitnessFunction;
}  // namespace drsynth::lambda
namespace drsynth::sns {
class Topic;
}
namespace drsynth::patterns {

struct PostgresDisasterRecoveryProps {
  std::string environment_suffix{"dev"};
  std::string primary_region{"us-east-1"};
  std::string dr_region{"eu-west-1"};
  std::optional<std::string> account{};  // unknown: account-agnostic templates

  std::string engine_version{rds::default_postgres_version};
  std::string instance_class{"db.r6g.large"};  // never below db.r6g.large
  std::string replica_instance_class{};        // empty: same as the primary
  int allocated_storage_gib{100};
  // The primary's storage under the primary region's DataKey (customer-managed,
  // AWS Control Tower CT.RDS.PR.30) rather than aws/rds. A deployment made before
  // this default (aws/rds) keeps its instance only with false: the storage key is
  // fixed at creation, so changing it replaces the primary (the S007 guard refuses).
  bool customer_managed_storage_key{true};
  int backup_retention_days{7};
  int log_retention_days{30};  // audit logs (log_statement=all) under /aws/rds/

  std::string primary_vpc_cidr{"10.10.0.0/16"};
  std::string dr_vpc_cidr{"10.20.0.0/16"};
  // Availability zones by AZ id (the same physical zones in every account); empty:
  // drsynth's ids for the region (docs/dr-design.md), {"by-position"}: Fn::GetAZs
  // positions as before issue 21 (an existing deployment keeps its subnets so).
  std::vector<std::string> primary_az_ids{};
  std::vector<std::string> dr_az_ids{};
  // Extra CIDRs (application subnets) allowed to reach 5432. The VPCs' own
  // CIDRs and, for the primary, the DR VPC (the probe) are always allowed.
  std::vector<std::string> application_cidrs{};

  // Monitoring.
  int replica_lag_threshold_seconds{60};
  double free_storage_threshold_gib{10};
  double cpu_threshold_percent{80};
  std::vector<std::string> alarm_emails{};

  // Health and failover timing (see the recovery-time budget, counted from the failure).
  int probe_interval_minutes{1};
  int probe_timeout_seconds{5};
  int health_alarm_periods{2};  // one-minute periods a site must fail before DNS moves
  int record_ttl_seconds{30};   // <= 60 with a health check
  int dns_lag_guard_seconds{60};  // DNS does not fall back to a replica further behind
  // AWS: promotion takes "several minutes or longer, depending on the size of
  // the read replica" (USER_ReadRepl.Promote); measure yours in a drill.
  int expected_promotion_seconds{300};
  int recovery_time_objective_seconds{720};  // from the failure to a writable replica
  // Promotion (irreversible): the other site unhealthy, as a site's probe
  // sees it, for hold_minutes in a row (>= 3: a 120 s Multi-AZ failover
  // fills at most 2 one-minute datapoints, 3 at the worst alignment, and RDS
  // reports it as recovering), a second signal from the other site's region
  // or the witness, and the system armed by arm_after_healthy_minutes
  // minutes with the other site seen as a writer.
  int hold_minutes{3};
  int arm_after_healthy_minutes{5};
  int promotion_deadline_minutes{30};  // retries through backing-up/modifying end here
  int max_promotion_lag_seconds{300};  // no automatic promotion of a replica further behind at the failure
  int second_signal_timeout_seconds{5};
  // The witness's region (a third one); "": an operator approves a promotion
  // the other site's region cannot confirm.
  std::string witness_region{"us-west-2"};
  // With a witness, the writer's failover function renews a lease in the
  // witness's and the other site's region every minute; it fences its own
  // database (read-only) after self_fence_after_seconds without a renewal,
  // and a region loss promotes only once the lease is lease_expiry_seconds
  // old at both holders (docs/dr-design.md, "The lease").
  int lease_expiry_seconds{240};
  int self_fence_after_seconds{90};
  int failover_reserved_concurrency{5};  // 0: none
  // Backup windows (UTC), set deliberately and apart: RDS refuses to promote a
  // replica that is backing-up. The replica's is kept by the failover
  // function's reconcile (CloudFormation cannot set it on a replica).
  std::string primary_backup_window{"03:00-03:30"};
  std::string replica_backup_window{"05:00-05:30"};
  // The probe: a PEM CA bundle instead of the Amazon RDS bundle; MD5 and
  // cleartext password authentication (off: SCRAM-SHA-256 only).
  std::string probe_ca_bundle{};
  bool probe_allow_md5{false};
  bool probe_allow_cleartext{false};

  // Cost-tracking tags on everything.
  std::string project{"drsynth"};
  std::string dr_tier{"tier-1"};
};

// The settings of the system (docs/cli.md "Settings of the built-in DR
// system" is generated from this table): key, prop, accepted values, doc.
[[nodiscard]] const settings::Table<PostgresDisasterRecoveryProps>& postgres_dr_settings();

// The props from the app's context (drsynth.json, CDK_CONTEXT_JSON, -c): every
// key of the table present, the defaults for the others. Each bad value is one
// error naming the key and where it came from; all are thrown together. Keys
// the table does not know are left to the app (it may read its own); a key no
// one reads is E510 at synthesis, with the nearest known key.
[[nodiscard]] PostgresDisasterRecoveryProps settings_from_context(const App& app);

// The worst-case times from a primary failure, computed from the settings
// (64-bit: props set in code are not bounded until validation).
[[nodiscard]] RecoveryBudget recovery_budget(const PostgresDisasterRecoveryProps& p);

class PostgresDisasterRecovery : public Construct {
 public:
  using Props = PostgresDisasterRecoveryProps;
  // By reference: an app passes settings it keeps using, and the copy is made here.
  PostgresDisasterRecovery(Construct& scope, std::string id, const PostgresDisasterRecoveryProps& props);

  [[nodiscard]] Stack& base_stack() const noexcept { return *base_stack_; }
  [[nodiscard]] Stack& primary_stack() const noexcept { return *primary_stack_; }
  [[nodiscard]] Stack& replica_stack() const noexcept { return *replica_stack_; }
  [[nodiscard]] Stack& routes_stack() const noexcept { return *routes_stack_; }
  // The DR region's failover stack: the zone, the health checks, the records
  // and site B's machinery.
  [[nodiscard]] Stack& failover_stack() const noexcept { return *failover_stack_; }
  [[nodiscard]] Stack& failover_primary_stack() const noexcept { return *failover_primary_stack_; }
  [[nodiscard]] Stack* witness_stack() const noexcept { return witness_stack_; }
  [[nodiscard]] rds::DatabaseInstance& primary() const noexcept { return *primary_; }
  [[nodiscard]] rds::ReadReplica& replica() const noexcept { return *replica_; }
  [[nodiscard]] route53::PrivateHostedZone& zone() const noexcept { return *zone_; }
  // The DR region's paging topic (site B's); topic(0) is the primary region's.
  [[nodiscard]] sns::Topic& topic() const noexcept { return *topics_[1]; }
  [[nodiscard]] sns::Topic& topic(int site) const noexcept { return *topics_[site == 0 ? 0 : 1]; }
  // Site 0 (A, the primary) or 1 (B, the replica).
  [[nodiscard]] lambda::FailoverFunction& failover_function(int site) const noexcept { return *failovers_[site == 0 ? 0 : 1]; }
  [[nodiscard]] lambda::HealthProbe& probe(int site) const noexcept { return *probes_[site == 0 ? 0 : 1]; }
  [[nodiscard]] lambda::WitnessFunction* witness() const noexcept { return witness_; }
  // "postgres.db-<suffix>.internal": the name applications connect to.
  [[nodiscard]] const std::string& cname() const noexcept { return cname_; }
  [[nodiscard]] const PostgresDisasterRecoveryProps& props() const noexcept { return props_; }

  void validate(Validation& v) const override;  // warnings (E815); errors throw from the constructor
  void summarize(std::vector<std::string>& lines) const override;
  void tree_attributes(TreeAttributes& attributes) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override {
    return "drsynth.patterns.PostgresDisasterRecovery";
  }

 private:
  PostgresDisasterRecoveryProps props_;
  Stack* base_stack_ = nullptr;
  Stack* primary_stack_ = nullptr;
  Stack* replica_stack_ = nullptr;
  Stack* routes_stack_ = nullptr;
  Stack* failover_stack_ = nullptr;
  Stack* failover_primary_stack_ = nullptr;
  Stack* witness_stack_ = nullptr;
  rds::DatabaseInstance* primary_ = nullptr;
  rds::ReadReplica* replica_ = nullptr;
  route53::PrivateHostedZone* zone_ = nullptr;
  std::array<sns::Topic*, 2> topics_{};
  std::array<lambda::FailoverFunction*, 2> failovers_{};
  std::array<lambda::HealthProbe*, 2> probes_{};
  lambda::WitnessFunction* witness_ = nullptr;
  std::string budget_json_;  // tree.json attribute "drsynth:recovery-budget"
  std::string cname_;
};

// The shipped drsynth binary's app: the system the setting `variant` names
// (`rds-replica`, the default: this pattern; `aurora-global`:
// AuroraGlobalDisasterRecovery), with its settings from the context. An
// unknown variant is E831.
void define_default_system(App& app);

}  // namespace drsynth::patterns

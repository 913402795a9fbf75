// AuroraGlobalDisasterRecovery: the second built-in DR system, an Aurora
// PostgreSQL Global Database across two regions (us-east-1 and us-west-2 by
// default), selected with `drsynth synth -c variant=aurora-global`.
//
// Two sites with the DR kit's failover machinery each (the same as the
// first system's: docs/dr-design.md): A, the primary cluster, and B, the
// secondary cluster. For one environment suffix it builds these stacks
// (names carry the suffix), in deployment order:
//   AuroraDrBase-<s>          secondary region, deployed first: the region's data
//                             key (cluster storage, logs, the secret's replica, the
//                             replica bucket) and the export replica bucket
//   AuroraPrimary-<s>         primary region: data key, VPC (3 AZs, endpoints),
//                             flow logs, global cluster, primary cluster (a writer
//                             and N readers), master secret (replicated) and its
//                             rotation, export bucket (replicated, Glacier after
//                             30 days), events (topic, queue, DLQ, RDS subscription)
//   AuroraSecondary-<s>       secondary region: VPC, flow logs, the secondary
//                             cluster, events, peering, site B's probe and alarms,
//                             the 500 ms lag alarm
//   AuroraPrimaryRoutes-<s>   primary region: routes back over the peering, site
//                             A's probe and alarms
//   AuroraWitness-<s>         witness region (witnessRegion; none when empty)
//   AuroraFailover-<s>        secondary region: private zone of both VPCs, weighted
//                             records, health checks, site B's failover function
//   AuroraFailoverPrimary-<s> primary region: site A's failover function
// Physical names are {resource-type}-{purpose}-{environmentSuffix}; the tags
// Environment=production and DR-Tier=critical are on everything by default.
// docs/dr-design.md ("The Aurora Global Database system") explains each choice;
// docs/dr-runbook.md is the runbook.
//
// Error codes: E820-E830, E832, E833 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "drsynth/core/construct.hpp"
#include "drsynth/patterns/recovery_budget.hpp"
#include "drsynth/rds/aurora_engine.hpp"
#include "drsynth/core/settings.hpp"

namespace drsynth {
class App;
class Stack;
}  // namespace drsynth
namespace drsynth::rds {
class DatabaseCluster;
class GlobalCluster;
}  // namespace drsynth::rds
namespace drsynth::route53 {
class PrivateHostedZone;
}
namespace drsynth::lambda {
class Function;
class FailoverFunction;
class WitnessFunction;
}  // namespace drsynth::lambda
namespace drsynth::sns {
class Topic;
}
namespace drsynth::s3 {
class Bucket;
}

namespace drsynth::patterns {

struct AuroraGlobalDisasterRecoveryProps {
  std::string environment_suffix{"dev"};
  std::string primary_region{"us-east-1"};
  std::string secondary_region{"us-west-2"};
  std::optional<std::string> account{};  // unknown: account-agnostic templates

  std::string engine_version{rds::default_aurora_postgres_version};
  // db.r6g.large (document 002) or db.serverless (document 004, with the ACUs below).
  std::string instance_class{"db.r6g.large"};
  double min_capacity_acu{0.5};
  double max_capacity_acu{16};
  int readers{2};  // per region, spread over the AZs with the writer
  int backup_retention_days{7};
  int log_retention_days{30};
  // Production: deletion protection on the clusters and the global cluster.
  // To destroy, deploy with it off first (docs/dr-design.md).
  bool deletion_protection{false};

  std::string primary_vpc_cidr{"10.30.0.0/16"};
  std::string secondary_vpc_cidr{"10.40.0.0/16"};
  // Availability zones by AZ id; empty: drsynth's ids for the region
  // (docs/dr-design.md), {"by-position"}: Fn::GetAZs positions as before issue 21.
  std::vector<std::string> primary_az_ids{};
  std::vector<std::string> secondary_az_ids{};
  // The application networks allowed to reach 5432 in both regions (the only
  // other sources are the health probes and the rotation function).
  std::vector<std::string> application_cidrs{"10.30.128.0/20", "10.40.128.0/20"};

  // Replication lag: the alarm people get (document 004: 500 ms) and the DNS
  // guard (document 002: 60 s), AuroraGlobalDBReplicationLag of the standby.
  int lag_alarm_milliseconds{500};
  int dns_lag_guard_seconds{60};
  std::vector<std::string> alarm_emails{};

  // Health and failover timing (the budget counts from the failure).
  int probe_timeout_seconds{5};
  int health_alarm_periods{2};  // one-minute periods a site must fail before DNS moves
  int record_ttl_seconds{30};
  // Promotion (irreversible) needs the other site unhealthy for hold_minutes
  // as this site's probe sees it (>= 2: Aurora's own in-region failover,
  // about 30 s, fills at most 2 one-minute datapoints), a second signal from
  // the other region or the witness, and the system armed.
  int hold_minutes{3};
  int arm_after_healthy_minutes{5};
  int promotion_deadline_minutes{15};
  int max_promotion_lag_seconds{60};  // no automatic failover onto a secondary further behind at the failure
  int second_signal_timeout_seconds{5};
  // AWS: for Aurora Global Database "RTO can be in the order of minutes";
  // measure yours in a drill.
  int expected_promotion_seconds{120};
  int recovery_time_objective_seconds{600};  // from the failure to a writable secondary
  // The witness's region (a third one); "": an operator approves a failover
  // the other region cannot confirm.
  std::string witness_region{"us-east-2"};
  // The writer's lease and self-fence (docs/dr-design.md, "The lease").
  int lease_expiry_seconds{240};
  int self_fence_after_seconds{90};
  int failover_reserved_concurrency{5};  // 0: none
  // Last resort when the managed failover cannot start: detach the secondary
  // from the global cluster and use it as a standalone writer (irreversible).
  bool allow_detach{false};
  std::string probe_ca_bundle{};
  bool probe_allow_md5{false};
  bool probe_allow_cleartext{false};

  // Tags on everything.
  std::string environment_tag{"production"};
  std::string dr_tier{"critical"};
  std::string project{"drsynth"};
};

[[nodiscard]] const settings::Table<AuroraGlobalDisasterRecoveryProps>& aurora_global_settings();
[[nodiscard]] AuroraGlobalDisasterRecoveryProps aurora_settings_from_context(const App& app);

// The worst-case times from a primary failure, computed from the settings.
[[nodiscard]] RecoveryBudget recovery_budget(const AuroraGlobalDisasterRecoveryProps& p);

class AuroraGlobalDisasterRecovery : public Construct {
 public:
  using Props = AuroraGlobalDisasterRecoveryProps;
  AuroraGlobalDisasterRecovery(Construct& scope, std::string id, AuroraGlobalDisasterRecoveryProps props);

  [[nodiscard]] Stack& base_stack() const noexcept { return *base_stack_; }
  [[nodiscard]] Stack& primary_stack() const noexcept { return *primary_stack_; }
  [[nodiscard]] Stack& secondary_stack() const noexcept { return *secondary_stack_; }
  [[nodiscard]] Stack& failover_stack() const noexcept { return *failover_stack_; }
  [[nodiscard]] Stack& failover_primary_stack() const noexcept { return *failover_primary_stack_; }
  [[nodiscard]] Stack* witness_stack() const noexcept { return witness_stack_; }
  // Site 0 (A, the primary cluster) or 1 (B, the secondary).
  [[nodiscard]] lambda::FailoverFunction& failover_function(int site) const noexcept {
    return *failovers_[site == 0 ? 0 : 1];
  }
  [[nodiscard]] lambda::WitnessFunction* witness() const noexcept { return witness_; }
  [[nodiscard]] rds::GlobalCluster& global_cluster() const noexcept { return *global_; }
  [[nodiscard]] rds::DatabaseCluster& primary_cluster() const noexcept { return *primary_cluster_; }
  [[nodiscard]] rds::DatabaseCluster& secondary_cluster() const noexcept { return *secondary_cluster_; }
  [[nodiscard]] s3::Bucket& export_bucket() const noexcept { return *export_bucket_; }
  // The primary region's events topic (alarmEmails subscribe to it): an action for an app's own alarms there.
  [[nodiscard]] sns::Topic& primary_events_topic() const noexcept { return *primary_events_topic_; }
  [[nodiscard]] route53::PrivateHostedZone& zone() const noexcept { return *zone_; }
  // "writer.aurora-<suffix>.internal": the name applications connect to.
  [[nodiscard]] const std::string& cname() const noexcept { return cname_; }
  [[nodiscard]] const AuroraGlobalDisasterRecoveryProps& props() const noexcept { return props_; }

  void validate(Validation& v) const override;  // warnings (E830); errors throw from the constructor
  void summarize(std::vector<std::string>& lines) const override;
  void tree_attributes(TreeAttributes& attributes) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override {
    return "drsynth.patterns.AuroraGlobalDisasterRecovery";
  }

 private:
  AuroraGlobalDisasterRecoveryProps props_;
  Stack* base_stack_ = nullptr;
  Stack* primary_stack_ = nullptr;
  Stack* secondary_stack_ = nullptr;
  Stack* failover_stack_ = nullptr;
  Stack* failover_primary_stack_ = nullptr;
  Stack* witness_stack_ = nullptr;
  std::array<lambda::FailoverFunction*, 2> failovers_{};
  lambda::WitnessFunction* witness_ = nullptr;
  std::string budget_json_;  // tree.json attribute "drsynth:recovery-budget"
  rds::GlobalCluster* global_ = nullptr;
  rds::DatabaseCluster* primary_cluster_ = nullptr;
  rds::DatabaseCluster* secondary_cluster_ = nullptr;
  s3::Bucket* export_bucket_ = nullptr;
  sns::Topic* primary_events_topic_ = nullptr;
  route53::PrivateHostedZone* zone_ = nullptr;
  std::string cname_;
};

}  // namespace drsynth::patterns

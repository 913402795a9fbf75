// PostgresDisasterRecovery: the built-in multi-region PostgreSQL DR system.
//
// For one environment suffix it builds five stacks (names carry the suffix):
//   DrBase-<s>           DR region, deployed first: the key of the master
//                        secret's replica (the primary stack names it)
//   DrPrimary-<s>        primary region: VPC, security group, parameter group,
//                        secret (replicated to the DR region), log group,
//                        RDS PostgreSQL 15 primary (Multi-AZ, encrypted, 7-day backups)
//   DrReplica-<s>        DR region: VPC (+ interface endpoints), peering to the
//                        primary VPC, parameter group, log group, cross-region
//                        read replica with its own 7-day backups
//   DrPrimaryRoutes-<s>  primary region: routes back over the peering
//   DrFailover-<s>       DR region: private hosted zone (both VPCs), weighted
//                        CNAME 100/0, probe function + alarm + CLOUDWATCH_METRIC
//                        health check, failover function, alarms, SNS topic
// The failover machinery lives in the DR region: it must outlive the primary's.
// docs/dr-design.md explains every choice and holds the runbook.
//
// Codes E801-E815 (see docs/errors.md):
//   E801 environment suffix has characters a physical name cannot take
//   E802 environment suffix makes a physical name too long (the limit is computed)
//   E803 instance class below db.r6g.large
//   E804 primary and DR region are the same / unknown region
//   E805 VPC CIDRs overlap
//   E806 backup retention outside 7..35 days
//   E807 recovery-time budget exceeds the objective
//   E808 alarm threshold or probe timing out of range
//   E809 record TTL above 60 s
//   E810 another setting outside what it accepts (docs/cli.md lists each range)
//   E811 hold time out of range, or not longer than the DR-view alarm (holdMinutes)
//   E812 arming datapoints out of range (armAfterHealthyMinutes)
//   E813 probe CA bundle file missing or without a PEM certificate (probeCaBundle)
//   E814 promotion deadline out of range (promotionDeadlineMinutes)
//   E815 warning: no alarm subscription (alarmEmails empty): nobody is paged
// A setting read from the context is reported by its key and origin
// (drsynth.json:3, -c); a prop set in code that breaks its setting's rule
// throws from the constructor, before any part is built from it: one error
// per mistake, not one per construct the value reaches.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "drsynth/construct.hpp"
#include "drsynth/rds/engine.hpp"
#include "drsynth/settings.hpp"

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
}  // namespace drsynth::lambda
namespace drsynth::sns {
class Topic;
}
namespace drsynth::cloudwatch {
class Alarm;
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

  // Health and failover timing (see the recovery-time budget).
  int probe_interval_minutes{1};
  int probe_timeout_seconds{5};
  int health_alarm_periods{1};  // one-minute periods below 1 before the alarm fires
  int record_ttl_seconds{30};   // <= 60 with a health check
  int expected_promotion_seconds{120};
  int recovery_time_objective_seconds{300};
  // Promotion (irreversible): the primary must be unhealthy, as the DR-region
  // probe sees it, for hold_minutes in a row (>= 3: a 120 s Multi-AZ failover
  // fills at most 2 one-minute datapoints, 3 at the worst alignment, and RDS
  // reports it as recovering), and the system armed by arm_after_healthy_minutes
  // consecutive healthy minutes since deploy or failback.
  int hold_minutes{3};
  int arm_after_healthy_minutes{5};
  int promotion_deadline_minutes{30};  // retries through backing-up/modifying end here
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

// The worst-case times from a primary failure, computed from the settings.
// 64-bit: props set in code are not bounded until validation.
struct RecoveryBudget {
  std::int64_t detection_seconds = 0;  // failure -> DR-view health alarm in ALARM
  std::int64_t dns_seconds = 0;        // failure -> DNS answers with the replica
  std::int64_t hold_seconds = 0;       // detection -> hold alarm in ALARM
  std::int64_t promoted_seconds = 0;   // failure -> replica promoted and writable
  std::int64_t writable_after_detection_seconds = 0;  // detection -> replica writable (the objective's measure)
  std::int64_t worst_seconds = 0;      // max of dns_seconds and writable_after_detection_seconds
  std::vector<std::string> steps{};  // the arithmetic, one line each
};
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
  [[nodiscard]] Stack& failover_stack() const noexcept { return *failover_stack_; }
  [[nodiscard]] rds::DatabaseInstance& primary() const noexcept { return *primary_; }
  [[nodiscard]] rds::ReadReplica& replica() const noexcept { return *replica_; }
  [[nodiscard]] route53::PrivateHostedZone& zone() const noexcept { return *zone_; }
  [[nodiscard]] sns::Topic& topic() const noexcept { return *topic_; }
  [[nodiscard]] lambda::FailoverFunction& failover_function() const noexcept { return *failover_; }
  [[nodiscard]] lambda::HealthProbe& probe() const noexcept { return *probe_; }
  [[nodiscard]] cloudwatch::Alarm& health_alarm() const noexcept { return *health_alarm_; }
  // "postgres.db-<suffix>.internal": the name applications connect to.
  [[nodiscard]] const std::string& cname() const noexcept { return cname_; }
  [[nodiscard]] const PostgresDisasterRecoveryProps& props() const noexcept { return props_; }

  void validate(Validation& v) const override;  // warnings (E815); errors throw from the constructor
  void summarize(std::vector<std::string>& lines) const override;
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
  rds::DatabaseInstance* primary_ = nullptr;
  rds::ReadReplica* replica_ = nullptr;
  route53::PrivateHostedZone* zone_ = nullptr;
  sns::Topic* topic_ = nullptr;
  lambda::FailoverFunction* failover_ = nullptr;
  lambda::HealthProbe* probe_ = nullptr;
  cloudwatch::Alarm* health_alarm_ = nullptr;
  std::string cname_;
};

// The shipped drsynth binary's app: the system the setting `variant` names
// (`rds-replica`, the default: this pattern; `aurora-global`:
// AuroraGlobalDisasterRecovery), with its settings from the context. An
// unknown variant is E831.
void define_default_system(App& app);

}  // namespace drsynth::patterns

// lambda::FailoverFunction: the Function (runtime/failover, no VPC, 300 s) that
// fences the old primary, promotes the cross-region replica and flips the
// weighted records, only when armed and when both signals agree (see
// runtime/README.md). Its environment and IAM policy follow that file.
// Invoke it from the hold alarm with alarm.add_alarm_action(failover); its
// reconcile schedule (<Failover>/Reconcile) retries an unfinished promotion or
// flip and arms the system after K healthy probe minutes. No reserved
// concurrency: the SSM lock serializes runs, and a reservation can make the
// stack fail in accounts with a low concurrency quota.
//
// Error codes (lambda range, see function.hpp):
//   E769  a required prop is missing (instance ids, regions, zone, record,
//         set identifiers, endpoints, hold alarm, lock and state parameters,
//         metric dimension), an invalid lock/state parameter name, or
//         arm_after_healthy_datapoints / promotion_deadline_seconds out of range
#pragma once

#include <string>

#include "drsynth/events/schedule.hpp"
#include "drsynth/lambda/function.hpp"

namespace drsynth::lambda {

struct FailoverFunctionProps {
  std::string function_name{};
  Value primary_instance_id{};     // DB instance identifier (not ARN)
  std::string primary_region{};
  Value replica_instance_id{};
  std::string replica_region{};    // empty: this stack's region
  Value hosted_zone_id{};          // zone.hosted_zone_id()
  std::string record_name{};       // "postgres.db-dev.internal"
  int record_ttl = 60;
  std::string primary_set_identifier{};
  std::string replica_set_identifier{};
  Value primary_endpoint{};
  Value replica_endpoint{};
  Value topic_arn{};               // null: no notification
  // The hold alarm: promotion needs it in ALARM (the primary unhealthy for
  // the hold time, as the DR-region probe sees it). alarm.alarm_name().
  Value health_alarm_name{};
  // The primary region's own probe alarm (name, in primary_region); OK there
  // means a partition, not a failure. Empty: not consulted.
  std::string primary_view_alarm_name{};
  // The alarm the primary record's calculated health check needs OK; the
  // function sets it to ALARM (fence) before promoting. Empty: no fence.
  std::string fence_alarm_name{};
  Value primary_health_check_id{};  // carried by every UPSERT of the primary record
  int backup_retention_days = 7;
  std::string lock_parameter{};    // "/drsynth/dev/failover-lock" (not created by the template)
  std::string state_parameter{};   // "/drsynth/dev/failover-state" (not created: absent means unarmed)
  int arm_after_healthy_datapoints = 5;
  int promotion_deadline_seconds = 1800;
  // The probe's metric (PrimaryHealthy, for arming) and the fence metric.
  std::string metric_namespace = "drsynth";
  std::string metric_dimension_name = "System";
  std::string metric_dimension_value{};
  std::string reconcile_schedule = "rate(1 minute)";  // empty: no reconcile rule
  // hh24:mi-hh24:mi UTC: the reconcile keeps the replica's backup window there
  // (CloudFormation cannot set it on a replica). Empty: left alone.
  std::string replica_backup_window{};
  Value dead_letter_queue_arn{};   // SQS queue for failed asynchronous invocations; null: none
  Value topic_key_arn{};           // KMS key of the topic (kms:GenerateDataKey*, kms:Decrypt); null: none
  int timeout_seconds = 300;
  int memory_mb = 256;
  int log_retention_days = 14;
  std::string role_name{};
};

class FailoverFunction : public Function {
 public:
  using Props = FailoverFunctionProps;
  FailoverFunction(Construct& scope, std::string id, FailoverFunctionProps props);

  [[nodiscard]] const FailoverFunctionProps& failover_props() const noexcept { return failover_; }
  // The reconcile rule (null when reconcile_schedule is empty).
  [[nodiscard]] events::Schedule* reconcile() const noexcept { return reconcile_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.lambda.FailoverFunction"; }

 private:
  FailoverFunctionProps failover_;
  events::Schedule* reconcile_ = nullptr;
};

}  // namespace drsynth::lambda

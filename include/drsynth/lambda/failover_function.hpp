// lambda::FailoverFunction: the failover function of one site of a
// two-site DR system, for either engine (ENGINE=rds: an RDS instance and its
// cross-region read replica; ENGINE=aurora: an Aurora global database). It
// runs in the site's region (X) without a VPC and may only ever make X the
// writer, replacing the other site (Y): armed after K minutes with Y seen as
// a writer, a hold alarm, a second signal read directly from Y's region (and
// from a witness in a third region when Y's region does not answer, else an
// operator's approval), an exclusive claim, a fence confirmed before the
// promotion, a flip of the weighted records (weights and health checks), a
// reconcile schedule, a dead-letter queue. runtime/README.md documents the
// handler (runtime/failover, package drsynth_failover).
//
// The environment is built from the props and checked against the handler's
// contract (runtime/drsynth_failover/contract.json, read by the handler too):
// every variable the contract requires for the engine must be set, nothing
// outside it may be. The engine's own lines and its promotion/failback
// permissions come from whoever knows the databases (`engine_environment`,
// `engine_statements`: the patterns' engine parts). Invoke it from the hold
// alarm with hold.add_alarm_action(function); it names the alarms by their
// physical names (the hold alarm refers to the function, so the function
// cannot refer to the alarm's Ref).
//
// Children: ServiceRole (+DefaultPolicy), LogGroup, Code (asset), Resource,
// Reconcile (events::Schedule, every minute, {"action": "reconcile"}).
//
// Error codes: E769 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drsynth/events/schedule.hpp"
#include "drsynth/iam/policy_statement.hpp"
#include "drsynth/lambda/function.hpp"
#include "drsynth/core/link.hpp"

namespace drsynth::cloudwatch {
class Alarm;
}
namespace drsynth::route53 {
class HealthCheck;
class PrivateHostedZone;
}  // namespace drsynth::route53
namespace drsynth::sns {
class Topic;
}
namespace drsynth::sqs {
class Queue;
}

namespace drsynth::lambda {

class WitnessFunction;

// One site as a failover function names it. Its record carries
// `writer_check` while the site is the designated writer (weight 100) and
// `fallback_check` while it is the fallback (weight 0); the flip swaps
// weights and checks in one change.
struct FailoverSite {
  std::string id{};      // the record's set identifier and the Site dimension of the metrics
  std::string region{};  // empty for the local site: the stack's region
  Value db_id{};         // DB instance (rds) or DB cluster (aurora) identifier
  Value db_arn{};
  Value endpoint{};      // the record's value
  Required<const route53::HealthCheck, "writer_check"> writer_check;
  Required<const route53::HealthCheck, "fallback_check"> fallback_check;
  // The paging topic of the site's region (encrypted with a kms::Key).
  Link<const sns::Topic> topic{};
  std::string state_parameter{};  // SSM parameter in the site's region (not created by the templates)
};

// The writer's lease and self-fence (with a witness only; the handler's
// lease.py): `parameter` is this site's lease, written into the witness's
// region and the other site's region; `remote_parameter` the other site's
// lease as that site writes it into this region; `record_parameter` this
// site's own record in its region. The self-fence's permissions and
// FENCE_PARAMETER_GROUP come with the engine's statements and variables.
struct FailoverLease {
  std::string parameter{};  // empty: no lease
  std::string remote_parameter{};
  std::string record_parameter{};
  int expiry_seconds = 240;
  int self_fence_after_seconds = 90;
};

struct FailoverFunctionProps {
  std::string function_name{};
  std::string engine{};  // "rds" or "aurora"
  FailoverSite local;    // X: this function's site
  FailoverSite remote;   // Y: the other site
  Required<const route53::PrivateHostedZone, "zone"> zone;
  std::string record_name{};
  int record_ttl = 60;
  // Alarms, by their physical names (each must have one):
  Required<const cloudwatch::Alarm, "hold_alarm"> hold_alarm;                // H_X(Y), local: invokes the function
  Required<const cloudwatch::Alarm, "remote_view_alarm"> remote_view_alarm;  // W_Y(Y), remote: Y's own view
  Required<const cloudwatch::Alarm, "fence_alarm"> fence_alarm;              // F(Y), local: the fence of Y
  Link<const cloudwatch::Alarm> view_alarm{};                                // W_X(Y), local (status)
  Link<const cloudwatch::Alarm> remote_fence_alarm{};                        // F(X), remote (status)
  // The CLOUDWATCH_METRIC checks that follow the fence alarm: a failback
  // confirms with GetHealthCheckStatus that Route 53 sees the fence lifted
  // (it cannot read the status of a CALCULATED check).
  std::vector<Required<const route53::HealthCheck, "fence_checks">> fence_checks{};
  std::string lock_parameter{};  // SSM parameter in the local region (not created by the templates)
  std::string metric_namespace = "drsynth";
  std::string metric_dimension_name = "System";
  std::string metric_dimension_value{};
  int arm_after_healthy_minutes = 5;
  int hold_minutes = 3;
  int max_promotion_lag_seconds = 300;
  int promotion_deadline_seconds = 1800;
  int second_signal_timeout_seconds = 5;
  std::string reconcile_schedule = "rate(1 minute)";  // empty: no reconcile rule
  int reconcile_interval_seconds = 60;
  // The witness in a third region; none: a promotion without a direct
  // second signal waits for an operator's approval.
  Link<const WitnessFunction> witness{};
  FailoverLease lease{};  // needs the witness
  Link<const sqs::Queue> dead_letter_queue{};  // failed asynchronous invocations
  // ReservedConcurrentExecutions; unset or 0: none (a reservation fails the
  // stack when it would take the account's unreserved concurrency below 100).
  std::optional<int> reserved_concurrency{};
  // The engine's part: its variables (checked against the contract) and its
  // promotion, failback and describe permissions (least privilege).
  std::map<std::string, Value> engine_environment{};
  std::vector<iam::PolicyStatement> engine_statements{};
  int timeout_seconds = 300;
  int memory_mb = 256;
  int log_retention_days = 14;
  Link<kms::Key> log_kms_key{};  // the log group's key, as for every Function
  std::string role_name{};
};

class FailoverFunction : public Function {
 public:
  using Props = FailoverFunctionProps;
  FailoverFunction(Construct& scope, std::string id, FailoverFunctionProps props);

  [[nodiscard]] const FailoverFunctionProps& failover_props() const noexcept { return failover_; }
  // The reconcile rule (null when reconcile_schedule is empty).
  [[nodiscard]] events::Schedule* reconcile() const noexcept { return reconcile_; }
  [[nodiscard]] const std::string& local_region() const noexcept { return local_region_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.lambda.FailoverFunction"; }

 private:
  FailoverFunctionProps failover_;
  std::string local_region_;
  events::Schedule* reconcile_ = nullptr;
};

}  // namespace drsynth::lambda

// lambda::AuroraFailoverFunction: the Function (runtime/aurora_failover, no
// VPC, 300 s) that fails an Aurora Global Database over to the cluster of its
// own region when the writer's region is lost: managed FailoverGlobalCluster,
// detach-and-promote only as an allowed last resort, planned
// SwitchoverGlobalCluster on an operator's request. The same code runs in
// each region (LOCAL = its region's cluster, REMOTE = the other). The rules of
// the first system hold: armed after K healthy minutes, two independent
// signals (this region's hold alarm; the other region's own view and its RDS
// API), a fence before the irreversible step, a sticky state, an SSM lock, a
// scheduled reconcile. runtime/README.md documents its environment, which
// follows these props one to one.
//
// Error codes (lambda range, see function.hpp):
//   E769  a required prop is missing, an invalid lock/state parameter name, or
//         a number out of range
#pragma once

#include <string>

#include "drsynth/events/schedule.hpp"
#include "drsynth/lambda/function.hpp"

namespace drsynth::lambda {

struct AuroraFailoverFunctionProps {
  std::string function_name{};
  Value global_cluster_id{};
  std::string local_region{};  // empty: this stack's region
  Value local_cluster_id{};
  Value local_cluster_arn{};
  std::string remote_region{};
  Value remote_cluster_id{};
  Value remote_cluster_arn{};
  Value hosted_zone_id{};
  std::string record_name{};
  int record_ttl = 30;
  std::string local_set_identifier{};
  std::string remote_set_identifier{};
  Value local_endpoint{};   // the regional cluster endpoints the weighted records point at
  Value remote_endpoint{};
  Value local_health_check_id{};  // kept on every UPSERT of that record; null: none
  Value remote_health_check_id{};
  Value topic_arn{};      // null: no notification
  Value topic_key_arn{};  // KMS key of the topic; null: none
  // This region's hold alarm (the writer unhealthy for the hold time, as this
  // region's probe sees it). It invokes the function: a literal name.
  std::string hold_alarm_name{};
  std::string remote_view_alarm_name{};  // the other region's own 1-minute view, in remote_region
  // The alarms the records' calculated health checks need OK (fences), in fence_region.
  std::string local_fence_alarm_name{};
  std::string remote_fence_alarm_name{};
  std::string fence_region{};
  std::string lock_parameter{};
  std::string state_parameter{};
  int arm_after_healthy_datapoints = 5;
  int promotion_deadline_seconds = 900;
  int detection_budget_seconds = 60;
  int second_signal_timeout_seconds = 5;
  bool allow_detach = false;
  std::string metric_namespace = "drsynth";
  std::string metric_dimension_name = "System";
  std::string metric_dimension_value{};  // this region's probe
  std::string reconcile_schedule = "rate(1 minute)";
  Value dead_letter_queue_arn{};
  int timeout_seconds = 300;
  int memory_mb = 256;
  int log_retention_days = 14;
  std::string role_name{};
};

class AuroraFailoverFunction : public Function {
 public:
  using Props = AuroraFailoverFunctionProps;
  AuroraFailoverFunction(Construct& scope, std::string id, AuroraFailoverFunctionProps props);

  [[nodiscard]] const AuroraFailoverFunctionProps& failover_props() const noexcept { return failover_; }
  [[nodiscard]] events::Schedule* reconcile() const noexcept { return reconcile_; }
  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override {
    return "drsynth.lambda.AuroraFailoverFunction";
  }

 private:
  AuroraFailoverFunctionProps failover_;
  events::Schedule* reconcile_ = nullptr;
};

}  // namespace drsynth::lambda

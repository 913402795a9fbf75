// lambda::FailoverFunction: the Function (runtime/failover, no VPC, 300 s,
// reserved concurrency 1) that promotes the cross-region replica and flips the
// weighted records. Its environment and IAM policy follow runtime/README.md.
// Invoke it from the health alarm with alarm.add_alarm_action(failover).
//
// Error codes (lambda range, see function.hpp):
//   E769  a required prop is missing (instance ids, regions, zone, record,
//         set identifiers, endpoints, health alarm, lock parameter), or an
//         invalid lock parameter name
#pragma once

#include <string>

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
  Value health_alarm_name{};       // alarm.alarm_name()
  int backup_retention_days = 7;
  std::string lock_parameter{};    // "/drsynth/dev/failover-lock" (not created by the template)
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

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.lambda.FailoverFunction"; }

 private:
  FailoverFunctionProps failover_;
};

}  // namespace drsynth::lambda

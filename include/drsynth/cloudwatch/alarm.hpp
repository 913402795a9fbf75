// cloudwatch::Alarm: an AWS::CloudWatch::Alarm on one metric.
//
// Error codes: E780-E786 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/cloudwatch/alarm_action.hpp"
#include "drsynth/cloudwatch/metric.hpp"
#include "drsynth/core/construct.hpp"

namespace drsynth::cloudwatch {

// ComparisonOperator and TreatMissingData: cloudwatch/metric.hpp.

struct AlarmProps {
  std::string alarm_name{};  // physical name; empty: CloudFormation generates one
  std::string description{};
  Metric metric{};
  double threshold = 0;
  ComparisonOperator comparison = ComparisonOperator::greater_than_threshold;
  int evaluation_periods = 1;
  std::optional<int> datapoints_to_alarm{};  // default: evaluation_periods
  TreatMissingData treat_missing_data = TreatMissingData::missing;
  // A Route 53 CLOUDWATCH_METRIC health check follows this alarm: validate the
  // rules Route 53 imposes (see require_route53_compatible()).
  bool route53_compatible = false;
};

class Alarm : public Construct {
 public:
  using Props = AlarmProps;
  Alarm(Construct& scope, std::string id, AlarmProps props);

  // Notifies or invokes `action` when the alarm goes to ALARM / back to OK:
  // an sns::Topic (a notification), a lambda::Function (invoked directly; it
  // adds the permission it needs, see lambda/function.hpp), or anything else
  // that implements AlarmAction.
  void add_alarm_action(AlarmAction& action);
  void add_ok_action(AlarmAction& action);
  // Route 53 health checks only follow standard-resolution alarms with a simple
  // statistic and DatapointsToAlarm == EvaluationPeriods; violations are E785.
  void require_route53_compatible() noexcept { props_.route53_compatible = true; }

  [[nodiscard]] Value alarm_arn() const { return resource_->get_att("Arn"); }
  // Ref: the alarm name (generated when alarm_name is empty); the physical
  // name given is props().alarm_name.
  [[nodiscard]] Value alarm_name() const { return resource_->ref(); }
  [[nodiscard]] CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] const AlarmProps& props() const noexcept { return props_; }
  [[nodiscard]] bool route53_compatible() const noexcept { return props_.route53_compatible; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.cloudwatch.Alarm"; }

 private:
  void render();

  AlarmProps props_;
  std::vector<Value> alarm_actions_;
  std::vector<Value> ok_actions_;
  CfnResource* resource_ = nullptr;
};

}  // namespace drsynth::cloudwatch

#include "drsynth/cloudwatch/alarm.hpp"

#include <cmath>

#include "drsynth/core/error_codes.hpp"

namespace drsynth::cloudwatch {

namespace {
std::string_view to_cfn(ComparisonOperator c) {
  switch (c) {
    case ComparisonOperator::greater_than_or_equal_to_threshold: return "GreaterThanOrEqualToThreshold";
    case ComparisonOperator::greater_than_threshold: return "GreaterThanThreshold";
    case ComparisonOperator::less_than_threshold: return "LessThanThreshold";
    case ComparisonOperator::less_than_or_equal_to_threshold: return "LessThanOrEqualToThreshold";
  }
  return "GreaterThanThreshold";
}
std::string_view to_cfn(TreatMissingData t) {
  switch (t) {
    case TreatMissingData::missing: return "missing";
    case TreatMissingData::breaching: return "breaching";
    case TreatMissingData::not_breaching: return "notBreaching";
    case TreatMissingData::ignore: return "ignore";
  }
  return "missing";
}
Value threshold_value(double t) {
  if (std::isfinite(t) && t == std::floor(t) && std::fabs(t) < 1e15) return Value(static_cast<long long>(t));
  return Value(t);
}
}  // namespace

bool is_simple_statistic(const std::string& s) {
  return s == "Average" || s == "Minimum" || s == "Maximum" || s == "Sum" || s == "SampleCount";
}

// ^p(100|[0-9]{1,2})(\.[0-9]{1,2})?$, by hand: every alarm checks its
// statistic when it renders and when it validates.
bool is_extended_statistic(std::string_view s) {
  auto digits = [&](std::size_t from) {
    std::size_t n = 0;
    while (from + n < s.size() && s[from + n] >= '0' && s[from + n] <= '9') ++n;
    return n;
  };
  if (!s.starts_with('p')) return false;
  const std::size_t whole = digits(1);
  if (!(whole == 1 || whole == 2 || (whole == 3 && s.substr(1, 3) == "100"))) return false;
  std::size_t at = 1 + whole;
  if (at == s.size()) return true;
  if (s[at] != '.') return false;
  const std::size_t fraction = digits(at + 1);
  return (fraction == 1 || fraction == 2) && at + 1 + fraction == s.size();
}

Alarm& Metric::create_alarm(Construct& scope, std::string id, CreateAlarmOptions options) const {
  return scope.add<Alarm>(std::move(id), AlarmProps{.alarm_name = std::move(options.alarm_name),
                                                    .description = std::move(options.description),
                                                    .metric = *this,
                                                    .threshold = options.threshold,
                                                    .comparison = options.comparison,
                                                    .evaluation_periods = options.evaluation_periods,
                                                    .datapoints_to_alarm = options.datapoints_to_alarm,
                                                    .treat_missing_data = options.treat_missing_data});
}

Alarm::Alarm(Construct& scope, std::string id, AlarmProps props) : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::CloudWatch::Alarm"});
  render();
}

// Actions are added to what is rendered (no re-rendering of the alarm).
void Alarm::add_alarm_action(AlarmAction& action) {
  alarm_actions_.push_back(action.bind_to_alarm(*this, alarm_arn()));
  resource_->properties()["AlarmActions"].push_back(alarm_actions_.back());
}

void Alarm::add_ok_action(AlarmAction& action) {
  ok_actions_.push_back(action.bind_to_alarm(*this, alarm_arn()));
  resource_->properties()["OKActions"].push_back(ok_actions_.back());
}

void Alarm::render() {
  const Metric& m = props_.metric;
  auto& r = *resource_;
  if (!props_.alarm_name.empty()) r.set_property("AlarmName", props_.alarm_name);
  if (!props_.description.empty()) r.set_property("AlarmDescription", props_.description);
  r.set_property("Namespace", m.namespace_name);
  r.set_property("MetricName", m.metric_name);
  if (!m.dimensions.empty()) {
    Value dims = Value::array();
    for (const auto& [name, value] : m.dimensions) dims.push_back(Value::object({{"Name", name}, {"Value", value}}));
    r.set_property("Dimensions", dims);
  }
  if (is_extended_statistic(m.statistic)) {
    r.set_property("ExtendedStatistic", m.statistic);
  } else {
    r.set_property("Statistic", m.statistic);
  }
  r.set_property("Period", m.period_seconds);
  if (m.unit) r.set_property("Unit", *m.unit);
  r.set_property("Threshold", threshold_value(props_.threshold));
  r.set_property("ComparisonOperator", std::string(to_cfn(props_.comparison)));
  r.set_property("EvaluationPeriods", props_.evaluation_periods);
  r.set_property("DatapointsToAlarm", props_.datapoints_to_alarm.value_or(props_.evaluation_periods));
  r.set_property("TreatMissingData", std::string(to_cfn(props_.treat_missing_data)));
  if (!alarm_actions_.empty()) {
    r.set_property("AlarmActions", Value(Value::Array(alarm_actions_.begin(), alarm_actions_.end())));
  }
  if (!ok_actions_.empty()) r.set_property("OKActions", Value(Value::Array(ok_actions_.begin(), ok_actions_.end())));
}

void Alarm::validate(Validation& v) const {
  const Metric& m = props_.metric;
  const int p = m.period_seconds;
  if (!(p == 10 || p == 20 || p == 30 || (p > 0 && p % 60 == 0))) {
    v.error(codes::E780, *this, "invalid alarm period", std::to_string(p) + " s", "10, 20, 30 or a multiple of 60 seconds");
  }
  if (m.namespace_name.empty() || m.metric_name.empty()) {
    v.error(codes::E781, *this, "metric needs a namespace and a name",
            "\"" + m.namespace_name + "\" / \"" + m.metric_name + "\"", "e.g. AWS/RDS / ReplicaLag");
  }
  if (m.dimensions.size() > 30) {
    v.error(codes::E781, *this, "too many metric dimensions", std::to_string(m.dimensions.size()), "<= 30");
  }
  if (!is_simple_statistic(m.statistic) && !is_extended_statistic(m.statistic)) {
    v.error(codes::E782, *this, "unknown statistic", "\"" + m.statistic + "\"",
            "Average, Minimum, Maximum, Sum, SampleCount or a percentile such as p99");
  }
  if (props_.alarm_name.size() > 255) {
    v.error(codes::E783, *this, "alarm name too long", std::to_string(props_.alarm_name.size()) + " chars", "<= 255");
  }
  const int dp = props_.datapoints_to_alarm.value_or(props_.evaluation_periods);
  if (props_.evaluation_periods < 1) {
    v.error(codes::E784, *this, "evaluation periods must be at least 1", std::to_string(props_.evaluation_periods), ">= 1");
  } else if (dp < 1 || dp > props_.evaluation_periods) {
    v.error(codes::E784, *this, "datapoints to alarm outside 1..evaluation periods", std::to_string(dp),
            "1.." + std::to_string(props_.evaluation_periods));
  }
  if (props_.route53_compatible) {
    const std::string why = "a Route 53 CLOUDWATCH_METRIC health check follows this alarm: ";
    if (p < 60) {
      v.error(codes::E785, *this, why + "Route 53 does not support high-resolution alarms", std::to_string(p) + " s",
              "Period >= 60");
    }
    if (!is_simple_statistic(m.statistic)) {
      v.error(codes::E785, *this, why + "Route 53 only supports simple statistics", "\"" + m.statistic + "\"",
              "Average, Minimum, Maximum, Sum or SampleCount");
    }
    if (dp != props_.evaluation_periods) {
      v.error(codes::E785, *this, why + "Route 53 does not support M-out-of-N alarms",
              "DatapointsToAlarm " + std::to_string(dp) + ", EvaluationPeriods " +
                  std::to_string(props_.evaluation_periods),
              "DatapointsToAlarm == EvaluationPeriods");
    }
  }
  if (alarm_actions_.size() > 5 || ok_actions_.size() > 5) {
    v.error(codes::E786, *this, "an alarm has at most 5 actions per state",
            std::to_string(std::max(alarm_actions_.size(), ok_actions_.size())), "<= 5");
  }
}

}  // namespace drsynth::cloudwatch

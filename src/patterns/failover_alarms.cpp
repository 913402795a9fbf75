#include "patterns/failover_alarms.hpp"

#include "drsynth/lambda/health_probe.hpp"

namespace drsynth::patterns::detail {

cloudwatch::AlarmProps probe_down_alarm(const lambda::HealthProbe& probe, std::string name, std::string description,
                                        int periods) {
  auto metric = probe.healthy_metric();
  metric.period_seconds = 60;
  return {.alarm_name = std::move(name),
          .description = std::move(description),
          .metric = metric,
          .threshold = 1,
          .comparison = cloudwatch::ComparisonOperator::less_than_threshold,
          .evaluation_periods = periods,
          .datapoints_to_alarm = periods,
          .treat_missing_data = cloudwatch::TreatMissingData::breaching,
          .route53_compatible = true};
}

cloudwatch::AlarmProps fence_alarm(std::string name, std::string description, std::string dimension) {
  return {.alarm_name = std::move(name),
          .description = std::move(description),
          .metric = {.namespace_name = "drsynth",
                     .metric_name = "Fenced",
                     .dimensions = {{"System", Value(std::move(dimension))}},
                     .statistic = "Maximum",
                     .period_seconds = 60},
          .threshold = 1,
          .comparison = cloudwatch::ComparisonOperator::greater_than_or_equal_to_threshold,
          .evaluation_periods = 1,
          .datapoints_to_alarm = 1,
          .treat_missing_data = cloudwatch::TreatMissingData::ignore,
          .route53_compatible = true};
}

}  // namespace drsynth::patterns::detail

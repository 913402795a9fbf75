#include "drsynth/rds/instance_metrics.hpp"

namespace drsynth::rds {

cloudwatch::Metric InstanceMetrics::metric(std::string metric_name, cloudwatch::MetricOptions options) const {
  return {.namespace_name = "AWS/RDS",
          .metric_name = std::move(metric_name),
          .dimensions = {{"DBInstanceIdentifier", Value(metric_instance_identifier())}},
          .statistic = std::move(options.statistic),
          .period_seconds = options.period_seconds};
}

}  // namespace drsynth::rds

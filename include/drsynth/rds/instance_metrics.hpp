// rds::InstanceMetrics: the AWS/RDS metrics of one DB instance (dimension
// DBInstanceIdentifier), handed out by rds::DatabaseInstance and rds::ReadReplica.
//
//   db.metric_cpu_utilization().create_alarm(stack, "HighCpu", {.threshold = 80, .evaluation_periods = 3});
//   replica.metric_replica_lag({.statistic = "Maximum"}).create_alarm(dr, "Lag", {.threshold = 300});
//
// The dimension is the instance identifier as written (a DB instance always has
// one), so an alarm in another stack or region needs no cross-stack reference.
// No Unit is set: an alarm whose Unit differs from the published one never fires.
#pragma once

#include <string>

#include "drsynth/cloudwatch/metric.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::rds {

class InstanceMetrics {
 public:
  // Any metric of the AWS/RDS namespace for this instance, e.g. "ReadLatency".
  [[nodiscard]] cloudwatch::Metric metric(std::string metric_name, cloudwatch::MetricOptions options = {}) const;
  [[nodiscard]] cloudwatch::Metric metric_cpu_utilization(cloudwatch::MetricOptions options = {}) const {
    return metric("CPUUtilization", std::move(options));  // percent
  }
  [[nodiscard]] cloudwatch::Metric metric_free_storage_space(cloudwatch::MetricOptions options = {}) const {
    return metric("FreeStorageSpace", std::move(options));  // bytes
  }
  [[nodiscard]] cloudwatch::Metric metric_freeable_memory(cloudwatch::MetricOptions options = {}) const {
    return metric("FreeableMemory", std::move(options));  // bytes
  }
  [[nodiscard]] cloudwatch::Metric metric_database_connections(cloudwatch::MetricOptions options = {}) const {
    return metric("DatabaseConnections", std::move(options));  // count
  }
  [[nodiscard]] cloudwatch::Metric metric_read_iops(cloudwatch::MetricOptions options = {}) const {
    return metric("ReadIOPS", std::move(options));
  }
  [[nodiscard]] cloudwatch::Metric metric_write_iops(cloudwatch::MetricOptions options = {}) const {
    return metric("WriteIOPS", std::move(options));
  }

 protected:
  InstanceMetrics() = default;
  InstanceMetrics(const InstanceMetrics&) = default;
  InstanceMetrics& operator=(const InstanceMetrics&) = default;
  virtual ~InstanceMetrics() = default;

  // The DBInstanceIdentifier dimension's value.
  [[nodiscard]] virtual const std::string& metric_instance_identifier() const = 0;
};

}  // namespace drsynth::rds

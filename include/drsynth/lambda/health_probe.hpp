// lambda::HealthProbe: a Function inside a VPC that connects to each site's
// PostgreSQL every minute (runtime/probe, see runtime/README.md) and
// publishes, per site S, Writer{System, Site=S} (1: authenticated, SELECT 1
// answered, not in recovery; 0: refused, timed out, a standby, ...) to
// CloudWatch in its own region, and ProbeFault{System, Probe=<its site>} (1
// when the probe itself is at fault: a bad password, a secret or TLS
// problem; then it carries the site's last Writer value forward instead of
// reporting an outage). Route 53 cannot reach a private database; this probe
// plus an alarm on writer_metric() plus a CLOUDWATCH_METRIC health check can.
//
// Children: ServiceRole (+DefaultPolicy), LogGroup, Code (asset), Resource,
// Schedule (events::Schedule: AWS::Events::Rule rate(1 minute) +
// Schedule/InvokePermission<id>).
//
// Error codes: E769 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <string>

#include "drsynth/cloudwatch/metric.hpp"
#include "drsynth/events/schedule.hpp"
#include "drsynth/lambda/function.hpp"

namespace drsynth::lambda {

// One database the probe connects to: the site's id (the Site dimension of
// its Writer metric) and its endpoint address.
struct ProbeTarget {
  std::string site{};
  Value host{};
};

struct HealthProbeProps {
  std::string function_name{};
  VpcConfig vpc{};               // subnets and a security group allowed to reach the databases
  ProbeTarget local{};           // the probe's own site, probed first (the Probe dimension of ProbeFault)
  ProbeTarget remote{};          // the other site, over the peering; empty: only the own site
  Value db_port = 5432;
  std::string db_name = "postgres";
  Value secret{};                // secret ARN (or name) holding username/password
  std::string secret_region{};   // region of that secret; empty: this stack's region
  std::string metric_namespace = "drsynth";
  std::string metric_dimension_name = "System";
  std::string metric_dimension_value{};  // e.g. "dr-dev"
  double probe_timeout_seconds = 5;
  // PEM file of the CAs the database certificate must chain to; empty: the
  // Amazon RDS bundle in the probe's code (runtime/probe/rds-ca-bundle.pem).
  std::filesystem::path ca_bundle_file{};
  bool allow_md5 = false;        // MD5 password authentication (weak; off)
  bool allow_cleartext = false;  // cleartext password inside verified TLS (off)
  int timeout_seconds = 20;
  int memory_mb = 256;
  std::string schedule = "rate(1 minute)";
  int log_retention_days = 14;
  // The log group's customer-managed key (of this stack's region; its policy
  // then admits CloudWatch Logs for this log group). None: CloudWatch Logs' own encryption.
  Link<kms::Key> log_kms_key{};
  std::string role_name{};
};

class HealthProbe : public Function {
 public:
  using Props = HealthProbeProps;
  HealthProbe(Construct& scope, std::string id, HealthProbeProps props);

  // Writer{System, Site=site}, statistic Minimum, period 60 s: this probe's
  // view of the site; alarm when < 1.
  [[nodiscard]] cloudwatch::Metric writer_metric(const std::string& site) const;
  // Reachable{System, Site=site}, statistic Maximum, period 60 s: 1 when a
  // PostgreSQL server answered there (a standby too); alarm when < 1.
  [[nodiscard]] cloudwatch::Metric reachable_metric(const std::string& site) const;
  // ProbeFault{System, Probe=local.site}, statistic Maximum, period 60 s: alarm when >= 1.
  [[nodiscard]] cloudwatch::Metric fault_metric() const;
  // ProbeLatency{System, Site=site} (Milliseconds), statistic Maximum, period 60 s.
  [[nodiscard]] cloudwatch::Metric latency_metric(const std::string& site) const;
  [[nodiscard]] events::Schedule& schedule() const noexcept { return *schedule_; }
  [[nodiscard]] const HealthProbeProps& probe_props() const noexcept { return probe_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.lambda.HealthProbe"; }

 private:
  // {namespace}/{name}{System, key=value}, period 60 s.
  [[nodiscard]] cloudwatch::Metric metric(std::string name, const std::string& key, const std::string& value,
                                          std::string statistic) const;
  HealthProbeProps probe_;
  events::Schedule* schedule_ = nullptr;
};

}  // namespace drsynth::lambda

// lambda::WitnessFunction: the third vantage point of a two-site DR system
// (runtime/witness, package drsynth_failover). It runs in a region of its
// own, without a VPC; a failover function whose direct second signal cannot
// reach the other site's region invokes it (RequestResponse) and it answers
// from its region what that region sees of the site: lost, serving,
// recovering, unknown or unreachable. It also grants the one exclusive claim
// to fail over (a conditional put of its grant parameter), so that one
// site's decision disarms the other.
//
// Its permissions: describe the two site databases (and the global cluster:
// `engine_statements`), DescribeAlarms on the two sites' own view alarms,
// read the probes' Writer metric (GetMetricData/GetMetricStatistics have no
// resource-level permissions), and its grant parameter. Its environment is
// checked against runtime/drsynth_failover/contract.json ("witness").
//
// Error codes: E769 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "drsynth/iam/policy_statement.hpp"
#include "drsynth/lambda/function.hpp"
#include "drsynth/core/link.hpp"

namespace drsynth::cloudwatch {
class Alarm;
}

namespace drsynth::lambda {

// A site as the witness watches it.
struct WitnessSite {
  std::string id{};      // the Site dimension of the probes' Writer metric
  std::string region{};
  Value db_id{};         // DB instance (rds) or DB cluster (aurora) identifier
  // The site's own region's view of it (W_S(S)): OK there means the site serves.
  Required<const cloudwatch::Alarm, "view_alarm"> view_alarm;
  // The site's lease in the witness's region (written by the site's failover
  // function while it is the writer); empty: no lease, an unreachable site is
  // never granted as lost.
  std::string lease_parameter{};
};

struct WitnessFunctionProps {
  std::string function_name{};
  std::string engine{};  // "rds" or "aurora"
  WitnessSite site_a;
  WitnessSite site_b;
  std::string grant_parameter{};  // SSM parameter in the witness's region (not created by the templates)
  std::string metric_namespace = "drsynth";
  std::string metric_dimension_name = "System";
  std::string metric_dimension_value{};
  int call_timeout_seconds = 4;  // each call into a site's region
  int lease_expiry_seconds = 240;  // an unreachable site whose lease here is older is lost
  // The engine's part: its variables (e.g. the global cluster) and the
  // describe permissions on the two databases.
  std::map<std::string, Value> engine_environment{};
  std::vector<iam::PolicyStatement> engine_statements{};
  int timeout_seconds = 30;
  int memory_mb = 256;
  int log_retention_days = 14;
  Link<kms::Key> log_kms_key{};  // the log group's key, as for every Function
  std::string role_name{};
};

class WitnessFunction : public Function {
 public:
  using Props = WitnessFunctionProps;
  WitnessFunction(Construct& scope, std::string id, WitnessFunctionProps props);

  [[nodiscard]] const WitnessFunctionProps& witness_props() const noexcept { return witness_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.lambda.WitnessFunction"; }

 private:
  WitnessFunctionProps witness_;
};

}  // namespace drsynth::lambda

// route53::WeightedRecord: one weighted AWS::Route53::RecordSet in a private zone.
//
// Error codes: E754-E758 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/link.hpp"

namespace drsynth::route53 {

class PrivateHostedZone;
class HealthCheck;

struct WeightedRecordProps {
  Required<PrivateHostedZone, "zone"> zone;
  std::string record_name{};  // FQDN inside the zone, e.g. "postgres.db-dev.internal"
  std::string type = "CNAME";
  std::vector<Value> values{};  // a CNAME has exactly one
  int weight = 0;               // 0..255
  std::string set_identifier{};  // 1..128 chars, unique within the group
  int ttl = 60;                 // <= 60 with a health check; same for the whole group
  Link<const HealthCheck> health_check{};
};

class WeightedRecord : public Construct {
 public:
  using Props = WeightedRecordProps;
  WeightedRecord(Construct& scope, std::string id, WeightedRecordProps props);

  [[nodiscard]] CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] const WeightedRecordProps& props() const noexcept { return props_; }
  [[nodiscard]] const std::string& record_name() const noexcept { return props_.record_name; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.route53.WeightedRecord"; }

 private:
  WeightedRecordProps props_;
  CfnResource* resource_ = nullptr;
};

}  // namespace drsynth::route53

// route53::WeightedRecord: one weighted AWS::Route53::RecordSet in a private zone.
//
// Error codes (E750-E759):
//   E754  record name is not inside the zone / invalid syntax
//   E755  weight outside 0..255
//   E756  set identifier not 1..128 characters
//   E757  TTL > 60 with a health check, TTL outside 0..2147483647, or records of
//         one weighted group (same name and type) with different TTLs
//   E758  type other than CNAME, or a CNAME without exactly one value
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

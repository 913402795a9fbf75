// route53::PrivateHostedZone: an AWS::Route53::HostedZone associated with
// VPCs (possibly of several regions).
//
//   auto& zone = dr.add<route53::PrivateHostedZone>("Zone", {.zone_name = "db.internal"});
//   zone.add_vpc(east_vpc).add_vpc(west_vpc);  // VPCId (a reference) and VPCRegion of each
//
// Error codes: E750, E751 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"

namespace drsynth::ec2 {
class Vpc;
}

namespace drsynth::route53 {

class WeightedRecord;

struct ZoneVpc {
  Value vpc_id{};
  std::string region{};  // "us-east-1"
};

struct PrivateHostedZoneProps {
  std::string zone_name{};  // "db-dev.internal" (trailing dot optional)
  std::vector<ZoneVpc> vpcs{};
  std::string comment{};
};

class PrivateHostedZone : public Construct {
 public:
  using Props = PrivateHostedZoneProps;
  PrivateHostedZone(Construct& scope, std::string id, PrivateHostedZoneProps props);

  // Ref: the zone id (without "/hostedzone/").
  [[nodiscard]] Value hosted_zone_id() const { return resource_->ref(); }
  // Associates the zone with `vpc` too (its id and its stack's region); a VPC
  // of another region is a cross-region reference like any other.
  PrivateHostedZone& add_vpc(const ec2::Vpc& vpc);
  PrivateHostedZone& add_vpc(ZoneVpc vpc);
  // The name as given, without a trailing dot.
  [[nodiscard]] std::string zone_name() const;
  [[nodiscard]] CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] const PrivateHostedZoneProps& props() const noexcept { return props_; }

  // Records in this zone (filled by WeightedRecord), used to check that a
  // weighted group shares one TTL.
  void register_record(const WeightedRecord& r) { records_.push_back(&r); }
  [[nodiscard]] const std::vector<const WeightedRecord*>& records() const noexcept { return records_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.route53.PrivateHostedZone"; }

 private:
  void render_vpcs();

  PrivateHostedZoneProps props_;
  CfnResource* resource_ = nullptr;
  std::vector<const WeightedRecord*> records_;
};

// Lower case, no trailing dot.
[[nodiscard]] std::string normalize_dns_name(std::string_view name);
// RFC 1035-ish syntax check used for zone and record names (underscores allowed).
[[nodiscard]] bool valid_dns_name(std::string_view name);

}  // namespace drsynth::route53

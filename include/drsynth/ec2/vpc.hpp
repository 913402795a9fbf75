// ec2::Vpc: a VPC with private isolated subnets only (no internet gateway, no
// NAT), one subnet per availability zone, optional interface endpoints.
//
//   auto& vpc = stack.add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.0/16", .name = "dr-primary-dev",
//                                           .interface_endpoints = {"secretsmanager", "monitoring"}});
//
// Subnet i (0-based) gets the i-th block of size /subnet_prefix_length from the
// start of the VPC CIDR and, with availability_zone_ids, AvailabilityZoneId
// ids[i]: the same physical zone in every account (zone *names* map to different
// zones per account, so the i-th name of Fn::GetAZs can be a zone without the
// instance class you need). Without ids: the AZ {"Fn::Select": [i, {"Fn::GetAZs": ""}]}.
// Construct paths follow aws-cdk-lib: Vpc/Resource, Vpc/<subnet_name>Subnet<n>/Subnet,
// .../RouteTable, .../RouteTableAssociation; endpoints are Vpc/<Service>Endpoint/Resource
// with one shared Vpc/EndpointSecurityGroup (TCP 443 from the VPC CIDR only).
//
// Error codes: E700-E705 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::ec2 {

class SecurityGroup;

struct VpcProps {
  std::string cidr{"10.0.0.0/16"};
  int max_azs{2};                 // 2..6 subnets, one per AZ (ignored with availability_zone_ids)
  // One subnet in each of these AZ ids, e.g. {"use1-az1", "use1-az2"} (2..6).
  std::vector<std::string> availability_zone_ids{};
  int subnet_prefix_length{24};   // size of each subnet; must fit max_azs times into cidr
  std::string name{};             // the Name tag (empty: no Name tag)
  std::string subnet_name{"Isolated"};  // subnet group name in construct paths (CDK: "Isolated")
  // Interface endpoints, e.g. {"secretsmanager", "monitoring"} ->
  // com.amazonaws.<region>.<service>, private DNS on, in every subnet.
  std::vector<std::string> interface_endpoints{};
};

class Vpc : public Construct {
 public:
  using Props = VpcProps;

  Vpc(Construct& scope, std::string id, VpcProps props);

  [[nodiscard]] Value vpc_id() const { return resource_->ref(); }
  // The CIDR as given (a literal; use it in routes and security group rules).
  [[nodiscard]] const std::string& cidr() const noexcept { return props_.cidr; }
  [[nodiscard]] std::vector<Value> subnet_ids() const;
  // The AZ name of subnet i as deployed (GetAtt AvailabilityZone with AZ ids,
  // the Fn::GetAZs position without): where a database instance in it goes.
  [[nodiscard]] Value subnet_availability_zone(std::size_t i) const;
  [[nodiscard]] bool placed_by_zone_id() const noexcept { return !props_.availability_zone_ids.empty(); }
  [[nodiscard]] std::vector<Value> route_table_ids() const;
  [[nodiscard]] const std::vector<CfnResource*>& subnets() const noexcept { return subnets_; }
  [[nodiscard]] const std::vector<CfnResource*>& route_tables() const noexcept { return route_tables_; }
  [[nodiscard]] const std::vector<CfnResource*>& endpoints() const noexcept { return endpoints_; }
  // The security group of the interface endpoints; nullptr without endpoints.
  [[nodiscard]] SecurityGroup* endpoint_security_group() const noexcept { return endpoint_sg_; }
  // The region of the stack the VPC is in.
  [[nodiscard]] const std::string& region() const;
  [[nodiscard]] CfnResource& resource() noexcept { return *resource_; }
  [[nodiscard]] const CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] const VpcProps& props() const noexcept { return props_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.ec2.Vpc"; }

 private:
  VpcProps props_;
  CfnResource* resource_ = nullptr;
  std::vector<CfnResource*> subnets_;
  std::vector<CfnResource*> route_tables_;
  std::vector<CfnResource*> endpoints_;
  SecurityGroup* endpoint_sg_ = nullptr;
};

// "use1-az1", "euw1-az3", "apse2-az2": an AZ id as describe-availability-zones
// gives it (ZoneId): lowercase letters and digits ending in a digit, "-az", digits.
[[nodiscard]] bool is_availability_zone_id(std::string_view id) noexcept;

}  // namespace drsynth::ec2

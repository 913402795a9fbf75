// ec2::SecurityGroup: least-privilege ingress (one port, named sources) and
// explicit egress.
//
//   auto& sg = stack.add<ec2::SecurityGroup>("DbSg", {.vpc = vpc, .description = "PostgreSQL"});
//   sg.allow_from_cidr("10.1.0.0/16", "replica VPC");          // port 5432 (props.port)
//   sg.allow_from(probe_sg, 5432, "probe function");
//
// Ingress from 0.0.0.0/0 or ::/0 is an error. Egress: nothing by default (the
// rule aws-cdk-lib renders for allowAllOutbound=false, which matches no
// traffic), allow_to_cidr() rules, or everything with allow_all_outbound.
// Rules whose source is another security group are separate
// AWS::EC2::SecurityGroupIngress resources (no cycles between two groups).
//
// Error codes: E707-E712, W718 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/link.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::ec2 {

class Vpc;

struct SecurityGroupProps {
  Required<Vpc, "vpc"> vpc;
  std::string description{"drsynth security group"};
  std::optional<std::string> group_name{};
  int port{5432};  // default port of ingress rules
  bool allow_all_outbound{false};
};

class SecurityGroup : public Construct {
 public:
  using Props = SecurityGroupProps;

  SecurityGroup(Construct& scope, std::string id, SecurityGroupProps props);

  // TCP ingress on `port` (props.port when unset) from an IPv4 or IPv6 CIDR.
  SecurityGroup& allow_from_cidr(std::string cidr, std::string description, std::optional<int> port = std::nullopt);
  // TCP ingress on `port` from members of another group (same region).
  SecurityGroup& allow_from(const SecurityGroup& source, std::optional<int> port, std::string description);
  // TCP egress on `port` to a CIDR (ignored with allow_all_outbound).
  SecurityGroup& allow_to_cidr(std::string cidr, int port, std::string description);

  [[nodiscard]] Value group_id() const { return resource_->get_att("GroupId"); }
  [[nodiscard]] const Vpc& vpc() const noexcept { return *props_.vpc; }
  [[nodiscard]] int port() const noexcept { return props_.port; }
  [[nodiscard]] CfnResource& resource() noexcept { return *resource_; }
  [[nodiscard]] const CfnResource& resource() const noexcept { return *resource_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.ec2.SecurityGroup"; }

 private:
  struct CidrRule {
    std::string cidr;
    int port;
    std::string description;
  };
  struct GroupRule {
    const SecurityGroup* source;
    int port;
    std::string description;
  };
  void render_rules();

  SecurityGroupProps props_;
  CfnResource* resource_ = nullptr;
  std::vector<CidrRule> ingress_;
  std::vector<CidrRule> egress_;
  std::vector<GroupRule> group_ingress_;
};

}  // namespace drsynth::ec2

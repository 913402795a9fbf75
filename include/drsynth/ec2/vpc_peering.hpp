// ec2::VpcPeering: peers two VPCs (same or different regions, same account
// unless peer_owner_id/peer_role_arn say otherwise) and adds routes to the
// peer CIDR on every route table of both VPCs.
//
//   primary stack  (us-east-1): primary Vpc
//   replica stack  (eu-west-1): replica Vpc + this construct (the requester side)
//   routes stack   (us-east-1): the accepter's routes back over the connection
//
//   replica_stack.add<ec2::VpcPeering>("Peering", {.requester = replica_vpc, .accepter = primary_vpc,
//                                                  .accepter_routes_stack = routes_stack});
//
// The AWS::EC2::VPCPeeringConnection (Peering/Resource) and the requester's
// routes (Peering/Route<n>) live in the requester's stack. It references the
// accepter VPC id, so requester -> accepter stack. The routes back live in
// accepter_routes_stack under <id> (Peering/Route<n> in that stack): they
// reference the connection id, so routes -> requester stack. That stack must
// not be the accepter VPC's own stack (that would be a cycle: E715).
//
// Acceptance: when both VPCs are in the same account, CloudFormation accepts
// the request itself, also across regions (AWS::EC2::VPCPeeringConnection
// docs: "If the requester and acceptor VPCs are in the same account, the
// peering request is accepted without a peering role"). For another account
// give peer_owner_id and peer_role_arn (a role in the accepter account that
// may accept the connection).
//
// Error codes: E713-E717 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/link.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth {
class Stack;
}

namespace drsynth::ec2 {

class Vpc;

struct VpcPeeringProps {
  Required<Vpc, "requester"> requester;
  Required<Vpc, "accepter"> accepter;
  // A stack in the accepter's region, deployed after the requester's stack.
  Required<Stack, "accepter_routes_stack"> accepter_routes_stack;
  std::optional<std::string> peer_owner_id{};  // default: the accepter stack's account, if known
  std::optional<std::string> peer_role_arn{};  // cross-account acceptance role
  std::string name{};                          // Name tag
};

class VpcPeering : public Construct {
 public:
  using Props = VpcPeeringProps;

  VpcPeering(Construct& scope, std::string id, VpcPeeringProps props);

  [[nodiscard]] Value peering_connection_id() const { return resource_->ref(); }
  [[nodiscard]] CfnResource& resource() noexcept { return *resource_; }
  [[nodiscard]] const CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] const std::vector<CfnResource*>& requester_routes() const noexcept { return requester_routes_; }
  [[nodiscard]] const std::vector<CfnResource*>& accepter_routes() const noexcept { return accepter_routes_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.ec2.VpcPeering"; }

 private:
  VpcPeeringProps props_;
  CfnResource* resource_ = nullptr;
  Construct* accepter_scope_ = nullptr;
  std::vector<CfnResource*> requester_routes_;
  std::vector<CfnResource*> accepter_routes_;
};

}  // namespace drsynth::ec2

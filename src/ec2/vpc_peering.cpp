#include "drsynth/ec2/vpc_peering.hpp"
#include "core/char_rules.hpp"


#include "drsynth/core/error_codes.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/core/tags.hpp"
#include "ec2/cidr.hpp"

namespace drsynth::ec2 {

namespace {
void add_routes(Construct& scope, const Vpc& vpc, const std::string& destination, const CfnResource& peering,
                std::vector<CfnResource*>& out) {
  int n = 0;
  for (const auto* table : vpc.route_tables()) {
    auto& route = scope.add<CfnResource>("Route" + std::to_string(++n), CfnResourceProps{.type = "AWS::EC2::Route"});
    route.set_property("RouteTableId", table->ref());
    route.set_property("DestinationCidrBlock", destination);
    route.set_property("VpcPeeringConnectionId", peering.ref());
    out.push_back(&route);
  }
}
}  // namespace

VpcPeering::VpcPeering(Construct& scope, std::string id, VpcPeeringProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  if (!props_.name.empty()) Tags::of(*this).add("Name", props_.name);
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::EC2::VPCPeeringConnection"});
  resource_->set_property("VpcId", props_.requester->vpc_id());
  // Across regions the resolver renders this as Fn::GetStackOutput.
  resource_->set_property("PeerVpcId", props_.accepter->vpc_id());
  resource_->set_property("PeerRegion", props_.accepter->region());
  // PeerOwnerId when known: given, or the account of the accepter's stack.
  if (const auto owner = props_.peer_owner_id ? props_.peer_owner_id : props_.accepter->stack().account())
    resource_->set_property("PeerOwnerId", *owner);
  if (props_.peer_role_arn) resource_->set_property("PeerRoleArn", *props_.peer_role_arn);

  add_routes(*this, *props_.requester, props_.accepter->cidr(), *resource_, requester_routes_);
  if (props_.accepter_routes_stack.pointer() != &props_.accepter->stack()) {  // else E715
    accepter_scope_ = &props_.accepter_routes_stack->add<Construct>(this->id());
    add_routes(*accepter_scope_, *props_.accepter, props_.requester->cidr(), *resource_, accepter_routes_);
  }
}

void VpcPeering::validate(Validation& v) const {
  if (props_.requester.pointer() == props_.accepter.pointer())
    v.error(codes::E713, *this, "a VPC cannot be peered with itself", props_.requester->path(), "two different VPCs");
  if (&stack() != &props_.requester->stack())
    v.error(codes::E714, *this, "the peering connection must be in the requester VPC's stack", stack().stack_name(),
            props_.requester->stack().stack_name());
  const Stack* routes = props_.accepter_routes_stack.pointer();
  if (routes == &props_.accepter->stack()) {
    v.error(codes::E715, *this,
            "accepter routes in the accepter VPC's own stack would make a dependency cycle (" + routes->stack_name() +
                " -> " + stack().stack_name() + " -> " + routes->stack_name() + ")",
            routes->stack_name(), "a separate stack in " + props_.accepter->region());
  } else if (routes->region() != props_.accepter->region()) {
    v.error(codes::E715, *this, "accepter routes stack is in another region than the accepter VPC", routes->region(),
            props_.accepter->region());
  }
  const auto a = detail::parse_ipv4_cidr(props_.requester->cidr());
  const auto b = detail::parse_ipv4_cidr(props_.accepter->cidr());
  if (a && b && props_.requester.pointer() != props_.accepter.pointer() && detail::overlaps(*a, *b))
    v.error(codes::E716, *this, "peered VPC CIDRs overlap", props_.requester->cidr() + " and " + props_.accepter->cidr(),
            "non-overlapping CIDR blocks");
  if (props_.peer_owner_id && !drsynth::detail::is_account_id(*props_.peer_owner_id))
    v.error(codes::E717, *this, "peer_owner_id is not an AWS account id", *props_.peer_owner_id, "12 digits");
  if (props_.peer_role_arn && !props_.peer_owner_id)
    v.error(codes::E717, *this, "peer_role_arn is only used for a peer in another account", *props_.peer_role_arn,
            "peer_owner_id set as well");
}

}  // namespace drsynth::ec2

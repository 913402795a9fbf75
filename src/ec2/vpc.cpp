#include "drsynth/ec2/vpc.hpp"

#include <algorithm>
#include <set>

#include "drsynth/core/error_codes.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/core/tags.hpp"
#include "ec2/cidr.hpp"

namespace drsynth::ec2 {

namespace {
bool is_alnum(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}
bool valid_service_name(std::string_view s) {
  if (s.empty() || s.size() > 100 || s.front() == '.' || s.back() == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}
// "secretsmanager" -> "Secretsmanager", "ecr.api" -> "EcrApi"
std::string endpoint_id(std::string_view service) {
  std::string out;
  bool upper = true;
  for (char c : service) {
    if (c == '.' || c == '-') {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out + "Endpoint";
}
}  // namespace

bool is_availability_zone_id(std::string_view id) noexcept {
  const auto dash = id.find("-az");
  if (dash == std::string_view::npos || dash < 3 || dash + 3 >= id.size()) return false;
  const std::string_view region = id.substr(0, dash);
  const std::string_view number = id.substr(dash + 3);
  if (region.back() < '0' || region.back() > '9') return false;
  for (char c : region.substr(0, region.size() - 1))
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return number.find_first_not_of("0123456789") == std::string_view::npos;
}

Vpc::Vpc(Construct& scope, std::string id, VpcProps props) : Construct(scope, std::move(id)), props_(std::move(props)) {
  if (!props_.name.empty()) Tags::of(*this).add("Name", props_.name);
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::EC2::VPC"});
  resource_->set_property("CidrBlock", props_.cidr);
  resource_->set_property("EnableDnsHostnames", true);
  resource_->set_property("EnableDnsSupport", true);
  resource_->set_property("InstanceTenancy", "default");

  const auto base = detail::parse_ipv4_cidr(props_.cidr);
  const int count = props_.availability_zone_ids.empty()
                        ? std::clamp(props_.max_azs, 0, 6)
                        : static_cast<int>(std::min<std::size_t>(props_.availability_zone_ids.size(), 6));
  const int prefix = std::clamp(props_.subnet_prefix_length, 0, 32);
  for (int i = 0; i < count; ++i) {
    const std::string group_id = props_.subnet_name + "Subnet" + std::to_string(i + 1);
    auto& group = add<Construct>(group_id);
    Tags::of(group).add("Name", (props_.name.empty() ? path() : props_.name) + "/" + group_id);
    auto& subnet = group.add<CfnResource>("Subnet", CfnResourceProps{.type = "AWS::EC2::Subnet"});
    std::string block;
    if (base && prefix >= base->prefix && prefix <= 32) {
      const std::uint64_t step = std::uint64_t{1} << (32 - prefix);
      const std::uint64_t addr = (base->address & ~((std::uint64_t{1} << (32 - base->prefix)) - 1)) + step * static_cast<std::uint64_t>(i);
      block = detail::format_ipv4_cidr({static_cast<std::uint32_t>(addr & 0xffffffffU), prefix});
    }
    subnet.set_property("VpcId", vpc_id());
    subnet.set_property("CidrBlock", block);
    if (props_.availability_zone_ids.empty())
      subnet.set_property("AvailabilityZone", Value::select(i, Value::get_azs()));
    else
      subnet.set_property("AvailabilityZoneId", props_.availability_zone_ids[static_cast<std::size_t>(i)]);
    subnet.set_property("MapPublicIpOnLaunch", false);
    auto& table = group.add<CfnResource>("RouteTable", CfnResourceProps{.type = "AWS::EC2::RouteTable"});
    table.set_property("VpcId", vpc_id());
    auto& assoc = group.add<CfnResource>("RouteTableAssociation",
                                         CfnResourceProps{.type = "AWS::EC2::SubnetRouteTableAssociation"});
    assoc.set_property("RouteTableId", table.ref());
    assoc.set_property("SubnetId", subnet.ref());
    subnets_.push_back(&subnet);
    route_tables_.push_back(&table);
  }

  if (!props_.interface_endpoints.empty()) {
    endpoint_sg_ = &add<SecurityGroup>(
        "EndpointSecurityGroup",
        SecurityGroupProps{.vpc = *this, .description = "Interface endpoints: HTTPS from inside the VPC", .port = 443});
    endpoint_sg_->allow_from_cidr(props_.cidr, "HTTPS from the VPC");
    std::set<std::string> seen;
    for (const auto& service : props_.interface_endpoints) {
      if (!valid_service_name(service) || !seen.insert(service).second) continue;  // reported by validate()
      auto& scope_ep = add<Construct>(endpoint_id(service));
      auto& ep = scope_ep.add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::EC2::VPCEndpoint"});
      ep.set_property("VpcId", vpc_id());
      ep.set_property("ServiceName", Value::sub("com.amazonaws.${AWS::Region}." + service));
      ep.set_property("VpcEndpointType", "Interface");
      ep.set_property("PrivateDnsEnabled", true);
      ep.set_property("SubnetIds", Value(subnet_ids()));
      ep.set_property("SecurityGroupIds", Value::array({endpoint_sg_->group_id()}));
      endpoints_.push_back(&ep);
    }
  }
}

Value Vpc::subnet_availability_zone(std::size_t i) const {
  if (props_.availability_zone_ids.empty()) return Value::select(static_cast<int>(i), Value::get_azs());
  return subnets_.at(i)->get_att("AvailabilityZone");
}

std::vector<Value> Vpc::subnet_ids() const {
  std::vector<Value> out;
  for (const auto* s : subnets_) out.push_back(s->ref());
  return out;
}

std::vector<Value> Vpc::route_table_ids() const {
  std::vector<Value> out;
  for (const auto* t : route_tables_) out.push_back(t->ref());
  return out;
}

const std::string& Vpc::region() const { return stack().region(); }

void Vpc::validate(Validation& v) const {
  const auto base = detail::parse_ipv4_cidr(props_.cidr);
  if (!base) {
    v.error(codes::E700, *this, "VPC CIDR is not a valid IPv4 CIDR block", props_.cidr, "a.b.c.d/n, e.g. 10.0.0.0/16");
  } else {
    if (detail::has_host_bits(*base))
      v.error(codes::E700, *this, "VPC CIDR has host bits set beyond its prefix", props_.cidr,
              "the network address, e.g. " + detail::format_ipv4_cidr({static_cast<std::uint32_t>(base->address & ~((std::uint64_t{1} << (32 - base->prefix)) - 1)), base->prefix}));
    if (base->prefix < 16 || base->prefix > 28)
      v.error(codes::E701, *this, "VPC CIDR prefix length is outside what AWS allows", props_.cidr, "a prefix from /16 to /28");
  }
  const auto& ids = props_.availability_zone_ids;
  if (ids.empty() && (props_.max_azs < 2 || props_.max_azs > 6))
    v.error(codes::E702, *this, "max_azs is out of range", std::to_string(props_.max_azs), "2 to 6 availability zones");
  if (!ids.empty() && (ids.size() < 2 || ids.size() > 6))
    v.error(codes::E702, *this, "availability_zone_ids needs 2 to 6 zones", std::to_string(ids.size()) + " ids",
            "2 to 6 AZ ids");
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!is_availability_zone_id(ids[i]))
      v.error(codes::E702, *this, "not an availability zone id", ids[i], "an AZ id such as use1-az1 (aws ec2 describe-availability-zones)");
    else if (std::find(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(i), ids[i]) != ids.begin() + static_cast<std::ptrdiff_t>(i))
      v.error(codes::E702, *this, "availability zone id listed twice", ids[i], "distinct AZ ids");
  }
  const int zones = ids.empty() ? props_.max_azs : static_cast<int>(ids.size());
  const int sp = props_.subnet_prefix_length;
  if (sp < 16 || sp > 28) {
    v.error(codes::E703, *this, "subnet prefix length is outside what AWS allows", "/" + std::to_string(sp),
            "a prefix from /16 to /28");
  } else if (base && base->prefix >= 16 && base->prefix <= 28) {
    if (sp < base->prefix) {
      v.error(codes::E703, *this, "subnets are larger than the VPC CIDR " + props_.cidr, "/" + std::to_string(sp),
              "a subnet prefix of /" + std::to_string(base->prefix) + " or longer");
    } else if (zones >= 2 && zones <= 6 &&
               static_cast<std::uint64_t>(zones) > (std::uint64_t{1} << (sp - base->prefix))) {
      v.error(codes::E703, *this,
              std::to_string(zones) + " subnets of /" + std::to_string(sp) + " do not fit in " + props_.cidr,
              "/" + std::to_string(sp), "at most " + std::to_string(std::uint64_t{1} << (sp - base->prefix)) + " subnets");
    }
  }
  std::set<std::string> seen;
  for (const auto& service : props_.interface_endpoints) {
    if (!valid_service_name(service))
      v.error(codes::E704, *this, "interface endpoint service name is invalid", service,
              "a service name such as secretsmanager or monitoring (lowercase letters, digits, '.', '-')");
    else if (!seen.insert(service).second)
      v.error(codes::E704, *this, "interface endpoint listed twice", service, "each service once");
  }
  if (!is_alnum(props_.subnet_name))
    v.error(codes::E705, *this, "subnet_name must be non-empty and alphanumeric", props_.subnet_name, "e.g. Isolated or db");
}

}  // namespace drsynth::ec2

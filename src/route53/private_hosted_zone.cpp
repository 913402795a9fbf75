#include "drsynth/route53/private_hosted_zone.hpp"
#include "core/char_rules.hpp"

#include <algorithm>
#include <cctype>

#include "drsynth/core/error_codes.hpp"
#include "drsynth/ec2/vpc.hpp"

namespace drsynth::route53 {

std::string normalize_dns_name(std::string_view name) {
  std::string out(name);
  if (!out.empty() && out.back() == '.') out.pop_back();
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool valid_dns_name(std::string_view name) {
  const std::string n = normalize_dns_name(name);
  if (n.empty() || n.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = n.find('.', start);
    const std::string label = n.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!(label == "*" && start == 0) && !detail::is_dns_label(label)) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

PrivateHostedZone::PrivateHostedZone(Construct& scope, std::string id, PrivateHostedZoneProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::Route53::HostedZone"});
  resource_->set_property("Name", props_.zone_name);
  render_vpcs();
  if (!props_.comment.empty()) resource_->set_property("HostedZoneConfig", Value::object({{"Comment", props_.comment}}));
}

void PrivateHostedZone::render_vpcs() {
  Value vpcs = Value::array();
  for (const auto& z : props_.vpcs) vpcs.push_back(Value::object({{"VPCId", z.vpc_id}, {"VPCRegion", z.region}}));
  resource_->set_property("VPCs", vpcs);
}

PrivateHostedZone& PrivateHostedZone::add_vpc(const ec2::Vpc& vpc) {
  return add_vpc(ZoneVpc{.vpc_id = vpc.vpc_id(), .region = vpc.region()});
}

PrivateHostedZone& PrivateHostedZone::add_vpc(ZoneVpc vpc) {
  props_.vpcs.push_back(std::move(vpc));
  render_vpcs();
  return *this;
}

std::string PrivateHostedZone::zone_name() const {
  std::string n = props_.zone_name;
  if (!n.empty() && n.back() == '.') n.pop_back();
  return n;
}

void PrivateHostedZone::validate(Validation& v) const {
  if (!valid_dns_name(props_.zone_name)) {
    v.error(codes::E750, *this, "invalid hosted zone name", "\"" + props_.zone_name + "\"",
            "dot-separated labels of 1-63 chars [a-z0-9_-], <= 253 chars, e.g. db-dev.internal");
  }
  if (props_.vpcs.empty()) {
    v.error(codes::E751, *this, "a private hosted zone needs at least one VPC", "0 VPCs", "at least one {vpc_id, region}");
  }
  for (const auto& z : props_.vpcs) {
    if (z.region.empty() || z.vpc_id.is_null()) {
      v.error(codes::E751, *this, "VPC association needs a VPC id and its region",
              z.vpc_id.describe() + " in \"" + z.region + "\"", "{vpc_id, region}");
    }
  }
  if (props_.comment.size() > 256) {
    v.error(codes::E750, *this, "hosted zone comment too long", std::to_string(props_.comment.size()) + " chars", "<= 256");
  }
}

}  // namespace drsynth::route53

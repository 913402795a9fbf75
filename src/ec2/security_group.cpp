#include "drsynth/ec2/security_group.hpp"

#include <algorithm>
#include <array>

#include "drsynth/core/error_codes.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/core/stack.hpp"
#include "ec2/cidr.hpp"

#include <map>
#include <set>

namespace drsynth::ec2 {

namespace {
// AWS's character set for security group names, descriptions and rule descriptions (VPC).
bool aws_sg_text(std::string_view s) {
  static constexpr std::string_view extra = " ._-:/()#,@[]+=&;{}!$*";
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}
bool is_world(std::string_view cidr) {
  if (const auto c = detail::parse_ipv4_cidr(cidr)) return c->prefix == 0;
  if (detail::is_ipv6_cidr(cidr)) return cidr.substr(cidr.find('/')) == "/0";
  return false;
}
Value cidr_rule(const std::string& cidr, int port, const std::string& description) {
  Value rule = Value::object({{"IpProtocol", "tcp"}, {"FromPort", port}, {"ToPort", port}});
  rule[cidr.find(':') == std::string::npos ? "CidrIp" : "CidrIpv6"] = Value(cidr);
  if (!description.empty()) rule["Description"] = Value(description);
  return rule;
}
void warn_over_rule_quota(Validation& v, const Construct& sg,
                          const std::array<std::pair<const char*, std::size_t>, 4>& counts) {
  constexpr std::size_t quota = 60;
  for (const auto& [what, n] : counts)
    if (n > quota)
      v.warning(codes::W718, sg,
                std::string("security group has more ") + what +
                    " rules than AWS's default quota of 60 rules per direction and IP version "
                    "('Inbound or outbound rules per security group', adjustable in Service Quotas): the deployment "
                    "fails unless the quota is raised; merge the CIDRs into fewer, larger ones or split the sources "
                    "over several groups",
                std::to_string(n) + " " + what + " rules", "at most 60 per direction and IP version");
}
}  // namespace

SecurityGroup::SecurityGroup(Construct& scope, std::string id, SecurityGroupProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::EC2::SecurityGroup"});
  resource_->set_property("GroupDescription", props_.description);
  if (props_.group_name) resource_->set_property("GroupName", *props_.group_name);
  resource_->set_property("VpcId", props_.vpc->vpc_id());
  render_rules();
}

// Each rule is added to what is rendered (no re-rendering of the rules so far).
SecurityGroup& SecurityGroup::allow_from_cidr(std::string cidr, std::string description, std::optional<int> port) {
  ingress_.push_back({std::move(cidr), port.value_or(props_.port), std::move(description)});
  const auto& r = ingress_.back();
  resource_->properties()["SecurityGroupIngress"].push_back(cidr_rule(r.cidr, r.port, r.description));
  return *this;
}

SecurityGroup& SecurityGroup::allow_to_cidr(std::string cidr, int port, std::string description) {
  egress_.push_back({std::move(cidr), port, std::move(description)});
  if (props_.allow_all_outbound) return *this;  // the allow-all rule covers it
  const auto& r = egress_.back();
  Value& egress = resource_->properties()["SecurityGroupEgress"];
  if (egress_.size() == 1) egress = Value::array();  // replaces the "no outbound traffic" rule
  egress.push_back(cidr_rule(r.cidr, r.port, r.description));
  return *this;
}

SecurityGroup& SecurityGroup::allow_from(const SecurityGroup& source, std::optional<int> port, std::string description) {
  const int p = port.value_or(props_.port);
  const std::string child_id = "IngressFrom" + source.id() + "Port" + std::to_string(p);
  if (find_child(child_id) != nullptr) return *this;  // the same rule twice
  group_ingress_.push_back({&source, p, description});
  auto& r = add<CfnResource>(child_id, CfnResourceProps{.type = "AWS::EC2::SecurityGroupIngress"});
  r.set_property("GroupId", group_id());
  r.set_property("SourceSecurityGroupId", source.group_id());
  r.set_property("IpProtocol", "tcp");
  r.set_property("FromPort", p);
  r.set_property("ToPort", p);
  if (!description.empty()) r.set_property("Description", description);
  return *this;
}

void SecurityGroup::render_rules() {
  if (ingress_.empty()) {
    resource_->properties().erase("SecurityGroupIngress");
  } else {
    Value::Array rules;
    for (const auto& r : ingress_) rules.push_back(cidr_rule(r.cidr, r.port, r.description));
    resource_->set_property("SecurityGroupIngress", Value(std::move(rules)));
  }
  Value::Array egress;
  if (props_.allow_all_outbound) {
    egress.push_back(Value::object(
        {{"IpProtocol", "-1"}, {"CidrIp", "0.0.0.0/0"}, {"Description", "Allow all outbound traffic"}}));
  } else if (egress_.empty()) {
    // No outbound traffic: an ICMP rule to a single broadcast address that
    // matches nothing replaces AWS's default allow-all rule (as aws-cdk-lib does).
    egress.push_back(Value::object({{"IpProtocol", "icmp"},
                                    {"FromPort", 252},
                                    {"ToPort", 86},
                                    {"CidrIp", "255.255.255.255/32"},
                                    {"Description", "Disallow all traffic"}}));
  } else {
    for (const auto& r : egress_) egress.push_back(cidr_rule(r.cidr, r.port, r.description));
  }
  resource_->set_property("SecurityGroupEgress", Value(std::move(egress)));
}

void SecurityGroup::validate(Validation& v) const {
  if (props_.description.empty() || props_.description.size() > 255 || !aws_sg_text(props_.description))
    v.error(codes::E707, *this, "security group description is empty, longer than 255 characters or has characters AWS refuses",
            props_.description, "1-255 characters of a-zA-Z0-9 ._-:/()#,@[]+=&;{}!$*");
  if (props_.group_name) {
    const auto& n = *props_.group_name;
    if (n.empty() || n.size() > 255 || n.rfind("sg-", 0) == 0 || !aws_sg_text(n))
      v.error(codes::E708, *this, "security group name is invalid", n,
              "1-255 characters of a-zA-Z0-9 ._-:/()#,@[]+=&;{}!$*, not starting with sg-");
  }
  auto check_port = [&](int port) {
    if (port < 1 || port > 65535) v.error(codes::E711, *this, "port is out of range", std::to_string(port), "1 to 65535");
  };
  check_port(props_.port);
  auto check_description = [&](const std::string& d) {
    if (d.size() > 255 || !aws_sg_text(d))
      v.error(codes::E712, *this, "rule description is longer than 255 characters or has characters AWS refuses", d,
              "a-zA-Z0-9 ._-:/()#,@[]+=&;{}!$*");
  };
  auto check_cidr = [&](const std::string& cidr) {
    if (!detail::parse_ipv4_cidr(cidr) && !detail::is_ipv6_cidr(cidr))
      v.error(codes::E709, *this, "rule CIDR is not a valid IPv4 or IPv6 CIDR block", cidr, "e.g. 10.1.0.0/16");
  };
  for (const auto& r : ingress_) {
    check_cidr(r.cidr);
    if (is_world(r.cidr))
      v.error(codes::E710, *this, "ingress on port " + std::to_string(r.port) + " is open to the whole internet", r.cidr,
              "named CIDRs or security groups only (least privilege)");
    check_port(r.port);
    check_description(r.description);
  }
  // Per port: one rule per network (AWS refuses a permission given twice, in
  // any spelling), and no set of networks that together is the whole internet.
  std::map<int, std::vector<std::string>> by_port;
  std::set<std::pair<int, detail::AddressRange>> seen;
  for (const auto& r : ingress_) {
    by_port[r.port].push_back(r.cidr);
    if (const auto range = detail::address_range(r.cidr); range && !seen.insert({r.port, *range}).second)
      v.error(codes::E709, *this, "ingress on port " + std::to_string(r.port) + " lists one network twice", r.cidr,
              "each network once (AWS refuses a permission given twice)");
  }
  for (const auto& [port, cidrs] : by_port) {
    if (cidrs.size() < 2 || std::any_of(cidrs.begin(), cidrs.end(), [](const std::string& c) { return is_world(c); }))
      continue;
    if (detail::cover_the_internet(cidrs)) {
      std::string all;
      for (const auto& c : cidrs) all += (all.empty() ? "" : ", ") + c;
      v.error(codes::E710, *this, "ingress on port " + std::to_string(port) + " is open to the whole internet: its networks together cover every address",
              all, "named CIDRs or security groups only (least privilege)");
    }
  }
  for (const auto& r : egress_) {
    check_cidr(r.cidr);
    check_port(r.port);
    check_description(r.description);
  }
  // AWS's default quota: 60 inbound and 60 outbound rules per security group,
  // counted per IP version; a rule whose source is another group counts for both.
  auto count = [](const auto& rules, bool v6) {
    return static_cast<std::size_t>(
        std::count_if(rules.begin(), rules.end(), [&](const auto& r) { return (r.cidr.find(':') != std::string::npos) == v6; }));
  };
  warn_over_rule_quota(v, *this,
                       {{{"inbound IPv4", count(ingress_, false) + group_ingress_.size()},
                         {"inbound IPv6", count(ingress_, true) + group_ingress_.size()},
                         {"outbound IPv4", props_.allow_all_outbound || egress_.empty() ? 1 : count(egress_, false)},
                         {"outbound IPv6", props_.allow_all_outbound ? 0 : count(egress_, true)}}});
  for (const auto& r : group_ingress_) {
    check_port(r.port);
    check_description(r.description);
    if (&r.source->vpc() != props_.vpc.pointer())
      v.error(codes::E712, *this, "source security group " + r.source->path() + " is in another VPC",
              r.source->path(), "a group of the same VPC (peered VPCs across regions cannot reference groups)");
  }
}

}  // namespace drsynth::ec2

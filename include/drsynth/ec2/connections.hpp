// ec2::Connections: who may reach a construct that sits behind security groups
// (aws-cdk's `connections`), so an app does not write ingress rules by hand.
//
//   db.connections().allow_default_port_from(app_sg);                 // 5432 from app_sg's members
//   db.connections().allow_default_port_from(ec2::Peer::cidr("10.1.0.0/16"), "replica VPC");
//   db.connections().allow_from(bastion_sg, 5432, "bastion");
//
// Each call adds one rule to every security group of the construct, through
// SecurityGroup::allow_from (a separate AWS::EC2::SecurityGroupIngress) or
// SecurityGroup::allow_from_cidr (a rule inside the group); those rules are
// checked as usual (E709-E712: no 0.0.0.0/0, the peer group in the same VPC).
#pragma once

#include <string>
#include <vector>

namespace drsynth::ec2 {

class SecurityGroup;

// The source of an ingress rule: the members of a security group, or a CIDR.
class Peer {
 public:
  Peer(const SecurityGroup& group) noexcept : group_(&group) {}  // NOLINT(google-explicit-constructor)
  // An IPv4 or IPv6 CIDR ("10.1.0.0/16").
  [[nodiscard]] static Peer cidr(std::string cidr) { return Peer(std::move(cidr)); }

  // nullptr for a CIDR.
  [[nodiscard]] const SecurityGroup* group() const noexcept { return group_; }
  [[nodiscard]] const std::string& cidr() const noexcept { return cidr_; }

 private:
  explicit Peer(std::string cidr) noexcept : cidr_(std::move(cidr)) {}

  const SecurityGroup* group_ = nullptr;
  std::string cidr_;
};

class Connections {
 public:
  Connections(std::vector<SecurityGroup*> groups, int default_port)
      : groups_(std::move(groups)), default_port_(default_port) {}

  // TCP ingress on `port` from `peer` into each group. Without a description
  // the rule says "from <peer's construct path or CIDR>".
  const Connections& allow_from(const Peer& peer, int port, std::string description = {}) const;
  // The same on default_port() (a database's port).
  const Connections& allow_default_port_from(const Peer& peer, std::string description = {}) const;

  [[nodiscard]] const std::vector<SecurityGroup*>& security_groups() const noexcept { return groups_; }
  [[nodiscard]] int default_port() const noexcept { return default_port_; }

 private:
  std::vector<SecurityGroup*> groups_;
  int default_port_;
};

}  // namespace drsynth::ec2

#include "drsynth/ec2/connections.hpp"

#include "drsynth/ec2/security_group.hpp"

namespace drsynth::ec2 {

const Connections& Connections::allow_from(const Peer& peer, int port, std::string description) const {
  if (description.empty()) description = "from " + (peer.group() != nullptr ? peer.group()->path() : peer.cidr());
  for (SecurityGroup* sg : groups_) {
    if (peer.group() != nullptr)
      sg->allow_from(*peer.group(), port, description);
    else
      sg->allow_from_cidr(peer.cidr(), description, port);
  }
  return *this;
}

const Connections& Connections::allow_default_port_from(const Peer& peer, std::string description) const {
  return allow_from(peer, default_port_, std::move(description));
}

}  // namespace drsynth::ec2

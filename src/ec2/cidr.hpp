// IPv4/IPv6 CIDR parsing for the ec2 constructs (internal).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace drsynth::ec2::detail {

struct Ipv4Cidr {
  std::uint32_t address = 0;  // host byte order
  int prefix = 0;
};

// "10.0.0.0/16" -> {0x0a000000, 16}; nullopt unless four decimal octets
// (0-255, no leading zeros) and a prefix 0-32.
[[nodiscard]] std::optional<Ipv4Cidr> parse_ipv4_cidr(std::string_view text);
// Whether the address has bits set beyond the prefix ("10.0.0.1/16").
[[nodiscard]] bool has_host_bits(const Ipv4Cidr& c);
[[nodiscard]] std::string format_ipv4_cidr(const Ipv4Cidr& c);
// A loose IPv6 CIDR check: hex groups and colons, one "::" at most, prefix 0-128.
[[nodiscard]] bool is_ipv6_cidr(std::string_view text);
// Whether the two IPv4 ranges overlap.
[[nodiscard]] bool overlaps(const Ipv4Cidr& a, const Ipv4Cidr& b);

}  // namespace drsynth::ec2::detail

// IPv4/IPv6 CIDR parsing for the ec2 constructs (internal).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// The addresses of a CIDR, of either family, as one comparable value:
// "10.0.0.0/16" and "10.0.0.0/16" (or "::1/128" and "0::1/128") are equal.
struct AddressRange {
  bool v6 = false;
  std::uint64_t first_high = 0, first_low = 0;  // the first address (IPv4 in first_low)
  int prefix = 0;
  auto operator<=>(const AddressRange&) const = default;
};
[[nodiscard]] std::optional<AddressRange> address_range(std::string_view cidr);
// Whether the CIDRs together hold every IPv4 address or every IPv6 address
// (0.0.0.0/1 and 128.0.0.0/1 are the whole internet as much as 0.0.0.0/0);
// CIDRs that do not parse are left out.
[[nodiscard]] bool cover_the_internet(const std::vector<std::string>& cidrs);

}  // namespace drsynth::ec2::detail

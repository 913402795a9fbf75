#include "ec2/cidr.hpp"

#include <charconv>

namespace drsynth::ec2::detail {

namespace {
std::optional<int> parse_small_int(std::string_view s, int max) {
  if (s.empty() || s.size() > 3) return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > max) return std::nullopt;
  return v;
}
std::uint32_t mask(int prefix) { return prefix == 0 ? 0U : ~std::uint32_t{0} << (32 - prefix); }
}  // namespace

std::optional<Ipv4Cidr> parse_ipv4_cidr(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto prefix = parse_small_int(text.substr(slash + 1), 32);
  if (!prefix) return std::nullopt;
  std::string_view rest = text.substr(0, slash);
  std::uint32_t address = 0;
  for (int i = 0; i < 4; ++i) {
    const auto dot = rest.find('.');
    if ((i < 3) == (dot == std::string_view::npos)) return std::nullopt;
    const auto octet = parse_small_int(rest.substr(0, dot), 255);
    if (!octet) return std::nullopt;
    address = (address << 8) | static_cast<std::uint32_t>(*octet);
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
  }
  return Ipv4Cidr{address, *prefix};
}

bool has_host_bits(const Ipv4Cidr& c) { return (c.address & ~mask(c.prefix)) != 0; }

std::string format_ipv4_cidr(const Ipv4Cidr& c) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    out += std::to_string((c.address >> shift) & 0xffU);
    if (shift > 0) out += '.';
  }
  return out + "/" + std::to_string(c.prefix);
}

bool is_ipv6_cidr(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || !parse_small_int(text.substr(slash + 1), 128)) return false;
  const std::string_view addr = text.substr(0, slash);
  if (addr.find(':') == std::string_view::npos) return false;
  const auto dbl = addr.find("::");
  if (dbl != std::string_view::npos && addr.find("::", dbl + 1) != std::string_view::npos) return false;
  int groups = 0;
  int run = 0;
  for (char ch : addr) {
    if (ch == ':') {
      if (run > 0) ++groups;
      run = 0;
      continue;
    }
    const bool hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
    if (!hex || ++run > 4) return false;
  }
  if (run > 0) ++groups;
  return dbl == std::string_view::npos ? groups == 8 : groups < 8;
}

bool overlaps(const Ipv4Cidr& a, const Ipv4Cidr& b) {
  const int p = a.prefix < b.prefix ? a.prefix : b.prefix;
  return (a.address & mask(p)) == (b.address & mask(p));
}

}  // namespace drsynth::ec2::detail

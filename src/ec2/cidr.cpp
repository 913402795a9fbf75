#include "ec2/cidr.hpp"

#include <algorithm>

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

namespace {

__extension__ typedef unsigned __int128 u128;

std::optional<u128> parse_ipv6_address(std::string_view addr) {
  auto groups_of = [](std::string_view part, std::vector<std::uint16_t>& out) {
    if (part.empty()) return true;
    std::size_t start = 0;
    for (;;) {
      const auto colon = part.find(':', start);
      const auto g = part.substr(start, colon - start);
      if (g.empty() || g.size() > 4) return false;
      unsigned v = 0;
      for (char ch : g) {
        const int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
        if (d < 0) return false;
        v = v * 16 + static_cast<unsigned>(d);
      }
      out.push_back(static_cast<std::uint16_t>(v));
      if (colon == std::string_view::npos) return true;
      start = colon + 1;
    }
  };
  std::vector<std::uint16_t> head, tail;
  const auto dbl = addr.find("::");
  if (dbl == std::string_view::npos) {
    if (!groups_of(addr, head) || head.size() != 8) return std::nullopt;
  } else {
    if (addr.find("::", dbl + 1) != std::string_view::npos || !groups_of(addr.substr(0, dbl), head) ||
        !groups_of(addr.substr(dbl + 2), tail) || head.size() + tail.size() > 7)
      return std::nullopt;
    head.resize(8 - tail.size(), 0);
    head.insert(head.end(), tail.begin(), tail.end());
  }
  u128 v = 0;
  for (const auto g : head) v = (v << 16) | g;
  return v;
}

}  // namespace

std::optional<AddressRange> address_range(std::string_view cidr) {
  if (const auto c = parse_ipv4_cidr(cidr)) return AddressRange{false, 0, c->address & mask(c->prefix), c->prefix};
  const auto slash = cidr.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto prefix = parse_small_int(cidr.substr(slash + 1), 128);
  const auto addr = parse_ipv6_address(cidr.substr(0, slash));
  if (!prefix || !addr) return std::nullopt;
  const int p = *prefix;
  const u128 m = p == 0 ? u128{0} : ~u128{0} << (128 - p);
  const u128 first = *addr & m;
  return AddressRange{true, static_cast<std::uint64_t>(first >> 64), static_cast<std::uint64_t>(first), p};
}

bool cover_the_internet(const std::vector<std::string>& cidrs) {
  for (const bool v6 : {false, true}) {
    std::vector<std::pair<u128, u128>> spans;  // [first, last]
    for (const auto& c : cidrs) {
      const auto r = address_range(c);
      if (!r || r->v6 != v6) continue;
      const int bits = v6 ? 128 : 32;
      const u128 first = (static_cast<u128>(r->first_high) << 64) | r->first_low;
      const u128 size_minus_one = r->prefix == 0 ? (v6 ? ~u128{0} : u128{0xFFFFFFFFu}) : ((u128{1} << (bits - r->prefix)) - 1);
      spans.emplace_back(first, first + size_minus_one);
    }
    if (spans.empty()) continue;
    std::sort(spans.begin(), spans.end());
    const u128 end = v6 ? ~u128{0} : u128{0xFFFFFFFFu};
    if (spans.front().first != 0) continue;
    u128 reach = spans.front().second;
    bool whole = reach == end;
    for (std::size_t i = 1; i < spans.size() && !whole; ++i) {
      if (spans[i].first > reach + 1) break;
      if (spans[i].second > reach) reach = spans[i].second;
      whole = reach == end;
    }
    if (whole) return true;
  }
  return false;
}

}  // namespace drsynth::ec2::detail

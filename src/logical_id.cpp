#include "drsynth/logical_id.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace drsynth {

namespace {

constexpr std::string_view hidden_id = "Default";            // dropped everywhere
constexpr std::string_view hidden_from_human_id = "Resource";  // dropped from the human part
constexpr std::size_t hash_len = 8;
constexpr std::size_t max_human_len = 240;
constexpr std::size_t max_id_len = 255;

template <std::size_t N>
std::string to_hex(const std::array<unsigned char, N>& bytes) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string s(N * 2, '0');
  for (std::size_t i = 0; i < N; ++i) {
    s[2 * i] = hex[bytes[i] >> 4];
    s[2 * i + 1] = hex[bytes[i] & 0xF];
  }
  return s;
}

constexpr std::uint32_t rotl(std::uint32_t x, unsigned n) { return (x << n) | (x >> (32 - n)); }
constexpr std::uint32_t rotr(std::uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

// The message padded to whole 64-byte blocks: 0x80, zeros, the bit length
// (little-endian for MD5, big-endian for SHA-256).
std::string pad(std::string_view data, bool big_endian) {
  std::string m(data);
  m.push_back(static_cast<char>(0x80));
  while (m.size() % 64 != 56) m.push_back('\0');
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  for (int i = 0; i < 8; ++i)
    m.push_back(static_cast<char>((bits >> (8 * (big_endian ? 7 - i : i))) & 0xFF));
  return m;
}

// MD5 (RFC 1321) and SHA-256 (FIPS 180-4), small and self-contained: linking
// OpenSSL for them cost a `drsynth synth` process 5.3 M instructions of
// provider initialization (EVP_MD_fetch) plus libcrypto's relocations.
std::array<unsigned char, 16> md5(std::string_view data) {
  static const auto k = [] {
    std::array<std::uint32_t, 64> t{};
    for (std::size_t i = 0; i < 64; ++i)
      t[i] = static_cast<std::uint32_t>(std::floor(std::fabs(std::sin(static_cast<double>(i + 1))) * 4294967296.0));
    return t;
  }();
  static constexpr unsigned shift[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                         5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                         4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                         6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
  std::uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  const std::string m = pad(data, false);
  for (std::size_t off = 0; off < m.size(); off += 64) {
    std::uint32_t w[16];
    for (int i = 0; i < 16; ++i) {
      const auto* b = reinterpret_cast<const unsigned char*>(m.data() + off + 4 * i);
      w[i] = std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
    }
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    for (unsigned i = 0; i < 64; ++i) {
      std::uint32_t f = 0;
      unsigned g = 0;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) % 16;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) % 16;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) % 16;
      }
      f = f + a + k[i] + w[g];
      a = d;
      d = c;
      c = b;
      b = b + rotl(f, shift[i]);
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
  }
  std::array<unsigned char, 16> out{};
  for (int i = 0; i < 16; ++i) out[i] = static_cast<unsigned char>(h[i / 4] >> (8 * (i % 4)));
  return out;
}

std::array<unsigned char, 32> sha256(std::string_view data) {
  static constexpr std::uint32_t k[64] = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
      0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
      0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
      0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
      0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
      0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
      0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
  std::uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const std::string m = pad(data, true);
  for (std::size_t off = 0; off < m.size(); off += 64) {
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
      const auto* b = reinterpret_cast<const unsigned char*>(m.data() + off + 4 * i);
      w[i] = std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | std::uint32_t{b[3]};
    }
    for (int i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      const std::uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const std::uint32_t ch = (e & f) ^ (~e & g);
      const std::uint32_t t1 = hh + S1 + ch + k[i] + w[i];
      const std::uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      const std::uint32_t t2 = S0 + maj;
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  std::array<unsigned char, 32> out{};
  for (int i = 0; i < 32; ++i) out[i] = static_cast<unsigned char>(h[i / 4] >> (8 * (3 - i % 4)));
  return out;
}

std::string remove_non_alphanumeric(std::string_view s) {
  std::string r;
  r.reserve(s.size());
  for (char c : s)
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) r.push_back(c);
  return r;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string md5_hex(std::string_view data) { return to_hex(md5(data)); }
std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }

std::string make_logical_id(const std::vector<std::string_view>& all_components) {
  std::vector<std::string_view> components;
  components.reserve(all_components.size());
  for (auto c : all_components)
    if (c != hidden_id) components.push_back(c);
  if (components.empty()) throw std::invalid_argument("a logical ID needs at least one path component");

  // Top-level elements keep their id, so a template moved into drsynth keeps its names.
  if (components.size() == 1) {
    std::string candidate = remove_non_alphanumeric(components[0]);
    if (candidate.size() <= max_id_len) return candidate;
  }

  std::string joined;
  for (std::size_t i = 0; i < components.size(); ++i) {
    if (i > 0) joined.push_back('/');
    joined.append(components[i]);
  }
  std::string hash = md5_hex(joined).substr(0, hash_len);
  for (char& c : hash) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

  // Human part: skip a component when the previously kept one ends with it.
  std::string human;
  std::string_view last_kept;
  bool have_last = false;
  for (auto c : components) {
    if (have_last && ends_with(last_kept, c)) continue;
    last_kept = c;
    have_last = true;
    if (c == hidden_from_human_id) continue;
    human += remove_non_alphanumeric(c);
  }
  if (human.size() > max_human_len) human.resize(max_human_len);
  return human + hash;
}

}  // namespace drsynth

#include "core/digest.hpp"

// The low-level digest functions are deprecated in OpenSSL 3 (digest.hpp says why they are used).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace drsynth::detail {

namespace {

std::string to_hex(const unsigned char* md, std::size_t len) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string s(len * 2, '0');
  for (std::size_t i = 0; i < len; ++i) {
    s[2 * i] = hex[md[i] >> 4];
    s[2 * i + 1] = hex[md[i] & 0xF];
  }
  return s;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  SHA256_CTX c;
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256_Init(&c);
  SHA256_Update(&c, data.data(), data.size());
  SHA256_Final(md, &c);
  return to_hex(md, sizeof md);
}

std::string md5_hex(std::string_view data) {
  MD5_CTX c;
  unsigned char md[MD5_DIGEST_LENGTH];
  MD5_Init(&c);
  MD5_Update(&c, data.data(), data.size());
  MD5_Final(md, &c);
  return to_hex(md, sizeof md);
}

std::optional<std::string> sha256_hex_of_fd(int fd) {
  SHA256_CTX c;
  SHA256_Init(&c);
  static thread_local std::array<char, 1 << 16> buf;
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    SHA256_Update(&c, buf.data(), static_cast<std::size_t>(n));
  }
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256_Final(md, &c);
  return to_hex(md, sizeof md);
}

}  // namespace drsynth::detail

#include "drsynth/logical_id.hpp"

#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <stdexcept>

namespace drsynth {

namespace {

constexpr std::string_view hidden_id = "Default";            // dropped everywhere
constexpr std::string_view hidden_from_human_id = "Resource";  // dropped from the human part
constexpr std::size_t hash_len = 8;
constexpr std::size_t max_human_len = 240;
constexpr std::size_t max_id_len = 255;

// One digest context per thread, reused: EVP_Digest() allocates and frees a
// context per call, which cost more than hashing a construct path (every
// logical ID hashes one).
struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

std::string digest_hex(const EVP_MD* md, std::string_view data) {
  thread_local DigestContext context;
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (context.ctx == nullptr || EVP_DigestInit_ex2(context.ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(context.ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(context.ctx, out.data(), &len) != 1)
    throw std::runtime_error("OpenSSL digest failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string s(static_cast<std::size_t>(len) * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    s[2 * i] = hex[out[i] >> 4];
    s[2 * i + 1] = hex[out[i] & 0xF];
  }
  return s;
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

// Fetched once: with OpenSSL 3, EVP_md5() / EVP_sha256() make every
// EVP_Digest call look the algorithm up in the provider store again.
const EVP_MD* fetched(const char* name, const EVP_MD* fallback) {
  const EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  return md != nullptr ? md : fallback;
}

}  // namespace

std::string md5_hex(std::string_view data) {
  static const EVP_MD* const md = fetched("MD5", EVP_md5());
  return digest_hex(md, data);
}
std::string sha256_hex(std::string_view data) {
  static const EVP_MD* const md = fetched("SHA256", EVP_sha256());
  return digest_hex(md, data);
}

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

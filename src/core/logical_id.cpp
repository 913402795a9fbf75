#include "drsynth/core/logical_id.hpp"

#include <cctype>
#include <stdexcept>

#include "core/digest.hpp"

namespace drsynth {

namespace {

constexpr std::string_view hidden_id = "Default";            // dropped everywhere
constexpr std::string_view hidden_from_human_id = "Resource";  // dropped from the human part
constexpr std::size_t hash_len = 8;
constexpr std::size_t max_human_len = 240;
constexpr std::size_t max_id_len = 255;

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

std::string md5_hex(std::string_view data) { return detail::md5_hex(data); }
std::string sha256_hex(std::string_view data) { return detail::sha256_hex(data); }

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

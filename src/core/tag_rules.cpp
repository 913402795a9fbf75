#include "core/tag_rules.hpp"

#include "drsynth/core/app.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth::detail {

namespace {

// The code point at s[i] and its length; length 0 when it is not UTF-8.
std::pair<char32_t, std::size_t> decode(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return {0, 0};
  char32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < smallest[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
  return {cp, n};
}

bool in(char32_t cp, char32_t lo, char32_t hi) { return cp >= lo && cp <= hi; }

// Letters, digits, spaces (Unicode classes L, N, Z) and _ . : / = + - @.
bool allowed(char32_t cp) {
  if (cp < 0x80)
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
           std::u32string_view(U" _.:/=+-@").find(cp) != std::u32string_view::npos;
  if (in(cp, 0x80, 0x9F)) return false;  // C1 controls
  if (in(cp, 0xA1, 0xBF))                // Latin-1 punctuation and symbols, but for its letters and digits
    return cp == 0xAA || cp == 0xB2 || cp == 0xB3 || cp == 0xB5 || cp == 0xB9 || cp == 0xBA || in(cp, 0xBC, 0xBE);
  if (cp == 0xD7 || cp == 0xF7) return false;  // multiplication and division signs
  if (in(cp, 0x2000, 0x206F))                  // general punctuation: only its spaces
    return in(cp, 0x2000, 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F;
  return !(in(cp, 0x20A0, 0x20CF) ||   // currency
           in(cp, 0x2190, 0x23FF) ||   // arrows, mathematical operators, technical symbols
           in(cp, 0x2400, 0x245F) ||   // control pictures, OCR
           in(cp, 0x2500, 0x2BFF) ||   // box drawing, shapes, symbols, dingbats, arrows
           in(cp, 0x3001, 0x3004) || in(cp, 0x3008, 0x3020) ||  // CJK punctuation
           in(cp, 0xE000, 0xF8FF) ||   // private use
           in(cp, 0xFE00, 0xFE0F) ||   // variation selectors
           in(cp, 0xFF01, 0xFF0F) || in(cp, 0xFF1A, 0xFF20) ||  // fullwidth punctuation and symbols
           in(cp, 0xFF3B, 0xFF40) || in(cp, 0xFF5B, 0xFF65) ||  // (fullwidth letters and digits are letters and digits)
           in(cp, 0xFFE0, 0xFFEE) ||   // fullwidth and halfwidth signs
           cp == 0xFEFF ||             // byte order mark
           in(cp, 0xFFF0, 0xFFFF) ||   // specials
           in(cp, 0x1F000, 0x1FAFF) || // emoji and pictographs
           in(cp, 0xE0000, 0xE007F) || // tag characters
           cp >= 0xF0000);             // private use planes
}

std::string problem(std::string_view s, std::size_t max) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++chars) {
    const auto [cp, n] = decode(s, i);
    if (n == 0) return "not UTF-8 text";
    if (!allowed(cp)) {
      if (cp < 0x20 || cp == 0x7F || in(cp, 0x80, 0x9F)) return "holds a control character";
      return "holds '" + std::string(s.substr(i, n)) + "', not a letter, digit, space or _ . : / = + - @";
    }
    i += n;
  }
  if (chars > max) return "has " + std::to_string(chars) + " characters, more than " + std::to_string(max);
  return {};
}

std::string shown(std::string_view s) {
  return "\"" + std::string(s.size() > 60 ? std::string(s.substr(0, 57)) + "..." : std::string(s)) + "\"" +
         (s.size() > 60 ? " (" + std::to_string(s.size()) + " bytes)" : "");
}

}  // namespace

std::string tag_key_problem(std::string_view key) {
  if (key.empty()) return "is empty";
  if (key.size() >= 4 && (key[0] | 0x20) == 'a' && (key[1] | 0x20) == 'w' && (key[2] | 0x20) == 's' && key[3] == ':')
    return "starts with aws:, which AWS keeps for its own tags";
  return problem(key, 128);
}

std::string tag_value_problem(std::string_view value) { return problem(value, 256); }

void check_tag(const Construct& at, std::string_view key, std::string_view value, Validation& v) {
  if (const auto why = tag_key_problem(key); !why.empty())
    v.error(codes::E410, at, "tag key " + why, shown(key),
            "1-128 letters, digits, spaces or _ . : / = + - @, not starting with aws:");
  else if (const auto why_value = tag_value_problem(value); !why_value.empty())
    v.error(codes::E410, at, "the value of tag '" + std::string(key) + "' " + why_value, shown(value),
            "at most 256 letters, digits, spaces or _ . : / = + - @");
}

void check_scope_tags(const App& app, Validation& v) {
  app.walk([&](const Construct& c) {
    for (const auto& [key, value] : c.tags()) check_tag(c, key, value, v);
  });
}

}  // namespace drsynth::detail

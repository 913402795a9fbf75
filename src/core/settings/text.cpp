// UTF-8 checks and printable text for messages about settings.
#include "core/settings/text.hpp"

namespace drsynth::settings {

std::size_t invalid_utf8_at(std::string_view s) noexcept {
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  while (i < n) {
    const unsigned char c = p[i];
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) { ++i; continue; }
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return i;
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = cp << 6 | (p[i + k] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      return i;
    i += len;
  }
  return std::string_view::npos;
}

std::string printable(std::string_view s, std::size_t max) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size() && out.size() < max) {
    const std::size_t bad = invalid_utf8_at(s.substr(i));
    const std::size_t good = bad == std::string_view::npos ? s.size() - i : bad;
    for (std::size_t k = 0; k < good && out.size() < max; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      // As Diagnostic::format escapes them (escape_control_characters).
      if (c == '\n' || c == '\r' || c == '\t') {
        out += c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t";
      } else if (c < 0x20 || c == 0x7F) {
        static constexpr char hex[] = "0123456789abcdef";
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 15];
      } else {
        out += static_cast<char>(c);
      }
    }
    i += good;
    if (i < s.size() && bad != std::string_view::npos) {
      static constexpr char hex[] = "0123456789abcdef";
      const auto c = static_cast<unsigned char>(s[i]);
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
      ++i;
    }
  }
  // Never cut inside a multi-byte character.
  while (invalid_utf8_at(out) != std::string_view::npos) out.pop_back();
  if (i < s.size()) out += "...";
  return out;
}

}  // namespace drsynth::settings

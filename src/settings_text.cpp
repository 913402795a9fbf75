#include "settings_text.hpp"

#include <algorithm>
#include <map>
#include <vector>

namespace drsynth::settings {

namespace {

using json = nlohmann::json;

// One pass over JSON text outside strings: the deepest nesting and, for the
// top-level object, the line of each key.
struct Structure {
  int depth = 0;
  std::map<std::string, std::size_t> key_lines;
};

Structure scan(std::string_view t) {
  Structure st;
  int depth = 0;
  std::size_t line = 1;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '\n') ++line;
    if (c == '[' || c == '{') st.depth = std::max(st.depth, ++depth);
    if (c == ']' || c == '}') --depth;
    if (c != '"') continue;
    const std::size_t start = i;
    const std::size_t start_line = line;
    for (++i; i < t.size() && t[i] != '"'; ++i) {
      if (t[i] == '\\') ++i;
      else if (t[i] == '\n') ++line;
    }
    if (depth != 1 || i >= t.size()) continue;
    std::size_t j = i + 1;
    while (j < t.size() && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r' || t[j] == '\n')) ++j;
    if (j >= t.size() || t[j] != ':') continue;
    auto key = json::parse(t.substr(start, i - start + 1), nullptr, false);
    if (key.is_string()) st.key_lines.try_emplace(key.get<std::string>(), start_line);
  }
  return st;
}

std::size_t line_of(std::string_view text, std::size_t byte) {
  byte = std::min(byte, text.size());
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(byte), '\n'));
}

std::string quoted_key(std::string_view key) { return "'" + printable(key, 120) + "'"; }

}  // namespace

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
      if (c < 0x20 || c == 0x7F) {
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

void load_text(std::string_view text, const std::string& file, AppProps& props) {
  const std::string shown_file = printable(file, 200);
  if (text.size() > max_file_bytes)
    fail("E505", "", shown_file + ": settings file too large", std::to_string(text.size()) + " bytes",
         "at most " + std::to_string(max_file_bytes) + " bytes");
  if (const auto bad = invalid_utf8_at(text); bad != std::string_view::npos)
    fail("E505", "", shown_file + ":" + std::to_string(line_of(text, bad)) + ": not UTF-8 text",
         "byte " + std::to_string(bad), "a UTF-8 JSON file");
  const Structure st = scan(text);
  if (st.depth > max_depth)
    fail("E505", "", shown_file + ": settings nested too deeply", std::to_string(st.depth) + " levels",
         "at most " + std::to_string(max_depth));
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    const std::size_t upto = e.byte == 0 ? 0 : e.byte - 1;
    fail("E505", "", shown_file + ":" + std::to_string(line_of(text, upto)) + ": invalid JSON", printable(e.what(), 200),
         "a JSON object of settings");
  } catch (const json::exception& e) {  // e.g. out_of_range 406: a number overflow such as 1e400
    fail("E505", "", shown_file + ": invalid JSON", printable(e.what(), 200), "a JSON object of settings");
  }
  if (!j.is_object()) fail("E505", "", shown_file + ":1: settings must be a JSON object", j.type_name(), "a JSON object");
  std::vector<Diagnostic> errors;
  for (auto& [k, v] : j.items()) {
    const auto it = st.key_lines.find(k);
    const std::string where = shown_file + ":" + std::to_string(it == st.key_lines.end() ? 1 : it->second);
    const std::size_t size = v.dump(-1, ' ', false, json::error_handler_t::replace).size();
    if (k.empty() || size > max_value_bytes) {
      errors.push_back({"E505", Severity::error, "",
                        where + ": setting " + quoted_key(k) + (k.empty() ? " has an empty name" : " is too large"),
                        std::to_string(size) + " bytes", "a named value of at most " + std::to_string(max_value_bytes) +
                                                             " bytes"});
      continue;
    }
    props.context[k] = v;
    props.context_origin[k] = where;
  }
  if (!errors.empty()) throw Error(std::move(errors));
}

void apply_argument(std::string_view arg, App& app) {
  const auto eq = arg.find('=');
  const std::string key = eq == std::string_view::npos ? std::string(arg) : std::string(arg.substr(0, eq));
  if (invalid_utf8_at(arg) != std::string_view::npos)
    fail("E503", "", "-c " + quoted_key(key) + ": not UTF-8 text", "\"" + printable(arg) + "\"", "UTF-8 key=value");
  if (arg.size() > max_value_bytes)
    fail("E503", "", "-c " + quoted_key(key) + ": value too large", std::to_string(arg.size()) + " bytes",
         "at most " + std::to_string(max_value_bytes) + " bytes");
  if (eq != std::string_view::npos && scan(arg.substr(eq + 1)).depth > max_depth)
    fail("E503", "", "-c " + quoted_key(key) + ": value nested too deeply", "more than " + std::to_string(max_depth) +
         " levels", "at most " + std::to_string(max_depth));
  auto [k, v] = parse_context_argument(arg);
  app.set_context(k, std::move(v));
  app.set_context_origin(k, "-c");
  // The text as typed: "-c engineVersion=15.10" is the string "15.10" to a string setting, not the number 15.1.
  app.set_context_argument_text(k, std::string(arg.substr(eq + 1)));
}

}  // namespace drsynth::settings

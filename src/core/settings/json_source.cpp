// The one scanner of settings JSON (drsynth.json and CDK_CONTEXT_JSON): one
// pass over the text outside strings finds what nlohmann's parser does not
// report with a position (nesting, number overflow, duplicate keys) and where
// each top-level key is; then the parser reads the values.
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>

#include "drsynth/core/error.hpp"
#include "core/settings/text.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth::settings {

namespace {

using json = nlohmann::json;

struct Position {
  std::size_t line = 1;
  std::size_t column = 1;
};

struct Duplicate {
  std::string key;
  std::string parent;  // the key of the object holding it; empty at the top level
  Position first;
  Position second;
};

struct Scan {
  int depth = 0;
  std::optional<Position> too_deep;
  std::optional<std::pair<Position, std::string>> overflow;
  std::optional<Duplicate> duplicate;
  std::vector<std::pair<std::string, Position>> top_keys;
};

// An object or array being scanned; objects remember their keys.
struct Frame {
  bool object = false;
  std::string key;  // the key this value sits under in its parent object
  std::map<std::string, Position> keys;
};

std::string decode_key(std::string_view quoted) {
  auto k = json::parse(quoted, nullptr, false);
  return k.is_string() ? k.get<std::string>() : std::string(quoted.substr(1, quoted.size() - 2));
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool in_number(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }

Scan scan(std::string_view t, bool stop_when_too_deep) {
  Scan st;
  std::vector<Frame> frames;
  std::string last_key;  // the key most recently read in the innermost object
  Position pos;
  auto advance = [&](char c) {
    if (c == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  };
  for (std::size_t i = 0; i < t.size();) {
    const char c = t[i];
    if (c == '[' || c == '{') {
      const int depth = static_cast<int>(frames.size()) + 1;
      st.depth = std::max(st.depth, depth);
      if (depth > max_depth && !st.too_deep) {
        st.too_deep = pos;
        if (stop_when_too_deep) return st;
      }
      frames.push_back({c == '{', frames.empty() || !frames.back().object ? std::string() : last_key, {}});
      last_key.clear();
    } else if ((c == ']' || c == '}') && !frames.empty()) {
      frames.pop_back();
    } else if (c == '"') {
      const std::size_t start = i;
      const Position at = pos;
      advance(c);
      for (++i; i < t.size() && t[i] != '"'; ++i) {
        if (t[i] == '\\' && i + 1 < t.size()) {
          advance(t[i]);
          ++i;
        }
        advance(t[i]);
      }
      if (i >= t.size()) return st;  // unterminated: the parser says so
      advance('"');
      ++i;
      std::size_t j = i;
      while (j < t.size() && is_space(t[j])) ++j;
      if (j < t.size() && t[j] == ':' && !frames.empty() && frames.back().object) {
        std::string key = decode_key(t.substr(start, i - start));
        auto& f = frames.back();
        if (auto [it, fresh] = f.keys.try_emplace(key, at); !fresh && !st.duplicate)
          st.duplicate = Duplicate{key, f.key, it->second, at};
        if (frames.size() == 1) st.top_keys.emplace_back(key, at);
        last_key = std::move(key);
      }
      continue;
    } else if ((c >= '0' && c <= '9') || c == '-') {
      std::size_t j = i;
      while (j < t.size() && in_number(t[j])) ++j;
      const std::string number(t.substr(i, j - i));
      const double d = std::strtod(number.c_str(), nullptr);
      if (std::isinf(d) && !st.overflow) st.overflow.emplace(pos, number);
      for (; i < j; ++i) advance(t[i]);
      continue;
    }
    advance(c);
    ++i;
  }
  return st;
}

std::size_t line_of(std::string_view text, std::size_t byte) {
  byte = std::min(byte, text.size());
  std::size_t line = 1;
  for (std::size_t i = 0; i < byte; ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

std::string key_text(std::string_view key) { return "'" + printable(key, 120) + "'"; }

}  // namespace

int nesting(std::string_view text) { return scan(text, true).depth; }

std::vector<SourceMember> parse_object(std::string_view text, std::string_view code, const std::string& name) {
  const std::string src = printable(name, 200);
  const std::string c(code);
  auto at = [&](std::size_t line) { return src + ":" + std::to_string(line); };
  if (text.size() > max_file_bytes)
    fail(c, "", src + ": settings too large", std::to_string(text.size()) + " bytes",
         "at most " + std::to_string(max_file_bytes) + " bytes");
  if (const auto bad = invalid_utf8_at(text); bad != std::string_view::npos)
    fail(c, "", at(line_of(text, bad)) + ": not UTF-8 text", "byte " + std::to_string(bad), "a UTF-8 JSON object");
  const Scan st = scan(text, true);
  if (st.too_deep)
    fail(c, "", at(st.too_deep->line) + ": settings nested too deeply",
         "more than " + std::to_string(max_depth) + " levels", "at most " + std::to_string(max_depth));
  if (st.overflow)
    fail(c, "", at(st.overflow->first.line) + ": number overflow", printable(st.overflow->second),
         "a number a double holds (at most about 1.8e308)");
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    fail(c, "", at(line_of(text, e.byte == 0 ? 0 : e.byte - 1)) + ": invalid JSON", printable(e.what(), 200),
         "a JSON object of settings");
  } catch (const json::exception& e) {
    fail(c, "", src + ": invalid JSON", printable(e.what(), 200), "a JSON object of settings");
  }
  if (!j.is_object()) fail(c, "", at(1) + ": settings must be a JSON object", j.type_name(), "a JSON object");
  if (const auto& d = st.duplicate) {
    const bool same_line = d->first.line == d->second.line;
    auto where = [&](const Position& p) {
      return same_line ? std::to_string(p.line) + ":" + std::to_string(p.column) : std::to_string(p.line);
    };
    const std::string what = d->parent.empty() ? "setting " + key_text(d->key)
                                               : "key " + key_text(d->key) + " of setting " + key_text(d->parent);
    fail(codes::E508, "", src + ":" + where(d->second) + ": " + what + " is given twice (first at line " + where(d->first) +
             ")",
         key_text(d->key) + " twice", "each key once: JSON does not say which value wins");
  }
  std::vector<SourceMember> out;
  std::vector<Diagnostic> errors;
  out.reserve(st.top_keys.size());
  for (const auto& [key, p] : st.top_keys) {
    auto it = j.find(key);
    if (it == j.end()) continue;
    const std::size_t size = it->dump(-1, ' ', false, json::error_handler_t::replace).size();
    if (key.empty() || size > max_value_bytes) {
      errors.push_back({c, Severity::error, "",
                        at(p.line) + ": setting " + key_text(key) + (key.empty() ? " has an empty name" : " is too large"),
                        std::to_string(size) + " bytes",
                        "a named value of at most " + std::to_string(max_value_bytes) + " bytes"});
      continue;
    }
    out.push_back({key, std::move(*it), p.line, p.column});
  }
  if (!errors.empty()) throw Error(std::move(errors));
  return out;
}

}  // namespace drsynth::settings

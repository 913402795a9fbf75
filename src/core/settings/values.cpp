// One reading rule per type of setting, limits, and how settings are shown in
// messages and in the docs.
#include <algorithm>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "drsynth/core/settings.hpp"
#include "core/settings/text.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth::settings {

namespace {

using json = nlohmann::json;

Refusal wrong_type(Kind kind, const Limits& limits) {
  std::string expected;
  switch (kind) {
    case Kind::string: expected = "a string"; break;
    case Kind::integer: expected = "an integer"; break;
    case Kind::number: expected = "a number"; break;
    case Kind::boolean: expected = "true or false"; break;
    case Kind::string_list: expected = "a JSON array of strings, or one string"; break;
  }
  const std::string range = describe(kind, limits);
  if (!range.empty() && (kind == Kind::integer || kind == Kind::number)) expected += ", " + range;
  return {codes::E501, "has the wrong type", expected};
}

// A JSON number written as text ("5", "-2.5e3"), as the AWS CDK CLI passes -c values.
bool is_number_text(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') ++i;
  else if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// The value as a double: a JSON number or a string holding one (infinite on overflow).
std::optional<double> as_double(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (is_number_text(s)) return std::strtod(s.c_str(), nullptr);
  }
  return std::nullopt;
}

std::optional<Refusal> out_of_range(double d, Kind kind, const Limits& limits, std::string_view code) {
  const bool below = limits.min_exclusive ? !(d > limits.min) : !(d >= limits.min);
  if (below || !(d <= limits.max)) return Refusal{std::string(code), "is out of range", describe(kind, limits)};
  return std::nullopt;
}

std::optional<Refusal> check_string(const std::string& s, const Limits& limits, const Rule& rule,
                                    std::string_view code) {
  // Characters, as the message says: UTF-8 continuation bytes do not count.
  const auto chars = static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  if (chars > limits.max_length)
    return Refusal{std::string(code), "is too long (" + std::to_string(chars) + " characters)",
                   "at most " + std::to_string(limits.max_length) + " characters"};
  if (rule.check != nullptr) return rule.check(Typed{s});
  return std::nullopt;
}

std::optional<Refusal> check_number(double d, Kind kind, const Limits& limits, const Rule& rule, std::string_view code,
                                    const Typed& value) {
  if (auto r = out_of_range(d, kind, limits, code)) return r;
  if (rule.check != nullptr) return rule.check(value);
  return std::nullopt;
}

std::string number_text(double d) { return fmt::format("{}", d); }

}  // namespace

std::string_view kind_name(Kind kind) noexcept {
  switch (kind) {
    case Kind::string: return "string";
    case Kind::integer: return "integer";
    case Kind::number: return "number";
    case Kind::boolean: return "boolean";
    case Kind::string_list: return "list of strings";
  }
  return "";
}

std::string describe(Kind kind, const Limits& l) {
  switch (kind) {
    case Kind::integer:
    case Kind::number: {
      const bool has_min = std::isfinite(l.min);
      const bool has_max = std::isfinite(l.max);
      if (has_min && has_max && !l.min_exclusive)
        return l.min == l.max ? number_text(l.min) : number_text(l.min) + ".." + number_text(l.max);
      std::string out;
      if (has_min) out = (l.min_exclusive ? "> " : ">= ") + number_text(l.min);
      if (has_max) out += (out.empty() ? "<= " : " and <= ") + number_text(l.max);
      return out;
    }
    case Kind::string: return "at most " + std::to_string(l.max_length) + " characters";
    case Kind::string_list:
      return "at most " + std::to_string(l.max_entries) + " entries of at most " + std::to_string(l.max_length) +
             " characters";
    case Kind::boolean: return "true or false";
  }
  return "";
}

std::string shown(const json& value) {
  return printable(value.dump(-1, ' ', false, json::error_handler_t::replace), 80);
}

std::string shown(const Entry& entry) {
  return entry.typed ? "\"" + printable(*entry.typed, 78) + "\"" : shown(entry.value());
}

std::variant<Typed, Refusal> read(const Entry& entry, Kind kind, const Limits& limits, const Rule& rule,
                                  std::string_view range_code) {
  const json& v = entry.value();
  switch (kind) {
    case Kind::string: {
      std::string s;
      if (v.is_string()) s = v.get<std::string>();
      else if (entry.typed && (v.is_number() || v.is_boolean() || v.is_null())) s = *entry.typed;
      else return wrong_type(kind, limits);
      if (auto r = check_string(s, limits, rule, range_code)) return *r;
      return Typed{std::move(s)};
    }
    case Kind::integer: {
      std::int64_t n = 0;
      if (v.is_number_integer() && !(v.is_number_unsigned() && v.get<std::uint64_t>() > INT64_MAX)) {
        n = v.get<std::int64_t>();
      } else {
        const auto d = as_double(v);
        if (!d) return wrong_type(kind, limits);
        if (std::isfinite(*d) && *d != std::trunc(*d)) return wrong_type(kind, limits);
        // Beyond int64 (or a double's overflow): out of range whatever the limits.
        if (!(*d >= -9.2e18 && *d <= 9.2e18)) return Refusal{std::string(range_code), "is out of range", describe(kind, limits)};
        n = static_cast<std::int64_t>(*d);
      }
      if (auto r = check_number(static_cast<double>(n), kind, limits, rule, range_code, Typed{n})) return *r;
      return Typed{n};
    }
    case Kind::number: {
      const auto d = as_double(v);
      if (!d) return wrong_type(kind, limits);
      if (!std::isfinite(*d)) return Refusal{std::string(range_code), "is out of range", describe(kind, limits)};
      if (auto r = check_number(*d, kind, limits, rule, range_code, Typed{*d})) return *r;
      return Typed{*d};
    }
    case Kind::boolean:
      if (v.is_boolean()) return Typed{v.get<bool>()};
      if (v.is_string() && (v == "true" || v == "false")) return Typed{v == "true"};
      return wrong_type(kind, limits);
    case Kind::string_list: {
      std::vector<std::string> list;
      if (v.is_string()) {
        list.push_back(v.get<std::string>());
      } else if (v.is_array()) {
        for (const auto& e : v) {
          if (!e.is_string()) return wrong_type(kind, limits);
          list.push_back(e.get<std::string>());
        }
      } else {
        return wrong_type(kind, limits);
      }
      if (auto r = check(Typed{list}, kind, limits, rule, range_code)) return *r;
      return Typed{std::move(list)};
    }
  }
  return wrong_type(kind, limits);
}

std::optional<Refusal> check(const Typed& value, Kind kind, const Limits& limits, const Rule& rule,
                             std::string_view range_code) {
  switch (kind) {
    case Kind::string: return check_string(std::get<std::string>(value), limits, rule, range_code);
    case Kind::integer:
      return check_number(static_cast<double>(std::get<std::int64_t>(value)), kind, limits, rule, range_code, value);
    case Kind::number: return check_number(std::get<double>(value), kind, limits, rule, range_code, value);
    case Kind::boolean: return std::nullopt;
    case Kind::string_list: {
      const auto& list = std::get<std::vector<std::string>>(value);
      if (list.size() > limits.max_entries)
        return Refusal{std::string(range_code), "has too many entries",
                       "at most " + std::to_string(limits.max_entries) + " (got " + std::to_string(list.size()) + ")"};
      for (const auto& s : list)
        if (auto r = check_string(s, limits, rule, range_code)) {
          r->message += " (entry \"" + printable(s) + "\")";
          return r;
        }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

namespace detail {

Limits for_int(Limits l) noexcept {
  l.min = std::max(l.min, static_cast<double>(std::numeric_limits<int>::min()));
  l.max = std::min(l.max, static_cast<double>(std::numeric_limits<int>::max()));
  return l;
}

Diagnostic refused_setting(const Context& context, std::string_view key, Refusal r, std::string got) {
  return {std::move(r.code), Severity::error, "", "setting " + context.describe(key) + " " + r.message, std::move(got),
          std::move(r.expected)};
}

namespace {
std::string typed_text(const Typed& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) return json(x).dump(-1, ' ', false, json::error_handler_t::replace);
        else if constexpr (std::is_same_v<T, double>) return number_text(x);
        else if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::int64_t>) return std::to_string(x);
        else return json(x).dump(-1, ' ', false, json::error_handler_t::replace);
      },
      v);
}
}  // namespace

Diagnostic refused_prop(const std::string& path, std::string_view prop, std::string_view key, Refusal r,
                        const Typed& got) {
  return {std::move(r.code), Severity::error, path,
          std::string(prop) + " (setting " + std::string(key) + ") " + r.message, printable(typed_text(got), 80),
          std::move(r.expected)};
}

std::string markdown_header() {
  return "| key | type | default | accepted values | meaning |\n|---|---|---|---|---|\n";
}

std::string markdown_row(std::string_view key, Kind kind, const std::optional<Typed>& default_value,
                         const Limits& limits, const Rule& rule, std::string_view doc) {
  std::string def = "unset";
  if (default_value) {
    const std::string text = typed_text(*default_value);
    const bool empty = text == "\"\"" || text == "[]";
    if (kind == Kind::string && !empty) def = "`" + std::get<std::string>(*default_value) + "`";
    else if (!empty || kind == Kind::string_list) def = "`" + text + "`";
  }
  std::string accepted;
  switch (kind) {
    case Kind::integer:
    case Kind::number: accepted = rule.allowed.empty() ? describe(kind, limits) : std::string(rule.allowed); break;
    case Kind::boolean: accepted = "`true` or `false`"; break;
    case Kind::string:
      accepted = rule.allowed.empty() ? describe(kind, limits) : std::string(rule.allowed);
      break;
    case Kind::string_list:
      accepted = "at most " + std::to_string(limits.max_entries) + (rule.allowed.empty() ? " strings" : ", each " + std::string(rule.allowed));
      break;
  }
  return "| `" + std::string(key) + "` | " + std::string(kind_name(kind)) + " | " + def + " | " + accepted + " | " +
         std::string(doc) + " |\n";
}

}  // namespace detail

}  // namespace drsynth::settings

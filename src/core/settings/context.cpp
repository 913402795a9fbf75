// The context: its sources, typed reads, declared keys and the unknown ones.
#include <algorithm>
#include <cctype>

#include "drsynth/core/settings.hpp"
#include "core/settings/text.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth::settings {

namespace {

using json = nlohmann::json;

std::string key_text(std::string_view key) { return "'" + printable(key, 120) + "'"; }

// Keys of the AWS CDK CLI's own, which it passes in CDK_CONTEXT_JSON with the
// project's context: feature flags ("@aws-cdk/..."), its settings and lookups
// ("aws:cdk:...", "availability-zones:account=..."), and what `cdk acknowledge`
// and `cdk cli-telemetry` store in cdk.context.json / cdk.json.
bool belongs_to_cdk(std::string_view key) {
  return key.find(':') != std::string_view::npos || key.starts_with("@aws-cdk") ||
         key == "acknowledged-issue-numbers" || key == "cli-telemetry";
}

// Optimal string alignment distance, ASCII case-insensitive.
std::size_t distance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

template <class T>
T typed_or_throw(const Context& c, std::string_view key, std::variant<Typed, Refusal> v) {
  if (auto* r = std::get_if<Refusal>(&v)) throw Error(detail::refused_setting(c, key, std::move(*r), shown(*c.find(key))));
  return std::get<T>(std::move(std::get<Typed>(v)));
}

}  // namespace

std::string Origin::text() const {
  switch (source) {
    case Source::file: return printable(file, 200) + ":" + std::to_string(line);
    case Source::environment: return "CDK_CONTEXT_JSON";
    case Source::argument: return "-c";
    case Source::code: break;
  }
  return "set in code";
}

Entry::Entry() : value_(std::make_unique<json>()) {}
Entry::Entry(json value, Origin from, std::optional<std::string> as_typed)
    : origin(std::move(from)), typed(std::move(as_typed)), value_(std::make_unique<json>(std::move(value))) {}
Entry::Entry(const Entry& other)
    : origin(other.origin), typed(other.typed), value_(std::make_unique<json>(other.value())) {}
Entry::Entry(Entry&& other) noexcept = default;
Entry& Entry::operator=(const Entry& other) {
  if (this != &other) *this = Entry(other);
  return *this;
}
Entry& Entry::operator=(Entry&& other) noexcept = default;
Entry::~Entry() = default;

const json& Entry::value() const noexcept {
  static const json null_value;
  return value_ ? *value_ : null_value;
}

Context::Context(std::initializer_list<std::pair<const std::string, json>> values) {
  for (const auto& [k, v] : values) set(k, v);
}

void Context::set(std::string key, json value, Origin origin, std::optional<std::string> typed) {
  entries_.insert_or_assign(std::move(key), Entry{std::move(value), std::move(origin), std::move(typed)});
}

const Entry* Context::find(std::string_view key) const {
  const auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void Context::add_file(std::string_view text, const std::string& file) {
  for (auto& m : parse_object(text, codes::E505, file))
    set(std::move(m.key), std::move(m.value), Origin{Origin::Source::file, file, m.line, m.column});
}

void Context::add_environment(std::string_view text) {
  for (auto& m : parse_object(text, codes::E502, "CDK_CONTEXT_JSON"))
    set(std::move(m.key), std::move(m.value), Origin{Origin::Source::environment, {}, m.line, m.column});
}

void Context::add_argument(std::string_view arg) {
  const auto eq = arg.find('=');
  const std::string key(arg.substr(0, eq));
  if (invalid_utf8_at(arg) != std::string_view::npos)
    fail(codes::E503, "", "-c " + key_text(key) + ": not UTF-8 text", "\"" + printable(arg) + "\"", "UTF-8 key=value");
  if (eq == std::string_view::npos || eq == 0)
    fail(codes::E503, "", "context argument must be key=value", "\"" + printable(arg) + "\"", "key=value");
  if (arg.size() > max_value_bytes)
    fail(codes::E503, "", "-c " + key_text(key) + ": value too large", std::to_string(arg.size()) + " bytes",
         "at most " + std::to_string(max_value_bytes) + " bytes");
  const std::string text(arg.substr(eq + 1));
  if (nesting(text) > max_depth)
    fail(codes::E503, "", "-c " + key_text(key) + ": value nested too deeply",
         "more than " + std::to_string(max_depth) + " levels", "at most " + std::to_string(max_depth));
  // JSON when it parses as JSON (numbers, booleans, lists), else the text itself.
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || j.is_string()) j = text;
  set(key, std::move(j), Origin{Origin::Source::argument}, text);
}

std::optional<std::string> Context::get_string(std::string_view key, const Limits& limits) const {
  declare(key);
  const Entry* e = find(key);
  if (e == nullptr) return std::nullopt;
  return typed_or_throw<std::string>(*this, key, read(*e, Kind::string, limits, {}, codes::E509));
}

std::optional<std::int64_t> Context::get_integer(std::string_view key, const Limits& limits) const {
  declare(key);
  const Entry* e = find(key);
  if (e == nullptr) return std::nullopt;
  return typed_or_throw<std::int64_t>(*this, key, read(*e, Kind::integer, limits, {}, codes::E509));
}

std::optional<double> Context::get_number(std::string_view key, const Limits& limits) const {
  declare(key);
  const Entry* e = find(key);
  if (e == nullptr) return std::nullopt;
  return typed_or_throw<double>(*this, key, read(*e, Kind::number, limits, {}, codes::E509));
}

std::optional<bool> Context::get_boolean(std::string_view key) const {
  declare(key);
  const Entry* e = find(key);
  if (e == nullptr) return std::nullopt;
  return typed_or_throw<bool>(*this, key, read(*e, Kind::boolean, {}, {}, codes::E509));
}

std::optional<std::vector<std::string>> Context::get_strings(std::string_view key, const Limits& limits) const {
  declare(key);
  const Entry* e = find(key);
  if (e == nullptr) return std::nullopt;
  return typed_or_throw<std::vector<std::string>>(*this, key, read(*e, Kind::string_list, limits, {}, codes::E509));
}

void Context::declare(std::string_view key) const {
  if (!declared_.contains(key)) declared_.emplace(key);
}

bool Context::declared(std::string_view key) const { return declared_.contains(key); }

void Context::hint_unknown(std::string_view key, std::string hint) const { hints_[std::string(key)] = std::move(hint); }

std::vector<Diagnostic> Context::unknown_keys() const {
  std::vector<Diagnostic> out;
  const std::vector<std::string> known(declared_.begin(), declared_.end());
  for (const auto& [key, e] : entries_) {
    if (e.origin.source == Origin::Source::code || belongs_to_cdk(key) || declared(key)) continue;
    if (const auto hint = hints_.find(key); hint != hints_.end()) {
      out.push_back({codes::E510, Severity::error, "", "unknown setting " + describe(key) + ": it is " + hint->second,
                     "\"" + printable(key, 120) + "\"", hint->second});
      continue;
    }
    const auto near = nearest(key, known);
    out.push_back({codes::E510, Severity::error, "",
                   "unknown setting " + describe(key) + (near ? ": did you mean '" + *near + "'?" : ": nothing reads it"),
                   "\"" + printable(key, 120) + "\"",
                   near ? "'" + *near + "'" : "a key this app reads (docs/cli.md lists the built-in system's)"});
  }
  return out;
}

std::string Context::describe(std::string_view key) const {
  std::string s = key_text(key);
  if (const Entry* e = find(key); e != nullptr && e->origin.source != Origin::Source::code)
    s += " (" + e->origin.text() + ")";
  return s;
}

std::optional<std::string> nearest(std::string_view key, const std::vector<std::string>& candidates) {
  const std::size_t allowed = std::max<std::size_t>(2, (key.size() + 3) / 4);
  std::optional<std::string> best;
  std::size_t best_distance = allowed + 1;
  for (const auto& c : candidates) {
    if (c == key) continue;
    const std::size_t gap = c.size() > key.size() ? c.size() - key.size() : key.size() - c.size();
    if (gap > allowed) continue;  // the distance is at least the difference in length
    const std::size_t d = distance(key, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace drsynth::settings

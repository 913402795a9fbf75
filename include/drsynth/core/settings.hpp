// Settings: the context values an app reads, from every source, with where
// each came from and one reading rule per type.
//
// Sources, later ones winning (the CLI applies them in this order):
//   drsynth.json (or --settings FILE)   Context::add_file         E505, E508
//   CDK_CONTEXT_JSON (the AWS CDK CLI)   Context::add_environment  E502, E508
//   -c key=value                         Context::add_argument     E503
// Both JSON sources go through one scanner: UTF-8, size, nesting, number
// overflow and duplicate keys are reported alike, with the line.
//
// Reading rules, one per type (docs/cli.md "Types of settings"):
//   string       a JSON string; a -c value is taken as typed ("-c v=15.10" is "15.10")
//   integer      a JSON number without a fractional part, or a string holding one
//                (the AWS CDK CLI passes "cdk synth -c key=5" as the string "5")
//   number       a JSON number, or a string holding one
//   boolean      true or false, or the string "true" or "false"
//   string list  a JSON array of strings, or one string (a list of one)
// A value of the wrong type is E501; one outside its limits is the code its
// table gives (E509 for reads without a table of their own).
//
// Every key an app reads, or declares through a Table, is known; a key the
// user gave that nothing knows is E510 with the nearest known key
// ("did you mean"). The AWS CDK CLI's own keys (holding ':', starting with
// '@aws-cdk', acknowledged-issue-numbers, cli-telemetry) are ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "drsynth/core/error.hpp"

namespace drsynth::settings {

// Where a value came from, for messages.
struct Origin {
  enum class Source : std::uint8_t { code, file, environment, argument };
  Source source = Source::code;
  std::string file{};     // Source::file: the file name as given
  std::size_t line = 0;   // file and environment: where the key is (1-based)
  std::size_t column = 0;
  // "drsynth.json:3", "CDK_CONTEXT_JSON:1", "-c", or "set in code".
  [[nodiscard]] std::string text() const;
};

// A value as given. The JSON value is held behind a pointer so that this
// header needs only <nlohmann/json_fwd.hpp>: including drsynth/core/app.hpp does
// not parse nlohmann/json.hpp (include it to look inside value()).
struct Entry {
  Entry();
  explicit Entry(nlohmann::json value, Origin from = {}, std::optional<std::string> as_typed = {});
  Entry(const Entry& other);
  Entry(Entry&& other) noexcept;
  Entry& operator=(const Entry& other);
  Entry& operator=(Entry&& other) noexcept;
  ~Entry();

  // The value (null for a moved-from entry).
  [[nodiscard]] const nlohmann::json& value() const noexcept;

  Origin origin{};
  std::optional<std::string> typed{};  // a -c value exactly as typed

 private:
  std::unique_ptr<nlohmann::json> value_;
};

enum class Kind : std::uint8_t { string, integer, number, boolean, string_list };

// The values a setting accepts beyond its type.
struct Limits {
  double min = -std::numeric_limits<double>::infinity();  // integer and number
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;    // "> min" rather than ">= min"
  std::size_t max_length = 1024;  // a string, or each string of a list
  std::size_t max_entries = 100;  // a string list
};

// Why a value is refused: the code, what is wrong, what is expected.
struct Refusal {
  std::string code;
  std::string message;
  std::string expected;
};

// A value read under the rule of its kind.
using Typed = std::variant<std::string, std::int64_t, double, bool, std::vector<std::string>>;

// A rule on a value beyond its limits (on each string of a list).
struct Rule {
  std::optional<Refusal> (*check)(const Typed& value) = nullptr;
  std::string_view allowed{};  // for the docs: "a 12-digit account ID"
};
// The value of `entry` as `kind`, or why not: E501 for a wrong type, `range_code`
// for a value outside `limits`, the rule's own code for a value it refuses.
[[nodiscard]] std::variant<Typed, Refusal> read(const Entry& entry, Kind kind, const Limits& limits,
                                                const Rule& rule, std::string_view range_code);
// Whether a value (of the given kind) is within limits and rule; for values set in code.
[[nodiscard]] std::optional<Refusal> check(const Typed& value, Kind kind, const Limits& limits, const Rule& rule,
                                           std::string_view range_code);
// "7..35", "> 0 and <= 100", "at most 46 characters": the limits for messages and docs.
[[nodiscard]] std::string describe(Kind kind, const Limits& limits);
[[nodiscard]] std::string_view kind_name(Kind kind) noexcept;
// A value as a message shows it: JSON, cut to 80 characters, control characters escaped.
[[nodiscard]] std::string shown(const nlohmann::json& value);
// A given value as a message shows it: a -c value as typed, else as above.
[[nodiscard]] std::string shown(const Entry& entry);

// The context of an app: every key with its value and origin.
class Context {
 public:
  Context() = default;
  // Values set in code: Context{{"environmentSuffix", "qa"}}.
  Context(std::initializer_list<std::pair<const std::string, nlohmann::json>> values);

  void set(std::string key, nlohmann::json value, Origin origin = {}, std::optional<std::string> typed = {});
  [[nodiscard]] const Entry* find(std::string_view key) const;
  [[nodiscard]] const std::map<std::string, Entry, std::less<>>& entries() const noexcept { return entries_; }
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }

  // The sources; each throws an Error naming the source (and line) when its text is bad.
  void add_file(std::string_view text, const std::string& file);
  void add_environment(std::string_view text);
  void add_argument(std::string_view key_value);

  // Typed reads under the rules above: nullopt when the key is unset, Error
  // E501 for a wrong type, E509 outside `limits`. Each declares its key.
  [[nodiscard]] std::optional<std::string> get_string(std::string_view key, const Limits& limits = {}) const;
  [[nodiscard]] std::optional<std::int64_t> get_integer(std::string_view key, const Limits& limits = {}) const;
  [[nodiscard]] std::optional<double> get_number(std::string_view key, const Limits& limits = {}) const;
  [[nodiscard]] std::optional<bool> get_boolean(std::string_view key) const;
  [[nodiscard]] std::optional<std::vector<std::string>> get_strings(std::string_view key,
                                                                   const Limits& limits = {}) const;

  // Makes a key known (reading one does too): it is not reported as unknown
  // and is offered as the "did you mean" of a misspelt key.
  void declare(std::string_view key) const;
  [[nodiscard]] bool declared(std::string_view key) const;
  // What E510 says of `key` when it is given and nothing declares it, instead
  // of the nearest key: "a setting of variant=aurora-global".
  void hint_unknown(std::string_view key, std::string hint) const;
  // E510 for every key given in a file, CDK_CONTEXT_JSON or -c that no one
  // declared, with its hint or the nearest declared key when one is close.
  [[nodiscard]] std::vector<Diagnostic> unknown_keys() const;
  // "'key' (drsynth.json:3)": the key as typed and where its value came from.
  [[nodiscard]] std::string describe(std::string_view key) const;

 private:
  std::map<std::string, Entry, std::less<>> entries_;
  // Keys are declared while the tree is built (one thread) and by engine
  // settings declared up front, so readers never insert concurrently.
  mutable std::set<std::string, std::less<>> declared_;
  mutable std::map<std::string, std::string, std::less<>> hints_;
};

// The nearest of `candidates` to `key` by edit distance (case-insensitive,
// transpositions count 1), when it is close enough to be a misspelling.
[[nodiscard]] std::optional<std::string> nearest(std::string_view key, const std::vector<std::string>& candidates);

// ---- tables of settings ----------------------------------------------------
// A struct of settings described row by row. The parser, the error messages,
// the check of values set in code and the docs all follow from the rows.

template <class Props>
using Member = std::variant<std::string Props::*, std::optional<std::string> Props::*, int Props::*, double Props::*,
                            bool Props::*, std::vector<std::string> Props::*>;

template <class Props>
struct Setting {
  std::string_view key;    // as typed in drsynth.json and -c
  std::string_view prop;   // the member's name, for messages about props set in code
  Member<Props> member;
  Limits limits{};
  Rule rule{};
  std::string_view code{};  // for a value outside the limits; empty: the table's
  std::string_view doc{};   // one line for the docs
};

namespace detail {
// A member as a Typed value, and a Typed value into a member (int members take integers
// that fit; an empty string leaves an optional unset).
template <class Props>
[[nodiscard]] Kind kind_of(const Member<Props>& m) noexcept {
  return std::visit(
      [](auto p) {
        using T = std::remove_cvref_t<decltype(std::declval<Props&>().*p)>;
        if constexpr (std::is_same_v<T, int>) return Kind::integer;
        else if constexpr (std::is_same_v<T, double>) return Kind::number;
        else if constexpr (std::is_same_v<T, bool>) return Kind::boolean;
        else if constexpr (std::is_same_v<T, std::vector<std::string>>) return Kind::string_list;
        else return Kind::string;
      },
      m);
}
// Not inlined: inlined into a caller holding a small Props, GCC 12 warns
// (-Warray-bounds) about the alternatives of the variant the row cannot hold.
template <class Props>
[[nodiscard, gnu::noinline]] std::optional<Typed> get(const Props& props, const Member<Props>& m) {
  return std::visit(
      [&](auto p) -> std::optional<Typed> {
        const auto& v = props.*p;
        using T = std::remove_cvref_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int>) return Typed{static_cast<std::int64_t>(v)};
        else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
          if (!v) return std::nullopt;
          return Typed{*v};
        } else return Typed{v};
      },
      m);
}
template <class Props>
[[gnu::noinline]] void put(Props& props, const Member<Props>& m, Typed value) {
  std::visit(
      [&](auto p) {
        auto& out = props.*p;
        using T = std::remove_cvref_t<decltype(out)>;
        if constexpr (std::is_same_v<T, int>) out = static_cast<int>(std::get<std::int64_t>(value));
        else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
          auto& s = std::get<std::string>(value);
          if (s.empty()) out.reset();
          else out = std::move(s);
        } else out = std::move(std::get<T>(value));
      },
      m);
}
// Limits within what an int member holds.
[[nodiscard]] Limits for_int(Limits l) noexcept;
// One row of the docs table.
[[nodiscard]] std::string markdown_row(std::string_view key, Kind kind, const std::optional<Typed>& default_value,
                                       const Limits& limits, const Rule& rule, std::string_view doc);
[[nodiscard]] std::string markdown_header();
// The diagnostic for a refused setting read from the context / set in code.
[[nodiscard]] Diagnostic refused_setting(const Context& context, std::string_view key, Refusal r, std::string got);
[[nodiscard]] Diagnostic refused_prop(const std::string& path, std::string_view prop, std::string_view key, Refusal r,
                                      const Typed& got);
}  // namespace detail

template <class Props>
class Table {
 public:
  // `range_code`: the code of a value outside a row's limits when the row names none.
  Table(std::string_view range_code, std::vector<Setting<Props>> rows)
      : range_code_(range_code), rows_(std::move(rows)) {
    for (auto& r : rows_)
      if (detail::kind_of<Props>(r.member) == Kind::integer) r.limits = detail::for_int(r.limits);
  }

  [[nodiscard]] const std::vector<Setting<Props>>& rows() const noexcept { return rows_; }
  [[nodiscard]] const Setting<Props>* find(std::string_view key) const {
    for (const auto& r : rows_)
      if (r.key == key) return &r;
    return nullptr;
  }

  // Every key of the table present in `context`, read into `props`; every key
  // of the table becomes known to the context. Each bad key is one
  // Diagnostic (path "", the key as typed, its origin); all are thrown together.
  [[nodiscard]] Props read(const Context& context, Props props = {}) const {
    std::vector<Diagnostic> errors;
    for (const auto& r : rows_) {
      context.declare(r.key);
      const Entry* e = context.find(r.key);
      if (e == nullptr) continue;
      auto v = settings::read(*e, detail::kind_of<Props>(r.member), r.limits, r.rule, code(r));
      if (auto* refusal = std::get_if<Refusal>(&v))
        errors.push_back(detail::refused_setting(context, r.key, std::move(*refusal), shown(*e)));
      else
        detail::put(props, r.member, std::move(std::get<Typed>(v)));
    }
    if (!errors.empty()) throw Error(std::move(errors));
    return props;
  }

  // The values of `props` (set in code) that break a row: one Diagnostic each, at `path`.
  [[nodiscard]] std::vector<Diagnostic> check(const Props& props, const std::string& path) const {
    std::vector<Diagnostic> out;
    for (const auto& r : rows_) {
      const auto v = detail::get(props, r.member);
      if (!v) continue;
      if (auto refusal = settings::check(*v, detail::kind_of<Props>(r.member), r.limits, r.rule, code(r)))
        out.push_back(detail::refused_prop(path, r.prop, r.key, std::move(*refusal), *v));
    }
    return out;
  }

  // The Markdown table of the settings (key, type, default, accepted values,
  // meaning), defaults taken from `defaults`.
  [[nodiscard]] std::string markdown(const Props& defaults = {}) const {
    std::string out = detail::markdown_header();
    for (const auto& r : rows_)
      out += detail::markdown_row(r.key, detail::kind_of<Props>(r.member), detail::get(defaults, r.member), r.limits,
                                  r.rule, r.doc);
    return out;
  }

 private:
  [[nodiscard]] std::string_view code(const Setting<Props>& r) const { return r.code.empty() ? range_code_ : r.code; }
  std::string_view range_code_;
  std::vector<Setting<Props>> rows_;
};

}  // namespace drsynth::settings

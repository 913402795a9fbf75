// Settings text to values, hardened against bad input (internal; the fuzzer
// uses it too): not UTF-8, too large, nested too deeply, number overflow,
// invalid JSON, duplicate keys. One scanner serves drsynth.json and
// CDK_CONTEXT_JSON, so both report a problem alike, with its line; every
// problem is an Error, never a crash.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace drsynth::settings {

inline constexpr std::size_t max_file_bytes = 32 * 1024 * 1024;  // a settings file or CDK_CONTEXT_JSON
inline constexpr std::size_t max_value_bytes = 64 * 1024;        // one setting's value (JSON text)
inline constexpr int max_depth = 32;                             // nesting of [ and {

// The byte offset of the first byte that is not valid UTF-8; npos when all is valid.
[[nodiscard]] std::size_t invalid_utf8_at(std::string_view s) noexcept;
// The text with every byte that is not valid UTF-8 (and control characters)
// shown as \xNN, cut to `max` bytes: safe to print and to put into JSON.
[[nodiscard]] std::string printable(std::string_view s, std::size_t max = 80);

// The deepest nesting of [ and { outside strings, counted up to max_depth + 1.
[[nodiscard]] int nesting(std::string_view text);

// One key of a settings object with its value and where the key is.
struct SourceMember {
  std::string key;
  nlohmann::json value;
  std::size_t line = 1;
  std::size_t column = 1;
};
// The members of a settings source, a JSON object, in the order written.
// Problems throw an Error with `code` (E505 for a file, E502 for
// CDK_CONTEXT_JSON; E508 for a duplicate key) naming `name` and the line.
[[nodiscard]] std::vector<SourceMember> parse_object(std::string_view text, std::string_view code, const std::string& name);

}  // namespace drsynth::settings

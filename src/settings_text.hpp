// Settings text (drsynth.json, -c key=value, CDK_CONTEXT_JSON) to context
// values, hardened against bad input: invalid or non-UTF-8 JSON, huge values,
// deep nesting. Every problem is an Error (E502/E503/E505) naming the key and,
// for a file, file:line; never a crash. Internal header, also used by the fuzzer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "drsynth/app.hpp"

namespace drsynth::settings {

inline constexpr std::size_t max_file_bytes = 32 * 1024 * 1024;  // a settings file
inline constexpr std::size_t max_value_bytes = 64 * 1024;        // one setting's value (JSON text)
inline constexpr int max_depth = 32;                             // nesting of [ and {

// The byte offset of the first byte that is not valid UTF-8; npos when all is valid.
[[nodiscard]] std::size_t invalid_utf8_at(std::string_view s) noexcept;
// The text with every byte that is not valid UTF-8 (and control characters)
// shown as \xNN, cut to `max` bytes: safe to print and to put into JSON.
[[nodiscard]] std::string printable(std::string_view s, std::size_t max = 80);

// Parses the text of a settings file (a JSON object) into props.context and
// records "file:line" of each key in props.context_origin. Throws E505.
void load_text(std::string_view text, const std::string& file, AppProps& props);
// Parses one -c argument and sets it on the app (origin "-c"). Throws E503.
void apply_argument(std::string_view arg, App& app);

}  // namespace drsynth::settings

// AWS's rules for tags, checked in the validate phase on every construct that
// sets tags (Tags::of / set_tag) and on every resource's own tags property:
//   E410  a key of 1-128 characters, a value of at most 256, both of letters,
//         digits, spaces and _ . : / = + - @ (UTF-8); no key starting with aws:
//   E411  more than 50 tags on one resource, inherited ones included
// Non-ASCII characters: drsynth carries no Unicode tables, so it refuses the
// control, punctuation, symbol and private-use blocks and takes the rest as
// the letters and digits AWS allows.
#pragma once

#include <string>
#include <string_view>

namespace drsynth {
class App;
class Validation;
}  // namespace drsynth

namespace drsynth::internal {

inline constexpr std::size_t max_tags_per_resource = 50;

void check_tags(const App& app, Validation& v);

// Why AWS refuses the key or value; empty when it accepts it.
[[nodiscard]] std::string tag_key_problem(std::string_view key);
[[nodiscard]] std::string tag_value_problem(std::string_view value);

}  // namespace drsynth::internal

// AWS's rules for tags, checked in the validate phase:
//   E410  a key of 1-128 characters, a value of at most 256, both of letters,
//         digits, spaces and _ . : / = + - @ (UTF-8); no key starting with aws:
//   E411  more than 50 tags on one resource, inherited ones included
// check_scope_tags() checks every tag set with Tags::of / set_tag where it is
// set; CfnResource::validate checks its own tags property and the count.
// Non-ASCII characters: drsynth carries no Unicode tables, so it refuses the
// control, punctuation, symbol and private-use blocks and takes the rest as
// the letters and digits AWS allows. Not part of the public API.
#pragma once

#include <string>
#include <string_view>

namespace drsynth {
class App;
class Construct;
class Validation;
}  // namespace drsynth

namespace drsynth::detail {

inline constexpr std::size_t max_tags_per_resource = 50;

// Why AWS refuses the key or value; empty when it accepts it.
[[nodiscard]] std::string tag_key_problem(std::string_view key);
[[nodiscard]] std::string tag_value_problem(std::string_view value);

// E410 at `at` when AWS refuses the tag.
void check_tag(const Construct& at, std::string_view key, std::string_view value, Validation& v);

// Every construct's own tags (Tags::of / set_tag), on the construct that set them.
void check_scope_tags(const App& app, Validation& v);

}  // namespace drsynth::detail

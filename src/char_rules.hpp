// Hand-written equivalents of the validation regexes with bounded repeats.
//
// std::regex compiles `[...]{1,1011}` into one NFA state per repetition: the
// twelve such patterns cost ~20 M instructions to compile, 44% of a whole
// `drsynth synth` process (callgrind). Each function below states the regex it
// replaces; tests/unit/char_rules_test.cpp checks them against std::regex.
#pragma once

#include <cstddef>
#include <string_view>

namespace drsynth::internal {

constexpr bool is_lower(char c) noexcept { return c >= 'a' && c <= 'z'; }
constexpr bool is_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_letter(char c) noexcept { return is_lower(c) || is_upper(c); }
constexpr bool is_alnum(char c) noexcept { return is_letter(c) || is_digit(c); }

// ^[<in>]{min,max}$
template <class In>
constexpr bool chars_within(std::string_view s, std::size_t min, std::size_t max, In in) noexcept {
  if (s.size() < min || s.size() > max) return false;
  for (const char c : s)
    if (!in(c)) return false;
  return true;
}

// ^[a-zA-Z][<in>]{0,max_rest}$
template <class In>
constexpr bool letter_then(std::string_view s, std::size_t max_rest, In in) noexcept {
  return !s.empty() && is_letter(s[0]) && chars_within(s.substr(1), 0, max_rest, in);
}

// ^[a-zA-Z](?:-?[a-zA-Z0-9]){0,max_groups}$ : a letter first, then letters,
// digits and single hyphens, no trailing hyphen, at most max_groups letters or
// digits after the first character.
constexpr bool letter_then_single_hyphens(std::string_view s, std::size_t max_groups) noexcept {
  if (s.empty() || !is_letter(s[0])) return false;
  std::size_t groups = 0;
  bool after_hyphen = false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '-') {
      if (after_hyphen) return false;
      after_hyphen = true;
    } else if (is_alnum(c)) {
      after_hyphen = false;
      ++groups;
    } else {
      return false;
    }
  }
  return !after_hyphen && groups <= max_groups;
}

// ^[0-9]{12}$
constexpr bool is_account_id(std::string_view s) noexcept { return chars_within(s, 12, 12, is_digit); }

// ^/?[a-zA-Z0-9_.\-/]{1,1011}$ (an SSM parameter name)
constexpr bool is_ssm_parameter_name(std::string_view s) noexcept {
  auto in = [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-' || c == '/'; };
  if (!chars_within(s, 1, 1012, in)) return false;
  return s.size() <= 1011 || s[0] == '/';
}

// ^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$ (one DNS label)
constexpr bool is_dns_label(std::string_view s) noexcept {
  auto end_char = [](char c) { return is_lower(c) || is_digit(c) || c == '_'; };
  auto mid_char = [&](char c) { return end_char(c) || c == '-'; };
  return chars_within(s, 1, 63, mid_char) && end_char(s.front()) && end_char(s.back());
}

// ^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$ (an RDS window, hh:mm-hh:mm)
constexpr bool is_hh_mm_window(std::string_view s) noexcept {
  auto hh_mm = [](std::string_view t) {
    const bool hh = ((t[0] == '0' || t[0] == '1') && is_digit(t[1])) || (t[0] == '2' && t[1] >= '0' && t[1] <= '3');
    return hh && t[2] == ':' && t[3] >= '0' && t[3] <= '5' && is_digit(t[4]);
  };
  return s.size() == 11 && s[5] == '-' && hh_mm(s.substr(0, 5)) && hh_mm(s.substr(6));
}

}  // namespace drsynth::internal

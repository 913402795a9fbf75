// The character rules of names and identifiers (the regexes AWS documents,
// with bounded repeats such as `[...]{1,255}`), as plain loops: std::regex
// would build one NFA state per repetition on every start of the program.
// Each function states the regex it matches; tests/unit/char_rules_test.cpp
// checks them against std::regex.
#pragma once

#include <cstddef>
#include <string_view>

namespace drsynth::detail {

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

// ^[a-z0-9]+(-[a-z0-9]+)*$ : lower-case letters and digits, single hyphens between them
constexpr bool is_hyphenated_lower_alnum(std::string_view s) noexcept {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '-') {
      if (s[i - 1] == '-') return false;
    } else if (!is_lower(c) && !is_digit(c)) {
      return false;
    }
  }
  return true;
}

// ^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$ (a region name)
constexpr bool is_region_name(std::string_view s) noexcept {
  // -[a-z]+-[0-9]+$
  auto tail = [](std::string_view t) {
    if (t.size() < 4 || t[0] != '-') return false;
    const std::size_t dash = t.find('-', 1);
    if (dash == std::string_view::npos || dash == 1) return false;
    return chars_within(t.substr(1, dash - 1), 1, t.size(), is_lower) &&
           chars_within(t.substr(dash + 1), 1, t.size(), is_digit);
  };
  if (s.size() < 2 || !is_lower(s[0]) || !is_lower(s[1])) return false;
  const std::string_view rest = s.substr(2);
  if (tail(rest)) return true;
  if (rest.starts_with("-gov") && tail(rest.substr(4))) return true;
  if (rest.starts_with("-iso")) {
    if (tail(rest.substr(4))) return true;
    if (rest.size() > 4 && is_lower(rest[4]) && tail(rest.substr(5))) return true;
  }
  return false;
}

// ^[^@\s]+@[^@\s]+\.[^@\s]+$ (an e-mail address, loosely)
constexpr bool is_email(std::string_view s) noexcept {
  auto plain = [](char c) { return c != '@' && c != ' ' && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r'; };
  const std::size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0) return false;
  const std::string_view local = s.substr(0, at);
  const std::string_view domain = s.substr(at + 1);
  if (!chars_within(local, 1, local.size(), plain) || !chars_within(domain, 3, domain.size(), plain)) return false;
  const std::size_t dot = domain.find('.', 1);
  return dot != std::string_view::npos && dot + 1 < domain.size();
}

// ^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$ (an IAM action)
constexpr bool is_iam_action(std::string_view s) noexcept {
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  return chars_within(s.substr(0, colon), 1, s.size(), [](char c) { return is_alnum(c) || c == '-'; }) &&
         chars_within(s.substr(colon + 1), 1, s.size(), [](char c) { return is_alnum(c) || c == '*' || c == '?'; });
}

// ^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$ (a service principal)
constexpr bool is_service_principal(std::string_view s) noexcept {
  auto head = [](std::string_view h) {
    return chars_within(h, 1, h.size(), [](char c) { return is_lower(c) || is_digit(c) || c == '.' || c == '-'; });
  };
  for (const std::string_view suffix : {std::string_view(".amazonaws.com"), std::string_view(".amazonaws.com.cn")})
    if (s.size() > suffix.size() && s.ends_with(suffix) && head(s.substr(0, s.size() - suffix.size()))) return true;
  return false;
}

}  // namespace drsynth::detail

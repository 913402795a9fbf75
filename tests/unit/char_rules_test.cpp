// The hand-written validators in src/core/char_rules.hpp against the std::regex
// patterns they replace, on random strings near every length bound.
#include <catch2/catch.hpp>
#include <random>
#include <regex>
#include <string>

#include "core/char_rules.hpp"

using namespace drsynth::detail;

namespace {

template <class F>
void check_against(const char* pattern, F f, std::string_view alphabet, std::size_t max_len) {
  const std::regex re(pattern);
  std::mt19937 rng(12345);
  for (int i = 0; i < 4000; ++i) {
    // Lengths cluster around 0..8 and around the bounds.
    std::size_t len = rng() % 9;
    if (i % 3 == 1) len = max_len - 2 + rng() % 5;
    if (i % 3 == 2) len = rng() % (max_len + 3);
    std::string s;
    for (std::size_t k = 0; k < len; ++k) s.push_back(alphabet[rng() % alphabet.size()]);
    // Mostly-valid strings too: one alphabet character (the first) repeated.
    if (i % 5 == 0) s.assign(len, alphabet[0]);
    INFO(pattern << " on \"" << s << "\"");
    CHECK(f(s) == std::regex_match(s, re));
  }
}

}  // namespace

TEST_CASE("char rules match the regexes they replace") {
  const std::string_view mixed = "aZ09-_./ +=,@\n\"\x80";
  check_against("^[A-Za-z0-9_-]{1,256}$", [](std::string_view s) {
    return chars_within(s, 1, 256, [](char c) { return is_alnum(c) || c == '_' || c == '-'; });
  }, mixed, 256);
  check_against("^[a-z0-9._ -]{1,255}$", [](std::string_view s) {
    return chars_within(s, 1, 255, [](char c) { return is_lower(c) || is_digit(c) || c == '.' || c == '_' || c == ' ' || c == '-'; });
  }, "a. _-0Z/", 255);
  check_against("^[a-zA-Z](?:-?[a-zA-Z0-9]){0,62}$", [](std::string_view s) { return letter_then_single_hyphens(s, 62); },
                "a-9Z-_", 64);
  check_against("^[a-zA-Z](?:-?[a-zA-Z0-9]){0,62}$", [](std::string_view s) { return letter_then_single_hyphens(s, 62); },
                "a9", 64);
  check_against("^[a-zA-Z](?:-?[a-zA-Z0-9]){0,254}$", [](std::string_view s) { return letter_then_single_hyphens(s, 254); },
                "b-8", 256);
  check_against("^[a-zA-Z][a-zA-Z0-9_]{0,62}$", [](std::string_view s) {
    return letter_then(s, 62, [](char c) { return is_alnum(c) || c == '_'; });
  }, "a_9-", 64);
  check_against("^[0-9]{12}$", [](std::string_view s) { return is_account_id(s); }, "01a", 13);
  check_against("^/?[a-zA-Z0-9_.\\-/]{1,1011}$", [](std::string_view s) { return is_ssm_parameter_name(s); }, "/a.-_ ", 1013);
  check_against("^/?[a-zA-Z0-9_.\\-/]{1,1011}$", [](std::string_view s) { return is_ssm_parameter_name(s); }, "a/", 1013);
  check_against("^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$", [](std::string_view s) { return is_dns_label(s); }, "a-_9A.", 64);
  check_against("^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$", [](std::string_view s) { return is_dns_label(s); }, "a-", 64);
  check_against("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$",
                [](std::string_view s) { return is_hh_mm_window(s); }, "0123456789:-", 12);
  for (const char* w : {"00:00-23:59", "03:00-03:30", "19:59-20:00", "24:00-01:00", "03:60-04:00", "3:00-04:00"})
    CHECK(is_hh_mm_window(w) == std::regex_match(std::string(w), std::regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$")));
  check_against("^[a-z0-9]+(-[a-z0-9]+)*$", [](std::string_view s) { return is_hyphenated_lower_alnum(s); }, "a-9-Z", 12);
  check_against("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$", [](std::string_view s) { return is_region_name(s); },
                "eu-w1s", 14);
  for (const char* r : {"eu-west-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "us-isob-1", "us-gov-1",
                        "cn-north-1", "eu-west-", "eu--1", "e-west-1", "eu-west-1a", "us-iso-gov-1"})
    CHECK(is_region_name(r) == std::regex_match(std::string(r), std::regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$")));
  check_against("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", [](std::string_view s) { return is_email(s); }, "a@.b \t", 12);
  check_against("^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$", [](std::string_view s) { return is_iam_action(s); }, "s3:*?-_G", 12);
  check_against("^[a-z0-9.-]+\\.amazonaws\\.com(\\.cn)?$", [](std::string_view s) { return is_service_principal(s); },
                "a.", 6);
  for (const char* p : {"lambda.amazonaws.com", "rds.amazonaws.com.cn", ".amazonaws.com", "x.amazonaws.com.cn.amazonaws.com",
                        "a.amazonaws.com.cnx", "A.amazonaws.com", "a..amazonaws.com", "amazonaws.com"})
    CHECK(is_service_principal(p) == std::regex_match(std::string(p), std::regex("^[a-z0-9.-]+\\.amazonaws\\.com(\\.cn)?$")));
  check_against("^[a-zA-Z][a-zA-Z0-9_]*$", [](std::string_view s) {
    return letter_then(s, s.size(), [](char c) { return is_alnum(c) || c == '_'; });
  }, "a_9-", 10);
  check_against("^[a-zA-Z][-a-zA-Z0-9]*$", [](std::string_view s) {
    return letter_then(s, s.size(), [](char c) { return is_alnum(c) || c == '-'; });
  }, "a-9_", 10);
}

#include "core/bucket_name_rules.hpp"

#include <array>

namespace drsynth::detail {

namespace {

// S3 User Guide, "General purpose bucket naming rules".
enum class Kind { length, charset, ends, double_dot, ip_address, prefix, suffix };
struct Rule {
  Kind kind;
  std::string_view arg;  // the prefix or suffix
  std::string_view why;
};
constexpr std::array<Rule, 13> rules{{
    {Kind::length, "", "it must be 3 to 63 characters long"},
    {Kind::charset, "", "it may hold only lowercase letters, digits, dots and hyphens"},
    {Kind::ends, "", "it must begin and end with a letter or a digit"},
    {Kind::double_dot, "", "it must not hold two dots in a row"},
    {Kind::ip_address, "", "it must not look like an IP address"},
    {Kind::prefix, "xn--", "the prefix xn-- is reserved"},
    {Kind::prefix, "sthree-", "the prefix sthree- is reserved"},
    {Kind::prefix, "amzn-s3-demo-", "the prefix amzn-s3-demo- is reserved"},
    {Kind::suffix, "-s3alias", "the suffix -s3alias is reserved"},
    {Kind::suffix, "--ol-s3", "the suffix --ol-s3 is reserved"},
    {Kind::suffix, ".mrap", "the suffix .mrap is reserved"},
    {Kind::suffix, "--x-s3", "the suffix --x-s3 is reserved"},
    {Kind::suffix, "--table-s3", "the suffix --table-s3 is reserved"},
}};

bool ipv4_shaped(std::string_view s) {
  int groups = 0;
  for (std::size_t start = 0;;) {
    const auto dot = s.find('.', start);
    const auto part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || part.size() > 3 || part.find_first_not_of("0123456789") != std::string_view::npos) return false;
    ++groups;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return groups == 4;
}

bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool breaks(const Rule& r, std::string_view b) {
  switch (r.kind) {
    case Kind::length: return b.size() < 3 || b.size() > 63;
    case Kind::charset: return b.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string_view::npos;
    case Kind::ends: return b.empty() || !alnum(b.front()) || !alnum(b.back());
    case Kind::double_dot: return b.find("..") != std::string_view::npos;
    case Kind::ip_address: return ipv4_shaped(b);
    case Kind::prefix: return b.starts_with(r.arg);
    case Kind::suffix: return b.ends_with(r.arg);
  }
  return false;
}

// The same test in bash, true when the name in $1 breaks the rule. Prefixes and
// suffixes are literal ([[ == ]] with the pattern quoted).
std::string shell_test(const Rule& r) {
  switch (r.kind) {
    case Kind::length: return "(( ${#1} < 3 || ${#1} > 63 ))";
    case Kind::charset: return "[[ $1 == *[!a-z0-9.-]* ]]";
    case Kind::ends: return "[[ $1 != [a-z0-9]* || $1 != *[a-z0-9] ]]";
    case Kind::double_dot: return "[[ $1 == *..* ]]";
    case Kind::ip_address: return "[[ $1 =~ ^[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}$ ]]";
    case Kind::prefix: return "[[ $1 == '" + std::string(r.arg) + "'* ]]";
    case Kind::suffix: return "[[ $1 == *'" + std::string(r.arg) + "' ]]";
  }
  return "false";
}

}  // namespace

std::string s3_bucket_problem(std::string_view name) {
  for (const auto& r : rules)
    if (breaks(r, name)) return std::string(r.why);
  return {};
}

std::string bucket_pattern_problem(std::string_view pattern, const std::set<std::string>& regions) {
  if (regions.size() > 1 && pattern.find("{region}") == std::string_view::npos) {
    std::string list;
    for (const auto& r : regions) list += (list.empty() ? "" : ", ") + r;
    return "the stacks upload to a bucket in each of " + list +
           " (Lambda reads code only from a bucket of its own region): the name needs {region}";
  }
  return {};
}

std::string bucket_in_region(std::string name, std::string_view region) {
  for (auto at = name.find("{region}"); at != std::string::npos; at = name.find("{region}", at + region.size()))
    name.replace(at, 8, region);
  return name;
}

std::string bucket_problem_shell_function() {
  std::string f = "# S3's bucket-name rules, the same rows as drsynth deploy-plan --s3-bucket (E543).\n"
                  "drsynth_bucket_problem() {  # name: prints why it is not a valid bucket name\n";
  for (const auto& r : rules) f += "  if " + shell_test(r) + "; then echo '" + std::string(r.why) + "'; return; fi\n";
  return f + "}\n";
}

}  // namespace drsynth::detail

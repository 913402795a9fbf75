#include "drsynth/rds/engine.hpp"

#include "drsynth/rds/engine_versions.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace drsynth::rds {

namespace {
constexpr std::array<std::string_view, 13> sizes{"micro",   "small",   "medium",  "large",   "xlarge",
                                                 "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge",
                                                 "24xlarge", "32xlarge", "48xlarge"};

struct Family {
  std::string_view name;
  int min_rank;  // index into sizes
  int max_rank;
  bool memory;
  bool burstable;
  bool skips_12x = false;  // e.g. x2iedn has no 12xlarge
};

// From cfn-lint 1.51's tables for Engine postgres in us-east-1 and eu-west-1 (both).
constexpr std::array<Family, 26> families{{
    {"m5", 3, 10, false, false},     {"m5d", 3, 10, false, false},    {"m6g", 3, 9, false, false},
    {"m6gd", 3, 9, false, false},    {"m6i", 3, 11, false, false},    {"m6id", 3, 11, false, false},
    {"m6idn", 3, 11, false, false},  {"m6in", 3, 11, false, false},   {"m7g", 3, 9, false, false},
    {"m7i", 3, 12, false, false},    {"m8g", 3, 12, false, false},    {"r5", 3, 10, true, false},
    {"r5d", 3, 10, true, false},     {"r6g", 3, 9, true, false},      {"r6gd", 3, 9, true, false},
    {"r6i", 3, 11, true, false},     {"r6id", 3, 11, true, false},    {"r6idn", 3, 11, true, false},
    {"r6in", 3, 11, true, false},    {"r7g", 3, 9, true, false},      {"r7i", 3, 12, true, false},
    {"r8g", 3, 12, true, false},     {"t3", 0, 5, false, true},       {"t4g", 0, 5, false, true},
    {"x2g", 3, 9, true, false},      {"x2iedn", 4, 11, true, false, true},
}};
// Gaps inside a family's range: m7i/m8g/r7i/r8g go up to 48xlarge without a
// 32xlarge; x2iedn has no 12xlarge.
bool size_exists(const Family& f, int rank) {
  if (rank < f.min_rank || rank > f.max_rank) return false;
  const std::string_view n = f.name;
  if (rank == 11 && (n == "m7i" || n == "m8g" || n == "r7i" || n == "r8g")) return false;  // no 32xlarge
  if (rank == 8 && f.skips_12x) return false;
  return true;
}
}  // namespace

bool is_supported_postgres_version(std::string_view version) {
  const auto v = check_engine_version(Engine::postgres, version, today()).verdict;
  return v == VersionVerdict::usable || v == VersionVerdict::near_deprecation;
}

bool is_known_major(Engine e, std::string_view version) {
  const auto major = major_version(version);
  if (!major) return false;
  for (const auto& row : engine_versions(e))
    if (major_version(row.version) == major) return true;
  return false;
}

bool is_known_postgres_major(std::string_view version) { return is_known_major(Engine::postgres, version); }

std::optional<int> major_version(std::string_view version) noexcept {
  int major = 0;
  auto [p, ec] = std::from_chars(version.data(), version.data() + version.size(), major);
  if (ec != std::errc() || p == version.data()) return std::nullopt;
  return major;
}

std::string parameter_group_family(std::string_view version) {
  const auto major = major_version(version);
  if (!major || *major < 9) return {};
  return "postgres" + std::to_string(*major);
}

std::optional<InstanceClass> parse_instance_class(std::string_view instance_class) noexcept {
  if (!instance_class.starts_with("db.")) return std::nullopt;
  const std::string_view rest = instance_class.substr(3);
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view family = rest.substr(0, dot);
  const std::string_view size = rest.substr(dot + 1);
  const auto f = std::find_if(families.begin(), families.end(), [&](const Family& x) { return x.name == family; });
  const auto s = std::find(sizes.begin(), sizes.end(), size);
  if (f == families.end() || size.empty() || s == sizes.end()) return std::nullopt;
  const int rank = static_cast<int>(s - sizes.begin());
  if (!size_exists(*f, rank)) return std::nullopt;
  return InstanceClass{f->name, *s, rank, f->memory, f->burstable};
}

bool is_known_instance_class(std::string_view instance_class) noexcept {
  return parse_instance_class(instance_class).has_value();
}

bool at_least_r6g_large(std::string_view instance_class) noexcept {
  const auto c = parse_instance_class(instance_class);
  return c && c->memory_optimized && c->size_rank >= 3;
}

std::string known_instance_classes_summary() {
  std::string out = "db.<family>.<size> with family one of ";
  for (std::size_t i = 0; i < families.size(); ++i) out += (i ? "/" : "") + std::string(families[i].name);
  return out + " in a size RDS offers for it (e.g. db.r6g.large)";
}

}  // namespace drsynth::rds

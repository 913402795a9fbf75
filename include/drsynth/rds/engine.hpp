// rds::engine: the PostgreSQL versions and instance classes drsynth accepts.
//
// Versions: the table in engine_versions.hpp (RDS for PostgreSQL 15, 16, 17
// minors with their deprecation dates). Instance classes: the families
// RDS for PostgreSQL offers in every region drsynth targets (checked against
// cfn-lint's DBInstanceClass tables for us-east-1 and eu-west-1), with their
// sizes. Validation of the constructs only checks a class is known; the DR
// minimum (memory-optimized, large or larger) is at_least_r6g_large().
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace drsynth::rds {

// The newest PostgreSQL 15 minor of the table: AWS creates it (2026-12), cfn-lint
// 1.51 accepts it without W3691, and it has the longest life ahead of it.
inline constexpr std::string_view default_postgres_version = "15.17";

// In the table and created by AWS today (engine_versions.hpp: usable or near deprecation).
[[nodiscard]] bool is_supported_postgres_version(std::string_view version);
// The major version is one the table has rows for (15, 16, 17): what a parameter group needs.
[[nodiscard]] bool is_known_postgres_major(std::string_view version);
// "15.12" -> 15; nullopt when the text does not start with a number.
[[nodiscard]] std::optional<int> major_version(std::string_view version) noexcept;
// "15.12" -> "postgres15"; empty when the major version is unknown.
[[nodiscard]] std::string parameter_group_family(std::string_view version);

struct InstanceClass {
  std::string_view family;  // "r6g"
  std::string_view size;    // "large"
  int size_rank;            // micro < small < medium < large < xlarge < 2xlarge < ... < 48xlarge
  bool memory_optimized;    // r*, x*
  bool burstable;           // t*
};

// "db.r6g.large" -> {r6g, large, ...}; nullopt unless the family and size are known.
[[nodiscard]] std::optional<InstanceClass> parse_instance_class(std::string_view instance_class) noexcept;
[[nodiscard]] bool is_known_instance_class(std::string_view instance_class) noexcept;
// A memory-optimized class (r5/r5d/r6g/r6gd/r6i/r6id/r6in/r6idn/r7g/r7i/r8g/x2g/x2iedn)
// of size large or larger. "db.r6g.large" -> true, "db.m6g.2xlarge" -> false, "db.t3.micro" -> false.
[[nodiscard]] bool at_least_r6g_large(std::string_view instance_class) noexcept;
// For messages: "db.r5/r6g/... .large|xlarge|..." summary of the known families.
[[nodiscard]] std::string known_instance_classes_summary();

}  // namespace drsynth::rds

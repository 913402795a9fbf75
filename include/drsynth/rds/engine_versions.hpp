// rds::engine_versions: the engine versions drsynth accepts, as data. One table
// per engine (RDS for PostgreSQL, Aurora PostgreSQL), one row per minor version:
// the day AWS stops creating it (deprecation: no new instances or clusters from
// that day), its end of standard support, and where those dates come from.
// src/rds/engine_versions.cpp holds the rows and their sources; docs/engine-versions.md
// explains the choice of defaults and AutoMinorVersionUpgrade.
//
//   const auto c = rds::check_engine_version(rds::Engine::postgres, "15.12", rds::today());
//   // c.verdict == VersionVerdict::deprecated, c.row->deprecated_on == "2026-05-01"
//
// A version is
//   usable           in the table and AWS still creates it on `today`;
//   near_deprecation usable, but AWS stops creating it within 90 days (a warning, E970);
//   deprecated       in the table, and `today` is on or after its deprecation day (an error);
//   unknown          not in the table (an error): older minors AWS no longer creates,
//                    or newer ones drsynth has not been told about.
// The table is what drsynth knows when it is built; what a region creates on the
// day of a deployment is what `aws rds describe-db-engine-versions` says, and
// deploy.sh asks it before creating any stack.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace drsynth::rds {

enum class Engine : std::uint8_t { postgres, aurora_postgresql };

// "postgres", "aurora-postgresql": the Engine property and describe-db-engine-versions --engine.
[[nodiscard]] std::string_view engine_name(Engine e) noexcept;
// "RDS for PostgreSQL", "Aurora PostgreSQL": for messages.
[[nodiscard]] std::string_view engine_title(Engine e) noexcept;

struct EngineVersionRow {
  std::string_view version;         // "15.17"
  std::string_view deprecated_on;   // "2026-05-01": no new databases from this day; "" when none is announced
  std::string_view end_of_support;  // "2026-05-31": AWS upgrades what still runs it; "" when none is announced
  std::string_view source;          // where the row comes from (an AWS page or notice)
};

// Every row of the engine's table, oldest version first.
[[nodiscard]] std::span<const EngineVersionRow> engine_versions(Engine e) noexcept;

inline constexpr int deprecation_warning_days = 90;

enum class VersionVerdict : std::uint8_t { usable, near_deprecation, deprecated, unknown };

struct VersionCheck {
  VersionVerdict verdict = VersionVerdict::unknown;
  const EngineVersionRow* row = nullptr;  // null when unknown
  int days_left = 0;                      // near_deprecation: days until deprecated_on
};

// `today` is "YYYY-MM-DD" (see today()).
[[nodiscard]] VersionCheck check_engine_version(Engine e, std::string_view version, std::string_view today);
// The versions AWS creates on `today`, in table order: "15.13, 15.14, ..., 17.9".
[[nodiscard]] std::string usable_versions_text(Engine e, std::string_view today);
// The version's major (15 in "15.17") has rows in the table: enough for a parameter group's family.
[[nodiscard]] bool is_known_major(Engine e, std::string_view version);
// One sentence for a refused or near-deprecation version: what is wrong, the dates and the source.
[[nodiscard]] std::string version_problem(Engine e, const VersionCheck& c, std::string_view version);

// Today's date in UTC as "YYYY-MM-DD"; the environment variable DRSYNTH_TODAY
// (same form) replaces it, so tests and a build on another day can fix it.
[[nodiscard]] std::string today();
// "2026-12-07" -> days since 1970-01-01; nullopt unless a valid date of that form.
[[nodiscard]] std::optional<int> days_from_iso_date(std::string_view date) noexcept;

}  // namespace drsynth::rds

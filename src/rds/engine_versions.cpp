#include "drsynth/rds/engine_versions.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace drsynth::rds {

namespace {

// AWS's notice to RDS for PostgreSQL customers (AWS Health, 2026): "Starting May 1,
// 2026, you will not be able to create new database instances on Amazon RDS for
// PostgreSQL minor versions 14.14-14.17, 15.9-15.12, 16.5-16.8, 17.1-17.4 ... end of
// standard support on May 31, 2026 ... automatically upgrade ... to version 14.20,
// 15.15, 16.11, 17.7 (or higher)". Quoted in full at
// https://github.com/saayam-for-all/database/wiki/AWS-RDS-instances-%E2%80%90-Health-Checks;
// the dates are the RDS release calendar's
// (https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html).
constexpr std::string_view rds_notice_2026 =
    "AWS Health notice to RDS for PostgreSQL customers, 2026 (no new instances from 2026-05-01, end of standard "
    "support 2026-05-31); RDS for PostgreSQL release calendar, "
    "https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html";
// Versions RDS lists (cfn-lint 1.51's table of RDS for PostgreSQL versions, read from
// describe-db-engine-versions, data/schemas/extensions/aws_rds_dbinstance/engine_version.json)
// and that neither cfn-lint's deprecated table nor AWS's notices of 2026 name.
constexpr std::string_view rds_current =
    "RDS for PostgreSQL release calendar "
    "(https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html) and "
    "cfn-lint 1.51's engine table: created, no deprecation announced as of 2026-12";
// Aurora PostgreSQL: the versions of cfn-lint 1.51's aurora-postgresql table released
// from 2025-05 on. Aurora keeps a minor version about 12 months ("Amazon Aurora version
// support", Aurora User Guide), so the older ones cfn-lint still lists (15.8-15.12,
// 16.4-16.8, 17.4) are left out: drsynth refuses them and deploy.sh asks AWS anyway.
constexpr std::string_view aurora_current =
    "Aurora PostgreSQL release calendar "
    "(https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurorapostgresql-release-calendar.html)"
    " and cfn-lint 1.51's aurora-postgresql table: created, no deprecation announced as of 2026-12";

constexpr std::array<EngineVersionRow, 27> postgres_rows{{
    {"15.9", "2026-05-01", "2026-05-31", rds_notice_2026},
    {"15.10", "2026-05-01", "2026-05-31", rds_notice_2026},
    {"15.11", "2026-05-01", "2026-05-31", rds_notice_2026},
    {"15.12", "2026-05-01", "2026-05-31", rds_notice_2026},
    {"15.13", "", "", rds_current},
    {"15.14", "", "", rds_current},
    {"15.15", "", "", rds_current},
    {"15.16", "", "", rds_current},
    {"15.17", "", "", rds_current},
    {"16.5", "2026-05-01", "2026-05-31", rds_notice_2026},
    {"16.6", "2026-05-01", "2026-05-31", rds_notice_2026},
    {"16.7", "2026-05-01", "2026-05-31", rds_notice_2026},
    {"16.8", "2026-05-01", "2026-05-31", rds_notice_2026},
    {"16.9", "", "", rds_current},
    {"16.10", "", "", rds_current},
    {"16.11", "", "", rds_current},
    {"16.12", "", "", rds_current},
    {"16.13", "", "", rds_current},
    {"17.1", "2026-05-01", "2026-05-31", rds_notice_2026},
    {"17.2", "2026-05-01", "2026-05-31", rds_notice_2026},
    {"17.3", "2026-05-01", "2026-05-31", rds_notice_2026},
    {"17.4", "2026-05-01", "2026-05-31", rds_notice_2026},
    {"17.5", "", "", rds_current},
    {"17.6", "", "", rds_current},
    {"17.7", "", "", rds_current},
    {"17.8", "", "", rds_current},
    {"17.9", "", "", rds_current},
}};

constexpr std::array<EngineVersionRow, 12> aurora_rows{{
    {"15.13", "", "", aurora_current},
    {"15.14", "", "", aurora_current},
    {"15.15", "", "", aurora_current},
    {"15.17", "", "", aurora_current},
    {"16.9", "", "", aurora_current},
    {"16.10", "", "", aurora_current},
    {"16.11", "", "", aurora_current},
    {"16.13", "", "", aurora_current},
    {"17.5", "", "", aurora_current},
    {"17.6", "", "", aurora_current},
    {"17.7", "", "", aurora_current},
    {"17.9", "", "", aurora_current},
}};

std::span<const EngineVersionRow> rows_of(Engine e) noexcept {
  if (e == Engine::aurora_postgresql) return aurora_rows;
  return postgres_rows;
}

int two_digits(std::string_view s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

}  // namespace

std::string_view engine_name(Engine e) noexcept {
  return e == Engine::aurora_postgresql ? "aurora-postgresql" : "postgres";
}
std::string_view engine_title(Engine e) noexcept {
  return e == Engine::aurora_postgresql ? "Aurora PostgreSQL" : "RDS for PostgreSQL";
}

std::span<const EngineVersionRow> engine_versions(Engine e) noexcept { return rows_of(e); }

std::optional<int> days_from_iso_date(std::string_view d) noexcept {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (d[i] < '0' || d[i] > '9') return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year{two_digits(d.substr(0, 2)) * 100 + two_digits(d.substr(2, 2))},
                           month{static_cast<unsigned>(two_digits(d.substr(5, 2)))},
                           day{static_cast<unsigned>(two_digits(d.substr(8, 2)))}};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<int>(sys_days(ymd).time_since_epoch().count());
}

std::string today() {
  if (const char* fixed = std::getenv("DRSYNTH_TODAY"); fixed != nullptr && days_from_iso_date(fixed))
    return fixed;
  using namespace std::chrono;
  const year_month_day ymd{floor<days>(system_clock::now())};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return out;
}

VersionCheck check_engine_version(Engine e, std::string_view version, std::string_view today_date) {
  for (const auto& row : rows_of(e)) {
    if (row.version != version) continue;
    if (row.deprecated_on.empty()) return {VersionVerdict::usable, &row, 0};
    const auto now = days_from_iso_date(today_date);
    const auto until = days_from_iso_date(row.deprecated_on);
    if (!now || !until || *now >= *until) return {VersionVerdict::deprecated, &row, 0};
    const int left = *until - *now;
    if (left <= deprecation_warning_days) return {VersionVerdict::near_deprecation, &row, left};
    return {VersionVerdict::usable, &row, left};
  }
  return {};
}

std::string usable_versions_text(Engine e, std::string_view today_date) {
  std::string out;
  for (const auto& row : rows_of(e)) {
    const auto v = check_engine_version(e, row.version, today_date).verdict;
    if (v == VersionVerdict::usable || v == VersionVerdict::near_deprecation)
      out.append(out.empty() ? "" : ", ").append(row.version);
  }
  return out;
}

std::string version_problem(Engine e, const VersionCheck& c, std::string_view version) {
  const std::string what = std::string(engine_title(e)) + " " + std::string(version);
  switch (c.verdict) {
    case VersionVerdict::deprecated:
      return what + ": AWS creates no new databases on it since " + std::string(c.row->deprecated_on) +
             (c.row->end_of_support.empty() ? "" : " (end of standard support " + std::string(c.row->end_of_support) + ")") +
             "; source: " + std::string(c.row->source);
    case VersionVerdict::near_deprecation:
      return what + ": AWS stops creating databases on it on " + std::string(c.row->deprecated_on) + ", in " +
             std::to_string(c.days_left) + " days" +
             (c.row->end_of_support.empty() ? "" : " (end of standard support " + std::string(c.row->end_of_support) + ")") +
             "; source: " + std::string(c.row->source);
    case VersionVerdict::unknown:
      return what + " is not in drsynth's table of versions AWS creates (an older minor AWS no longer creates, or "
                    "not a " + std::string(engine_title(e)) + " version)";
    case VersionVerdict::usable:
      break;
  }
  return what + " is usable";
}

}  // namespace drsynth::rds

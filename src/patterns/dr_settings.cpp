// The settings of the built-in DR system, one row each: the key as typed in
// drsynth.json / -c, the prop it sets, the values it accepts and one line of
// docs. The parser, its messages, the check of props set in code and the
// settings table of docs/cli.md all follow from these rows.
//
// Adding a setting: a member in PostgresDisasterRecoveryProps, one row here,
// its use in a part builder; then regenerate the docs table
// (DRSYNTH_UPDATE_DOCS=1 build/tests/drsynth_tests "[docs]").
#include <algorithm>
#include <array>

#include "core/char_rules.hpp"
#include "drsynth/core/app.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/logs/log_group.hpp"
#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "drsynth/rds/engine_versions.hpp"
#include "ec2/cidr.hpp"
#include "patterns/dr_kit_settings.hpp"
#include "patterns/dr_names.hpp"
#include "patterns/dr_settings.hpp"
#include "patterns/setting_rules.hpp"
#include "core/settings/text.hpp"

namespace drsynth::patterns {

namespace {

using settings::Limits;
using settings::Refusal;
using settings::Rule;
using settings::Typed;
using Props = PostgresDisasterRecoveryProps;

const std::string& text(const Typed& v) { return std::get<std::string>(v); }

constexpr auto suffix = detail::suffix<codes::E801, codes::E802, detail::suffix_limit, detail::spelled>;
const std::string suffix_allowed = detail::suffix_allowed(detail::suffix_limit().max_length);
constexpr auto region = detail::region<codes::E804>;
constexpr auto witness_region = detail::region<codes::E816, true>;
constexpr auto tag_value = detail::tag_value<codes::E810>;

using detail::account;
using detail::application_cidr;
using detail::email;
using detail::log_retention;
using detail::vpc_cidr;

// The engine table (rds/engine_versions.hpp) on today's date: the refusal names
// what is wrong with the version and lists the versions that work.
const std::string versions_allowed =
    "a PostgreSQL 15, 16 or 17 minor from drsynth's table that AWS still creates "
    "([docs/engine-versions.md](engine-versions.md))";
std::optional<Refusal> engine_version(const Typed& v) {
  const std::string day = rds::today();
  const auto c = rds::check_engine_version(rds::Engine::postgres, text(v), day);
  if (c.verdict == rds::VersionVerdict::usable || c.verdict == rds::VersionVerdict::near_deprecation)
    return std::nullopt;
  return Refusal{codes::E720, "is not a PostgreSQL version AWS creates today (" +
                             rds::version_problem(rds::Engine::postgres, c, text(v)) + ")",
                 "one of " + rds::usable_versions_text(rds::Engine::postgres, day)};
}

std::optional<Refusal> instance_class(const Typed& v) {
  if (!rds::is_known_instance_class(text(v)))
    return Refusal{codes::E722, "is not a known RDS instance class", rds::known_instance_classes_summary()};
  if (!rds::at_least_r6g_large(text(v)))
    return Refusal{codes::E803, "is below the DR minimum", "db.r6g.large or larger (memory-optimized)"};
  return std::nullopt;
}
std::optional<Refusal> replica_instance_class(const Typed& v) {
  return text(v).empty() ? std::nullopt : instance_class(v);
}






// Below 3 one-minute datapoints a Multi-AZ failover (AWS: typically 60-120 s,
// 3 datapoints at the worst alignment) could promote the replica.
std::optional<Refusal> hold(const Typed& v) {
  if (std::get<std::int64_t>(v) >= 3) return std::nullopt;
  return Refusal{codes::E811, "is too short: below 3 minutes a 120 s Multi-AZ failover can fill the hold alarm", "3..15"};
}

Limits range(double min, double max) { return Limits{.min = min, .max = max}; }

constexpr std::string_view rds_promotion_doc =
    "RDS's time to promote the replica, for the budget; AWS: \"several minutes or longer, depending on the size of "
    "the read replica\" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html): "
    "measure yours";

std::vector<settings::Setting<Props>> rows() {
  std::vector<settings::Setting<Props>> rows{
          {.key = "environmentSuffix", .prop = "environment_suffix", .member = &Props::environment_suffix,
           .rule = {suffix, suffix_allowed}, .doc = "part of every stack and physical name"},
          {.key = "primaryRegion", .prop = "primary_region", .member = &Props::primary_region,
           .rule = {region, "an AWS commercial region"}, .doc = "where the primary database runs"},
          {.key = "drRegion", .prop = "dr_region", .member = &Props::dr_region,
           .rule = {region, "an AWS commercial region"},
           .doc = "where the replica and the failover machinery run; must differ from `primaryRegion`"},
          {.key = "account", .prop = "account", .member = &Props::account,
           .rule = {account, "12 digits"}, .doc = "unset renders `${AWS::AccountId}` (account-agnostic templates)"},
          {.key = "engineVersion", .prop = "engine_version", .member = &Props::engine_version,
           .rule = {engine_version, versions_allowed},
           .doc = "PostgreSQL version of both databases; the parameter groups' family follows its major"},
          {.key = "instanceClass", .prop = "instance_class", .member = &Props::instance_class,
           .rule = {instance_class, "a memory-optimized class, `large` or larger"}, .doc = "the primary's class"},
          {.key = "replicaInstanceClass", .prop = "replica_instance_class", .member = &Props::replica_instance_class,
           .rule = {replica_instance_class, "as `instanceClass`"}, .doc = "the replica's class; unset: the primary's"},
          {.key = "allocatedStorageGiB", .prop = "allocated_storage_gib", .member = &Props::allocated_storage_gib,
           .limits = range(20, 65536), .doc = "gp3 storage of the primary (RDS for PostgreSQL: 20-65,536 GiB)"},
          {.key = "customerManagedStorageKey", .prop = "customer_managed_storage_key",
           .member = &Props::customer_managed_storage_key,
           .doc = "the primary's storage under the region's customer-managed DataKey (true), or aws/rds (false: what "
                  "deployments made before this setting have; changing it replaces the primary, S007)"},
          {.key = "backupRetentionDays", .prop = "backup_retention_days", .member = &Props::backup_retention_days,
           .limits = range(7, 35), .code = codes::E806, .doc = "automated backups of the primary and of the replica"},
          {.key = "logRetentionDays", .prop = "log_retention_days", .member = &Props::log_retention_days,
           .limits = range(1, 3653), .rule = {log_retention, "a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, ... 3653)"},
           .doc = "audit and function logs"},
          {.key = "primaryVpcCidr", .prop = "primary_vpc_cidr", .member = &Props::primary_vpc_cidr,
           .rule = {vpc_cidr, "an IPv4 network /16 to /23 (two subnets of /24)"},
           .doc = "must not overlap `drVpcCidr` (they are peered)"},
          {.key = "drVpcCidr", .prop = "dr_vpc_cidr", .member = &Props::dr_vpc_cidr,
           .rule = {vpc_cidr, "an IPv4 network /16 to /23 (two subnets of /24)"},
           .doc = "the DR VPC"},
          {.key = "primaryAzIds", .prop = "primary_az_ids", .member = &Props::primary_az_ids,
           .limits = {.max_entries = 6}, .rule = {detail::zone_id, "an AZ id (use1-az1), or by-position"},
           .doc = "the primary VPC's zones by AZ id, 2 to 6 (the same physical zones in every account); unset: "
                  "drsynth's ids for the region, e.g. use1-az1,use1-az2 ([dr-design.md](dr-design.md)); "
                  "`by-position`: Fn::GetAZs positions (deployments made before this setting keep their subnets)"},
          {.key = "drAzIds", .prop = "dr_az_ids", .member = &Props::dr_az_ids,
           .limits = {.max_entries = 6}, .rule = {detail::zone_id, "an AZ id (euw1-az1), or by-position"},
           .doc = "the DR VPC's zones, as `primaryAzIds`"},
          {.key = "applicationCidrs", .prop = "application_cidrs", .member = &Props::application_cidrs,
           .limits = {.max_entries = 1000}, .rule = {application_cidr, "an IPv4 or IPv6 CIDR, not the whole internet"},
           .doc = "extra networks allowed to reach 5432 (a JSON array, or one string)"},
          {.key = "replicaLagThresholdSeconds", .prop = "replica_lag_threshold_seconds",
           .member = &Props::replica_lag_threshold_seconds, .limits = range(1, 3600), .code = codes::E808,
           .doc = "replica lag alarm"},
          {.key = "freeStorageThresholdGiB", .prop = "free_storage_threshold_gib",
           .member = &Props::free_storage_threshold_gib, .limits = {.min = 0, .max = 65536, .min_exclusive = true},
           .code = codes::E808, .doc = "free-storage alarm; below `allocatedStorageGiB`"},
          {.key = "cpuThresholdPercent", .prop = "cpu_threshold_percent", .member = &Props::cpu_threshold_percent,
           .limits = {.min = 0, .max = 100, .min_exclusive = true}, .code = codes::E808, .doc = "replica CPU alarm"},
          {.key = "alarmEmails", .prop = "alarm_emails", .member = &Props::alarm_emails,
           .rule = {email, "an e-mail address"},
           .doc = "e-mail subscriptions of the alarm topic; none is warning E815 (nobody is paged)"},
          // The health alarm has 60 s periods and counts a missing datapoint as
          // unhealthy: a probe that runs less often than every minute would
          // raise it (and fail over) between two healthy probes.
          {.key = "probeIntervalMinutes", .prop = "probe_interval_minutes", .member = &Props::probe_interval_minutes,
           .limits = range(1, 1), .code = codes::E808,
           .doc = "how often the probe connects to the primary; the health alarm's 60 s periods, with missing data "
                  "as unhealthy, need a datapoint every minute"},
          // Promotion is irreversible: see docs/dr-design.md for each choice.
          {.key = "holdMinutes", .prop = "hold_minutes", .member = &Props::hold_minutes, .limits = range(1, 15),
           .rule = {hold, "3..15"}, .code = codes::E811,
           .doc = "minutes in a row a site's probe must not see the other site as a writer before its failover "
                  "function looks for the second signal; longer than `healthAlarmPeriods`; >= 3 so a 120 s Multi-AZ "
                  "failover never promotes"},
          {.key = "probeCaBundle", .prop = "probe_ca_bundle", .member = &Props::probe_ca_bundle,
           .rule = {nullptr, "a readable PEM file (E813)"},
           .doc = "CA bundle the probe verifies the database certificate with; unset: the Amazon RDS bundle"},
          {.key = "probeAllowMd5", .prop = "probe_allow_md5", .member = &Props::probe_allow_md5,
           .doc = "let the probe answer an MD5 password challenge (off: SCRAM-SHA-256 only)"},
          {.key = "probeAllowCleartext", .prop = "probe_allow_cleartext", .member = &Props::probe_allow_cleartext,
           .doc = "let the probe send the password in cleartext (inside TLS) when the server asks"},
          {.key = "project", .prop = "project", .member = &Props::project, .limits = {.max_length = 256},
           .rule = {tag_value, "a tag value: at most 256 letters, digits, spaces and `_ . : / = + - @`"},
           .doc = "`Project` tag on everything"},
          {.key = "drTier", .prop = "dr_tier", .member = &Props::dr_tier, .limits = {.max_length = 256},
           .rule = {tag_value, "as `project`"}, .doc = "`DR-Tier` tag on everything"},
  };
  // The kit's rows with this system's codes: timing, TTL, arming, deadline, lag, ranges of the budget.
  detail::append_kit_rows(rows, {codes::E808, codes::E809, codes::E812, codes::E814, codes::E810, codes::E810,
                                 {witness_region, "`\"\"` or an AWS commercial region other than the sites' (E816)"},
                                 rds_promotion_doc, codes::E817});
  return rows;
}

}  // namespace

const settings::Table<PostgresDisasterRecoveryProps>& postgres_dr_settings() {
  static const settings::Table<Props> table(codes::E810, rows());
  return table;
}

PostgresDisasterRecoveryProps settings_from_context(const App& app) {
  return detail::read_props(app, postgres_dr_settings(), detail::check_together);
}

}  // namespace drsynth::patterns

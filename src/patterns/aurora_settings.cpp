// The settings of the Aurora Global Database system, one row each (see
// dr_settings.cpp for the pattern): the parser, its messages, the check of
// props set in code and the settings table of docs/cli.md follow from them.

#include <cmath>

#include "core/char_rules.hpp"
#include "drsynth/core/app.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/patterns/aurora_global_disaster_recovery.hpp"
#include "drsynth/rds/engine.hpp"
#include "drsynth/rds/engine_versions.hpp"
#include "ec2/cidr.hpp"
#include "patterns/aurora_names.hpp"
#include "patterns/aurora_parts.hpp"
#include "patterns/dr_kit_engines.hpp"
#include "patterns/dr_kit_settings.hpp"
#include "patterns/setting_rules.hpp"
#include "rds/aurora_class_hint.hpp"
#include "core/settings/text.hpp"

namespace drsynth::patterns {

namespace {

using settings::Limits;
using settings::Refusal;
using settings::Typed;
using Props = AuroraGlobalDisasterRecoveryProps;

const std::string& text(const Typed& v) { return std::get<std::string>(v); }

constexpr auto suffix = detail::suffix<codes::E820, codes::E820, detail::aurora_suffix_limit, detail::aurora_spelled>;
const std::string suffix_allowed = detail::suffix_allowed(detail::aurora_suffix_limit().max_length);
constexpr auto region = detail::region<codes::E821>;
constexpr auto witness_region = detail::region<codes::E832, true>;
constexpr auto tag_value = detail::tag_value<codes::E829>;

// The engine table (rds/engine_versions.hpp) on today's date: the refusal names
// what is wrong with the version and lists the versions that work.
std::optional<Refusal> engine_version(const Typed& v) {
  const std::string day = rds::today();
  const auto c = rds::check_engine_version(rds::Engine::aurora_postgresql, text(v), day);
  if (c.verdict == rds::VersionVerdict::usable || c.verdict == rds::VersionVerdict::near_deprecation)
    return std::nullopt;
  return Refusal{codes::E829, "is not an Aurora PostgreSQL version AWS creates today (" +
                             rds::version_problem(rds::Engine::aurora_postgresql, c, text(v)) + ")",
                 "one of " + rds::usable_versions_text(rds::Engine::aurora_postgresql, day)};
}

// Serverless v2 scales in steps of 0.5 ACU: 0.5000000000000001 is not one.
std::optional<Refusal> acu_steps(const Typed& v) {
  const double twice = std::get<double>(v) * 2;
  if (twice == std::floor(twice)) return std::nullopt;
  return Refusal{codes::E824, "is not a multiple of 0.5 ACU (Aurora Serverless v2 scales in steps of 0.5)",
                 "0.5, 1, 1.5, ... 256"};
}

std::optional<Refusal> instance_class(const Typed& v) {
  if (text(v) == "db.serverless") return std::nullopt;
  if (!rds::is_known_instance_class(text(v)) || !rds::at_least_r6g_large(text(v)))
    return Refusal{codes::E823, "is not an Aurora class for this system",
                   "db.serverless, or a memory-optimized class db.r6g.large or larger"};
  if (!rds::is_aurora_postgres_instance_class(text(v)))
    return Refusal{codes::E823, "is not offered for Aurora PostgreSQL", rds::detail::aurora_class_hint(text(v))};
  return std::nullopt;
}

Limits range(double min, double max) { return Limits{.min = min, .max = max}; }

constexpr std::string_view aurora_promotion_doc =
    "Aurora's time from FailoverGlobalCluster to a writer, for the budget; AWS: for Aurora Global Database \"RTO can "
    "be in the order of minutes\" (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/"
    "aurora-global-database-disaster-recovery.html): measure yours";

std::vector<settings::Setting<Props>> rows() {
  std::vector<settings::Setting<Props>> rows{
          {.key = "environmentSuffix", .prop = "environment_suffix", .member = &Props::environment_suffix,
           .rule = {suffix, suffix_allowed}, .doc = "part of every stack and physical name"},
          {.key = "primaryRegion", .prop = "primary_region", .member = &Props::primary_region,
           .rule = {region, "an AWS commercial region"}, .doc = "where the primary cluster runs"},
          {.key = "secondaryRegion", .prop = "secondary_region", .member = &Props::secondary_region,
           .rule = {region, "an AWS commercial region"}, .doc = "the secondary cluster; must differ from `primaryRegion`"},
          {.key = "account", .prop = "account", .member = &Props::account, .rule = {detail::account, "12 digits"},
           .doc = "unset renders `${AWS::AccountId}` (account-agnostic templates)"},
          {.key = "engineVersion", .prop = "engine_version", .member = &Props::engine_version,
           .rule = {engine_version, "an Aurora PostgreSQL 15, 16 or 17 minor from drsynth's table that AWS still creates "
                                   "([docs/engine-versions.md](engine-versions.md))"},
           .doc = "Aurora PostgreSQL version of the global cluster and both clusters; the parameter group family follows "
                  "its major"},
          {.key = "instanceClass", .prop = "instance_class", .member = &Props::instance_class,
           .rule = {instance_class, "`db.serverless` or a memory-optimized class, `large` or larger"},
           .doc = "db.r6g.large (document 002) or db.serverless (Serverless v2, document 004)"},
          {.key = "minCapacityAcu", .prop = "min_capacity_acu", .member = &Props::min_capacity_acu,
           .limits = range(0.5, 256), .rule = {acu_steps, "0.5..256 in steps of 0.5"}, .code = codes::E824,
           .doc = "Serverless v2 minimum (ACUs)"},
          {.key = "maxCapacityAcu", .prop = "max_capacity_acu", .member = &Props::max_capacity_acu,
           .limits = range(1, 256), .rule = {acu_steps, "1..256 in steps of 0.5"}, .code = codes::E824,
           .doc = "Serverless v2 maximum (ACUs), at least the minimum"},
          {.key = "readers", .prop = "readers", .member = &Props::readers, .limits = range(2, 15), .code = codes::E825,
           .doc = "reader instances per region, in other AZs than the writer"},
          {.key = "backupRetentionDays", .prop = "backup_retention_days", .member = &Props::backup_retention_days,
           .limits = range(7, 35), .doc = "automated backups and point-in-time recovery of both clusters"},
          {.key = "logRetentionDays", .prop = "log_retention_days", .member = &Props::log_retention_days,
           .limits = range(1, 3653),
           .rule = {detail::log_retention, "a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, ... 3653)"},
           .doc = "PostgreSQL, flow and function logs"},
          {.key = "deletionProtection", .prop = "deletion_protection", .member = &Props::deletion_protection,
           .doc = "deletion protection of the clusters and the global cluster (production); off: destroyable"},
          {.key = "primaryVpcCidr", .prop = "primary_vpc_cidr", .member = &Props::primary_vpc_cidr,
           .rule = {detail::vpc_cidr_three_azs, "an IPv4 network /16 to /22 (three subnets of /24)"},
           .doc = "must not overlap `secondaryVpcCidr`"},
          {.key = "secondaryVpcCidr", .prop = "secondary_vpc_cidr", .member = &Props::secondary_vpc_cidr,
           .rule = {detail::vpc_cidr_three_azs, "an IPv4 network /16 to /22 (three subnets of /24)"},
           .doc = "the secondary VPC"},
          {.key = "primaryAzIds", .prop = "primary_az_ids", .member = &Props::primary_az_ids,
           .limits = {.max_entries = 6}, .rule = {detail::zone_id, "an AZ id (use1-az1), or by-position"},
           .doc = "the primary VPC's zones by AZ id, 2 to 6 (the same physical zones in every account); unset: "
                  "drsynth's ids for the region, e.g. use1-az1,use1-az2,use1-az4 ([dr-design.md](dr-design.md)); "
                  "`by-position`: Fn::GetAZs positions (deployments made before this setting keep their subnets)"},
          {.key = "secondaryAzIds", .prop = "secondary_az_ids", .member = &Props::secondary_az_ids,
           .limits = {.max_entries = 6}, .rule = {detail::zone_id, "an AZ id (usw2-az1), or by-position"},
           .doc = "the secondary VPC's zones, as `primaryAzIds`"},
          {.key = "applicationCidrs", .prop = "application_cidrs", .member = &Props::application_cidrs,
           .limits = {.max_entries = 50},
           .rule = {detail::application_cidr, "an IPv4 or IPv6 CIDR, not the whole internet"},
           .doc = "the application networks allowed to reach 5432 in both regions"},
          {.key = "lagAlarmMilliseconds", .prop = "lag_alarm_milliseconds", .member = &Props::lag_alarm_milliseconds,
           .limits = range(100, 600000), .code = codes::E827, .doc = "replication lag alarm (document 004: 500 ms)"},
          {.key = "alarmEmails", .prop = "alarm_emails", .member = &Props::alarm_emails,
           .rule = {detail::email, "an e-mail address"},
           .doc = "e-mail subscriptions of both regions' event topics; none is warning E830"},
          {.key = "holdMinutes", .prop = "hold_minutes", .member = &Props::hold_minutes, .limits = range(2, 15),
           .code = codes::E828,
           .doc = "unhealthy minutes in a row before a failover function looks for the second signal; longer than "
                  "`healthAlarmPeriods`; >= 2 so Aurora's in-region failover never fails over the region"},
          {.key = "allowDetach", .prop = "allow_detach", .member = &Props::allow_detach,
           .doc = "last resort: detach and promote the secondary when the managed failover cannot start"},
          {.key = "probeCaBundle", .prop = "probe_ca_bundle", .member = &Props::probe_ca_bundle,
           .rule = {nullptr, "a readable PEM file"},
           .doc = "CA bundle the probes verify the cluster certificates with; unset: the Amazon RDS bundle"},
          {.key = "environmentTag", .prop = "environment_tag", .member = &Props::environment_tag,
           .limits = {.max_length = 256}, .rule = {tag_value, "a tag value"}, .doc = "`Environment` tag on everything"},
          {.key = "drTier", .prop = "dr_tier", .member = &Props::dr_tier, .limits = {.max_length = 256},
           .rule = {tag_value, "a tag value"}, .doc = "`DR-Tier` tag on everything"},
          {.key = "project", .prop = "project", .member = &Props::project, .limits = {.max_length = 256},
           .rule = {tag_value, "a tag value"}, .doc = "`Project` tag on everything"},
  };
  // The kit's rows with this system's codes (E828 timing, E827 lag, E826 the budget).
  detail::append_kit_rows(rows, {codes::E828, codes::E828, codes::E828, codes::E828, codes::E827, codes::E826,
                                 {witness_region, "`\"\"` or an AWS commercial region other than the sites' (E832)"},
                                 aurora_promotion_doc, codes::E833});
  return rows;
}

}  // namespace

const settings::Table<AuroraGlobalDisasterRecoveryProps>& aurora_global_settings() {
  static const settings::Table<Props> table(codes::E829, rows());
  return table;
}

namespace detail {

std::vector<Diagnostic> check_together(const AuroraGlobalDisasterRecoveryProps& p, const std::string& path,
                                       const std::function<std::string(std::string_view)>& name) {
  std::vector<Diagnostic> out;
  auto error = [&](std::string code, std::string message, std::string got, std::string expected) {
    out.push_back({code, Severity::error, path, std::move(message), std::move(got), std::move(expected)});
  };
  check_site_pair({{p.primary_region, p.secondary_region}, {p.primary_vpc_cidr, p.secondary_vpc_cidr},
                   {"primaryRegion", "secondaryRegion", "primaryVpcCidr", "secondaryVpcCidr"}, codes::E821, codes::E822, codes::E829},
                  p.probe_ca_bundle, path, name, out);
  if (p.instance_class == "db.serverless" && p.min_capacity_acu > p.max_capacity_acu)
    error(codes::E824, name("minCapacityAcu") + " is above " + name("maxCapacityAcu"),
          settings::shown(p.min_capacity_acu) + " > " + settings::shown(p.max_capacity_acu), "min <= max");
  check_kit_together(kit_settings_of(p), {p.primary_region, p.secondary_region},
                     aurora_promotion_step(p.expected_promotion_seconds),
                     {.hold = codes::E828, .witness = codes::E832, .budget = codes::E826, .lease = codes::E833}, path, name, out);
  {
    std::string got;
    if (const auto r = application_cidrs_together(p.application_cidrs, got))
      error(r->code.c_str(), name("applicationCidrs") + " " + r->message, got, r->expected);
  }
  return out;
}

}  // namespace detail

AuroraGlobalDisasterRecoveryProps aurora_settings_from_context(const App& app) {
  return detail::read_props(app, aurora_global_settings(), detail::check_together);
}

}  // namespace drsynth::patterns

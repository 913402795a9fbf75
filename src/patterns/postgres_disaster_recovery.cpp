#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "char_rules.hpp"
#include "patterns/dr_failover_path.hpp"

#include <algorithm>
#include <array>

#include "drsynth/app.hpp"
#include "drsynth/cfn_output.hpp"
#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/ec2/vpc_peering.hpp"
#include "drsynth/lambda/failover_function.hpp"
#include "drsynth/lambda/health_probe.hpp"
#include "drsynth/rds/database_instance.hpp"
#include "drsynth/rds/parameter_group.hpp"
#include "drsynth/rds/read_replica.hpp"
#include "drsynth/rds/subnet_group.hpp"
#include "drsynth/route53/health_check.hpp"
#include "drsynth/route53/private_hosted_zone.hpp"
#include "drsynth/route53/weighted_record.hpp"
#include "drsynth/secrets/database_secret.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/stack.hpp"
#include "drsynth/tags.hpp"

namespace drsynth::patterns {

namespace {

// ---- names -----------------------------------------------------------------
// Every physical name of the system, as a function of the suffix, with the
// limit AWS puts on it. Validation computes the longest suffix from this
// table, so adding a name here is all it takes to keep the check right.
struct NameRule {
  const char* what;
  const char* prefix;  // the name is prefix + suffix + tail
  const char* tail;
  std::size_t max_length;
};
constexpr std::array<NameRule, 33> name_rules{{
    {"primary stack name", "DrPrimary-", "", 128},
    {"replica stack name", "DrReplica-", "", 128},
    {"routes stack name", "DrPrimaryRoutes-", "", 128},
    {"failover stack name", "DrFailover-", "", 128},
    {"primary DB instance identifier", "postgres-primary-", "", 63},
    {"replica DB instance identifier", "postgres-replica-", "", 63},
    {"primary parameter group name", "postgres15-primary-", "", 255},
    {"replica parameter group name", "postgres15-replica-", "", 255},
    {"primary DB subnet group name", "db-subnets-primary-", "", 255},
    {"replica DB subnet group name", "db-subnets-replica-", "", 255},
    {"primary DB security group name", "db-sg-primary-", "", 255},
    {"replica DB security group name", "db-sg-replica-", "", 255},
    {"probe security group name", "probe-sg-", "", 255},
    {"secret name", "db-credentials-", "", 512},
    {"failover function name", "failover-", "", 64},
    {"probe function name", "probe-", "", 64},
    {"failover role name", "failover-role-", "", 64},
    {"probe role name", "probe-role-", "", 64},
    {"SNS topic name", "dr-alarms-", "", 256},
    {"health alarm name", "primary-down-", "", 255},
    // A DNS label is at most 63 characters: "db-<suffix>" is one.
    {"hosted zone label", "db-", "", 63},
    {"failover lock parameter", "/drsynth/", "/failover-lock", 1011},
    {"failover state parameter", "/drsynth/", "/failover-state", 1011},
    {"local probe function name", "probe-local-", "", 64},
    {"local probe role name", "probe-local-role-", "", 64},
    {"local probe security group name", "probe-local-sg-", "", 255},
    {"local health alarm name", "primary-down-local-", "", 255},
    {"hold alarm name", "primary-down-held-", "", 255},
    {"fence alarm name", "primary-fenced-", "", 255},
    {"dead-letter alarm name", "failover-dead-letters-", "", 255},
    {"dead-letter queue name", "failover-dlq-", "", 80},
    {"alarm key alias", "alias/dr-alarms-", "", 256},
    {"probe metric dimension", "postgres-dr-", "", 255},
}};

std::string name(std::string_view prefix, const std::string& suffix, std::string_view tail = "") {
  return std::string(prefix) + suffix + std::string(tail);
}

// AWS commercial regions (where RDS, Route 53 private zones and Lambda run).
constexpr std::array<std::string_view, 33> known_regions{
    "af-south-1",     "ap-east-1",      "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-south-2",     "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-7", "ca-central-1",   "ca-west-1",      "eu-central-1",   "eu-central-2",   "eu-north-1",
    "eu-south-1",     "eu-south-2",     "eu-west-1",      "eu-west-2",      "eu-west-3",      "il-central-1",
    "me-central-1",   "me-south-1",     "mx-central-1",   "sa-east-1",      "us-east-1",      "us-east-2",
    "us-west-1",      "us-west-2",      "ap-east-2"};

bool known_region(std::string_view r) {
  return std::find(known_regions.begin(), known_regions.end(), r) != known_regions.end();
}

// "10.1.0.0/16" -> (first address, prefix length); nullopt when malformed.
std::optional<std::pair<std::uint32_t, int>> parse_cidr(const std::string& cidr) {
  // ^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/(\d{1,2})$, parsed by hand (std::regex compiles slowly).
  std::size_t i = 0;
  auto number = [&](std::size_t max_digits, int& value) {
    std::size_t n = 0;
    value = 0;
    while (i < cidr.size() && n < max_digits && internal::is_digit(cidr[i])) {
      value = value * 10 + (cidr[i] - '0');
      ++i;
      ++n;
    }
    return n > 0;
  };
  std::uint32_t addr = 0;
  for (int k = 0; k < 4; ++k) {
    int octet = 0;
    if (!number(3, octet)) return std::nullopt;
    if (i >= cidr.size() || cidr[i] != (k < 3 ? '.' : '/')) return std::nullopt;
    ++i;
    if (octet > 255) return std::nullopt;
    addr = addr << 8 | static_cast<std::uint32_t>(octet);
  }
  int len = 0;
  if (!number(2, len) || i != cidr.size()) return std::nullopt;
  if (len > 32) return std::nullopt;
  return std::make_pair(addr, len);
}

bool overlaps(const std::pair<std::uint32_t, int>& a, const std::pair<std::uint32_t, int>& b) {
  const int len = std::min(a.second, b.second);
  const std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
  return (a.first & mask) == (b.first & mask);
}

}  // namespace

PostgresDisasterRecovery::PostgresDisasterRecovery(Construct& scope, std::string id, PostgresDisasterRecoveryProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  const auto& p = props_;
  const std::string& s = p.environment_suffix;
  const Environment primary_env{.region = p.primary_region, .account = p.account};
  const Environment dr_env{.region = p.dr_region, .account = p.account};
  const std::string replica_class = p.replica_instance_class.empty() ? p.instance_class : p.replica_instance_class;
  const std::string zone_name = name("db-", s, ".internal");
  cname_ = "postgres." + zone_name;

  Tags::of(*this).add("Environment", s).add("Project", p.project).add("DR-Tier", p.dr_tier).add("ManagedBy", "drsynth");

  const std::map<std::string, std::string> audit_parameters{
      {"log_statement", "all"},  // audit: every statement is logged to /aws/rds/.../postgresql
      {"rds.force_ssl", "0"},    // legacy clients without TLS (PostgreSQL 15 on RDS defaults to 1)
  };

  // ---- primary region --------------------------------------------------------
  primary_stack_ = &add<Stack>("Primary", StackProps{
      .stack_name = name("DrPrimary-", s), .env = primary_env,
      .description = "drsynth PostgreSQL DR (" + s + "): primary database in " + p.primary_region});
  // The local probe runs in this VPC without NAT, like the DR one.
  auto& primary_vpc = primary_stack_->add<ec2::Vpc>(
      "Vpc", {.cidr = p.primary_vpc_cidr,
              .name = name("vpc-primary-", s),
              .subnet_name = "db",
              .interface_endpoints = {"secretsmanager", "monitoring"}});
  auto& primary_sg = primary_stack_->add<ec2::SecurityGroup>(
      "DbSg", {.vpc = &primary_vpc, .description = "PostgreSQL primary: 5432 from the application and probe networks",
               .group_name = name("db-sg-primary-", s)});
  primary_sg.allow_from_cidr(p.primary_vpc_cidr, "applications in the primary VPC");
  primary_sg.allow_from_cidr(p.dr_vpc_cidr, "health probe in the DR VPC, over the peering");
  for (const auto& c : p.application_cidrs) primary_sg.allow_from_cidr(c, "application network");
  auto& primary_params = primary_stack_->add<rds::ParameterGroup>(
      "Params", {.engine_version = p.engine_version,
                 .description = "PostgreSQL 15 audit parameters (primary, " + s + ")",
                 .parameters = audit_parameters,
                 .name = name("postgres15-primary-", s)});
  auto& secret = primary_stack_->add<secrets::DatabaseSecret>(
      "DbSecret", {.name = name("db-credentials-", s), .replica_regions = {p.dr_region},
                   .description = "PostgreSQL master credentials (" + s + "), replicated to " + p.dr_region});
  auto& primary_subnets = primary_stack_->add<rds::SubnetGroup>(
      "DbSubnets", {.vpc = &primary_vpc, .description = "primary database subnets (" + s + ")",
                    .name = name("db-subnets-primary-", s)});
  primary_ = &primary_stack_->add<rds::DatabaseInstance>(
      "Primary", {.instance_identifier = name("postgres-primary-", s),
                  .engine_version = p.engine_version,
                  .instance_class = p.instance_class,
                  .vpc = &primary_vpc,
                  .subnet_group = &primary_subnets,
                  .security_groups = {&primary_sg},
                  .multi_az = true,
                  .allocated_storage = p.allocated_storage_gib,
                  .storage_type = "gp3",
                  .storage_encrypted = true,
                  .backup_retention_days = p.backup_retention_days,
                  .preferred_backup_window = p.primary_backup_window,
                  .deletion_protection = false,
                  .parameter_group = &primary_params,
                  .secret = &secret,
                  .log_retention_days = p.log_retention_days,
                  .monitoring_interval = 60});
  primary_stack_->add<CfnOutput>("PrimaryEndpoint", {.value = primary_->endpoint_address(),
                                                     .description = "primary endpoint (" + p.primary_region + ")"});

  // ---- DR region: replica --------------------------------------------------
  replica_stack_ = &add<Stack>("Replica", StackProps{
      .stack_name = name("DrReplica-", s), .env = dr_env,
      .description = "drsynth PostgreSQL DR (" + s + "): cross-region read replica in " + p.dr_region});
  // The probe runs in this VPC without NAT: it reaches Secrets Manager and
  // CloudWatch through interface endpoints.
  auto& dr_vpc = replica_stack_->add<ec2::Vpc>(
      "Vpc", {.cidr = p.dr_vpc_cidr,
              .name = name("vpc-replica-", s),
              .subnet_name = "db",
              .interface_endpoints = {"secretsmanager", "monitoring"}});
  auto& replica_sg = replica_stack_->add<ec2::SecurityGroup>(
      "DbSg", {.vpc = &dr_vpc, .description = "PostgreSQL replica: 5432 from the application networks",
               .group_name = name("db-sg-replica-", s)});
  replica_sg.allow_from_cidr(p.dr_vpc_cidr, "applications in the DR VPC");
  for (const auto& c : p.application_cidrs) replica_sg.allow_from_cidr(c, "application network");
  auto& replica_params = replica_stack_->add<rds::ParameterGroup>(
      "Params", {.engine_version = p.engine_version,
                 .description = "PostgreSQL 15 audit parameters (replica, " + s + ")",
                 .parameters = audit_parameters,
                 .name = name("postgres15-replica-", s)});
  auto& replica_subnets = replica_stack_->add<rds::SubnetGroup>(
      "DbSubnets", {.vpc = &dr_vpc, .description = "replica database subnets (" + s + ")",
                    .name = name("db-subnets-replica-", s)});
  replica_ = &replica_stack_->add<rds::ReadReplica>(
      "Replica", {.source = primary_,
                  .instance_identifier = name("postgres-replica-", s),
                  .instance_class = replica_class,
                  .vpc = &dr_vpc,
                  .subnet_group = &replica_subnets,
                  .security_groups = {&replica_sg},
                  .multi_az = true,
                  .backup_retention_days = p.backup_retention_days,
                  .storage_type = "gp3",
                  .parameter_group = &replica_params,
                  .log_retention_days = p.log_retention_days,
                  .monitoring_interval = 60});
  replica_stack_->add<CfnOutput>("ReplicaEndpoint", {.value = replica_->endpoint_address(),
                                                     .description = "replica endpoint (" + p.dr_region + ")"});

  // Peering: requested from the DR side, routes back in a primary-region stack.
  routes_stack_ = &add<Stack>("PrimaryRoutes", StackProps{
      .stack_name = name("DrPrimaryRoutes-", s), .env = primary_env,
      .description = "drsynth PostgreSQL DR (" + s + "): primary-side routes to the DR VPC"});
  replica_stack_->add<ec2::VpcPeering>("Peering", {.requester = &dr_vpc,
                                                   .accepter = &primary_vpc,
                                                   .accepter_routes_stack = routes_stack_,
                                                   .peer_owner_id = p.account,
                                                   .name = name("peering-", s)});

  // ---- DR region: health, routing, failover, monitoring ----------------------
  failover_stack_ = &add<Stack>("Failover", StackProps{
      .stack_name = name("DrFailover-", s), .env = dr_env,
      .description = "drsynth PostgreSQL DR (" + s + "): health checks, DNS failover and alarms in " + p.dr_region});
  auto& f = *failover_stack_;
  const detail::FailoverNames names(s);
  topic_ = &detail::add_alarm_topic(f, p, names);

  zone_ = &f.add<route53::PrivateHostedZone>(
      "Zone", {.zone_name = zone_name,
               .vpcs = {{.vpc_id = primary_vpc.vpc_id(), .region = p.primary_region},
                        {.vpc_id = dr_vpc.vpc_id(), .region = p.dr_region}},
               .comment = "PostgreSQL DR endpoint for " + s});

  const auto path = detail::add_failover_path({.props = p,
                                               .names = names,
                                               .primary_stack = *primary_stack_,
                                               .failover_stack = f,
                                               .primary_vpc = primary_vpc,
                                               .dr_vpc = dr_vpc,
                                               .primary = *primary_,
                                               .replica = *replica_,
                                               .zone = *zone_,
                                               .topic = *topic_,
                                               .cname = cname_});
  probe_ = path.probe;
  health_alarm_ = path.dr_alarm;
  failover_ = path.failover;

  // Monitoring of the replica (its metrics live in the DR region).
  const Value replica_id(replica_->instance_identifier());
  auto rds_metric = [&](std::string metric_name, std::string statistic, std::optional<std::string> unit) {
    return cloudwatch::Metric{.namespace_name = "AWS/RDS",
                              .metric_name = std::move(metric_name),
                              .dimensions = {{"DBInstanceIdentifier", replica_id}},
                              .statistic = std::move(statistic),
                              .period_seconds = 60,
                              .unit = std::move(unit)};
  };
  auto monitor = [&](const char* alarm_id, cloudwatch::AlarmProps alarm_props) {
    auto& alarm = f.add<cloudwatch::Alarm>(alarm_id, std::move(alarm_props));
    alarm.add_alarm_action(*topic_);
    alarm.add_ok_action(*topic_);
  };
  monitor("ReplicaLag", {.alarm_name = name("replica-lag-", s),
                         .description = "Replication lag above " + std::to_string(p.replica_lag_threshold_seconds) + " s",
                         .metric = rds_metric("ReplicaLag", "Maximum", "Seconds"),
                         .threshold = static_cast<double>(p.replica_lag_threshold_seconds),
                         .comparison = cloudwatch::ComparisonOperator::greater_than_threshold,
                         .evaluation_periods = 3,
                         .datapoints_to_alarm = 2,
                         .treat_missing_data = cloudwatch::TreatMissingData::breaching});
  monitor("ReplicaDisk", {.alarm_name = name("replica-storage-", s),
                          .description = "Replica free storage below the threshold",
                          .metric = rds_metric("FreeStorageSpace", "Minimum", "Bytes"),
                          .threshold = p.free_storage_threshold_gib * 1024 * 1024 * 1024,
                          .comparison = cloudwatch::ComparisonOperator::less_than_threshold,
                          .evaluation_periods = 5,
                          .treat_missing_data = cloudwatch::TreatMissingData::missing});
  monitor("ReplicaCpu", {.alarm_name = name("replica-cpu-", s),
                         .description = "Replica CPU above the threshold",
                         .metric = rds_metric("CPUUtilization", "Average", "Percent"),
                         .threshold = p.cpu_threshold_percent,
                         .comparison = cloudwatch::ComparisonOperator::greater_than_threshold,
                         .evaluation_periods = 5,
                         .treat_missing_data = cloudwatch::TreatMissingData::missing});
  monitor("ProbeErrors", {.alarm_name = name("probe-errors-", s),
                          .description = "The health probe function itself fails (errors, timeouts)",
                          .metric = {.namespace_name = "AWS/Lambda",
                                     .metric_name = "Errors",
                                     .dimensions = {{"FunctionName", Value(name("probe-", s))}},
                                     .statistic = "Sum",
                                     .period_seconds = 300,
                                     .unit = "Count"},
                          .threshold = 0,
                          .comparison = cloudwatch::ComparisonOperator::greater_than_threshold,
                          .evaluation_periods = 1,
                          .treat_missing_data = cloudwatch::TreatMissingData::not_breaching});

  f.add<CfnOutput>("DatabaseCname", {.value = Value(cname_),
                                     .description = "the name applications connect to (weighted: primary 100, replica 0)"});
  f.add<CfnOutput>("FailoverFunctionName", {.value = Value(name("failover-", s)),
                                            .description = "invoke with {\"action\": \"status\"} or {\"action\": \"failover\"}"});
}

void PostgresDisasterRecovery::validate(Validation& v) const {
  const auto& p = props_;
  const std::string& s = p.environment_suffix;
  if (!internal::is_hyphenated_lower_alnum(s)) {
    v.error("E801", *this, "environment suffix cannot be part of every physical name", "\"" + s + "\"",
            "lower-case letters and digits, single hyphens between them (^[a-z0-9]+(-[a-z0-9]+)*$)");
  }
  // The longest suffix every name can take: computed from the name table.
  const NameRule* binding = &name_rules.front();
  std::size_t max_suffix = SIZE_MAX;
  for (const auto& r : name_rules) {
    const std::size_t room = r.max_length - std::string_view(r.prefix).size() - std::string_view(r.tail).size();
    if (room < max_suffix) {
      max_suffix = room;
      binding = &r;
    }
  }
  if (s.size() > max_suffix) {
    v.error("E802", *this,
            std::string("environment suffix makes the ") + binding->what + " too long (" +
                name(binding->prefix, s, binding->tail) + ")",
            std::to_string(s.size()) + " characters", "at most " + std::to_string(max_suffix) + " characters");
  }
  if (!rds::at_least_r6g_large(p.instance_class))
    v.error("E803", *this, "primary instance class is below the DR minimum", p.instance_class,
            "db.r6g.large or larger (memory-optimized)");
  if (!p.replica_instance_class.empty() && !rds::at_least_r6g_large(p.replica_instance_class))
    v.error("E803", *this, "replica instance class is below the DR minimum", p.replica_instance_class,
            "db.r6g.large or larger (memory-optimized)");
  for (const auto* r : {&p.primary_region, &p.dr_region})
    if (!known_region(*r)) v.error("E804", *this, "unknown AWS region", "\"" + *r + "\"", "a region such as us-east-1");
  if (p.primary_region == p.dr_region)
    v.error("E804", *this, "primary and DR regions are the same: a regional outage would take both", p.dr_region,
            "two different regions");
  const auto a = parse_cidr(p.primary_vpc_cidr);
  const auto b = parse_cidr(p.dr_vpc_cidr);
  if (a && b && overlaps(*a, *b))
    v.error("E805", *this, "the primary and DR VPC CIDRs overlap, so they cannot be peered",
            p.primary_vpc_cidr + " and " + p.dr_vpc_cidr, "non-overlapping CIDRs");
  if (p.backup_retention_days < 7 || p.backup_retention_days > 35)
    v.error("E806", *this, "backup retention does not meet the DR requirement", std::to_string(p.backup_retention_days),
            "7..35 days");
  if (p.replica_lag_threshold_seconds < 1 || p.replica_lag_threshold_seconds > 3600)
    v.error("E808", *this, "replica lag threshold out of range", std::to_string(p.replica_lag_threshold_seconds),
            "1..3600 seconds");
  if (p.cpu_threshold_percent <= 0 || p.cpu_threshold_percent > 100)
    v.error("E808", *this, "CPU threshold out of range", std::to_string(p.cpu_threshold_percent), "0 < percent <= 100");
  if (p.free_storage_threshold_gib <= 0 || p.free_storage_threshold_gib >= p.allocated_storage_gib)
    v.error("E808", *this, "free-storage threshold out of range", std::to_string(p.free_storage_threshold_gib) + " GiB",
            "above 0 and below the allocated " + std::to_string(p.allocated_storage_gib) + " GiB");
  if (p.health_alarm_periods < 1 || p.health_alarm_periods > 5)
    v.error("E808", *this, "health alarm periods out of range", std::to_string(p.health_alarm_periods), "1..5");
  if (p.probe_interval_minutes < 1 || p.probe_timeout_seconds < 1 || p.probe_timeout_seconds > 30)
    v.error("E808", *this, "probe interval or timeout out of range",
            std::to_string(p.probe_interval_minutes) + " min / " + std::to_string(p.probe_timeout_seconds) + " s",
            "interval >= 1 minute, timeout 1..30 s");
  if (p.record_ttl_seconds < 0 || p.record_ttl_seconds > 60)
    v.error("E809", *this, "record TTL too long for health-checked failover", std::to_string(p.record_ttl_seconds),
            "0..60 seconds");
  detail::validate_failover_settings(*this, p, v);
}

void PostgresDisasterRecovery::summarize(std::vector<std::string>& lines) const {
  const auto b = recovery_budget(props_);
  lines.push_back("Applications connect to " + cname_ + " (primary " + props_.primary_region + ", replica " +
                  props_.dr_region + ").");
  lines.push_back("Recovery-time budget, worst case: DNS answers with the replica " + std::to_string(b.dns_seconds) +
                  " s after a primary failure; the replica is writable " +
                  std::to_string(b.writable_after_detection_seconds) + " s after detection (" +
                  std::to_string(b.promoted_seconds) + " s after the failure; objective " +
                  std::to_string(props_.recovery_time_objective_seconds) + " s):");
  lines.insert(lines.end(), b.steps.begin(), b.steps.end());
}

// ---- settings --------------------------------------------------------------

PostgresDisasterRecoveryProps settings_from_context(const App& app) {
  PostgresDisasterRecoveryProps p;
  std::vector<Diagnostic> errors;
  auto bad = [&](const std::string& key, const nlohmann::json& v, const std::string& expected) {
    std::string got = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (got.size() > 80) got = got.substr(0, 77) + "...";
    errors.push_back({"E810", Severity::error, "", "setting " + app.describe_context_key(key) + " has the wrong type or value",
                      got, expected});
  };
  auto str = [&](const std::string& key, const nlohmann::json& v, std::string& out) {
    if (const auto* typed = app.context_argument_text(key); typed != nullptr && v.is_number()) {
      out = *typed;  // "-c engineVersion=15.10" means the string "15.10"
      return;
    }
    if (!v.is_string() || v.get_ref<const std::string&>().size() > 1024) return bad(key, v, "a string");
    out = v.get<std::string>();
  };
  auto num = [&](const std::string& key, const nlohmann::json& v, auto& out) {
    using T = std::decay_t<decltype(out)>;
    if (v.is_number()) {
      const double d = v.get<double>();
      if constexpr (std::is_integral_v<T>) {
        if (d != static_cast<double>(static_cast<long long>(d)) || d < -1e9 || d > 1e9) return bad(key, v, "an integer");
      }
      out = static_cast<T>(d);
      return;
    }
    bad(key, v, std::is_integral_v<T> ? "an integer" : "a number");
  };
  auto strings = [&](const std::string& key, const nlohmann::json& v, std::vector<std::string>& out) {
    if (v.is_string()) {  // "-c applicationCidrs=10.0.0.0/8" gives one string
      out = {v.get<std::string>()};
      return;
    }
    if (!v.is_array()) return bad(key, v, "a JSON array of strings");
    out.clear();
    for (const auto& e : v) {
      if (!e.is_string()) return bad(key, v, "a JSON array of strings");
      out.push_back(e.get<std::string>());
    }
  };
  std::optional<std::string> account;
  for (const auto& [key, v] : app.all_context()) {
    if (key.find(':') != std::string::npos || key.starts_with("@aws-cdk")) continue;  // AWS CDK CLI's own keys
    if (key == "environmentSuffix") str(key, v, p.environment_suffix);
    else if (key == "primaryRegion") str(key, v, p.primary_region);
    else if (key == "drRegion") str(key, v, p.dr_region);
    else if (key == "account") {
      std::string a;
      str(key, v, a);
      if (!a.empty()) p.account = a;
    }
    else if (key == "engineVersion") str(key, v, p.engine_version);
    else if (key == "instanceClass") str(key, v, p.instance_class);
    else if (key == "replicaInstanceClass") str(key, v, p.replica_instance_class);
    else if (key == "allocatedStorageGiB") num(key, v, p.allocated_storage_gib);
    else if (key == "backupRetentionDays") num(key, v, p.backup_retention_days);
    else if (key == "logRetentionDays") num(key, v, p.log_retention_days);
    else if (key == "primaryVpcCidr") str(key, v, p.primary_vpc_cidr);
    else if (key == "drVpcCidr") str(key, v, p.dr_vpc_cidr);
    else if (key == "applicationCidrs") strings(key, v, p.application_cidrs);
    else if (key == "replicaLagThresholdSeconds") num(key, v, p.replica_lag_threshold_seconds);
    else if (key == "freeStorageThresholdGiB") num(key, v, p.free_storage_threshold_gib);
    else if (key == "cpuThresholdPercent") num(key, v, p.cpu_threshold_percent);
    else if (key == "alarmEmails") strings(key, v, p.alarm_emails);
    else if (key == "probeIntervalMinutes") num(key, v, p.probe_interval_minutes);
    else if (key == "probeTimeoutSeconds") num(key, v, p.probe_timeout_seconds);
    else if (key == "healthAlarmPeriods") num(key, v, p.health_alarm_periods);
    else if (key == "recordTtlSeconds") num(key, v, p.record_ttl_seconds);
    else if (key == "expectedPromotionSeconds") num(key, v, p.expected_promotion_seconds);
    else if (key == "recoveryTimeObjectiveSeconds") num(key, v, p.recovery_time_objective_seconds);
    else if (key == "holdMinutes") num(key, v, p.hold_minutes);
    else if (key == "armAfterHealthyMinutes") num(key, v, p.arm_after_healthy_minutes);
    else if (key == "promotionDeadlineMinutes") num(key, v, p.promotion_deadline_minutes);
    else if (key == "probeCaBundle") str(key, v, p.probe_ca_bundle);
    else if (key == "probeAllowMd5" || key == "probeAllowCleartext") {
      if (!v.is_boolean()) bad(key, v, "true or false");
      else (key == "probeAllowMd5" ? p.probe_allow_md5 : p.probe_allow_cleartext) = v.get<bool>();
    }
    else if (key == "project") str(key, v, p.project);
    else if (key == "destroyable") {  // read by the safety rules (S005), see docs/errors.md
      if (!v.is_boolean()) bad(key, v, "true or false");
    }
    else if (key == "drTier") str(key, v, p.dr_tier);
    else {
      std::string shown = nlohmann::json(key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      errors.push_back({"E810", Severity::error, "", "unknown setting " + app.describe_context_key(key), shown,
                        "one of the settings listed in docs/cli.md (e.g. environmentSuffix, primaryRegion, drRegion)"});
    }
  }
  if (!errors.empty()) throw Error(std::move(errors));
  return p;
}

void define_default_system(App& app) {
  // The seed asks for everything destroyable: let safety rule S005 hold the
  // system to it unless the settings say otherwise.
  if (app.context("destroyable") == nullptr) app.set_context("destroyable", true);
  app.add<PostgresDisasterRecovery>("DisasterRecovery", settings_from_context(app));
}

}  // namespace drsynth::patterns

#include <catch2/catch.hpp>

#include "drsynth/assertions/template.hpp"
#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/route53/health_check.hpp"
#include "drsynth/route53/private_hosted_zone.hpp"
#include "drsynth/route53/weighted_record.hpp"
#include "ops_fixture.hpp"
#include "ops_require.hpp"

using namespace drsynth;
using assertions::absent;
using assertions::Template;
using nlohmann::json;

namespace {

using ops_test::make_stack;

route53::PrivateHostedZone& make_zone(Stack& s) {
  return s.add<route53::PrivateHostedZone>(
      "Zone", route53::PrivateHostedZoneProps{.zone_name = "db-dev.internal",
                                              .vpcs = {{.vpc_id = "vpc-east", .region = "us-east-1"},
                                                       {.vpc_id = "vpc-west", .region = "eu-west-1"}},
                                              .comment = "DR"});
}

cloudwatch::Alarm& make_alarm(Stack& s, bool compatible = true) {
  return s.add<cloudwatch::Alarm>(
      "PrimaryDown",
      cloudwatch::AlarmProps{.alarm_name = "primary-down-dev",
                             .metric = {.namespace_name = "drsynth",
                                        .metric_name = "PrimaryHealthy",
                                        .dimensions = {{"System", "dr-dev"}},
                                        .statistic = "Minimum"},
                             .threshold = 1,
                             .comparison = cloudwatch::ComparisonOperator::less_than_threshold,
                             .evaluation_periods = 2,
                             .route53_compatible = compatible});
}

route53::WeightedRecordProps record(route53::PrivateHostedZone& zone, std::string set_id, int weight) {
  return {.zone = zone,
          .record_name = "postgres.db-dev.internal",
          .values = {"db.example.com"},
          .weight = weight,
          .set_identifier = std::move(set_id)};
}

}  // namespace

// ---- PrivateHostedZone ---------------------------------------------------

TEST_CASE("a private hosted zone lists the VPCs of both regions", "[route53]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& zone = make_zone(s);
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::Route53::HostedZone",
                            {{"Name", "db-dev.internal"},
                             {"VPCs", json::array({{{"VPCId", "vpc-east"}, {"VPCRegion", "us-east-1"}},
                                                   {{"VPCId", "vpc-west"}, {"VPCRegion", "eu-west-1"}}})},
                             {"HostedZoneConfig", {{"Comment", "DR"}}}});
  CHECK(t.find_resources("AWS::Route53::HostedZone") == std::vector<std::string>{"ZoneA5DE4B68"});
  CHECK(zone.hosted_zone_id() == Value::ref(zone.resource()));
  CHECK(zone.zone_name() == "db-dev.internal");
}

TEST_CASE("a private hosted zone needs a valid name and at least one VPC", "[route53]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  s.add<route53::PrivateHostedZone>("Zone", route53::PrivateHostedZoneProps{.zone_name = "bad..name"});
  s.add<route53::PrivateHostedZone>(
      "Zone2", route53::PrivateHostedZoneProps{.zone_name = "ok.internal", .vpcs = {{.vpc_id = "vpc-1"}}});
  ops_test::require_diagnostic(app, "E750", "S/Zone", "bad..name");
  ops_test::require_diagnostic(app, "E751", "S/Zone", "0 VPCs");
  ops_test::require_diagnostic(app, "E751", "S/Zone2", "vpc-1");
}

// ---- HealthCheck ---------------------------------------------------------

TEST_CASE("a CLOUDWATCH_METRIC health check follows the alarm and has no port or IP", "[route53]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& alarm = make_alarm(s);
  auto& hc = s.add<route53::HealthCheck>("PrimaryHealth", route53::cloudwatch_metric_check(alarm));
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::Route53::HealthCheck",
                            {{"HealthCheckConfig",
                              {{"Type", "CLOUDWATCH_METRIC"},
                               {"AlarmIdentifier", {{"Name", {{"Ref", "PrimaryDown8B2B63D5"}}}, {"Region", "eu-west-1"}}},
                               {"InsufficientDataHealthStatus", "Unhealthy"},
                               {"Port", absent()},
                               {"IPAddress", absent()},
                               {"FullyQualifiedDomainName", absent()}}}});
  CHECK(hc.health_check_id() == Value::ref(hc.resource()));
}

TEST_CASE("a CLOUDWATCH_METRIC health check by alarm name and region", "[route53]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  s.add<route53::HealthCheck>(
      "H", route53::HealthCheckProps{.alarm_name = "primary-down-dev",
                                     .alarm_region = "eu-west-1",
                                     .insufficient_data_health_status = route53::InsufficientDataHealthStatus::last_known_status});
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::Route53::HealthCheck",
                            {{"HealthCheckConfig",
                              {{"AlarmIdentifier", {{"Name", "primary-down-dev"}, {"Region", "eu-west-1"}}},
                               {"InsufficientDataHealthStatus", "LastKnownStatus"}}}});
}

TEST_CASE("a CLOUDWATCH_METRIC health check with Port or IPAddress is an error", "[route53]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  s.add<route53::HealthCheck>("H", route53::HealthCheckProps{.alarm_name = "a", .alarm_region = "eu-west-1",
                                                             .ip_address = "10.0.0.1", .port = 5432});
  ops_test::require_diagnostic(app, "E759", "S/H", "Port 5432");
}

TEST_CASE("a CLOUDWATCH_METRIC health check needs an alarm", "[route53]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  s.add<route53::HealthCheck>("H", route53::HealthCheckProps{});
  ops_test::require_diagnostic(app, "E752", "S/H", "no alarm");
}

TEST_CASE("the alarm a health check follows must meet Route 53's rules", "[route53]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& alarm = s.add<cloudwatch::Alarm>(
      "Fast", cloudwatch::AlarmProps{.metric = {.namespace_name = "drsynth", .metric_name = "PrimaryHealthy",
                                                .statistic = "Minimum", .period_seconds = 10},
                                     .evaluation_periods = 3,
                                     .datapoints_to_alarm = 2});
  CHECK_FALSE(alarm.route53_compatible());
  s.add<route53::HealthCheck>("H", route53::cloudwatch_metric_check(alarm));
  CHECK(alarm.route53_compatible());
  ops_test::require_diagnostic(app, "E785", "S/Fast", "10 s");
  ops_test::require_diagnostic(app, "E785", "S/Fast", "DatapointsToAlarm 2");
}

TEST_CASE("a CALCULATED health check combines child checks", "[route53]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& alarm = make_alarm(s);
  auto& a = s.add<route53::HealthCheck>("A", route53::cloudwatch_metric_check(alarm));
  s.add<route53::HealthCheck>("All", route53::calculated_check({a}, 1));
  s.add<route53::HealthCheck>("Bad", route53::calculated_check({a}, 2));
  ops_test::require_diagnostic(app, "E752", "S/Bad", "2");

  App ok({.read_environment = false});
  auto& s2 = make_stack(ok);
  auto& alarm2 = make_alarm(s2);
  auto& a2 = s2.add<route53::HealthCheck>("A", route53::cloudwatch_metric_check(alarm2));
  s2.add<route53::HealthCheck>("All", route53::calculated_check({a2}, 1));
  auto t = Template::from_app(ok, "S");
  t.has_resource_properties("AWS::Route53::HealthCheck",
                            {{"HealthCheckConfig",
                              {{"Type", "CALCULATED"},
                               {"ChildHealthChecks", json::array({{{"Ref", t.find_resources("AWS::Route53::HealthCheck",
                                                                                            {{"HealthCheckConfig", {{"Type", "CLOUDWATCH_METRIC"}}}})[0]}}})},
                               {"HealthThreshold", 1}}}});
}

TEST_CASE("an endpoint health check on a private database endpoint is refused with the probe advice", "[route53]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& db = s.add<CfnResource>("Primary", CfnResourceProps{.type = "AWS::RDS::DBInstance"});
  s.add<route53::HealthCheck>("ByAtt", route53::HealthCheckProps{.kind = route53::HealthCheckKind::tcp,
                                                                 .fully_qualified_domain_name = db.get_att("Endpoint.Address"),
                                                                 .port = 5432});
  s.add<route53::HealthCheck>("ByName", route53::HealthCheckProps{
                                            .kind = route53::HealthCheckKind::tcp,
                                            .fully_qualified_domain_name = "x.abc.us-east-1.rds.amazonaws.com",
                                            .port = 443});
  s.add<route53::HealthCheck>("ByIp", route53::HealthCheckProps{.kind = route53::HealthCheckKind::http,
                                                                .ip_address = "10.0.1.5", .port = 80});
  s.add<route53::HealthCheck>("ByPort", route53::HealthCheckProps{.kind = route53::HealthCheckKind::tcp,
                                                                  .fully_qualified_domain_name = "db.example.com",
                                                                  .port = 5432});
  s.add<route53::HealthCheck>("ByInternal", route53::HealthCheckProps{.kind = route53::HealthCheckKind::https,
                                                                      .fully_qualified_domain_name = "postgres.db-dev.internal"});
  ops_test::require_diagnostic(app, "E753", "S/ByAtt", "GetAtt(");
  ops_test::require_diagnostic(app, "E753", "S/ByName", "rds.amazonaws.com");
  ops_test::require_diagnostic(app, "E753", "S/ByIp", "10.0.1.5");
  ops_test::require_diagnostic(app, "E753", "S/ByPort", "db.example.com");
  ops_test::require_diagnostic(app, "E753", "S/ByInternal", "db-dev.internal");
  const auto ds = ops_test::synth_errors(app);
  const auto* d = ops_test::find_diagnostic(ds, "E753", "S/ByAtt");
  REQUIRE(d != nullptr);
  CHECK_THAT(d->message, Catch::Contains("cannot reach a private database endpoint") &&
                             Catch::Contains("lambda::HealthProbe") && Catch::Contains("CLOUDWATCH_METRIC"));
}

TEST_CASE("an endpoint health check on a public endpoint is allowed", "[route53]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  s.add<route53::HealthCheck>("Web", route53::HealthCheckProps{.kind = route53::HealthCheckKind::https,
                                                               .fully_qualified_domain_name = "www.example.com",
                                                               .port = 443,
                                                               .resource_path = "/health"});
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::Route53::HealthCheck",
                            {{"HealthCheckConfig", {{"Type", "HTTPS"},
                                                    {"FullyQualifiedDomainName", "www.example.com"},
                                                    {"Port", 443},
                                                    {"ResourcePath", "/health"}}}});
}

// ---- WeightedRecord ------------------------------------------------------

TEST_CASE("weighted CNAME records carry weight, set identifier, TTL and health check", "[route53]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& zone = make_zone(s);
  auto& hc = s.add<route53::HealthCheck>("PrimaryHealth", route53::cloudwatch_metric_check(make_alarm(s)));
  auto p = record(zone, "primary", 100);
  p.health_check = hc;
  s.add<route53::WeightedRecord>("PrimaryRecord", p);
  s.add<route53::WeightedRecord>("ReplicaRecord", record(zone, "replica", 0));
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::Route53::RecordSet",
                            {{"HostedZoneId", {{"Ref", "ZoneA5DE4B68"}}},
                             {"Name", "postgres.db-dev.internal"},
                             {"Type", "CNAME"},
                             {"TTL", "60"},
                             {"ResourceRecords", json::array({"db.example.com"})},
                             {"Weight", 100},
                             {"SetIdentifier", "primary"},
                             {"HealthCheckId", {{"Ref", t.find_resources("AWS::Route53::HealthCheck")[0]}}}});
  t.has_resource_properties("AWS::Route53::RecordSet",
                            {{"Weight", 0}, {"SetIdentifier", "replica"}, {"HealthCheckId", absent()}});
}

TEST_CASE("weighted record weight, set identifier and record name are validated", "[route53]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& zone = make_zone(s);
  auto p = record(zone, std::string(129, 'x'), 256);
  p.record_name = "postgres.other.internal";
  s.add<route53::WeightedRecord>("R", p);
  ops_test::require_diagnostic(app, "E754", "S/R", "postgres.other.internal");
  ops_test::require_diagnostic(app, "E755", "S/R", "256");
  ops_test::require_diagnostic(app, "E756", "S/R", "xxx");
}

TEST_CASE("a record with a health check has a TTL of at most 60 s, shared by its group", "[route53]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& zone = make_zone(s);
  auto& hc = s.add<route53::HealthCheck>("H", route53::cloudwatch_metric_check(make_alarm(s)));
  auto p = record(zone, "primary", 100);
  p.health_check = hc;
  p.ttl = 300;
  s.add<route53::WeightedRecord>("Primary", p);
  s.add<route53::WeightedRecord>("Replica", record(zone, "replica", 0));
  ops_test::require_diagnostic(app, "E757", "S/Primary", "300 s");
  ops_test::require_diagnostic(app, "E757", "S/Replica", "60");
}

TEST_CASE("a CNAME has exactly one value and set identifiers are unique in a group", "[route53]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& zone = make_zone(s);
  auto p = record(zone, "same", 100);
  p.values = {"a.example.com", "b.example.com"};
  s.add<route53::WeightedRecord>("A", p);
  s.add<route53::WeightedRecord>("B", record(zone, "same", 0));
  auto mx = record(zone, "mx", 0);
  mx.type = "MX";
  s.add<route53::WeightedRecord>("C", mx);
  ops_test::require_diagnostic(app, "E758", "S/A", "2 values");
  ops_test::require_diagnostic(app, "E756", "S/B", "same");
  ops_test::require_diagnostic(app, "E758", "S/C", "MX");
}

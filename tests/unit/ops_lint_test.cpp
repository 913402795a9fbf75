// Writes cloud assemblies that use the iam/lambda/cloudwatch/sns/route53
// constructs in several prop combinations; tests/ops_lint.cmake runs cfn-lint
// on them (zero errors, zero warnings).
#include <catch2/catch.hpp>
#include <cstdlib>

#include "drsynth/core/app.hpp"
#include "drsynth/core/cfn_output.hpp"
#include "drsynth/synth/synth.hpp"
#include "ops_fixture.hpp"

using namespace drsynth;

namespace {

void write_if_asked(const Assembly& assembly, const std::string& sub) {
  if (const char* out = std::getenv("DRSYNTH_OPS_LINT_OUT"); out != nullptr && *out != '\0') {
    write_assembly(assembly, std::filesystem::path(out) / sub);
  }
}

}  // namespace

TEST_CASE("the failover stack synthesizes and is written for cfn-lint", "[ops][lint]") {
  App app({.read_environment = false});
  (void)ops_test::build_failover_stack(app);
  const auto assembly = synthesize(app);
  REQUIRE(assembly.stacks.size() == 2);  // the failover stack and the other site's alarms
  write_if_asked(assembly, "failover");
}

TEST_CASE("other prop combinations, across regions, are written for cfn-lint", "[ops][lint]") {
  App app({.read_environment = false});
  ops_test::stub_runtime_dir();
  // A primary database in us-east-1 whose endpoint the eu-west-1 probe uses.
  auto& east = app.add<Stack>("DrPrimary-dev", StackProps{.env = {.region = "us-east-1"}});
  auto& db = east.add<CfnResource>(
      "Primary", CfnResourceProps{.type = "AWS::RDS::DBInstance",
                                  .properties = {{"DBInstanceClass", "db.r6g.large"},
                                                 {"Engine", "postgres"},
                                                 {"EngineVersion", "15.10"},
                                                 {"AllocatedStorage", "20"},
                                                 {"StorageEncrypted", true},
                                                 {"MasterUsername", "postgres"},
                                                 {"ManageMasterUserPassword", true}}});
  db.apply_removal_policy(RemovalPolicy::destroy);

  auto& west = app.add<Stack>("DrVariants-dev", StackProps{.env = {.region = "eu-west-1"}});
  auto& topic = west.add<sns::Topic>("Plain", sns::TopicProps{.kms_master_key_id = nullptr});
  auto& probe = west.add<lambda::HealthProbe>(
      "Probe", lambda::HealthProbeProps{.function_name = "probe-variant",
                                        .vpc = {.subnet_ids = {"subnet-0123456789abcdef0"},
                                                .security_group_ids = {"sg-0123456789abcdef0"}},
                                        .local = {.site = "variants", .host = db.get_att("Endpoint.Address")},
                                        .db_port = db.get_att("Endpoint.Port"),
                                        .secret = "drsynth-dev-db",
                                        .metric_namespace = "drsynth/variants",
                                        .metric_dimension_value = "variants",
                                        .probe_timeout_seconds = 7.5,
                                        .timeout_seconds = 30,
                                        .schedule = "rate(5 minutes)"});
  auto& fn = west.add<lambda::Function>(
      "Inline", lambda::FunctionProps{.function_name = "inline-variant",
                                      .runtime = "nodejs24.x",
                                      .inline_code = "exports.handler = async () => 1;\n",
                                      .timeout_seconds = 900,
                                      .memory_mb = 10240,
                                      .environment = {{"REGION", Value::pseudo(Pseudo::region)}},
                                      .reserved_concurrency = 0,
                                      .log_retention_days = 3653,
                                      .role_name = "inline-variant-role"});
  fn.add_to_role_policy({.actions = {"sns:Publish"}, .resources = {topic.topic_arn()}});
  auto m = probe.latency_metric("variants");
  m.statistic = "p99";
  auto& slow = west.add<cloudwatch::Alarm>(
      "Slow", cloudwatch::AlarmProps{.metric = m,
                                     .threshold = 2500.5,
                                     .comparison = cloudwatch::ComparisonOperator::greater_than_or_equal_to_threshold,
                                     .evaluation_periods = 5,
                                     .datapoints_to_alarm = 2,
                                     .treat_missing_data = cloudwatch::TreatMissingData::ignore});
  slow.add_alarm_action(fn);
  slow.add_ok_action(topic);
  auto& down = west.add<cloudwatch::Alarm>(
      "Down", cloudwatch::AlarmProps{.metric = probe.writer_metric("variants"),
                                     .threshold = 1,
                                     .comparison = cloudwatch::ComparisonOperator::less_than_threshold,
                                     .route53_compatible = true});
  down.add_alarm_action(fn);
  auto& hc = west.add<route53::HealthCheck>(
      "Health", route53::cloudwatch_metric_check(down, route53::InsufficientDataHealthStatus::healthy));
  auto& web = west.add<route53::HealthCheck>(
      "Web", route53::HealthCheckProps{.kind = route53::HealthCheckKind::https,
                                       .fully_qualified_domain_name = "www.example.com",
                                       .port = 443,
                                       .resource_path = "/health",
                                       .request_interval = 10});
  auto& all = west.add<route53::HealthCheck>("All", route53::calculated_check({hc, web}, 2));
  auto& zone = west.add<route53::PrivateHostedZone>(
      "Zone", route53::PrivateHostedZoneProps{.zone_name = "variants.internal.",
                                              .vpcs = {{.vpc_id = "vpc-0123456789abcdef0", .region = "eu-west-1"}}});
  west.add<route53::WeightedRecord>("A", route53::WeightedRecordProps{.zone = zone,
                                                                      .record_name = "db.variants.internal.",
                                                                      .values = {db.get_att("Endpoint.Address")},
                                                                      .weight = 255,
                                                                      .set_identifier = "a",
                                                                      .ttl = 30,
                                                                      .health_check = all});
  west.add<route53::WeightedRecord>("B", route53::WeightedRecordProps{.zone = zone,
                                                                      .record_name = "db.variants.internal",
                                                                      .values = {"replica.example.com"},
                                                                      .set_identifier = "b",
                                                                      .ttl = 30});
  west.add<CfnOutput>("Cname", CfnOutputProps{.value = "db.variants.internal"});

  const auto assembly = synthesize(app);
  REQUIRE(assembly.stacks.size() == 2);
  write_if_asked(assembly, "variants");
}

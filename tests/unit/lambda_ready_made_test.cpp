// The ready-made functions: the health probe and the failover function
// (iam_lambda_test.cpp has roles and plain functions).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <memory>

#include "drsynth/asset.hpp"
#include "drsynth/assertions.hpp"
#include "drsynth/iam/role.hpp"
#include "drsynth/lambda/failover_function.hpp"
#include "drsynth/lambda/function.hpp"
#include "drsynth/lambda/health_probe.hpp"
#include "ops_fixture.hpp"

using namespace drsynth;
using assertions::absent;
using assertions::array_with;
using assertions::Template;
using nlohmann::json;


// ---- HealthProbe ---------------------------------------------------------

TEST_CASE("the health probe runs in the VPC with the runtime's environment contract", "[lambda][probe]") {
  App app({.read_environment = false});
  auto f = ops_test::build_failover_stack(app);
  auto t = Template::from_app(app, "DrFailover-dev");
  t.has_resource_properties(
      "AWS::Lambda::Function",
      {{"FunctionName", "probe-dev"},
       {"Timeout", 20},
       {"VpcConfig", assertions::any_value()},
       {"Code", {{"S3Key", f.probe->asset()->zip_name()}}},
       {"Environment",
        {{"Variables",
          {{"DB_HOST", "drsynth-dev-primary.abcdefghij.us-east-1.rds.amazonaws.com"},
           {"DB_PORT", "5432"},
           {"DB_NAME", "postgres"},
           {"DB_SECRET_ID", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:drsynth-dev-db-AbCdEf"},
           {"SECRET_REGION", "eu-west-1"},
           {"METRIC_NAMESPACE", "drsynth"},
           {"METRIC_DIMENSION_NAME", "System"},
           {"METRIC_DIMENSION_VALUE", "dr-dev"},
           {"PROBE_TIMEOUT_SECONDS", "5"}}}}}});
  CHECK(f.probe->asset()->source() == ops_test::stub_runtime_dir() / "probe");
}

TEST_CASE("the health probe may read the secret and put metrics in its namespace only", "[lambda][probe]") {
  App app({.read_environment = false});
  (void)ops_test::build_failover_stack(app);
  auto t = Template::from_app(app, "DrFailover-dev");
  const auto& p = t.resource("ProbeServiceRoleDefaultPolicyB8AA858C");
  CHECK(p["Properties"]["PolicyDocument"]["Statement"] ==
        json::array({{{"Effect", "Allow"},
                      {"Action", "secretsmanager:GetSecretValue"},
                      {"Resource", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:drsynth-dev-db-AbCdEf"}},
                     {{"Effect", "Allow"},
                      {"Action", "cloudwatch:PutMetricData"},
                      {"Resource", "*"},
                      {"Condition", {{"StringEquals", {{"cloudwatch:namespace", "drsynth"}}}}}}}));
}

TEST_CASE("the health probe runs every minute from an EventBridge rule", "[lambda][probe]") {
  App app({.read_environment = false});
  (void)ops_test::build_failover_stack(app);
  auto t = Template::from_app(app, "DrFailover-dev");
  t.has_resource_properties("AWS::Events::Rule",
                            {{"ScheduleExpression", "rate(1 minute)"},
                             {"State", "ENABLED"},
                             {"Targets", json::array({{{"Arn", {{"Fn::GetAtt", {"ProbeB22986FB", "Arn"}}}}, {"Id", "Target0"}}})}});
  // The probe's rule; the other one is the failover function's reconcile schedule.
  const auto rules = t.find_resources("AWS::Events::Rule", {{"Description", "Runs the database health probe"}});
  REQUIRE(rules.size() == 1);
  t.resource_count_is("AWS::Events::Rule", 2);
  t.has_resource_properties("AWS::Lambda::Permission",
                            {{"Principal", "events.amazonaws.com"},
                             {"FunctionName", {{"Fn::GetAtt", {"ProbeB22986FB", "Arn"}}}},
                             {"SourceArn", {{"Fn::GetAtt", {rules[0], "Arn"}}}}});
}

TEST_CASE("the health probe's healthy metric is PrimaryHealthy, Minimum over 60 s", "[lambda][probe]") {
  App app({.read_environment = false});
  auto f = ops_test::build_failover_stack(app);
  const auto m = f.probe->healthy_metric();
  CHECK(m.namespace_name == "drsynth");
  CHECK(m.metric_name == "PrimaryHealthy");
  CHECK(m.statistic == "Minimum");
  CHECK(m.period_seconds == 60);
  REQUIRE(m.dimensions.count("System") == 1);
  CHECK(m.dimensions.at("System") == Value("dr-dev"));
}

TEST_CASE("a secret given by name is granted by its ARN pattern", "[lambda][probe]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  s.add<lambda::HealthProbe>("Probe", lambda::HealthProbeProps{.function_name = "p",
                                                               .vpc = {.subnet_ids = {"subnet-1"}, .security_group_ids = {"sg-1"}},
                                                               .db_host = "db.example.com",
                                                               .secret = "drsynth-dev-db",
                                                               .metric_dimension_value = "dr-dev"});
  auto t = Template::from_app(app, "S");
  t.has_resource_properties(
      "AWS::IAM::Policy",
      {{"PolicyDocument",
        {{"Statement",
          array_with({{{"Resource",
                        {{"Fn::Sub",
                          "arn:${AWS::Partition}:secretsmanager:eu-west-1:${AWS::AccountId}:secret:drsynth-dev-db-??????"}}}}})}}}});
}

TEST_CASE("bad health probe props are reported", "[lambda][probe]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  s.add<lambda::HealthProbe>("Probe", lambda::HealthProbeProps{.function_name = "p",
                                                               .metric_namespace = "AWS/RDS",
                                                               .probe_timeout_seconds = 15,
                                                               .timeout_seconds = 20,
                                                               .schedule = "rate(1 minutes)"});
  const auto ds = ops_test::synth_errors(app);
  int e769 = 0;
  for (const auto& d : ds) e769 += (d.code == "E769" && d.path == "S/Probe") ? 1 : 0;
  CHECK(e769 == 6);  // db_host, secret, dimension, namespace, VPC, timeout
  ops_test::require_error(app, "E789", "S/Probe/Schedule", "rate(1 minutes)");
}

// ---- FailoverFunction ----------------------------------------------------

TEST_CASE("the failover function has no VPC, 300 s, no reserved concurrency and the runtime's environment", "[lambda][failover]") {
  App app({.read_environment = false});
  auto f = ops_test::build_failover_stack(app);
  auto t = Template::from_app(app, "DrFailover-dev");
  t.has_resource_properties("AWS::Lambda::Function",
                            {{"FunctionName", "failover-dev"},
                             {"Timeout", 300},
                             // a reservation fails the stack in accounts with a low quota; the lock serializes
                             {"ReservedConcurrentExecutions", absent()},
                             {"VpcConfig", absent()},
                             {"Environment",
                              {{"Variables",
                                {{"PRIMARY_INSTANCE_ID", "drsynth-dev-primary"},
                                 {"PRIMARY_REGION", "us-east-1"},
                                 {"REPLICA_INSTANCE_ID", "drsynth-dev-replica"},
                                 {"REPLICA_REGION", "eu-west-1"},
                                 {"HOSTED_ZONE_ID", {{"Ref", "ZoneA5DE4B68"}}},
                                 {"RECORD_NAME", "postgres.db-dev.internal"},
                                 {"RECORD_TTL", "60"},
                                 {"PRIMARY_SET_IDENTIFIER", "primary"},
                                 {"REPLICA_SET_IDENTIFIER", "replica"},
                                 {"PRIMARY_ENDPOINT", assertions::any_value()},
                                 {"REPLICA_ENDPOINT", assertions::any_value()},
                                 {"TOPIC_ARN", {{"Ref", "Alarms04B5A0BF"}}},
                                 {"HOLD_ALARM_NAME", "primary-down-dev"},
                                 {"BACKUP_RETENTION_DAYS", "7"},
                                 {"LOCK_PARAMETER", "/drsynth/dev/failover-lock"},
                                 {"STATE_PARAMETER", "/drsynth/dev/failover-state"},
                                 {"ARM_AFTER_HEALTHY_DATAPOINTS", "5"},
                                 {"PROMOTION_DEADLINE_SECONDS", "1800"},
                                 {"METRIC_NAMESPACE", "drsynth"},
                                 {"METRIC_DIMENSION_NAME", "System"},
                                 {"METRIC_DIMENSION_VALUE", "dr-dev"}}}}}});
  CHECK(f.failover->asset()->source() == ops_test::stub_runtime_dir() / "failover");
}

TEST_CASE("the failover function's policy is exactly what the runtime needs", "[lambda][failover]") {
  App app({.read_environment = false});
  (void)ops_test::build_failover_stack(app);
  auto t = Template::from_app(app, "DrFailover-dev");
  const auto& p = t.resource("FailoverServiceRoleDefaultPolicyA7DB86C4");
  const auto arn = [](const std::string& s) { return json{{"Fn::Sub", s}}; };
  CHECK(p["Properties"]["PolicyDocument"]["Statement"] ==
        json::array({
            {{"Effect", "Allow"},
             {"Action", {"rds:PromoteReadReplica", "rds:DescribeDBInstances"}},
             {"Resource", arn("arn:${AWS::Partition}:rds:eu-west-1:${AWS::AccountId}:db:drsynth-dev-replica")}},
            {{"Effect", "Allow"},
             {"Action", "rds:DescribeDBInstances"},
             {"Resource", arn("arn:${AWS::Partition}:rds:us-east-1:${AWS::AccountId}:db:drsynth-dev-primary")}},
            {{"Effect", "Allow"},
             {"Action", {"route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"}},
             {"Resource",
              {{"Fn::Sub", json::array({"arn:${AWS::Partition}:route53:::hostedzone/${ZoneId}",
                                        {{"ZoneId", {{"Ref", "ZoneA5DE4B68"}}}}})}}}},
            {{"Effect", "Allow"}, {"Action", "sns:Publish"}, {"Resource", {{"Ref", "Alarms04B5A0BF"}}}},
            {{"Effect", "Allow"},
             {"Action", "cloudwatch:DescribeAlarms"},
             {"Resource", arn("arn:${AWS::Partition}:cloudwatch:eu-west-1:${AWS::AccountId}:alarm:primary-down-dev")}},
            {{"Effect", "Allow"}, {"Action", "cloudwatch:GetMetricStatistics"}, {"Resource", "*"}},
            {{"Effect", "Allow"},
             {"Action", "cloudwatch:PutMetricData"},
             {"Resource", "*"},
             {"Condition", {{"StringEquals", {{"cloudwatch:namespace", "drsynth"}}}}}},
            {{"Effect", "Allow"},
             {"Action", {"ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"}},
             {"Resource",
              {arn("arn:${AWS::Partition}:ssm:eu-west-1:${AWS::AccountId}:parameter/drsynth/dev/failover-lock"),
               arn("arn:${AWS::Partition}:ssm:eu-west-1:${AWS::AccountId}:parameter/drsynth/dev/failover-state")}}},
        }));
  t.has_resource_properties("AWS::IAM::Role",
                            {{"ManagedPolicyArns",
                              json::array({{{"Fn::Sub",
                                             "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}}})}});
}

TEST_CASE("the failover function's logical IDs match aws-cdk-lib", "[lambda][failover]") {
  App app({.read_environment = false});
  (void)ops_test::build_failover_stack(app);
  auto t = Template::from_app(app, "DrFailover-dev");
  for (const char* id : {"FailoverD9C2D932", "FailoverServiceRole399965DC", "FailoverServiceRoleDefaultPolicyA7DB86C4",
                         "FailoverAlarmPermissionA6E92349", "ProbeB22986FB", "ProbeServiceRoleAC50DCE4",
                         "PrimaryDown8B2B63D5", "ZoneA5DE4B68", "Alarms04B5A0BF", "ReplicaLag841A2336"}) {
    INFO(id);
    CHECK_NOTHROW(t.resource(id));
  }
}

TEST_CASE("a failover function with missing props reports each one", "[lambda][failover]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  s.add<lambda::FailoverFunction>("Failover", lambda::FailoverFunctionProps{.function_name = "failover-dev",
                                                                            .lock_parameter = "aws-lock"});
  const auto ds = ops_test::synth_errors(app);
  int e769 = 0;
  for (const auto& d : ds) e769 += (d.code == "E769" && d.path == "S/Failover") ? 1 : 0;
  CHECK(e769 == 13);  // 12 missing props (with the state parameter and metric dimension) + the lock name
}

TEST_CASE("a failover function cannot refer to an unnamed health alarm that invokes it", "[lambda][failover]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  auto& alarm = s.add<cloudwatch::Alarm>(
      "Down", cloudwatch::AlarmProps{.metric = {.namespace_name = "drsynth", .metric_name = "PrimaryHealthy"}});
  s.add<lambda::FailoverFunction>("Failover", lambda::FailoverFunctionProps{.health_alarm_name = alarm.alarm_name()});
  ops_test::require_error(app, "E769", "S/Failover", "Ref(");
}

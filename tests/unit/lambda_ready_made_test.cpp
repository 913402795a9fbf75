// The ready-made functions: the health probe, the failover function and the
// witness (iam_lambda_test.cpp has roles and plain functions).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <memory>

#include "drsynth/core/asset.hpp"
#include "drsynth/assertions/template.hpp"
#include "drsynth/iam/role.hpp"
#include "drsynth/lambda/failover_function.hpp"
#include "drsynth/lambda/function.hpp"
#include "drsynth/lambda/health_probe.hpp"
#include "drsynth/lambda/witness_function.hpp"
#include "lambda/contract.hpp"
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
          {{"LOCAL_SITE", "replica"},
           {"LOCAL_DB_HOST", "drsynth-dev-replica.abcdefghij.eu-west-1.rds.amazonaws.com"},
           {"REMOTE_SITE", "primary"},
           {"REMOTE_DB_HOST", "drsynth-dev-primary.abcdefghij.us-east-1.rds.amazonaws.com"},
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
                     // a probe fault carries the last Writer value forward: it reads it back
                     {{"Effect", "Allow"}, {"Action", "cloudwatch:GetMetricStatistics"}, {"Resource", "*"}},
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

TEST_CASE("the health probe's metrics: Writer per site (Minimum over 60 s) and its own ProbeFault", "[lambda][probe]") {
  App app({.read_environment = false});
  auto f = ops_test::build_failover_stack(app);
  const auto m = f.probe->writer_metric("primary");
  CHECK(m.namespace_name == "drsynth");
  CHECK(m.metric_name == "Writer");
  CHECK(m.statistic == "Minimum");
  CHECK(m.period_seconds == 60);
  REQUIRE(m.dimensions.count("System") == 1);
  CHECK(m.dimensions.at("System") == Value("dr-dev"));
  CHECK(m.dimensions.at("Site") == Value("primary"));
  const auto fault = f.probe->fault_metric();
  CHECK(fault.metric_name == "ProbeFault");
  CHECK(fault.statistic == "Maximum");
  CHECK(fault.dimensions.at("Probe") == Value("replica"));  // its own site
  CHECK(f.probe->latency_metric("primary").dimensions.at("Site") == Value("primary"));
}

TEST_CASE("a secret given by name is granted by its ARN pattern", "[lambda][probe]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  s.add<lambda::HealthProbe>("Probe", lambda::HealthProbeProps{.function_name = "p",
                                                               .vpc = {.subnet_ids = {"subnet-1"}, .security_group_ids = {"sg-1"}},
                                                               .local = {.site = "a", .host = "db.example.com"},
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
  // site and host, secret, dimension, namespace, VPC, timeout; the contract
  // requires LOCAL_SITE, LOCAL_DB_HOST, DB_SECRET_ID and METRIC_DIMENSION_VALUE
  CHECK(e769 == 10);
  ops_test::require_error(app, "E789", "S/Probe/Schedule", "rate(1 minutes)");
}

// ---- FailoverFunction ----------------------------------------------------

TEST_CASE("the failover function has no VPC, 300 s, the reserved concurrency asked and the contract's environment",
          "[lambda][failover]") {
  App app({.read_environment = false});
  auto f = ops_test::build_failover_stack(app);
  auto t = Template::from_app(app, "DrFailover-dev");
  // The logical ID of the health check whose construct id is `id`.
  const auto check = [&](const std::string& id) {
    for (const auto& r : t.find_resources("AWS::Route53::HealthCheck"))
      if (r.starts_with(id) && r.size() == id.size() + 8) return r;
    return std::string("none: ") + id;
  };
  t.has_resource_properties(
      "AWS::Lambda::Function",
      {{"FunctionName", "failover-dev"},
       {"Timeout", 300},
       {"ReservedConcurrentExecutions", absent()},  // none asked
       {"VpcConfig", absent()},
       {"DeadLetterConfig", absent()},
       {"Environment",
        {{"Variables",
          {{"ENGINE", "rds"},
           {"LOCAL_REGION", "eu-west-1"},
           {"REMOTE_REGION", "us-east-1"},
           {"LOCAL_SITE", "replica"},
           {"REMOTE_SITE", "primary"},
           {"LOCAL_DB_ID", "drsynth-dev-replica"},
           {"LOCAL_DB_ARN", "arn:aws:rds:eu-west-1:123456789012:db:drsynth-dev-replica"},
           {"REMOTE_DB_ID", "drsynth-dev-primary"},
           {"REMOTE_DB_ARN", "arn:aws:rds:us-east-1:123456789012:db:drsynth-dev-primary"},
           {"HOSTED_ZONE_ID", {{"Ref", "ZoneA5DE4B68"}}},
           {"RECORD_NAME", "postgres.db-dev.internal"},
           {"RECORD_TTL", "60"},
           {"LOCAL_ENDPOINT", assertions::any_value()},
           {"REMOTE_ENDPOINT", assertions::any_value()},
           {"LOCAL_WRITER_CHECK_ID", {{"Ref", check("ReplicaWriter")}}},
           {"LOCAL_FALLBACK_CHECK_ID", {{"Ref", check("ReplicaHealth")}}},
           {"REMOTE_WRITER_CHECK_ID", {{"Ref", check("PrimaryHealth")}}},
           {"REMOTE_FALLBACK_CHECK_ID", {{"Ref", check("PrimaryFallback")}}},
           {"FENCE_CHECK_IDS", assertions::any_value()},
           {"LOCAL_TOPIC_ARN", {{"Ref", "Alarms04B5A0BF"}}},
           {"HOLD_ALARM_NAME", "primary-down-held-dev"},
           {"REMOTE_VIEW_ALARM_NAME", "primary-down-local-dev"},
           {"FENCE_ALARM_NAME", "primary-fenced-dev"},
           {"LOCK_PARAMETER", "/drsynth/dev/failover-lock"},
           {"STATE_PARAMETER", "/drsynth/dev/failover-state"},
           {"REMOTE_STATE_PARAMETER", "/drsynth/dev/failover-state-primary"},
           {"METRIC_NAMESPACE", "drsynth"},
           {"METRIC_DIMENSION_NAME", "System"},
           {"METRIC_DIMENSION_VALUE", "dr-dev"},
           {"ARM_AFTER_HEALTHY_MINUTES", "5"},
           {"HOLD_MINUTES", "3"},
           {"MAX_PROMOTION_LAG_SECONDS", "300"},
           {"PROMOTION_DEADLINE_SECONDS", "1800"},
           {"SECOND_SIGNAL_TIMEOUT_SECONDS", "5"},
           {"RECONCILE_INTERVAL_SECONDS", "60"},
           {"WITNESS_FUNCTION_ARN", ""},  // no witness: an operator approves
           {"BACKUP_RETENTION_DAYS", "7"}}}}}});
  CHECK(f.failover->asset()->source() == ops_test::stub_runtime_dir() / "failover");
}

TEST_CASE("the failover function's environment is exactly the contract's: every required variable, nothing else",
          "[lambda][failover][contract]") {
  App app({.read_environment = false});
  auto f = ops_test::build_failover_stack(app);
  std::string problem;
  const auto vars = lambda::detail::contract_variables("failover", problem);
  REQUIRE(problem.empty());
  std::set<std::string> known;
  for (const auto& v : vars) known.insert(v.name);
  for (const auto& [name, value] : f.failover->props().environment) {
    INFO(name);
    CHECK(known.contains(name));
  }
  for (const auto& v : vars) {
    if (v.required != "always" && v.required != "rds") continue;
    INFO(v.name);
    CHECK(f.failover->props().environment.contains(v.name));
  }
}

TEST_CASE("the failover function's policy is exactly what the runtime needs", "[lambda][failover]") {
  App app({.read_environment = false});
  (void)ops_test::build_failover_stack(app);
  auto t = Template::from_app(app, "DrFailover-dev");
  const auto& p = t.resource("FailoverServiceRoleDefaultPolicyA7DB86C4");
  const auto arn = [](const std::string& s) { return json{{"Fn::Sub", s}}; };
  const json& statements = p["Properties"]["PolicyDocument"]["Statement"];
  INFO(statements.dump(1));
  CHECK(statements ==
        json::array({
            // the engine's part: here, promote its own replica
            {{"Effect", "Allow"},
             {"Action", "rds:PromoteReadReplica"},
             {"Resource", "arn:aws:rds:eu-west-1:123456789012:db:drsynth-dev-replica"}},
            {{"Effect", "Allow"},
             {"Action", {"route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"}},
             {"Resource",
              {{"Fn::Join", json::array({"", {{{"Fn::Sub", "arn:${AWS::Partition}:route53:::hostedzone/"}},
                                              {{"Ref", "ZoneA5DE4B68"}}}})}}}},
            // the failback confirms the fence lifted on the checks that follow it
            {{"Effect", "Allow"},
             {"Action", "route53:GetHealthCheckStatus"},
             {"Resource", statements[2]["Resource"]}},
            {{"Effect", "Allow"}, {"Action", "sns:Publish"}, {"Resource", {{"Ref", "Alarms04B5A0BF"}}}},
            {{"Effect", "Allow"},
             {"Action", "cloudwatch:DescribeAlarms"},
             {"Resource",
              {arn("arn:${AWS::Partition}:cloudwatch:eu-west-1:${AWS::AccountId}:alarm:primary-down-held-dev"),
               arn("arn:${AWS::Partition}:cloudwatch:eu-west-1:${AWS::AccountId}:alarm:primary-fenced-dev"),
               arn("arn:${AWS::Partition}:cloudwatch:us-east-1:${AWS::AccountId}:alarm:primary-down-local-dev")}}},
            {{"Effect", "Allow"},
             {"Action", "cloudwatch:GetMetricStatistics"},
             {"Resource", "*"}},
            {{"Effect", "Allow"},
             {"Action", "cloudwatch:PutMetricData"},
             {"Resource", "*"},
             {"Condition", {{"StringEquals", {{"cloudwatch:namespace", "drsynth"}}}}}},
            {{"Effect", "Allow"},
             {"Action", {"ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"}},
             {"Resource",
              {arn("arn:${AWS::Partition}:ssm:eu-west-1:${AWS::AccountId}:parameter/drsynth/dev/failover-lock"),
               arn("arn:${AWS::Partition}:ssm:eu-west-1:${AWS::AccountId}:parameter/drsynth/dev/failover-state")}}},
            // without a witness, the claim writes `disarmed` into the other site's state
            {{"Effect", "Allow"},
             {"Action", {"ssm:GetParameter", "ssm:PutParameter"}},
             {"Resource",
              arn("arn:${AWS::Partition}:ssm:us-east-1:${AWS::AccountId}:parameter/drsynth/dev/failover-state-primary")}},
        }));
  CHECK(statements[2]["Resource"].size() == 2);
  CHECK(statements[2]["Resource"].dump().find("PrimaryNotFencedA") != std::string::npos);
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

TEST_CASE("a failover function whose environment breaks the contract reports each variable", "[lambda][failover][contract]") {
  App app({.read_environment = false});
  auto f = ops_test::build_failover_stack(app);
  f.failover->add_environment("PRIMARY_INSTANCE_ID", "old-name");  // the handler no longer reads it
  f.failover->add_environment("ENGINE", "mysql");
  f.failover->add_environment("HOLD_MINUTES", "three");
  f.failover->add_environment("LOCAL_DB_ID", "");
  ops_test::require_error(app, "E769", "DrFailover-dev/Failover", "old-name");
  ops_test::require_error(app, "E769", "DrFailover-dev/Failover", "\"mysql\"");
  ops_test::require_error(app, "E769", "DrFailover-dev/Failover", "\"three\"");
  const auto ds = ops_test::synth_errors(app);
  bool missing = false;
  for (const auto& d : ds) missing = missing || (d.code == "E769" && d.message.find("requires LOCAL_DB_ID") != std::string::npos);
  CHECK(missing);
}

TEST_CASE("the failover function reads its alarms by name: an unnamed one is E769", "[lambda][failover]") {
  App app({.read_environment = false});
  auto f = ops_test::build_failover_stack(app);
  auto& unnamed = f.stack->add<cloudwatch::Alarm>(
      "Down", cloudwatch::AlarmProps{.metric = {.namespace_name = "drsynth", .metric_name = "Writer"}});
  auto props = f.failover->failover_props();
  props.hold_alarm = unnamed;
  props.function_name = "failover-2-dev";
  props.role_name = "";
  f.stack->add<lambda::FailoverFunction>("Failover2", props);
  ops_test::require_error(app, "E769", "DrFailover-dev/Failover2", "DrFailover-dev/Down");
}

TEST_CASE("the failover function: a reserved concurrency, a witness to invoke, a dead-letter queue", "[lambda][failover]") {
  App app({.read_environment = false});
  auto f = ops_test::build_failover_stack(app);
  auto& west = app.add<Stack>("DrWitness-dev", StackProps{.env = {.region = "us-west-2"}});
  auto& witness = west.add<lambda::WitnessFunction>(
      "Witness", lambda::WitnessFunctionProps{.function_name = "witness-dev",
                                              .engine = "rds",
                                              .site_a = {.id = "primary", .region = "us-east-1", .db_id = "drsynth-dev-primary",
                                                         .view_alarm = *f.primary_down},
                                              .site_b = {.id = "replica", .region = "eu-west-1", .db_id = "drsynth-dev-replica",
                                                         .view_alarm = *f.primary_down},
                                              .grant_parameter = "/drsynth/dev/witness-grant",
                                              .metric_dimension_value = "dr-dev"});
  auto& dlq = f.stack->add<sqs::Queue>("Dlq", sqs::QueueProps{.queue_name = "failover-dlq-dev"});
  auto props = f.failover->failover_props();
  props.function_name = "failover-2-dev";
  props.reserved_concurrency = 5;
  props.witness = witness;
  props.dead_letter_queue = dlq;
  f.stack->add<lambda::FailoverFunction>("Failover2", props);
  // 0 reserves nothing (ReservedConcurrentExecutions 0 would stop the function).
  props.function_name = "failover-3-dev";
  props.reserved_concurrency = 0;
  f.stack->add<lambda::FailoverFunction>("Failover3", props);
  auto t = Template::from_app(app, "DrFailover-dev");
  t.has_resource_properties("AWS::Lambda::Function", {{"FunctionName", "failover-3-dev"}, {"ReservedConcurrentExecutions", absent()}});
  const auto ids = t.find_resources("AWS::Lambda::Function", {{"FunctionName", "failover-2-dev"}});
  REQUIRE(ids.size() == 1);
  const json& fn = t.resource(ids[0])["Properties"];
  CHECK(fn["ReservedConcurrentExecutions"] == 5);
  CHECK(fn["DeadLetterConfig"]["TargetArn"] == json{{"Fn::GetAtt", {t.find_resources("AWS::SQS::Queue")[0], "Arn"}}});
  CHECK(fn["Environment"]["Variables"]["WITNESS_FUNCTION_ARN"].contains("Fn::GetStackOutput"));
  bool invoke = false;
  for (const auto& id : t.find_resources("AWS::IAM::Policy"))
    for (const auto& st : t.resource(id)["Properties"]["PolicyDocument"]["Statement"])
      invoke = invoke || st["Action"] == "lambda:InvokeFunction";
  CHECK(invoke);
}

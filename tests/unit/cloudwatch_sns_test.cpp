#include <catch2/catch.hpp>

#include "drsynth/assertions/template.hpp"
#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/events/schedule.hpp"
#include "drsynth/lambda/function.hpp"
#include "drsynth/sns/topic.hpp"
#include "ops_fixture.hpp"
#include "ops_require.hpp"

using namespace drsynth;
using assertions::absent;
using assertions::Template;
using nlohmann::json;

namespace {

using ops_test::make_stack;

cloudwatch::Metric lag_metric() {
  return {.namespace_name = "AWS/RDS",
          .metric_name = "ReplicaLag",
          .dimensions = {{"DBInstanceIdentifier", "replica-dev"}},
          .statistic = "Maximum",
          .period_seconds = 60,
          .unit = "Seconds"};
}

}  // namespace

TEST_CASE("an alarm renders its metric, threshold and evaluation settings", "[cloudwatch]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  s.add<cloudwatch::Alarm>("ReplicaLag", cloudwatch::AlarmProps{.alarm_name = "replica-lag-dev",
                                                                .metric = lag_metric(),
                                                                .threshold = 60,
                                                                .evaluation_periods = 5,
                                                                .datapoints_to_alarm = 3,
                                                                .treat_missing_data =
                                                                    cloudwatch::TreatMissingData::not_breaching});
  auto t = Template::from_app(app, "S");
  t.has_resource_properties(
      "AWS::CloudWatch::Alarm",
      {{"AlarmName", "replica-lag-dev"},
       {"Namespace", "AWS/RDS"},
       {"MetricName", "ReplicaLag"},
       {"Dimensions", json::array({{{"Name", "DBInstanceIdentifier"}, {"Value", "replica-dev"}}})},
       {"Statistic", "Maximum"},
       {"Period", 60},
       {"Unit", "Seconds"},
       {"Threshold", 60},
       {"ComparisonOperator", "GreaterThanThreshold"},
       {"EvaluationPeriods", 5},
       {"DatapointsToAlarm", 3},
       {"TreatMissingData", "notBreaching"}});
}

TEST_CASE("a percentile statistic renders as ExtendedStatistic", "[cloudwatch]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto m = lag_metric();
  m.statistic = "p99";
  s.add<cloudwatch::Alarm>("A", cloudwatch::AlarmProps{.metric = m, .threshold = 1});
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::CloudWatch::Alarm", {{"ExtendedStatistic", "p99"}, {"Statistic", absent()}});
}

TEST_CASE("percentile statistics are the ones CloudWatch accepts (p0-p100, up to two decimals)", "[cloudwatch]") {
  for (const char* ok : {"p0", "p5", "p99", "p100", "p99.9", "p99.99", "p100.0", "p50.5"}) {
    App app({.read_environment = false});
    auto& s = make_stack(app);
    auto m = lag_metric();
    m.statistic = ok;
    s.add<cloudwatch::Alarm>("A", cloudwatch::AlarmProps{.metric = m, .threshold = 1});
    INFO("statistic " << ok);
    auto t = Template::from_app(app, "S");
    t.has_resource_properties("AWS::CloudWatch::Alarm", {{"ExtendedStatistic", ok}});
  }
  for (const char* bad : {"p", "p101", "p999", "p1000", "p99.", "p99.999", "p.5", "P99", "p9a", "p99.9x", " p99"}) {
    App app({.read_environment = false});
    auto& s = make_stack(app);
    auto m = lag_metric();
    m.statistic = bad;
    s.add<cloudwatch::Alarm>("A", cloudwatch::AlarmProps{.metric = m, .threshold = 1});
    INFO("statistic " << bad);
    ops_test::require_diagnostic(app, "E782", "S/A", bad);
  }
}

TEST_CASE("an alarm period must be 10, 20, 30 or a multiple of 60", "[cloudwatch]") {
  for (int ok : {10, 20, 30, 60, 300}) {
    App app({.read_environment = false});
    auto& s = make_stack(app);
    auto m = lag_metric();
    m.period_seconds = ok;
    s.add<cloudwatch::Alarm>("A", cloudwatch::AlarmProps{.metric = m});
    INFO("period " << ok);
    CHECK(ops_test::synth_errors(app).empty());
  }
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto m = lag_metric();
  m.period_seconds = 90;
  s.add<cloudwatch::Alarm>("A", cloudwatch::AlarmProps{.metric = m});
  ops_test::require_diagnostic(app, "E780", "S/A", "90");
}

TEST_CASE("a route53-compatible alarm refuses high resolution, percentiles and M-of-N", "[cloudwatch]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto m = lag_metric();
  m.period_seconds = 30;
  m.statistic = "p90";
  auto& a = s.add<cloudwatch::Alarm>("A", cloudwatch::AlarmProps{.metric = m, .evaluation_periods = 3, .datapoints_to_alarm = 2});
  a.require_route53_compatible();
  ops_test::require_diagnostic(app, "E785", "S/A", "30 s");
  ops_test::require_diagnostic(app, "E785", "S/A", "p90");
  ops_test::require_diagnostic(app, "E785", "S/A", "DatapointsToAlarm 2");

  App ok({.read_environment = false});
  auto& s2 = make_stack(ok);
  s2.add<cloudwatch::Alarm>("A", cloudwatch::AlarmProps{.metric = lag_metric(), .evaluation_periods = 3,
                                                        .route53_compatible = true});
  CHECK(ops_test::synth_errors(ok).empty());
}

TEST_CASE("bad alarm props are reported together", "[cloudwatch]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  s.add<cloudwatch::Alarm>("A", cloudwatch::AlarmProps{.alarm_name = std::string(256, 'a'),
                                                       .metric = {.statistic = "Median"},
                                                       .evaluation_periods = 2,
                                                       .datapoints_to_alarm = 3});
  ops_test::require_diagnostic(app, "E781", "S/A", "\"\"");
  ops_test::require_diagnostic(app, "E782", "S/A", "Median");
  ops_test::require_diagnostic(app, "E783", "S/A", "256");
  ops_test::require_diagnostic(app, "E784", "S/A", "3");
}

TEST_CASE("an alarm notifies a topic on ALARM and OK", "[cloudwatch][sns]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& topic = s.add<sns::Topic>("Alarms", sns::TopicProps{.topic_name = "alarms-dev"});
  auto& a = s.add<cloudwatch::Alarm>("A", cloudwatch::AlarmProps{.metric = lag_metric()});
  a.add_alarm_action(topic);
  a.add_ok_action(topic);
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::CloudWatch::Alarm", {{"AlarmActions", json::array({{{"Ref", "Alarms04B5A0BF"}}})},
                                                       {"OKActions", json::array({{{"Ref", "Alarms04B5A0BF"}}})}});
}

TEST_CASE("an alarm invokes a function directly with a Lambda permission for CloudWatch alarms", "[cloudwatch][lambda]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& fn = s.add<lambda::Function>("Failover", lambda::FunctionProps{.function_name = "failover-dev",
                                                                       .inline_code = "def handler(e, c): pass\n"});
  auto& a = s.add<cloudwatch::Alarm>("PrimaryDown", cloudwatch::AlarmProps{.alarm_name = "down", .metric = lag_metric()});
  a.add_alarm_action(fn);
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::CloudWatch::Alarm",
                            {{"AlarmActions", json::array({{{"Fn::GetAtt", {"FailoverD9C2D932", "Arn"}}}})}});
  const auto& p = t.resource("FailoverAlarmPermissionA6E92349");
  CHECK(p["Type"] == "AWS::Lambda::Permission");
  CHECK(p["Properties"] == json{{"Action", "lambda:InvokeFunction"},
                                {"FunctionName", {{"Fn::GetAtt", {"FailoverD9C2D932", "Arn"}}}},
                                {"Principal", "lambda.alarms.cloudwatch.amazonaws.com"},
                                {"SourceArn", {{"Fn::GetAtt", {"PrimaryDown8B2B63D5", "Arn"}}}}});
}

TEST_CASE("two alarms may invoke one function", "[cloudwatch][lambda]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& fn = s.add<lambda::Function>("Fn", lambda::FunctionProps{.inline_code = "def handler(e, c): pass\n"});
  s.add<cloudwatch::Alarm>("A", cloudwatch::AlarmProps{.metric = lag_metric()}).add_alarm_action(fn);
  s.add<cloudwatch::Alarm>("B", cloudwatch::AlarmProps{.metric = lag_metric()}).add_alarm_action(fn);
  auto t = Template::from_app(app, "S");
  t.resource_count_is("AWS::Lambda::Permission", 2);
}

TEST_CASE("a topic is encrypted with alias/aws/sns by default", "[sns]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& topic = s.add<sns::Topic>("Alarms", sns::TopicProps{.topic_name = "alarms-dev", .display_name = "DR"});
  s.add<sns::Topic>("Plain", sns::TopicProps{.kms_master_key_id = nullptr});
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::SNS::Topic",
                            {{"TopicName", "alarms-dev"}, {"DisplayName", "DR"}, {"KmsMasterKeyId", "alias/aws/sns"}});
  t.has_resource_properties("AWS::SNS::Topic", {{"TopicName", absent()}, {"KmsMasterKeyId", absent()}});
  CHECK(topic.topic_arn() == Value::ref(topic.resource()));
}

TEST_CASE("a topic takes e-mail subscriptions", "[sns]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& topic = s.add<sns::Topic>("Alarms", sns::TopicProps{});
  topic.add_email_subscription("oncall@example.com");
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::SNS::Subscription", {{"Protocol", "email"},
                                                       {"Endpoint", "oncall@example.com"},
                                                       {"TopicArn", {{"Ref", "Alarms04B5A0BF"}}}});
}

TEST_CASE("bad topic props are reported", "[sns]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& topic = s.add<sns::Topic>("T", sns::TopicProps{.topic_name = "bad.name", .display_name = std::string(101, 'd')});
  topic.add_email_subscription("not-an-email");
  ops_test::require_diagnostic(app, "E787", "S/T", "bad.name");
  ops_test::require_diagnostic(app, "E788", "S/T", "101");
  ops_test::require_diagnostic(app, "E788", "S/T", "not-an-email");
}

TEST_CASE("an alarm may invoke a function of another stack without a stack cycle", "[cloudwatch][lambda]") {
  App app({.read_environment = false});
  auto& fs = app.add<Stack>("Fns", StackProps{.env = {.region = "eu-west-1"}});
  auto& fn = fs.add<lambda::Function>("Fn", lambda::FunctionProps{.inline_code = "def handler(e, c): pass\n"});
  auto& as = app.add<Stack>("Alarms", StackProps{.env = {.region = "eu-west-1"}});
  as.add<cloudwatch::Alarm>("A", cloudwatch::AlarmProps{.metric = lag_metric()}).add_alarm_action(fn);
  const auto assembly = synthesize(app);
  auto fns = Template::from_assembly(assembly, "Fns");
  auto alarms = Template::from_assembly(assembly, "Alarms");
  fns.resource_count_is("AWS::Lambda::Permission", 0);
  alarms.has_resource_properties("AWS::Lambda::Permission",
                                 {{"Principal", "lambda.alarms.cloudwatch.amazonaws.com"},
                                  {"FunctionName", {{"Fn::ImportValue", assertions::any_value()}}}});
}

// ---- events::Schedule -------------------------------------------------------

TEST_CASE("a schedule runs a function with an EventBridge permission", "[events]") {
  App app({.read_environment = false});
  auto& s = make_stack(app);
  auto& fn = s.add<lambda::Function>("Fn", lambda::FunctionProps{.inline_code = "def handler(e, c): pass\n"});
  auto& sched = s.add<events::Schedule>("Every5", events::ScheduleProps{.expression = "rate(5 minutes)", .enabled = false});
  sched.add_target(fn);
  auto t = Template::from_app(app, "S");
  const auto fns = t.find_resources("AWS::Lambda::Function");
  const auto rules = t.find_resources("AWS::Events::Rule");
  REQUIRE(fns.size() == 1);
  REQUIRE(rules.size() == 1);
  t.has_resource_properties("AWS::Events::Rule",
                            {{"ScheduleExpression", "rate(5 minutes)"},
                             {"State", "DISABLED"},
                             {"Targets", json::array({{{"Arn", {{"Fn::GetAtt", {fns[0], "Arn"}}}}, {"Id", "Target0"}}})}});
  t.has_resource_properties("AWS::Lambda::Permission", {{"Principal", "events.amazonaws.com"},
                                                        {"SourceArn", {{"Fn::GetAtt", {rules[0], "Arn"}}}}});
}

TEST_CASE("a schedule expression must be rate(...) or cron(...)", "[events]") {
  for (const char* ok : {"rate(1 minute)", "rate(2 minutes)", "rate(1 day)", "cron(0 12 * * ? *)"}) {
    CHECK(events::valid_schedule_expression(ok));
  }
  for (const char* bad : {"rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "every minute", ""}) {
    INFO(bad);
    CHECK_FALSE(events::valid_schedule_expression(bad));
  }
  App app({.read_environment = false});
  auto& s = make_stack(app);
  s.add<events::Schedule>("Bad", events::ScheduleProps{.expression = "rate(5 minute)"});
  ops_test::require_diagnostic(app, "E789", "S/Bad", "rate(5 minute)");
}

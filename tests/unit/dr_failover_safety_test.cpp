// Issues 10 and 20, in the templates of the built-in DR system: the failover
// functions are never wired to a one-minute alarm, paging works in both
// regions (customer-managed keys CloudWatch may use, TLS-only topics),
// failed invocations land in a dead-letter queue with an alarm, and the
// settings are checked. dr_kit_test.cpp has what both systems share.
#include <fstream>
#include <set>

#include "drsynth/assertions/template.hpp"
#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "dr_fixture.hpp"
#include "test_support.hpp"

using namespace drsynth;
using assertions::absent;
using assertions::array_with;
using assertions::Template;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using dr_test::DrProps;
using dr_test::System;
using dr_test::system_error;

const json& props_of(const Template& t, const std::string& id) { return t.resource(id)["Properties"]; }

std::string one(const Template& t, std::string_view type, const json& props = json::object()) {
  const auto ids = t.find_resources(type, props);
  REQUIRE(ids.size() == 1);
  return ids.front();
}

bool refers_to(const json& action, const std::string& logical_id) {
  return action.dump().find("\"" + logical_id + "\"") != std::string::npos;
}

}  // namespace

TEST_CASE("failover wiring: the hold alarm invokes the failover function (and the topic's failed deliveries, to relay them), the view alarms move DNS only",
          "[dr][failover]") {
  System sys;
  auto t = sys.t("DrFailover-dev");
  const auto fn = one(t, "AWS::Lambda::Function", {{"FunctionName", "lambda-failover-rds-replica-dev"}});
  std::set<std::string> invoking;
  for (const auto& id : t.find_resources("AWS::CloudWatch::Alarm")) {
    const json& alarm = props_of(t, id);
    INFO(alarm.dump());
    if (!alarm.contains("AlarmActions") || !refers_to(alarm["AlarmActions"], fn)) continue;
    invoking.insert(alarm["AlarmName"]);
    if (alarm["MetricName"] == "NumberOfNotificationsFailed") continue;  // a relay, never a failover
    // Never a 1-of-1 breaching alarm: the hold time in one-minute periods, all breaching.
    CHECK(alarm["AlarmName"] == "alarm-writer-held-rds-primary-seen-from-replica-dev");
    CHECK(alarm["EvaluationPeriods"] == 3);
    CHECK(alarm["DatapointsToAlarm"] == 3);
    CHECK(alarm["Period"] == 60);
    CHECK(alarm["TreatMissingData"] == "breaching");
  }
  CHECK(invoking == std::set<std::string>{"alarm-writer-held-rds-primary-seen-from-replica-dev",
                                          "alarm-notifications-failed-rds-replica-dev"});
  // The view alarm that moves DNS lives with the replica's probe and pages only.
  auto r = sys.t("DrReplica-dev");
  const json& dns_alarm = props_of(r, one(r, "AWS::CloudWatch::Alarm", {{"AlarmName", "alarm-writer-rds-primary-seen-from-replica-dev"}}));
  CHECK(dns_alarm["EvaluationPeriods"] == 2);
  CHECK_FALSE(refers_to(dns_alarm["AlarmActions"], fn));

  // The fence: Fenced datapoints the function publishes (Route 53 follows the
  // data, not the alarm state); the alarm's own state ignores missing data.
  r.has_resource_properties("AWS::CloudWatch::Alarm", {{"AlarmName", "alarm-fence-rds-primary-dev"},
                                                      {"MetricName", "Fenced"},
                                                      {"ComparisonOperator", "GreaterThanOrEqualToThreshold"},
                                                      {"TreatMissingData", "ignore"}});

  // Armed only after K minutes; sticky state; every flip carries the checks.
  const json& f = props_of(t, fn);
  const json& env = f["Environment"]["Variables"];
  CHECK(env["ARM_AFTER_HEALTHY_MINUTES"] == "5");
  CHECK(env["STATE_PARAMETER"] == "/drsynth/rds-dev/failover-state-replica");
  CHECK(env["REMOTE_STATE_PARAMETER"] == "/drsynth/rds-dev/failover-state-primary");
  CHECK(env["HOLD_ALARM_NAME"] == "alarm-writer-held-rds-primary-seen-from-replica-dev");
  CHECK(env["REMOTE_VIEW_ALARM_NAME"] == "alarm-writer-rds-primary-seen-from-primary-dev");
  CHECK(env["FENCE_ALARM_NAME"] == "alarm-fence-rds-primary-dev");
  CHECK(env["LOCAL_BACKUP_WINDOW"] == "05:00-05:30");
  const auto record = one(t, "AWS::Route53::RecordSet", {{"SetIdentifier", "primary"}});
  CHECK(env["REMOTE_WRITER_CHECK_ID"] == props_of(t, record)["HealthCheckId"]);
  // Reserved so that the account's other functions cannot throttle it (issue 20).
  CHECK(f["ReservedConcurrentExecutions"] == 5);

  // The reconcile schedule.
  t.has_resource_properties("AWS::Events::Rule",
                            {{"ScheduleExpression", "rate(1 minute)"},
                             {"Targets", array_with({{{"Arn", {{"Fn::GetAtt", {fn, "Arn"}}}},
                                                      {"Input", R"({"action": "reconcile", "source": "schedule"})"}}})}});

  // Backup windows set deliberately and apart (the replica's by the reconcile).
  sys.t("DrPrimary-dev").has_resource_properties("AWS::RDS::DBInstance", {{"PreferredBackupWindow", "03:00-03:30"}});
}

TEST_CASE("paging: a topic in each region under a rotating customer-managed key CloudWatch may use, TLS only; the failover functions may use both keys",
          "[dr][failover]") {
  System sys;
  for (const auto& [stack, word] : {std::pair{"DrReplica-dev", "replica"}, std::pair{"DrPrimaryRoutes-dev", "primary"}}) {
    INFO(stack);
    auto t = sys.t(stack);
    const auto topic = one(t, "AWS::SNS::Topic");
    const std::string key = props_of(t, topic)["KmsMasterKeyId"]["Fn::GetAtt"][0];
    const json& k = props_of(t, key);
    CHECK(k["EnableKeyRotation"] == true);
    bool cloudwatch = false;
    for (const auto& st : k["KeyPolicy"]["Statement"]) {
      INFO(st.dump());
      if (st["Principal"] == json{{"Service", "cloudwatch.amazonaws.com"}})
        cloudwatch = st["Action"] == json::array({"kms:Decrypt", "kms:GenerateDataKey*"}) && st["Effect"] == "Allow";
    }
    CHECK(cloudwatch);
    // The topic uses it (not alias/aws/sns, which CloudWatch cannot use).
    CHECK(props_of(t, topic)["TopicName"] == std::string("dr-alarms-") + word + "-dev");
    CHECK(props_of(t, topic)["KmsMasterKeyId"] == json{{"Fn::GetAtt", {key, "Arn"}}});
    const json& policy = props_of(t, one(t, "AWS::SNS::TopicPolicy"))["PolicyDocument"]["Statement"];
    bool tls_only = false;
    bool cloudwatch_publishes = false;
    for (const auto& st : policy) {
      if (st["Effect"] == "Deny" && st["Condition"] == json{{"Bool", {{"aws:SecureTransport", "false"}}}})
        tls_only = st["Action"] == "sns:Publish";
      if (st["Effect"] == "Allow" && st["Principal"] == json{{"Service", "cloudwatch.amazonaws.com"}})
        cloudwatch_publishes = st["Action"] == "sns:Publish";
    }
    CHECK(tls_only);
    CHECK(cloudwatch_publishes);
  }
  // Each failover function may publish to both topics (a page goes to both
  // regions): the keys delegate to IAM, the functions' policies name both keys.
  for (const auto& [stack, word] : {std::pair{"DrFailover-dev", "replica"}, std::pair{"DrFailoverPrimary-dev", "primary"}}) {
    INFO(stack);
    auto t = sys.t(stack);
    bool both_topics = false;
    bool both_keys = false;
    for (const auto& id : t.find_resources("AWS::IAM::Policy")) {
      if (props_of(t, id)["Roles"].dump().find("Failover") == std::string::npos) continue;
      for (const auto& st : props_of(t, id)["PolicyDocument"]["Statement"]) {
        if (st["Action"] == "sns:Publish") both_topics = st["Resource"].size() == 2;
        if (st["Action"] == json::array({"kms:Decrypt", "kms:GenerateDataKey*"})) both_keys = st["Resource"].size() == 2;
      }
    }
    CHECK(both_topics);
    CHECK(both_keys);
  }
}

TEST_CASE("paging: synth warns (E815) when no alarm subscription is configured", "[dr][failover][cli]") {
  test::TempDir dir;
  auto none = test::run_cli({"synth", "-o", (dir.path / "a").string()}, patterns::define_default_system);
  CHECK(none.code == 0);
  CHECK_THAT(none.err, Catch::Contains("E815") && Catch::Contains("reach nobody"));
  auto some = test::run_cli({"synth", "-o", (dir.path / "b").string(), "-c", "alarmEmails=oncall@example.com"},
                            patterns::define_default_system);
  CHECK(some.code == 0);
  CHECK_THAT(some.err, !Catch::Contains("E815"));
}

TEST_CASE("dead letters: failed asynchronous invocations of each failover function land in a queue with an alarm",
          "[dr][failover]") {
  System sys;
  for (const auto& [stack, word] : {std::pair{"DrFailover-dev", "replica"}, std::pair{"DrFailoverPrimary-dev", "primary"}}) {
    INFO(stack);
    auto t = sys.t(stack);
    const auto queue = one(t, "AWS::SQS::Queue");
    CHECK(props_of(t, queue)["SqsManagedSseEnabled"] == true);
    CHECK(props_of(t, queue)["QueueName"] == std::string("sqs-failover-dlq-rds-") + word + "-dev");
    const auto fn = one(t, "AWS::Lambda::Function", {{"FunctionName", std::string("lambda-failover-rds-") + word + "-dev"}});
    CHECK(props_of(t, fn)["DeadLetterConfig"] == json{{"TargetArn", {{"Fn::GetAtt", {queue, "Arn"}}}}});
    t.has_resource_properties("AWS::CloudWatch::Alarm",
                              {{"Namespace", "AWS/SQS"},
                               {"MetricName", "ApproximateNumberOfMessagesVisible"},
                               {"Dimensions", json::array({{{"Name", "QueueName"},
                                                            {"Value", {{"Fn::GetAtt", {queue, "QueueName"}}}}}})},
                               {"ComparisonOperator", "GreaterThanThreshold"},
                               {"Threshold", 0},
                               {"AlarmActions", assertions::any_value()}});
    const auto role = props_of(t, fn)["Role"]["Fn::GetAtt"][0].get<std::string>();
    bool may_send = false;
    for (const auto& id : t.find_resources("AWS::IAM::Policy")) {
      const json& p = props_of(t, id);
      if (p["Roles"].dump().find(role) == std::string::npos) continue;
      for (const auto& st : p["PolicyDocument"]["Statement"])
        may_send = may_send || (st["Action"] == "sqs:SendMessage" && st["Resource"] == json{{"Fn::GetAtt", {queue, "Arn"}}});
    }
    CHECK(may_send);
  }
}

TEST_CASE("failover settings: hold, arming, promotion deadline and the probe's CA bundle are checked (E811-E814)",
          "[dr][failover]") {
  CHECK(test::has_diagnostic(system_error({.hold_minutes = 2}), "E811", "DisasterRecovery", "Multi-AZ"));
  CHECK(test::has_diagnostic(system_error({.hold_minutes = 16}), "E811", "DisasterRecovery"));
  CHECK(test::has_diagnostic(system_error({.arm_after_healthy_minutes = 0}), "E812", "DisasterRecovery"));
  CHECK(test::has_diagnostic(system_error({.promotion_deadline_minutes = 1}), "E814", "DisasterRecovery"));
  CHECK(test::has_diagnostic(system_error({.probe_ca_bundle = "/no/such/bundle.pem"}), "E813", "DisasterRecovery",
                             "cannot be read"));
  // A longer hold is honest about the objective: 5 minutes misses it by 12 s (60 + 5 + 300 + 30 detection,
  // 5 + 5 invocation and cold start, 10 direct signal, 8 + 5 the witness's claim and cold start, 4 the fence,
  // 300 the promotion).
  const auto budget = patterns::recovery_budget(DrProps{.hold_minutes = 5});
  CHECK(budget.writable_seconds == 732);
  CHECK(test::has_diagnostic(system_error({.hold_minutes = 5}), "E807", "DisasterRecovery", "732 s"));
  CHECK(patterns::recovery_budget(DrProps{.recovery_time_objective_seconds = 732, .hold_minutes = 5}).worst_seconds() <= 732);

  test::TempDir dir;
  auto md5 = test::run_cli({"synth", "-q", "-o", (dir.path / "x").string(), "-c", "probeAllowMd5=yes"},
                           patterns::define_default_system);
  CHECK(md5.code == cli::exit_user_error);
  CHECK_THAT(md5.err, Catch::Contains("E501") && Catch::Contains("'probeAllowMd5' (-c) has the wrong type"));
}

TEST_CASE("probe settings: SCRAM only and the RDS bundle by default; another bundle ships in the asset", "[dr][failover]") {
  test::ScopedEnv runtime("DRSYNTH_RUNTIME_DIR", DRSYNTH_SOURCE_DIR "/runtime");
  {
    System sys;
    for (const auto& [stack, name] : {std::pair{"DrReplica-dev", "lambda-probe-rds-replica-dev"},
                                      std::pair{"DrPrimaryRoutes-dev", "lambda-probe-rds-primary-dev"}}) {
      auto t = sys.t(stack);
      const json& env = props_of(t, one(t, "AWS::Lambda::Function", {{"FunctionName", name}}))["Environment"]["Variables"];
      CHECK(env["DB_CA_BUNDLE"] == "rds-ca-bundle.pem");
      CHECK(env["DB_ALLOW_MD5"] == "false");
      CHECK(env["DB_ALLOW_CLEARTEXT"] == "false");
    }
  }
  test::TempDir dir;
  const auto pem = dir.path / "corporate-ca.pem";
  {
    // A real certificate (the first of the RDS bundle): the bundle is parsed, PEM markers alone are refused.
    const std::string rds = test::read_file(DRSYNTH_SOURCE_DIR "/runtime/probe/rds-ca-bundle.pem");
    const std::string end = "-----END CERTIFICATE-----\n";
    std::ofstream(pem) << rds.substr(0, rds.find(end) + end.size());
  }
  // From a runtime folder, and from the code compiled into the library.
  for (const std::string& source : {std::string(DRSYNTH_SOURCE_DIR "/runtime"), std::string()}) {
    INFO("DRSYNTH_RUNTIME_DIR=" << source);
    test::ScopedEnv code_from("DRSYNTH_RUNTIME_DIR", source);
    const std::string out = source.empty() ? "compiled-in" : "folder";
    System sys({.probe_ca_bundle = pem.string(), .probe_allow_md5 = true});
    auto t = sys.t("DrReplica-dev");
    const auto probe = one(t, "AWS::Lambda::Function", {{"FunctionName", "lambda-probe-rds-replica-dev"}});
    const json& env = props_of(t, probe)["Environment"]["Variables"];
    CHECK(env["DB_CA_BUNDLE"] == "ca-bundle.pem");
    CHECK(env["DB_ALLOW_MD5"] == "true");
    write_assembly(sys.assembly, dir.path / out);
    const std::string key = props_of(t, probe)["Code"]["S3Key"];
    const auto folder = dir.path / out / key.substr(0, key.size() - 4);
    CHECK(test::read_file(folder / "ca-bundle.pem") == test::read_file(pem));
  }
}

TEST_CASE("probe CA bundle: synth refuses a probe whose code carries no bundle, naming the script that makes it",
          "[dr][failover]") {
  test::TempDir dir;
  for (const char* name : {"probe", "failover", "witness"}) {
    fs::create_directories(dir.path / name);
    std::ofstream(dir.path / name / "index.py") << "def handler(event, context):\n    return {}\n";
  }
  test::ScopedEnv runtime("DRSYNTH_RUNTIME_DIR", dir.path.string());
  const auto e = system_error({});
  CHECK(test::has_diagnostic(e, "E769", "DisasterRecovery/Replica/ProbeReplica", "scripts/rds_ca_bundle.sh"));
  CHECK(test::has_diagnostic(e, "E769", "DisasterRecovery/PrimaryRoutes/ProbePrimary", "never turned off"));
}

// Issue 10, in the templates of the built-in DR system: the failover function
// is never wired to a one-minute alarm, paging works (a customer-managed key
// CloudWatch may use, a TLS-only topic), failed invocations land in a
// dead-letter queue with an alarm, and the new settings are checked.
#include <fstream>

#include "drsynth/assertions.hpp"
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

TEST_CASE("failover wiring: only the hold alarm invokes the failover function, the one-minute alarm moves DNS only",
          "[dr][failover]") {
  System sys;
  auto t = sys.t("DrFailover-dev");
  const auto fn = one(t, "AWS::Lambda::Function", {{"FunctionName", "failover-dev"}});
  int invoking = 0;
  for (const auto& id : t.find_resources("AWS::CloudWatch::Alarm")) {
    const json& alarm = props_of(t, id);
    INFO(alarm.dump());
    if (!alarm.contains("AlarmActions") || !refers_to(alarm["AlarmActions"], fn)) continue;
    ++invoking;
    // Never a 1-of-1 breaching alarm: the hold time in one-minute periods, all breaching.
    CHECK(alarm["AlarmName"] == "primary-down-held-dev");
    CHECK(alarm["EvaluationPeriods"] == 3);
    CHECK(alarm["DatapointsToAlarm"] == 3);
    CHECK(alarm["Period"] == 60);
    CHECK(alarm["TreatMissingData"] == "breaching");
  }
  CHECK(invoking == 1);
  const json& dns_alarm = props_of(t, one(t, "AWS::CloudWatch::Alarm", {{"AlarmName", "primary-down-dev"}}));
  CHECK(dns_alarm["EvaluationPeriods"] == 1);
  CHECK_FALSE(refers_to(dns_alarm["AlarmActions"], fn));

  // The fence: an alarm the function sets, whose missing data keeps the state.
  t.has_resource_properties("AWS::CloudWatch::Alarm", {{"AlarmName", "primary-fenced-dev"},
                                                      {"MetricName", "Fenced"},
                                                      {"ComparisonOperator", "GreaterThanOrEqualToThreshold"},
                                                      {"TreatMissingData", "ignore"}});

  // Armed only after K healthy minutes; sticky state; every UPSERT keeps the health check.
  const json& f = props_of(t, fn);
  const json& env = f["Environment"]["Variables"];
  CHECK(env["ARM_AFTER_HEALTHY_DATAPOINTS"] == "5");
  CHECK(env["STATE_PARAMETER"] == "/drsynth/dev/failover-state");
  CHECK(env["HOLD_ALARM_NAME"] == "primary-down-held-dev");
  CHECK(env["PRIMARY_VIEW_ALARM_NAME"] == "primary-down-local-dev");
  CHECK(env["FENCE_ALARM_NAME"] == "primary-fenced-dev");
  CHECK(env["REPLICA_BACKUP_WINDOW"] == "05:00-05:30");
  const auto record = one(t, "AWS::Route53::RecordSet", {{"SetIdentifier", "primary"}});
  CHECK(env["PRIMARY_HEALTH_CHECK_ID"] == props_of(t, record)["HealthCheckId"]);
  CHECK_FALSE(f.contains("ReservedConcurrentExecutions"));  // the lock serializes runs

  // The reconcile schedule.
  t.has_resource_properties("AWS::Events::Rule",
                            {{"ScheduleExpression", "rate(1 minute)"},
                             {"Targets", array_with({{{"Arn", {{"Fn::GetAtt", {fn, "Arn"}}}},
                                                      {"Input", R"({"action": "reconcile", "source": "schedule"})"}}})}});

  // Backup windows set deliberately and apart (the replica's by the reconcile).
  sys.t("DrPrimary-dev").has_resource_properties("AWS::RDS::DBInstance", {{"PreferredBackupWindow", "03:00-03:30"}});
}

TEST_CASE("paging: a rotating customer-managed key CloudWatch and the failover function may use, a TLS-only topic",
          "[dr][failover]") {
  System sys;
  auto t = sys.t("DrFailover-dev");
  const auto key = one(t, "AWS::KMS::Key");
  const json& k = props_of(t, key);
  CHECK(k["EnableKeyRotation"] == true);
  const json& statements = k["KeyPolicy"]["Statement"];
  const auto fn = one(t, "AWS::Lambda::Function", {{"FunctionName", "failover-dev"}});
  const std::string role = props_of(t, fn)["Role"]["Fn::GetAtt"][0];
  bool cloudwatch = false;
  bool function = false;
  for (const auto& st : statements) {
    INFO(st.dump());
    const json use = json::array({"kms:Decrypt", "kms:GenerateDataKey*"});
    if (st["Principal"] == json{{"Service", "cloudwatch.amazonaws.com"}}) {
      cloudwatch = st["Action"] == use && st["Effect"] == "Allow";
    }
    if (st["Principal"] == json{{"AWS", {{"Fn::GetAtt", {role, "Arn"}}}}}) function = st["Action"] == use;
  }
  CHECK(cloudwatch);
  CHECK(function);
  // The topic uses it (not alias/aws/sns, which CloudWatch cannot use).
  const auto topic = one(t, "AWS::SNS::Topic");
  CHECK(props_of(t, topic)["KmsMasterKeyId"] == json{{"Fn::GetAtt", {key, "Arn"}}});
  const json& policy = props_of(t, one(t, "AWS::SNS::TopicPolicy"))["PolicyDocument"]["Statement"];
  bool tls_only = false;
  bool cloudwatch_publishes = false;
  for (const auto& st : policy) {
    if (st["Effect"] == "Deny" && st["Condition"] == json{{"Bool", {{"aws:SecureTransport", "false"}}}})
      tls_only = st["Action"] == "sns:Publish" && st["Principal"] == "*";
    if (st["Effect"] == "Allow" && st["Principal"] == json{{"Service", "cloudwatch.amazonaws.com"}})
      cloudwatch_publishes = st["Action"] == "sns:Publish";
  }
  CHECK(tls_only);
  CHECK(cloudwatch_publishes);
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

TEST_CASE("dead letters: failed asynchronous invocations of the failover function land in a queue with an alarm",
          "[dr][failover]") {
  System sys;
  auto t = sys.t("DrFailover-dev");
  const auto queue = one(t, "AWS::SQS::Queue");
  CHECK(props_of(t, queue)["SqsManagedSseEnabled"] == true);
  const auto fn = one(t, "AWS::Lambda::Function", {{"FunctionName", "failover-dev"}});
  CHECK(props_of(t, fn)["DeadLetterConfig"] == json{{"TargetArn", {{"Fn::GetAtt", {queue, "Arn"}}}}});
  const auto topic = one(t, "AWS::SNS::Topic");
  t.has_resource_properties("AWS::CloudWatch::Alarm",
                            {{"Namespace", "AWS/SQS"},
                             {"MetricName", "ApproximateNumberOfMessagesVisible"},
                             {"Dimensions", json::array({{{"Name", "QueueName"},
                                                          {"Value", {{"Fn::GetAtt", {queue, "QueueName"}}}}}})},
                             {"ComparisonOperator", "GreaterThanThreshold"},
                             {"Threshold", 0},
                             {"AlarmActions", array_with({{{"Ref", topic}}})}});
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

TEST_CASE("failover settings: hold, arming, promotion deadline and the probe's CA bundle are checked (E811-E814)",
          "[dr][failover]") {
  CHECK(test::has_diagnostic(system_error({.hold_minutes = 2}), "E811", "DisasterRecovery", "Multi-AZ"));
  CHECK(test::has_diagnostic(system_error({.hold_minutes = 16}), "E811", "DisasterRecovery"));
  CHECK(test::has_diagnostic(system_error({.arm_after_healthy_minutes = 0}), "E812", "DisasterRecovery"));
  CHECK(test::has_diagnostic(system_error({.promotion_deadline_minutes = 1}), "E814", "DisasterRecovery"));
  CHECK(test::has_diagnostic(system_error({.probe_ca_bundle = "/no/such/bundle.pem"}), "E813", "DisasterRecovery",
                             "cannot be read"));
  // A longer hold is honest about the objective: 4 minutes misses it by 10 s.
  const auto budget = patterns::recovery_budget({.hold_minutes = 4});
  CHECK(budget.writable_after_detection_seconds == 310);
  CHECK(test::has_diagnostic(system_error({.hold_minutes = 4}), "E807", "DisasterRecovery"));
  CHECK(patterns::recovery_budget({.recovery_time_objective_seconds = 310, .hold_minutes = 4}).worst_seconds <= 310);

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
    for (const auto& [stack, name] : {std::pair{"DrFailover-dev", "probe-dev"}, std::pair{"DrPrimary-dev", "probe-local-dev"}}) {
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
    auto t = sys.t("DrFailover-dev");
    const auto probe = one(t, "AWS::Lambda::Function", {{"FunctionName", "probe-dev"}});
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
  for (const char* name : {"probe", "failover"}) {
    fs::create_directories(dir.path / name);
    std::ofstream(dir.path / name / "index.py") << "def handler(event, context):\n    return {}\n";
  }
  test::ScopedEnv runtime("DRSYNTH_RUNTIME_DIR", dir.path.string());
  const auto e = system_error({});
  CHECK(test::has_diagnostic(e, "E769", "DisasterRecovery/Failover/Probe", "scripts/rds_ca_bundle.sh"));
  CHECK(test::has_diagnostic(e, "E769", "DisasterRecovery/Primary/Probe", "never turned off"));
}

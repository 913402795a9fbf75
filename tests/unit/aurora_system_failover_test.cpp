// The Aurora Global Database system's health, DNS and failover path (issue 14;
// documents 002 and 004): probes in both regions, the lag alarm and the DNS
// guard, the weighted records and their calculated health checks, a failover
// function in each region with least privilege, the budget from detection,
// and the variant setting of the shipped binary.
#include "aurora_system_fixture.hpp"
#include "dr_system_helpers.hpp"

using namespace drsynth;
using namespace aurora_system_test;
using namespace dr_test::helpers;
using assertions::Template;
using nlohmann::json;

namespace {

json function_named(const Template& t, const std::string& name) {
  const auto ids = t.find_resources("AWS::Lambda::Function", {{"FunctionName", name}});
  REQUIRE(ids.size() == 1);
  return properties(t.resource(ids.front()));
}

json alarm_named(const Template& t, const std::string& name) {
  const auto ids = t.find_resources("AWS::CloudWatch::Alarm", {{"AlarmName", name}});
  REQUIRE(ids.size() == 1);
  return properties(t.resource(ids.front()));
}

// Every statement of the function's default policy.
json statements_of(const Template& t, const std::string& function_name) {
  const json& f = function_named(t, function_name);
  const std::string role = f["Role"]["Fn::GetAtt"][0];
  for (const auto& id : t.find_resources("AWS::IAM::Policy"))
    if (properties(t.resource(id))["Roles"][0] == json{{"Ref", role}})
      return properties(t.resource(id))["PolicyDocument"]["Statement"];
  FAIL("no policy for " << function_name);
  return {};
}

}  // namespace

TEST_CASE("aurora: a probe in each region logs in to the writer (both cluster endpoints, own region first) every minute from its VPC", "[aurora][health]") {
  AuroraSystem sys;
  for (const auto& [stack, word, region] : {std::tuple{routes, "primary", "us-east-1"},
                                            std::tuple{secondary, "secondary", "us-west-2"}}) {
    INFO(stack);
    auto t = sys.t(stack);
    const json& probe = function_named(t, std::string("lambda-probe-") + word + "-dev");
    CHECK(probe["VpcConfig"]["SubnetIds"].size() == 3);
    const json& env = probe["Environment"]["Variables"];
    REQUIRE(env["DB_HOST"].contains("Fn::Join"));
    CHECK(env["DB_HOST"]["Fn::Join"][0] == ",");
    CHECK(env["DB_HOST"]["Fn::Join"][1].size() == 2);
    CHECK(env["SECRET_REGION"] == region);  // its own region's copy of the secret
    CHECK(env["METRIC_DIMENSION_VALUE"] == std::string("aurora-writer-from-") + word + "-dev");
    t.has_resource_properties("AWS::Events::Rule", {{"ScheduleExpression", "rate(1 minute)"}});
    // DNS moves on the one-minute view; missing data (a silent probe) is unhealthy.
    const json& view = alarm_named(t, std::string("alarm-writer-down-") + word + "-dev");
    CHECK(view["MetricName"] == "PrimaryHealthy");
    CHECK(view["EvaluationPeriods"] == 1);
    CHECK(view["TreatMissingData"] == "breaching");
  }
}

TEST_CASE("aurora: replication lag alarm at 500 ms for people and the DNS guard at 60 s", "[aurora][health]") {
  AuroraSystem sys;
  const json& lag = alarm_named(sys.t(secondary), "alarm-replication-lag-dev");
  CHECK(lag["MetricName"] == "AuroraGlobalDBReplicationLag");
  CHECK(lag["Threshold"] == 500);
  CHECK(lag["Dimensions"][0]["Name"] == "DBClusterIdentifier");
  CHECK(contains(lag["AlarmActions"], "Events"));
  const json& guard = alarm_named(sys.t(failover), "alarm-lag-guard-dev");
  CHECK(guard["MetricName"] == "AuroraGlobalDBReplicationLag");
  CHECK(guard["Threshold"] == 60000);
  CHECK(guard["TreatMissingData"] == "notBreaching");  // a promoted cluster stops reporting lag
  AuroraSystem tuned({.lag_alarm_milliseconds = 250, .dns_lag_guard_seconds = 30});
  CHECK(alarm_named(tuned.t(secondary), "alarm-replication-lag-dev")["Threshold"] == 250);
  CHECK(alarm_named(tuned.t(failover), "alarm-lag-guard-dev")["Threshold"] == 30000);
}

TEST_CASE("aurora: weighted records (100/0) between the regions' writer endpoints in a private zone of both VPCs, health checks combining connectivity and lag", "[aurora][dns]") {
  AuroraSystem sys;
  auto f = sys.t(failover);
  const json& zone = properties(f.only_resource("AWS::Route53::HostedZone"));
  CHECK(zone["Name"] == "aurora-dev.internal");
  REQUIRE(zone["VPCs"].size() == 2);
  CHECK(zone["VPCs"][0]["VPCRegion"] == "us-east-1");
  CHECK(zone["VPCs"][1]["VPCRegion"] == "us-west-2");
  const auto records = f.find_resources("AWS::Route53::RecordSet");
  REQUIRE(records.size() == 2);
  const json& p = properties(f.resource(f.find_resources("AWS::Route53::RecordSet", {{"SetIdentifier", "aurora-primary-dev"}}).front()));
  const json& s = properties(f.resource(f.find_resources("AWS::Route53::RecordSet", {{"SetIdentifier", "aurora-secondary-dev"}}).front()));
  CHECK(p["Name"] == "writer.aurora-dev.internal");
  CHECK(p["Weight"] == 100);
  CHECK(s["Weight"] == 0);
  CHECK(contains(p["ResourceRecords"], "AuroraPrimary-dev"));
  CHECK(contains(s["ResourceRecords"], "AuroraSecondary-dev"));
  // Primary: not fenced (counted twice) and either region's view: 3 of 4.
  const json& ph = properties(f.resource(p["HealthCheckId"]["Ref"].get<std::string>()))["HealthCheckConfig"];
  CHECK(ph["Type"] == "CALCULATED");
  CHECK(ph["HealthThreshold"] == 3);
  CHECK(ph["ChildHealthChecks"].size() == 4);
  // Secondary: not fenced and within the lag guard: 2 of 2.
  const json& sh = properties(f.resource(s["HealthCheckId"]["Ref"].get<std::string>()))["HealthCheckConfig"];
  CHECK(sh["HealthThreshold"] == 2);
  std::set<std::string> alarms;
  for (const auto& child : sh["ChildHealthChecks"]) {
    const json& alarm = properties(f.resource(child["Ref"].get<std::string>()))["HealthCheckConfig"]["AlarmIdentifier"]["Name"];
    alarms.insert(properties(f.resource(alarm["Ref"].get<std::string>()))["AlarmName"]);
  }
  CHECK(alarms == std::set<std::string>{"alarm-fence-secondary-dev", "alarm-lag-guard-dev"});
  // Each record's fence watches its own metric: fencing one never fences the other.
  const json& fence = properties(f.resource(f.find_resources("AWS::CloudWatch::Alarm", {{"AlarmName", "alarm-fence-primary-dev"}}).front()));
  CHECK(fence["MetricName"] == "Fenced");
  CHECK(fence["Dimensions"] == json::array({{{"Name", "System"}, {"Value", "aurora-primary-dev"}}}));
  CHECK(fence["TreatMissingData"] == "ignore");
}

TEST_CASE("aurora: a failover function in each region, started by its hold alarm, with Aurora's own failover calls on its global cluster's members only", "[aurora][failover]") {
  AuroraSystem sys;
  for (const auto& [stack, local, remote] : {std::tuple{failover, "secondary", "primary"},
                                             std::tuple{failover_primary, "primary", "secondary"}}) {
    INFO(stack);
    auto t = sys.t(stack);
    const std::string name = std::string("lambda-failover-") + local + "-dev";
    const json& fn = function_named(t, name);
    CHECK_FALSE(fn.contains("VpcConfig"));  // RDS, Route 53, CloudWatch and SSM APIs only
    CHECK(fn["Timeout"] == 300);
    CHECK(fn.contains("DeadLetterConfig"));
    const json& env = fn["Environment"]["Variables"];
    CHECK(env["GLOBAL_CLUSTER_ID"] == "aurora-global-dev");
    CHECK(env["LOCAL_CLUSTER_ID"] == std::string("aurora-") + local + "-dev");
    CHECK(env["REMOTE_CLUSTER_ID"] == std::string("aurora-") + remote + "-dev");
    CHECK(env["LOCAL_SET_IDENTIFIER"] == std::string("aurora-") + local + "-dev");
    CHECK(env["REMOTE_FENCE_ALARM_NAME"] == std::string("alarm-fence-") + remote + "-dev");
    CHECK(env["FENCE_REGION"] == "us-west-2");
    CHECK(env["HOLD_ALARM_NAME"] == std::string("alarm-writer-down-held-") + local + "-dev");
    CHECK(env["REMOTE_VIEW_ALARM_NAME"] == std::string("alarm-writer-down-") + remote + "-dev");
    CHECK(env["ALLOW_DETACH"] == "false");
    CHECK(env["DETECTION_BUDGET_SECONDS"] == "60");
    CHECK(env["ARM_AFTER_HEALTHY_DATAPOINTS"] == "5");
    // The hold alarm (3 minutes) invokes it; missing data is unhealthy.
    const json& hold = alarm_named(t, std::string("alarm-writer-down-held-") + local + "-dev");
    CHECK(hold["EvaluationPeriods"] == 3);
    CHECK(hold["TreatMissingData"] == "breaching");
    CHECK(contains(hold["AlarmActions"], "Failover"));
    // Least privilege: the global calls on the global cluster and this region's cluster, never "*".
    bool failover_call = false;
    for (const auto& st : statements_of(t, name)) {
      if (!contains(st["Action"], "rds:FailoverGlobalCluster")) continue;
      failover_call = true;
      CHECK(contains(st["Resource"], "global-cluster:aurora-global-dev"));
      CHECK(contains(st["Resource"], std::string("cluster:aurora-") + local + "-dev"));
      // The call demotes one member and promotes the other: both members of this
      // global cluster, nothing else.
      CHECK(contains(st["Resource"], std::string("cluster:aurora-") + remote + "-dev"));
      CHECK(st["Resource"].size() == 3);
      CHECK_FALSE(contains(st["Resource"], "\"*\""));
    }
    CHECK(failover_call);
    // It may fence only the other record; it may detach only when allowed.
    for (const auto& st : statements_of(t, name)) {
      if (contains(st["Action"], "cloudwatch:SetAlarmState")) {
        CHECK(contains(st["Resource"], std::string("alarm:alarm-fence-") + remote + "-dev"));
        CHECK_FALSE(contains(st["Resource"], std::string("alarm:alarm-fence-") + local + "-dev"));
      }
      CHECK_FALSE(contains(st["Action"], "rds:RemoveFromGlobalCluster"));
    }
    t.has_resource_properties("AWS::Events::Rule", {{"ScheduleExpression", "rate(1 minute)"}});  // reconcile
  }
  CHECK(test::has_diagnostic(aurora_error({.hold_minutes = 1}), "E828", "AuroraGlobalDr", "hold"));
  AuroraSystem detach({.allow_detach = true});
  auto dt = detach.t(failover);
  CHECK(function_named(dt, "lambda-failover-secondary-dev")["Environment"]["Variables"]["ALLOW_DETACH"] == "true");
  CHECK(contains(statements_of(dt, "lambda-failover-secondary-dev"), "rds:RemoveFromGlobalCluster"));
}

TEST_CASE("aurora: the failover budget from detection is computed, printed and held to 60 s (document 004)", "[aurora][budget]") {
  const auto b = patterns::aurora_failover_budget({});
  CHECK(b.requested_after_detection_seconds == 25);
  CHECK(b.writable_after_detection_seconds == 55);
  CHECK(b.writable_after_detection_seconds <= 60);
  CHECK(b.detection_seconds == 60 + 5 + 180 + 30);
  const auto slow = aurora_error({.expected_promotion_seconds = 50});
  CHECK(test::has_diagnostic(slow, "E826", "AuroraGlobalDr", "75 s"));
  CHECK(test::has_diagnostic(slow, "E826", "AuroraGlobalDr", "Aurora promotes the secondary cluster"));
  const auto r = test::run_cli({"list", "-c", "variant=aurora-global", "-c", "expectedPromotionSeconds=50"},
                               patterns::define_default_system);
  CHECK(r.code != 0);
  AuroraSystem sys;
  std::vector<std::string> lines;
  sys.dr.summarize(lines);
  CHECK(lines[1].find("the secondary is a writer 55 s after detection (objective 60 s)") != std::string::npos);
}

TEST_CASE("aurora: -c variant=aurora-global selects the system; an unknown variant is E831; the other system's settings are unknown keys", "[aurora][cli]") {
  const auto list = test::run_cli({"list", "-c", "variant=aurora-global"}, patterns::define_default_system);
  CHECK(list.code == 0);
  CHECK(list.out.find("AuroraFailoverPrimary-dev") != std::string::npos);
  CHECK(list.out.find("DrPrimary-dev") == std::string::npos);
  const auto rds = test::run_cli({"list"}, patterns::define_default_system);
  CHECK(rds.out.find("DrPrimary-dev") != std::string::npos);
  const auto bad = test::run_cli({"list", "-c", "variant=aurora"}, patterns::define_default_system);
  CHECK(bad.code != 0);
  CHECK(bad.err.find("E831") != std::string::npos);
  CHECK(bad.err.find("rds-replica (the default) or aurora-global") != std::string::npos);
  const auto mixed = test::run_cli({"list", "-c", "variant=aurora-global", "-c", "drRegion=eu-west-1"},
                                   patterns::define_default_system);
  CHECK(mixed.code != 0);
  CHECK(mixed.err.find("E510") != std::string::npos);
  const auto suffix = test::run_cli({"list", "-c", "variant=aurora-global", "-c", "environmentSuffix=qa",
                                     "-c", "readers=1"}, patterns::define_default_system);
  CHECK(suffix.code != 0);
  CHECK(suffix.err.find("'readers' (-c)") != std::string::npos);
}

// The Aurora Global Database system's health, DNS and failover path (issue 14;
// documents 002 and 004), as the DR kit builds it for the Aurora engine:
// probes in both regions, the lag alarm and the DNS guards, the weighted
// records, a failover function in each region with the engine's least
// privilege, the budget from the failure, and the variant setting of the
// shipped binary. dr_kit_test.cpp has what both systems share.
#include "aurora_system_fixture.hpp"
#include "dr_system_helpers.hpp"

using namespace drsynth;
using namespace aurora_system_test;
using namespace dr_test::helpers;
using assertions::Template;
using nlohmann::json;


TEST_CASE("aurora: a probe in each region logs in to both cluster endpoints (own region first) every minute from its VPC", "[aurora][health]") {
  AuroraSystem sys;
  for (const auto& [stack, word, region, own, other] :
       {std::tuple{routes, "primary", "us-east-1", "AuroraPrimary-dev", "AuroraSecondary-dev"},
        std::tuple{secondary, "secondary", "us-west-2", "AuroraSecondary-dev", "AuroraPrimary-dev"}}) {
    INFO(stack);
    auto t = sys.t(stack);
    const json& probe = function_named(t, std::string("lambda-probe-aurora-") + word + "-dev");
    CHECK(probe["VpcConfig"]["SubnetIds"].size() == 3);
    const json& env = probe["Environment"]["Variables"];
    CHECK(env["LOCAL_SITE"] == std::string("aurora-") + word + "-dev");
    // The own cluster's endpoint first (in the secondary stack a GetAtt of its own cluster), the other second.
    CHECK(contains(env["LOCAL_DB_HOST"], std::string(stack) == secondary ? "Cluster" : own));
    CHECK(contains(env["REMOTE_DB_HOST"], other));
    CHECK(env["SECRET_REGION"] == region);  // its own region's copy of the secret
    CHECK(env["METRIC_DIMENSION_VALUE"] == "aurora-dr-dev");
    t.has_resource_properties("AWS::Events::Rule", {{"ScheduleExpression", "rate(1 minute)"}});
    // DNS moves on the views (2 minutes by default: a one-minute blip does not move it).
    const json& view = alarm_named(t, std::string("alarm-writer-aurora-primary-seen-from-") + word + "-dev");
    CHECK(view["MetricName"] == "Writer");
    CHECK(view["EvaluationPeriods"] == 2);
    CHECK(view["TreatMissingData"] == "breaching");
  }
}

TEST_CASE("aurora: replication lag alarm at 500 ms for people and a DNS lag guard of 60 s per site", "[aurora][health]") {
  AuroraSystem sys;
  const json& lag = alarm_named(sys.t(secondary), "alarm-replication-lag-dev");
  CHECK(lag["MetricName"] == "AuroraGlobalDBReplicationLag");
  CHECK(lag["Threshold"] == 500);
  CHECK(lag["Dimensions"][0]["Name"] == "DBClusterIdentifier");
  CHECK(contains(lag["AlarmActions"], "Events"));
  for (const auto& [stack, word] : {std::pair{secondary, "secondary"}, std::pair{routes, "primary"}}) {
    const json& guard = alarm_named(sys.t(stack), std::string("alarm-lag-guard-aurora-") + word + "-dev");
    CHECK(guard["MetricName"] == "AuroraGlobalDBReplicationLag");
    CHECK(guard["Threshold"] == 60000);
    CHECK(guard["TreatMissingData"] == "notBreaching");  // a writer reports no lag
  }
  AuroraSystem tuned({.lag_alarm_milliseconds = 250, .dns_lag_guard_seconds = 30});
  CHECK(alarm_named(tuned.t(secondary), "alarm-replication-lag-dev")["Threshold"] == 250);
  CHECK(alarm_named(tuned.t(secondary), "alarm-lag-guard-aurora-secondary-dev")["Threshold"] == 30000);
}

TEST_CASE("aurora: weighted records (100/0) between the regions' cluster endpoints in a private zone of both VPCs", "[aurora][dns]") {
  AuroraSystem sys;
  auto f = sys.t(failover);
  const json& zone = properties(f.only_resource("AWS::Route53::HostedZone"));
  CHECK(zone["Name"] == "aurora-dev.internal");
  REQUIRE(zone["VPCs"].size() == 2);
  CHECK(zone["VPCs"][0]["VPCRegion"] == "us-east-1");
  CHECK(zone["VPCs"][1]["VPCRegion"] == "us-west-2");
  const json& p = properties(f.resource(f.find_resources("AWS::Route53::RecordSet", {{"SetIdentifier", "aurora-primary-dev"}}).front()));
  const json& s = properties(f.resource(f.find_resources("AWS::Route53::RecordSet", {{"SetIdentifier", "aurora-secondary-dev"}}).front()));
  CHECK(p["Name"] == "writer.aurora-dev.internal");
  CHECK(p["Weight"] == 100);
  CHECK(s["Weight"] == 0);
  CHECK(contains(p["ResourceRecords"], "AuroraPrimary-dev"));
  CHECK(contains(s["ResourceRecords"], "AuroraSecondary-dev"));
  // Each record's fence watches its own metric: fencing one never fences the other.
  const json& fence = alarm_named(sys.t(secondary), "alarm-fence-aurora-primary-dev");
  CHECK(fence["MetricName"] == "Fenced");
  CHECK(fence["Dimensions"] == json::array({{{"Name", "Site"}, {"Value", "aurora-primary-dev"}},
                                            {{"Name", "System"}, {"Value", "aurora-dr-dev"}}}));
  CHECK(alarm_named(sys.t(routes), "alarm-fence-aurora-secondary-dev")["Dimensions"][0]["Value"] ==
        "aurora-secondary-dev");
}

TEST_CASE("aurora: a failover function in each region, started by its hold alarm, with Aurora's own failover calls on its global cluster's members only", "[aurora][failover]") {
  AuroraSystem sys;
  for (const auto& [stack, local, remote] : {std::tuple{failover, "secondary", "primary"},
                                             std::tuple{failover_primary, "primary", "secondary"}}) {
    INFO(stack);
    auto t = sys.t(stack);
    const std::string name = std::string("lambda-failover-aurora-") + local + "-dev";
    const json& fn = function_named(t, name);
    CHECK_FALSE(fn.contains("VpcConfig"));  // RDS, Route 53, CloudWatch, SSM, Lambda and SNS APIs only
    CHECK(fn["Timeout"] == 300);
    CHECK(fn.contains("DeadLetterConfig"));
    const json& env = fn["Environment"]["Variables"];
    CHECK(env["ENGINE"] == "aurora");
    CHECK(env["GLOBAL_CLUSTER_ID"] == "aurora-global-dev");
    CHECK(env["LOCAL_DB_ID"] == std::string("aurora-") + local + "-dev");
    CHECK(env["REMOTE_DB_ID"] == std::string("aurora-") + remote + "-dev");
    CHECK(env["LOCAL_SITE"] == std::string("aurora-") + local + "-dev");
    CHECK(env["FENCE_ALARM_NAME"] == std::string("alarm-fence-aurora-") + remote + "-dev");
    CHECK(env["HOLD_ALARM_NAME"] == std::string("alarm-writer-held-aurora-") + remote + "-seen-from-" + local + "-dev");
    CHECK(env["REMOTE_VIEW_ALARM_NAME"] == std::string("alarm-writer-aurora-") + remote + "-seen-from-" + remote + "-dev");
    CHECK(env["ALLOW_DETACH"] == "false");
    CHECK(env["ARM_AFTER_HEALTHY_MINUTES"] == "5");
    CHECK(env["MAX_PROMOTION_LAG_SECONDS"] == "60");
    CHECK(contains(env["WITNESS_FUNCTION_ARN"], "AuroraWitness-dev"));
    // The hold alarm (3 minutes) invokes it; missing data is unhealthy.
    const json& hold = alarm_named(t, std::string("alarm-writer-held-aurora-") + remote + "-seen-from-" + local + "-dev");
    CHECK(hold["EvaluationPeriods"] == 3);
    CHECK(hold["TreatMissingData"] == "breaching");
    CHECK(contains(hold["AlarmActions"], "Failover"));
    // Least privilege: the global calls on the global cluster and its two members, never "*".
    bool failover_call = false;
    for (const auto& st : statements_of(t, name)) {
      if (!contains(st["Action"], "rds:FailoverGlobalCluster")) continue;
      failover_call = true;
      CHECK(contains(st["Resource"], "global-cluster:aurora-global-dev"));
      CHECK(contains(st["Resource"], std::string("cluster:aurora-") + local + "-dev"));
      CHECK(contains(st["Resource"], std::string("cluster:aurora-") + remote + "-dev"));
      CHECK(st["Resource"].size() == 3);
      CHECK_FALSE(contains(st["Resource"], "\"*\""));
    }
    CHECK(failover_call);
    // A fence is a Fenced datapoint, not an alarm state (Route 53 follows the
    // data): no SetAlarmState at all; no detach unless allowed.
    for (const auto& st : statements_of(t, name)) {
      CHECK_FALSE(contains(st["Action"], "cloudwatch:SetAlarmState"));
      CHECK_FALSE(contains(st["Action"], "rds:RemoveFromGlobalCluster"));
    }
    t.has_resource_properties("AWS::Events::Rule", {{"ScheduleExpression", "rate(1 minute)"}});  // reconcile
  }
  CHECK(test::has_diagnostic(aurora_error({.hold_minutes = 1}), "E828", "AuroraGlobalDr", "hold"));
  AuroraSystem detach({.allow_detach = true});
  auto dt = detach.t(failover);
  CHECK(function_named(dt, "lambda-failover-aurora-secondary-dev")["Environment"]["Variables"]["ALLOW_DETACH"] == "true");
  CHECK(contains(statements_of(dt, "lambda-failover-aurora-secondary-dev"), "rds:RemoveFromGlobalCluster"));
}

TEST_CASE("aurora: the recovery-time budget counts from the failure, is printed, and is held to its objective (E826)", "[aurora][budget]") {
  const auto b = patterns::recovery_budget(AuroraProps{});
  CHECK(b.engine == "aurora");
  CHECK(b.detection_seconds == 60 + 5 + 180 + 30);
  // + the asynchronous invocation 5 and its cold start 5, direct second signal 2 x 5, the witness's claim
  // 2 x 4 and its cold start 5, the fence readable 4, Aurora 120 (src/patterns/unpublished_delays.def)
  CHECK(b.writable_seconds == 275 + 5 + 5 + 10 + 8 + 5 + 4 + 120);
  CHECK_FALSE(b.needs_approval);
  CHECK(b.dns_seconds == 60 + 5 + 120 + 30 + 30 + 30);
  CHECK(b.worst_seconds() <= b.objective_seconds);
  CHECK(b.objective_seconds == 600);
  const auto slow = aurora_error({.expected_promotion_seconds = 300});
  CHECK(test::has_diagnostic(slow, "E826", "AuroraGlobalDr", "612 s"));
  CHECK(test::has_diagnostic(slow, "E826", "AuroraGlobalDr", "aurora-global-database-disaster-recovery.html"));
  const auto r = test::run_cli({"list", "-c", "variant=aurora-global", "-c", "expectedPromotionSeconds=300"},
                               patterns::define_default_system);
  CHECK(r.code != 0);
  AuroraSystem sys;
  std::vector<std::string> lines;
  sys.dr.summarize(lines);
  CHECK(lines[1].find("the secondary is writable after 432 s") != std::string::npos);
  CHECK(lines[1].find("objective 600 s") != std::string::npos);
}

TEST_CASE("aurora: -c variant=aurora-global selects the system; an unknown variant is E831; the other system's settings are unknown keys", "[aurora][cli]") {
  const auto list = test::run_cli({"list", "-c", "variant=aurora-global"}, patterns::define_default_system);
  CHECK(list.code == 0);
  CHECK(list.out.find("AuroraFailoverPrimary-dev") != std::string::npos);
  CHECK(list.out.find("AuroraWitness-dev") != std::string::npos);
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

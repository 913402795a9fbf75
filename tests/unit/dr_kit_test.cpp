// The DR kit (src/patterns/dr_kit.hpp) in the templates of both built-in
// systems: one test per behaviour, run for the RDS system and for the Aurora
// system (issue 20). The engine-specific parts are in dr_failover_safety_test.cpp
// and aurora_system_failover_test.cpp.
#include <set>

#include "aurora_system_fixture.hpp"
#include "dr_fixture.hpp"
#include "dr_system_helpers.hpp"
#include "lambda/contract.hpp"

using namespace drsynth;
using namespace dr_test::helpers;
using assertions::Template;
using nlohmann::json;

namespace {

// What differs between the two systems, for the tests below.
struct Facts {
  const char* engine;
  std::array<const char*, 2> words, ids, regions, view_stacks, failover_stacks, db_arns;
  const char* witness;
  const char* witness_region;
  const char* dimension;
  const char* budget_code;
  const char* witness_code;
  const char* path;
  const char* lease_code;
  std::array<const char*, 2> parameter_groups;  // each site's own (cluster) parameter group: the self-fence
};
struct Rds {
  using Pattern = patterns::PostgresDisasterRecovery;
  using Props = Pattern::Props;
  static constexpr Facts f{"rds", {"primary", "replica"}, {"primary", "replica"}, {"us-east-1", "eu-west-1"},
                           {"DrPrimaryRoutes-dev", "DrReplica-dev"}, {"DrFailoverPrimary-dev", "DrFailover-dev"},
                           {"db:postgres-primary-dev", "db:postgres-replica-dev"}, "DrWitness-dev", "us-west-2",
                           "postgres-dr-dev", "E807", "E816", "DisasterRecovery", "E817",
                           {"pg:postgres15-primary-dev", "pg:postgres15-replica-dev"}};
};
struct Aurora {
  using Pattern = patterns::AuroraGlobalDisasterRecovery;
  using Props = Pattern::Props;
  static constexpr Facts f{"aurora", {"primary", "secondary"}, {"aurora-primary-dev", "aurora-secondary-dev"},
                           {"us-east-1", "us-west-2"}, {"AuroraPrimaryRoutes-dev", "AuroraSecondary-dev"},
                           {"AuroraFailoverPrimary-dev", "AuroraFailover-dev"},
                           {"cluster:aurora-primary-dev", "cluster:aurora-secondary-dev"}, "AuroraWitness-dev",
                           "us-east-2", "aurora-dr-dev", "E826", "E832", "AuroraGlobalDr", "E833",
                           {"cluster-pg:aurora-params-primary-dev", "cluster-pg:aurora-params-secondary-dev"}};
};

template <class S>
std::string name(const std::string& pattern, int x, int s = 0) {
  std::string out = pattern;
  auto put = [&](const std::string& key, const std::string& value) {
    for (auto at = out.find(key); at != std::string::npos; at = out.find(key)) out.replace(at, key.size(), value);
  };
  put("{sys}", S::f.engine);
  put("{x}", S::f.words[static_cast<std::size_t>(x)]);
  put("{s}", S::f.words[static_cast<std::size_t>(s)]);
  return out;
}

// The alarm a CLOUDWATCH_METRIC check of `stack` follows: its name and the check's config.
std::string followed_alarm(const Assembly& a, const std::string& stack, const json& check) {
  const json& id = check["Properties"]["HealthCheckConfig"]["AlarmIdentifier"]["Name"];
  if (id.is_string()) return id;
  const auto [producer, alarm] = referenced_resource(a, stack, id);
  REQUIRE_FALSE(alarm.is_null());
  return alarm["Properties"]["AlarmName"];
}

}  // namespace

TEMPLATE_TEST_CASE("kit: each record's health checks: the fence twice (last known status), both regions' views (unhealthy without data), the lag guard (healthy without data), lifted while the site fences the other (unhealthy without data)",
                   "[kit][dns]", Rds, Aurora) {
  using S = TestType;
  system_test::SystemOf<typename S::Pattern> sys;
  auto g = sys.t(S::f.failover_stacks[1]);
  for (int s = 0; s < 2; ++s) {
    INFO("site " << S::f.words[static_cast<std::size_t>(s)]);
    const json record = one_resource(g, "AWS::Route53::RecordSet", {{"SetIdentifier", S::f.ids[static_cast<std::size_t>(s)]}});
    // A (the writer at deploy time) weight 100 with its writer check; B weight 0 with its fallback check.
    CHECK(record["Properties"]["Weight"] == (s == 0 ? 100 : 0));
    CHECK(record["Properties"]["TTL"] == "30");
    const std::string w = s == 0 ? "Writer" : "Fallback";
    const json& check = g.resource(record["Properties"]["HealthCheckId"]["Ref"].get<std::string>());
    CHECK(record["Properties"]["HealthCheckId"]["Ref"].get<std::string>().starts_with(w + "Check"));
    // Both checks of the site, whichever the record carries now (the flip swaps them).
    for (const std::string kind : {"WriterCheck", "FallbackCheck"}) {
      std::string word = S::f.words[static_cast<std::size_t>(s)];
      word[0] = static_cast<char>(word[0] - 'a' + 'A');
      std::string id;
      for (const auto& r : g.find_resources("AWS::Route53::HealthCheck"))
        if (r.starts_with(kind + word)) id = r;
      REQUIRE_FALSE(id.empty());
      const json& cfg = properties(g.resource(id))["HealthCheckConfig"];
      CHECK(cfg["Type"] == "CALCULATED");
      std::multiset<std::string> children;
      for (const auto& child : cfg["ChildHealthChecks"]) {
        const json& c = g.resource(child["Ref"].get<std::string>());
        const json& cc = properties(c)["HealthCheckConfig"];
        CHECK(cc["Type"] == "CLOUDWATCH_METRIC");
        children.insert(followed_alarm(sys.assembly, S::f.failover_stacks[1], c) + " " + cc["InsufficientDataHealthStatus"].get<std::string>() +
                        " " + cc["AlarmIdentifier"]["Region"].get<std::string>());
      }
      const std::string fence = name<S>("alarm-fence-{sys}-{s}-dev LastKnownStatus ", 0, s) + S::f.regions[static_cast<std::size_t>(1 - s)];
      if (kind == "WriterCheck") {
        // not fenced AND either region sees the site as a writable primary
        CHECK(cfg["HealthThreshold"] == 3);
        CHECK(children == std::multiset<std::string>{
                              fence, fence,
                              name<S>("alarm-writer-{sys}-{s}-seen-from-{x}-dev Unhealthy ", 0, s) + S::f.regions[0],
                              name<S>("alarm-writer-{sys}-{s}-seen-from-{x}-dev Unhealthy ", 1, s) + S::f.regions[1]});
      } else {
        // not fenced AND (replicated within the guard OR the site fences the other: a standby being promoted
        // lags more and more, and with every record unhealthy Route 53 would answer the fenced writer)
        CHECK(cfg["HealthThreshold"] == 3);
        const std::string own = S::f.regions[static_cast<std::size_t>(s)];
        CHECK(children == std::multiset<std::string>{
                              fence, fence, name<S>("alarm-lag-guard-{sys}-{s}-dev Healthy ", 0, s) + own,
                              name<S>("alarm-lag-guard-applies-{sys}-{s}-dev Unhealthy ", 0, s) + own});
      }
    }
    (void)check;
  }
}

TEMPLATE_TEST_CASE("kit: every alarm of every stack has an action; views page, the hold alarm starts the failover function, a failing topic relays through it",
                   "[kit][paging]", Rds, Aurora) {
  using S = TestType;
  system_test::SystemOf<typename S::Pattern> sys;
  for (const auto& stack : sys.assembly.stacks) {
    for (const auto& [id, r] : stack.template_json()["Resources"].items()) {
      if (r["Type"] != "AWS::CloudWatch::Alarm") continue;
      INFO(stack.name << " " << id);
      CHECK(properties(r).contains("AlarmActions"));
      CHECK_FALSE(properties(r)["AlarmActions"].empty());
    }
  }
  for (int x = 0; x < 2; ++x) {
    const int y = 1 - x;
    auto v = sys.t(S::f.view_stacks[static_cast<std::size_t>(x)]);
    auto f = sys.t(S::f.failover_stacks[static_cast<std::size_t>(x)]);
    const std::string fn = name<S>("lambda-failover-{sys}-{x}-dev", x);
    const std::string fn_id = f.find_resources("AWS::Lambda::Function", {{"FunctionName", fn}}).at(0);
    // W_X(S) for both sites: Writer{Site=S} of X's probe, 2 periods, Route 53 can follow it.
    for (int s = 0; s < 2; ++s) {
      const json view = properties(one_resource(v, "AWS::CloudWatch::Alarm", {{"AlarmName", name<S>("alarm-writer-{sys}-{s}-seen-from-{x}-dev", x, s)}}));
      CHECK(view["MetricName"] == "Writer");
      CHECK(view["Dimensions"] == json::array({{{"Name", "Site"}, {"Value", S::f.ids[static_cast<std::size_t>(s)]}},
                                               {{"Name", "System"}, {"Value", S::f.dimension}}}));
      CHECK(view["Statistic"] == "Minimum");
      CHECK(view["EvaluationPeriods"] == 2);
      CHECK(view["DatapointsToAlarm"] == 2);
      CHECK(view.contains("OKActions"));
    }
    // H_X(Y): invokes X's function and pages.
    const json hold = properties(one_resource(f, "AWS::CloudWatch::Alarm", {{"AlarmName", name<S>("alarm-writer-held-{sys}-{s}-seen-from-{x}-dev", x, y)}}));
    CHECK(hold["EvaluationPeriods"] == 3);
    CHECK(contains(hold["AlarmActions"], fn_id));
    CHECK(hold["AlarmActions"].size() == 2);
    // The fence of the OTHER site lives in the region that would fence it.
    const json fence = properties(one_resource(v, "AWS::CloudWatch::Alarm", {{"AlarmName", name<S>("alarm-fence-{sys}-{s}-dev", x, y)}}));
    CHECK(fence["Dimensions"][0] == json{{"Name", "Site"}, {"Value", S::f.ids[static_cast<std::size_t>(y)]}});
    CHECK(fence["Statistic"] == "Maximum");
    // G(X): the Fenced{Site=Y} datapoints of X's function, OK while X fences Y (then DNS lifts X's lag guard).
    const json lifted = properties(one_resource(v, "AWS::CloudWatch::Alarm", {{"AlarmName", name<S>("alarm-lag-guard-applies-{sys}-{s}-dev", x, x)}}));
    CHECK(lifted["MetricName"] == "Fenced");
    CHECK(lifted["Dimensions"] == fence["Dimensions"]);
    CHECK(lifted["Statistic"] == "Maximum");
    CHECK(lifted["ComparisonOperator"] == "LessThanThreshold");
    CHECK(lifted["Threshold"] == 1);
    // U_X(Y): X's probe reaches no server at Y (the standby publishes Writer=0 anyway): pages on X's topic.
    const json unreachable = properties(one_resource(f, "AWS::CloudWatch::Alarm", {{"AlarmName", name<S>("alarm-unreachable-{sys}-{s}-from-{x}-dev", x, y)}}));
    CHECK(unreachable["MetricName"] == "Reachable");
    CHECK(unreachable["Dimensions"] == fence["Dimensions"]);  // {Site=Y, System}
    CHECK(unreachable["Statistic"] == "Maximum");
    CHECK(unreachable["EvaluationPeriods"] == 2);
    CHECK(unreachable["AlarmActions"] == unreachable["OKActions"]);
    CHECK(unreachable["AlarmActions"].size() == 1);
    // Silence: the probe stops publishing (missing data breaching; 1 period: CloudWatch's evaluation range
    // of 3 periods must be empty, so 3 silent minutes page and one late run does not).
    const json silent = properties(one_resource(v, "AWS::CloudWatch::Alarm", {{"AlarmName", name<S>("alarm-probe-silent-{sys}-{x}-dev", x)}}));
    CHECK(silent["MetricName"] == "Writer");
    CHECK(silent["Statistic"] == "SampleCount");
    CHECK(silent["EvaluationPeriods"] == 1);
    CHECK(silent["DatapointsToAlarm"] == 1);
    CHECK(silent["TreatMissingData"] == "breaching");
    // The probe's own fault pages (and moves no DNS).
    const json fault = properties(one_resource(v, "AWS::CloudWatch::Alarm", {{"AlarmName", name<S>("alarm-probe-fault-{sys}-{x}-dev", x)}}));
    CHECK(fault["MetricName"] == "ProbeFault");
    CHECK(fault["Dimensions"][0] == json{{"Name", "Probe"}, {"Value", S::f.ids[static_cast<std::size_t>(x)]}});
    CHECK(fault["TreatMissingData"] == "notBreaching");
    // Silence: the reconcile schedule (or the function) stopped.
    const json quiet = properties(one_resource(f, "AWS::CloudWatch::Alarm", {{"AlarmName", name<S>("alarm-failover-silent-{sys}-{x}-dev", x)}}));
    CHECK(quiet["Namespace"] == "AWS/Lambda");
    CHECK(quiet["MetricName"] == "Invocations");
    CHECK(quiet["TreatMissingData"] == "breaching");
    CHECK(quiet["EvaluationPeriods"] == 1);
    // The topic failing to deliver: the function relays the page to the other region.
    const json failed = properties(one_resource(f, "AWS::CloudWatch::Alarm", {{"AlarmName", name<S>("alarm-notifications-failed-{sys}-{x}-dev", x)}}));
    CHECK(failed["Namespace"] == "AWS/SNS");
    CHECK(failed["MetricName"] == "NumberOfNotificationsFailed");
    CHECK(failed["AlarmActions"] == json::array({{{"Fn::GetAtt", {fn_id, "Arn"}}}}));
  }
}

TEMPLATE_TEST_CASE("kit: each failover function's environment is the contract's for its engine, nothing outside it",
                   "[kit][contract]", Rds, Aurora) {
  using S = TestType;
  system_test::SystemOf<typename S::Pattern> sys;
  std::string problem;
  const auto vars = lambda::detail::contract_variables("failover", problem);
  REQUIRE(problem.empty());
  std::set<std::string> known;
  std::set<std::string> required;
  for (const auto& v : vars) {
    known.insert(v.name);
    if (v.required == "always" || v.required == S::f.engine) required.insert(v.name);
  }
  for (int x = 0; x < 2; ++x) {
    auto f = sys.t(S::f.failover_stacks[static_cast<std::size_t>(x)]);
    const json fn = properties(one_resource(f, "AWS::Lambda::Function", {{"FunctionName", name<S>("lambda-failover-{sys}-{x}-dev", x)}}));
    std::set<std::string> set;
    for (const auto& [k, v] : fn["Environment"]["Variables"].items()) set.insert(k);
    INFO(fn["Environment"].dump());
    for (const auto& k : set) {
      INFO(k);
      CHECK(known.contains(k));
    }
    for (const auto& k : required) {
      INFO(k);
      CHECK(set.contains(k));
    }
    CHECK(fn["Environment"]["Variables"]["ENGINE"] == S::f.engine);
    CHECK(fn["Environment"]["Variables"]["LOCAL_REGION"] == S::f.regions[static_cast<std::size_t>(x)]);
    CHECK(fn["Environment"]["Variables"]["REMOTE_REGION"] == S::f.regions[static_cast<std::size_t>(1 - x)]);
    CHECK(fn["Environment"]["Variables"]["METRIC_DIMENSION_VALUE"] == S::f.dimension);
    // Reserved concurrency: the account's other functions cannot throttle it.
    CHECK(fn["ReservedConcurrentExecutions"] == 5);
    CHECK_FALSE(fn.contains("VpcConfig"));
  }
  // The witness and both probes too.
  for (const auto& [function, stack, fn_name] :
       {std::tuple{"witness", S::f.witness, name<S>("lambda-witness-{sys}-dev", 0)},
        std::tuple{"probe", S::f.view_stacks[0], name<S>("lambda-probe-{sys}-{x}-dev", 0)},
        std::tuple{"probe", S::f.view_stacks[1], name<S>("lambda-probe-{sys}-{x}-dev", 1)}}) {
    INFO(fn_name);
    const auto contract = lambda::detail::contract_variables(function, problem);
    REQUIRE(problem.empty());
    std::set<std::string> names;
    for (const auto& v : contract) names.insert(v.name);
    const json fn = properties(one_resource(sys.t(stack), "AWS::Lambda::Function", {{"FunctionName", fn_name}}));
    for (const auto& [k, v] : fn["Environment"]["Variables"].items()) {
      INFO(k);
      CHECK(names.contains(k));
    }
  }
}

TEMPLATE_TEST_CASE("kit: each failover function's policy is the engine's promotion on its own site and the kit's reads and writes, on the system's own resources",
                   "[kit][iam]", Rds, Aurora) {
  using S = TestType;
  system_test::SystemOf<typename S::Pattern> sys;
  for (int x = 0; x < 2; ++x) {
    INFO("site " << S::f.words[static_cast<std::size_t>(x)]);
    auto f = sys.t(S::f.failover_stacks[static_cast<std::size_t>(x)]);
    const json statements = statements_of(f, name<S>("lambda-failover-{sys}-{x}-dev", x));
    std::map<std::string, json> by_action;
    for (const auto& st : statements) {
      CHECK(st["Effect"] == "Allow");
      for (const auto& a : as_list(st["Action"])) by_action[a.get<std::string>()] = st["Resource"];
    }
    std::set<std::string> actions;
    for (const auto& [a, r] : by_action) actions.insert(a);
    std::set<std::string> expected{"cloudwatch:DescribeAlarms", "cloudwatch:GetMetricStatistics",
                                   "cloudwatch:PutMetricData", "kms:Decrypt", "kms:GenerateDataKey*",
                                   "lambda:InvokeFunction", "route53:ChangeResourceRecordSets",
                                   "route53:GetHealthCheckStatus", "route53:ListResourceRecordSets", "sns:Publish",
                                   "sqs:SendMessage", "ssm:DeleteParameter", "ssm:GetParameter", "ssm:PutParameter"};
    // The lease's self-fence: its own parameter group and its own writer's reboot, nothing of the other site.
    const std::string fence_group = std::string(S::f.engine) == "rds" ? "rds:ModifyDBParameterGroup"
                                                                      : "rds:ModifyDBClusterParameterGroup";
    expected.insert({fence_group, "rds:RebootDBInstance"});
    CHECK(by_action[fence_group].dump().find(S::f.parameter_groups[static_cast<std::size_t>(x)]) != std::string::npos);
    CHECK(by_action[fence_group].dump().find(S::f.parameter_groups[static_cast<std::size_t>(1 - x)]) == std::string::npos);
    CHECK(by_action["rds:RebootDBInstance"].dump().find(S::f.regions[static_cast<std::size_t>(1 - x)]) == std::string::npos);
    if (std::string(S::f.engine) == "rds") {
      expected.insert({"rds:PromoteReadReplica", "rds:ModifyDBInstance", "rds:DescribeDBInstances"});
      // Only its own instance is ever promoted.
      CHECK(by_action["rds:PromoteReadReplica"].dump().find(S::f.db_arns[static_cast<std::size_t>(x)]) != std::string::npos);
      CHECK(by_action["rds:PromoteReadReplica"].dump().find(S::f.db_arns[static_cast<std::size_t>(1 - x)]) == std::string::npos);
    } else {
      expected.insert({"rds:FailoverGlobalCluster", "rds:SwitchoverGlobalCluster", "rds:DescribeGlobalClusters",
                       "rds:DescribeDBClusters"});
    }
    CHECK(actions == expected);
    // Only the metric namespace of the system; the fence is a datapoint, never SetAlarmState.
    for (const auto& st : statements)
      if (st["Action"] == "cloudwatch:PutMetricData")
        CHECK(st["Condition"] == json{{"StringEquals", {{"cloudwatch:namespace", "drsynth"}}}});
    // Two topics (a page goes to both regions), the fence's two checks, five alarms.
    CHECK(by_action["sns:Publish"].size() == 2);
    CHECK(by_action["route53:GetHealthCheckStatus"].size() == 2);
    CHECK(by_action["cloudwatch:DescribeAlarms"].size() == 5);
    CHECK(by_action["lambda:InvokeFunction"].dump().find(S::f.witness) != std::string::npos);
    for (const auto& [a, r] : by_action) {
      INFO(a);
      if (a.starts_with("cloudwatch:GetMetric") || a == "cloudwatch:PutMetricData") continue;
      CHECK(r.dump().find("\"*\"") == std::string::npos);
    }
  }
}

TEMPLATE_TEST_CASE("kit: the witness in a third region reads both sites' databases, their own views, the probes' metrics and its grant parameter",
                   "[kit][witness]", Rds, Aurora) {
  using S = TestType;
  system_test::SystemOf<typename S::Pattern> sys;
  const auto* w = sys.assembly.find(S::f.witness);
  REQUIRE(w != nullptr);
  CHECK(w->region == S::f.witness_region);
  auto t = sys.t(S::f.witness);
  const std::string fn_name = name<S>("lambda-witness-{sys}-dev", 0);
  const json fn = properties(one_resource(t, "AWS::Lambda::Function", {{"FunctionName", fn_name}}));
  CHECK_FALSE(fn.contains("VpcConfig"));
  const json& env = fn["Environment"]["Variables"];
  CHECK(env["ENGINE"] == S::f.engine);
  CHECK(env["SITE_A"] == S::f.ids[0]);
  CHECK(env["SITE_B_REGION"] == S::f.regions[1]);
  CHECK(env["SITE_A_VIEW_ALARM_NAME"] == name<S>("alarm-writer-{sys}-{s}-seen-from-{x}-dev", 0, 0));
  CHECK(env["SITE_B_VIEW_ALARM_NAME"] == name<S>("alarm-writer-{sys}-{s}-seen-from-{x}-dev", 1, 1));
  CHECK(env["GRANT_PARAMETER"] == std::string("/drsynth/") + S::f.engine + "-dev/witness-grant");
  CHECK(env["SITE_A_LEASE_PARAMETER"] == name<S>("/drsynth/{sys}-dev/lease-{x}", 0));
  CHECK(env["SITE_B_LEASE_PARAMETER"] == name<S>("/drsynth/{sys}-dev/lease-{x}", 1));
  CHECK(env["LEASE_EXPIRY_SECONDS"] == "240");
  const json statements = statements_of(t, fn_name);
  std::set<std::string> actions;
  for (const auto& st : statements)
    for (const auto& a : as_list(st["Action"])) actions.insert(a);
  std::set<std::string> expected{"cloudwatch:DescribeAlarms", "cloudwatch:GetMetricStatistics",
                                 "ssm:DeleteParameter", "ssm:GetParameter", "ssm:PutParameter"};
  if (std::string(S::f.engine) == "rds") expected.insert("rds:DescribeDBInstances");
  else expected.insert({"rds:DescribeDBClusters", "rds:DescribeGlobalClusters"});
  CHECK(actions == expected);  // reads only: it never promotes, fences or flips
  const std::string all = statements.dump();
  CHECK(all.find(S::f.db_arns[0]) != std::string::npos);
  CHECK(all.find(S::f.db_arns[1]) != std::string::npos);
  CHECK(all.find(std::string(S::f.regions[0]) + ":${AWS::AccountId}:alarm:") != std::string::npos);
  CHECK(all.find(std::string(S::f.witness_region) + ":${AWS::AccountId}:parameter/drsynth/") != std::string::npos);

  // Approval mode: no witness stack, and the functions say so.
  typename S::Props approval{};
  approval.witness_region = "";
  system_test::SystemOf<typename S::Pattern> manual(approval);
  CHECK(manual.assembly.find(S::f.witness) == nullptr);
  const json f = properties(one_resource(manual.t(S::f.failover_stacks[1]), "AWS::Lambda::Function",
                                         {{"FunctionName", name<S>("lambda-failover-{sys}-{x}-dev", 1)}}));
  CHECK(f["Environment"]["Variables"]["WITNESS_FUNCTION_ARN"] == "");
}

TEMPLATE_TEST_CASE("kit: the writer's lease: each function renews its own at the witness's and the other site's region, reads the other's at home, fences only its own copy",
                   "[kit][lease]", Rds, Aurora) {
  using S = TestType;
  system_test::SystemOf<typename S::Pattern> sys;
  for (int x = 0; x < 2; ++x) {
    const int y = 1 - x;
    INFO("site " << S::f.words[static_cast<std::size_t>(x)]);
    auto f = sys.t(S::f.failover_stacks[static_cast<std::size_t>(x)]);
    const std::string fn_name = name<S>("lambda-failover-{sys}-{x}-dev", x);
    const json env = properties(one_resource(f, "AWS::Lambda::Function", {{"FunctionName", fn_name}}))["Environment"]["Variables"];
    CHECK(env["LEASE_PARAMETER"] == name<S>("/drsynth/{sys}-dev/lease-{x}", x));
    CHECK(env["REMOTE_LEASE_PARAMETER"] == name<S>("/drsynth/{sys}-dev/lease-{x}", y));
    CHECK(env["LEASE_RECORD_PARAMETER"] == name<S>("/drsynth/{sys}-dev/lease-record-{x}", x));
    CHECK(env["LEASE_EXPIRY_SECONDS"] == "240");
    CHECK(env["SELF_FENCE_AFTER_SECONDS"] == "90");
    const std::string group = std::string(S::f.parameter_groups[static_cast<std::size_t>(x)]);
    CHECK(env["FENCE_PARAMETER_GROUP"] == group.substr(group.find(':') + 1));
    // Renewals: write only, in the witness's and the other site's region.
    const json statements = statements_of(f, fn_name);
    bool renew = false;
    for (const auto& st : statements) {
      const std::string r = st["Resource"].dump();
      if (st["Action"] == "ssm:PutParameter" && r.find("lease-" + std::string(S::f.words[static_cast<std::size_t>(x)])) != std::string::npos &&
          r.find("lease-record") == std::string::npos) {
        renew = true;
        CHECK(r.find(std::string(S::f.witness_region) + ":${AWS::AccountId}:parameter/drsynth/") != std::string::npos);
        CHECK(r.find(std::string(S::f.regions[static_cast<std::size_t>(y)]) + ":${AWS::AccountId}:parameter/drsynth/") != std::string::npos);
      }
    }
    CHECK(renew);
  }
  // Approval mode: no lease, no fence permission.
  typename S::Props approval{};
  approval.witness_region = "";
  system_test::SystemOf<typename S::Pattern> manual(approval);
  const std::string fn_name = name<S>("lambda-failover-{sys}-{x}-dev", 1);
  const json f = properties(one_resource(manual.t(S::f.failover_stacks[1]), "AWS::Lambda::Function", {{"FunctionName", fn_name}}));
  CHECK_FALSE(f["Environment"]["Variables"].contains("LEASE_PARAMETER"));
  CHECK(statements_of(manual.t(S::f.failover_stacks[1]), fn_name).dump().find("RebootDBInstance") == std::string::npos);
  // The inequality: the fence must hold before the lease can expire.
  typename S::Props tight{};
  tight.lease_expiry_seconds = 200;
  const auto e = system_test::error_of<typename S::Pattern>(tight);
  CHECK(test::has_diagnostic(e, S::f.lease_code, S::f.path, "leaseExpirySeconds"));
  CHECK(test::has_diagnostic(e, S::f.lease_code, S::f.path, "more than 215 s"));
  typename S::Props range{};
  range.self_fence_after_seconds = 10;
  CHECK(test::has_diagnostic(system_test::error_of<typename S::Pattern>(range), S::f.lease_code, S::f.path,
                             "selfFenceAfterSeconds"));
}

TEMPLATE_TEST_CASE("kit: settings: the witness in a site's region or an unknown one, the reserved concurrency, the budget's objective",
                   "[kit][settings]", Rds, Aurora) {
  using S = TestType;
  typename S::Props same{};
  same.witness_region = S::f.regions[1];
  CHECK(test::has_diagnostic(system_test::error_of<typename S::Pattern>(same), S::f.witness_code, S::f.path, "witnessRegion"));
  typename S::Props unknown{};
  unknown.witness_region = "mars-north-1";
  CHECK(test::has_diagnostic(system_test::error_of<typename S::Pattern>(unknown), S::f.witness_code, S::f.path, "mars-north-1"));
  typename S::Props none{};
  none.failover_reserved_concurrency = 0;
  system_test::SystemOf<typename S::Pattern> sys(none);
  const json f = properties(one_resource(sys.t(S::f.failover_stacks[1]), "AWS::Lambda::Function",
                                         {{"FunctionName", name<S>("lambda-failover-{sys}-{x}-dev", 1)}}));
  CHECK_FALSE(f.contains("ReservedConcurrentExecutions"));
  typename S::Props tight{};
  tight.recovery_time_objective_seconds = 300;
  const auto e = system_test::error_of<typename S::Pattern>(tight);
  CHECK(test::has_diagnostic(e, S::f.budget_code, S::f.path, "recovery-time budget from the failure"));
  CHECK(test::has_diagnostic(e, S::f.budget_code, S::f.path, "expectedPromotionSeconds"));
  const auto list = test::run_cli({"list", "-c", std::string("variant=") + (std::string(S::f.engine) == "rds" ? "rds-replica" : "aurora-global"),
                                   "-c", std::string("witnessRegion=") + S::f.regions[0]},
                                  patterns::define_default_system);
  CHECK(list.code != 0);
  CHECK(list.err.find(S::f.witness_code) != std::string::npos);
  CHECK(list.err.find("'witnessRegion' (-c)") != std::string::npos);
}

TEMPLATE_TEST_CASE("kit: the budget counted from the failure is in tree.json for tools, each step with its source",
                   "[kit][budget]", Rds, Aurora) {
  using S = TestType;
  system_test::SystemOf<typename S::Pattern> sys;
  const auto tree = json::parse(sys.assembly.tree_text);
  std::string text;
  std::function<void(const json&)> walk = [&](const json& node) {
    if (node.contains("attributes") && node["attributes"].contains("drsynth:recovery-budget"))
      text = node["attributes"]["drsynth:recovery-budget"];
    if (node.contains("children"))
      for (const auto& [k, c] : node["children"].items()) walk(c);
  };
  walk(tree["tree"]);
  REQUIRE_FALSE(text.empty());
  const json b = json::parse(text);
  const auto expected = patterns::recovery_budget(typename S::Props{});
  CHECK(b["engine"] == S::f.engine);
  CHECK(b["writable_seconds"] == expected.writable_seconds);
  CHECK(b["dns_seconds"] == expected.dns_seconds);
  CHECK(b["detection_seconds"] == expected.detection_seconds);
  CHECK(b["objective_seconds"] == expected.objective_seconds);
  std::int64_t sum = 0;
  for (const auto& step : b["writable_steps"]) {
    CHECK_FALSE(step["source"].get<std::string>().empty());
    sum += step["seconds"].get<std::int64_t>();
  }
  CHECK(sum == expected.writable_seconds);
}

// The settings module (include/drsynth/core/settings.hpp): sources and their order,
// one reading rule per type, one error per bad setting naming the key as typed
// and its origin, unknown keys with a suggestion, an app's own keys beside the
// DR system's, and the docs table generated from the settings tables.
#include <climits>
#include <cmath>

#include "drsynth/patterns/aurora_global_disaster_recovery.hpp"
#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "test_support.hpp"

using namespace drsynth;
namespace fs = std::filesystem;

namespace {

// The error lines of stderr (a warning such as E815, no alarm subscriber, is not one).
std::vector<std::string> error_lines(const std::string& err) {
  std::vector<std::string> out;
  std::istringstream in(err);
  for (std::string l; std::getline(in, l);)
    if (l.starts_with("error: ")) out.push_back(l);
  return out;
}

// A value the row refuses: past its range, or text no rule accepts.
std::string bad_value(const settings::Setting<patterns::PostgresDisasterRecoveryProps>& row) {
  switch (settings::detail::kind_of<patterns::PostgresDisasterRecoveryProps>(row.member)) {
    case settings::Kind::integer:
    case settings::Kind::number: return std::to_string(static_cast<long long>(row.limits.max) + 1);
    case settings::Kind::string_list: return "[\"Bad Value!\"]";
    default: return "Bad Value!";
  }
}

}  // namespace

// ---- one mistake, one error ------------------------------------------------------

TEST_CASE("one bad setting is exactly one error line naming the key as typed and where it came from", "[settings][cli]") {
  std::vector<std::pair<std::string, std::string>> cases;  // -c argument, the key as the error must name it
  for (const auto& row : patterns::postgres_dr_settings().rows())
    cases.push_back({std::string(row.key) + "=" + bad_value(row), "'" + std::string(row.key) + "' (-c)"});
  for (const std::string kv : {"probeIntervalMinutes=35791395", "expectedPromotionSeconds=-100000",
                               "allocatedStorageGiB=1099511627776", "instanceClass=db.r6g.huge",
                               "backupRetentionDays=seven", "alarmEmails={\"a\":1}", "destroyable=maybe",
                               "drRegion=us-east-1", "drVpcCidr=10.10.128.0/17", "freeStorageThresholdGiB=500",
                               "recoveryTimeObjectiveSeconds=60"})
    cases.push_back({kv, "'" + kv.substr(0, kv.find('=')) + "' (-c)"});
  cases.push_back({"enviromentSuffix=prod", "'enviromentSuffix' (-c): did you mean 'environmentSuffix'?"});
  cases.push_back({"EnvironmentSuffix=prod", "'EnvironmentSuffix' (-c): did you mean 'environmentSuffix'?"});
  REQUIRE(cases.size() > 30);
  for (const auto& [kv, named] : cases) {
    INFO("-c " << kv);
    const auto r = test::run_cli({"list", "-c", kv}, patterns::define_default_system);
    INFO(r.err);
    CHECK(r.code == cli::exit_user_error);
    const auto lines = error_lines(r.err);
    CHECK(lines.size() == 1);
    CHECK_THAT(r.err, Catch::StartsWith("error: [drsynth.E") && Catch::Contains(named));
  }
}

TEST_CASE("a bad setting in drsynth.json or CDK_CONTEXT_JSON is one error naming the file and line, or the variable",
          "[settings][cli]") {
  test::TempDir dir;
  const auto file = dir.path / "drsynth.json";
  { std::ofstream(file) << "{\n  \"environmentSuffix\": \"prod\",\n  \"environmentSuffix2\": 1,\n  \"probeIntervalMinutes\": 0\n}\n"; }
  auto r = test::run_cli({"list", "--settings", file.string()}, patterns::define_default_system);
  CHECK(r.code == cli::exit_user_error);
  CHECK(error_lines(r.err).size() == 1);  // the settings' own errors first: the unknown key is reported once they pass
  CHECK_THAT(r.err, Catch::Contains("[drsynth.E808] <app>: setting 'probeIntervalMinutes' (" + file.string() +
                                    ":4) is out of range (got 0, expected 1)"));

  test::ScopedEnv env("CDK_CONTEXT_JSON", R"({"environmentSuffix": "Prod"})");
  auto e = test::run_cli({"list"}, patterns::define_default_system);
  CHECK(error_lines(e.err).size() == 1);
  CHECK_THAT(e.err, Catch::Contains("[drsynth.E801] <app>: setting 'environmentSuffix' (CDK_CONTEXT_JSON) cannot be part"));
}

TEST_CASE("a bad prop set in code is one error at the pattern, naming the prop and its setting", "[settings][dr]") {
  for (const auto& props : {patterns::PostgresDisasterRecoveryProps{.environment_suffix = "Bad_Suffix"},
                            patterns::PostgresDisasterRecoveryProps{.instance_class = "db.r6g.huge"},
                            patterns::PostgresDisasterRecoveryProps{.dr_region = "us-east-1"},
                            patterns::PostgresDisasterRecoveryProps{.probe_interval_minutes = INT_MAX}}) {
    App app(AppProps{.read_environment = false});
    try {
      app.add<patterns::PostgresDisasterRecovery>("DisasterRecovery", props);
      FAIL("the constructor accepted a bad prop");
    } catch (const Error& e) {
      INFO(e.what());
      REQUIRE(e.diagnostics().size() == 1);
      CHECK(e.diagnostics().front().path == "DisasterRecovery");
      CHECK_THAT(e.diagnostics().front().message, Catch::Contains("(setting "));
    }
    CHECK(app.children().empty());
  }
}

TEST_CASE("the recovery budget is 64-bit: no setting in code overflows it", "[settings][dr]") {
  const auto b = patterns::recovery_budget(patterns::PostgresDisasterRecoveryProps{
      .health_alarm_periods = INT_MAX, .record_ttl_seconds = INT_MAX, .expected_promotion_seconds = INT_MAX,
      .hold_minutes = INT_MAX});
  CHECK(b.detection_seconds == 60 + 5 + std::int64_t{INT_MAX} * 60 + 30);
  CHECK(b.worst_seconds() > 0);
}

// ---- sources and types -----------------------------------------------------------

TEST_CASE("sources apply in order: drsynth.json, then CDK_CONTEXT_JSON, then -c", "[settings][cli]") {
  test::TempDir dir;
  const auto file = dir.path / "drsynth.json";
  { std::ofstream(file) << R"({"a": "file", "b": "file", "c": "file"})"; }
  test::ScopedEnv env("CDK_CONTEXT_JSON", R"({"b": "environment", "c": "environment"})");
  std::string seen;
  auto r = test::run_cli({"list", "--settings", file.string(), "-c", "c=argument"}, [&](App& app) {
    for (const char* k : {"a", "b", "c"}) seen += app.context_string(k, "") + " (" + app.describe_context_key(k) + ") ";
  });
  CHECK(r.code == 0);
  CHECK(seen == "file ('a' (" + file.string() + ":1)) environment ('b' (CDK_CONTEXT_JSON)) argument ('c' (-c)) ");
}

TEST_CASE("one reading rule per type, whatever the source", "[settings]") {
  settings::Context c;
  // As the AWS CDK CLI passes "cdk synth -c n=5 -c f=2.5 -c b=false": strings.
  c.add_environment(R"({"n": "5", "f": "2.5", "b": "false", "whole": 7.0, "list": "10.0.0.0/8", "s": "x"})");
  c.add_argument("version=15.10");
  c.add_argument("flag=true");
  CHECK(c.get_integer("n") == 5);
  CHECK(c.get_integer("whole") == 7);
  CHECK(c.get_number("f") == 2.5);
  CHECK(c.get_boolean("b") == false);
  CHECK(c.get_boolean("flag") == true);
  CHECK(c.get_string("version") == "15.10");  // as typed, not the number 15.1
  CHECK(c.get_strings("list") == std::vector<std::string>{"10.0.0.0/8"});
  CHECK_FALSE(c.get_integer("unset").has_value());

  auto code_of = [](auto read) {
    try {
      read();
    } catch (const Error& e) {
      return e.code() + ": " + e.diagnostics().front().message;
    }
    return std::string("accepted");
  };
  CHECK(code_of([&] { (void)c.get_integer("f"); }) == "E501: setting 'f' (CDK_CONTEXT_JSON) has the wrong type");
  CHECK(code_of([&] { (void)c.get_integer("s"); }) == "E501: setting 's' (CDK_CONTEXT_JSON) has the wrong type");
  CHECK(code_of([&] { (void)c.get_boolean("s"); }) == "E501: setting 's' (CDK_CONTEXT_JSON) has the wrong type");
  CHECK(code_of([&] { (void)c.get_string("n"); }) == "accepted");
  CHECK(code_of([&] { (void)c.get_string("whole"); }) == "E501: setting 'whole' (CDK_CONTEXT_JSON) has the wrong type");
  CHECK(code_of([&] { (void)c.get_integer("n", {.min = 6, .max = 9}); }) ==
        "E509: setting 'n' (CDK_CONTEXT_JSON) is out of range");
}

TEST_CASE("the safety rules read destroyable under the boolean rule", "[settings]") {
  for (const auto& [value, fails] : {std::pair{nlohmann::json(true), true}, std::pair{nlohmann::json("true"), true},
                                     std::pair{nlohmann::json(false), false}, std::pair{nlohmann::json("false"), false}}) {
    App app({.context = {{"destroyable", value}}, .read_environment = false});
    auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
    s.add<CfnResource>("T", CfnResourceProps{.type = "AWS::SNS::Topic"}).apply_removal_policy(RemovalPolicy::retain);
    INFO(value.dump());
    CHECK(test::synth_errors(app).empty() != fails);
  }
}

// ---- an app's own keys -----------------------------------------------------------

TEST_CASE("an app reads its own keys beside the DR system's; typos in either are E510 with a suggestion",
          "[settings][cli]") {
  double threshold = 0;
  auto define = [&](App& app) {
    auto props = patterns::settings_from_context(app);
    threshold = app.context_number("replicaConnectionsAlarm", 400);
    app.add<patterns::PostgresDisasterRecovery>("DisasterRecovery", props);
  };
  auto ok = test::run_cli({"list", "-c", "replicaConnectionsAlarm=250", "-c", "environmentSuffix=qa"}, define);
  INFO(ok.err);
  CHECK(ok.code == 0);
  CHECK(threshold == 250);
  CHECK_THAT(ok.out, Catch::Contains("DrPrimary-qa"));

  auto typo = test::run_cli({"list", "-c", "replicaConnectionAlarm=250"}, define);
  CHECK(typo.code == cli::exit_user_error);
  CHECK(error_lines(typo.err).size() == 1);
  CHECK_THAT(typo.err, Catch::Contains("[drsynth.E510] <app>: unknown setting 'replicaConnectionAlarm' (-c): did you "
                                       "mean 'replicaConnectionsAlarm'?"));

  // A key read only in some runs can be declared.
  auto declared = test::run_cli({"list", "-c", "onlySometimes=1"}, [](App& app) {
    app.declare_context_key("onlySometimes");
    patterns::define_default_system(app);
  });
  CHECK(declared.code == 0);
  // The AWS CDK CLI's own keys are not the app's business.
  test::ScopedEnv env("CDK_CONTEXT_JSON", R"({"aws:cdk:enable-path-metadata": true, "@aws-cdk/core:newStyle": 1, "acknowledged-issue-numbers": [32775]})");
  CHECK(test::run_cli({"list"}, patterns::define_default_system).code == 0);
}

namespace {
struct Mine {
  int replicas = 1;
  std::string team = "dba";
};
}  // namespace

TEST_CASE("an app can describe its own settings with a table", "[settings]") {
  const settings::Table<Mine> table("E509", {{.key = "replicas", .prop = "replicas", .member = &Mine::replicas,
                                              .limits = {.min = 1, .max = 5}, .doc = "read replicas"},
                                             {.key = "team", .prop = "team", .member = &Mine::team, .doc = "owner"}});
  App app({.context = {{"replicas", 3}, {"team", "payments"}}, .read_environment = false});
  const Mine m = table.read(app.settings());
  CHECK(m.replicas == 3);
  CHECK(m.team == "payments");
  CHECK(app.settings().declared("replicas"));

  settings::Context bad;
  bad.add_argument("replicas=9");
  try {
    (void)table.read(bad);
    FAIL("accepted 9");
  } catch (const Error& e) {
    CHECK(e.diagnostics().front().format() ==
          "[drsynth.E509] <app>: setting 'replicas' (-c) is out of range (got \"9\", expected 1..5)");
  }
  CHECK_THAT(table.markdown(), Catch::Contains("| `replicas` | integer | `1` | 1..5 | read replicas |"));
}

TEST_CASE("did you mean: the nearest key within a few edits, case aside", "[settings]") {
  const std::vector<std::string> keys{"environmentSuffix", "drRegion", "primaryRegion", "backupRetentionDays"};
  CHECK(settings::nearest("enviromentSuffix", keys) == "environmentSuffix");
  CHECK(settings::nearest("environmentsuffix", keys) == "environmentSuffix");
  CHECK(settings::nearest("drRegoin", keys) == "drRegion");  // a transposition
  CHECK(settings::nearest("backupRetentionDay", keys) == "backupRetentionDays");
  CHECK_FALSE(settings::nearest("colour", keys).has_value());
  CHECK_FALSE(settings::nearest(std::string(100000, 'x'), keys).has_value());
}

// ---- docs ------------------------------------------------------------------------

namespace {
// The text between "<!-- BEGIN generated: NAME -->" and "<!-- END generated: NAME -->".
std::string generated_section(const std::string& doc, const std::string& name) {
  const std::string begin = "<!-- BEGIN generated: " + name + " -->\n";
  const auto a = doc.find(begin);
  const auto b = doc.find("<!-- END generated: " + name + " -->");
  if (a == std::string::npos || b == std::string::npos) return "(no section " + name + ")";
  return doc.substr(a + begin.size(), b - a - begin.size());
}
}  // namespace

TEST_CASE("docs/cli.md holds the settings tables generated from the code", "[settings][docs]") {
  const fs::path path = fs::path(DRSYNTH_SOURCE_DIR) / "docs" / "cli.md";
  std::string doc = test::read_file(path);
  const std::vector<std::pair<std::string, std::string>> sections{
      {"app settings", app_settings_table().markdown()},
      {"dr settings", patterns::postgres_dr_settings().markdown()},
      {"aurora settings", patterns::aurora_global_settings().markdown()}};
  // DRSYNTH_UPDATE_DOCS=1 writes them in place (after adding a setting).
  if (const char* update = std::getenv("DRSYNTH_UPDATE_DOCS"); update != nullptr && std::string(update) == "1") {
    for (const auto& [name, text] : sections) {
      const std::string begin = "<!-- BEGIN generated: " + name + " -->\n";
      const auto a = doc.find(begin);
      const auto b = doc.find("<!-- END generated: " + name + " -->");
      REQUIRE(a != std::string::npos);
      REQUIRE(b != std::string::npos);
      doc.replace(a + begin.size(), b - a - begin.size(), text);
    }
    std::ofstream(path, std::ios::binary) << doc;
  }
  for (const auto& [name, text] : sections) {
    INFO("docs/cli.md section '" << name << "' is stale: run DRSYNTH_UPDATE_DOCS=1 build/tests/drsynth_tests \"[docs]\"");
    CHECK(generated_section(doc, name) == text);
  }
  // Every setting and its range is in the doc.
  for (const auto& row : patterns::postgres_dr_settings().rows()) CHECK_THAT(doc, Catch::Contains("`" + std::string(row.key) + "`"));
  CHECK_THAT(doc, Catch::Contains("| 1..5 |") && Catch::Contains("| 20..65536 |"));
}

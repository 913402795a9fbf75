// drsynth diff, drsynth graph and the replacement guard of drsynth synth, as
// a user runs them: exit codes, what is printed, what is (not) written.
#include "drsynth/drsynth.hpp"
#include "test_support.hpp"

using namespace drsynth;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The shipped system, optionally changed after it is built.
std::function<void(App&)> system_with(std::function<void(patterns::PostgresDisasterRecovery&)> tweak = {}) {
  return [tweak](App& app) {
    auto& dr = app.add<patterns::PostgresDisasterRecovery>("DisasterRecovery", patterns::settings_from_context(app));
    if (tweak) tweak(dr);
  };
}

void rename_primary(patterns::PostgresDisasterRecovery& dr) {
  dr.primary().resource().add_override("Properties.DBInstanceIdentifier", "postgres-primary-v2");
}

// drsynth synth with an alarm subscriber, so that the only words on stderr are
// the guard's (without one the system warns E815 on every run).
test::CliResult synth(std::vector<std::string> args, const std::function<void(App&)>& define) {
  args.insert(args.begin(), "synth");
  args.insert(args.end(), {"-c", "alarmEmails=oncall@example.com"});
  return test::run_cli(std::move(args), define);
}

}  // namespace

TEST_CASE("synth refuses to replace the primary database, names it and the cause, and writes nothing", "[diff][cli][guard]") {
  test::TempDir dir;
  const std::string out = (dir.path / "cdk.out").string();
  REQUIRE(synth({"-q", "-o", out}, system_with()).code == 0);
  const auto before = test::snapshot(out);

  const auto refused = synth({"-q", "-o", out}, system_with(rename_primary));
  CHECK(refused.code == cli::exit_user_error);
  CHECK_THAT(refused.err,
             Catch::Contains("error: [drsynth.S007] DisasterRecovery/Primary/Primary/Resource: stateful resource "
                             "AWS::RDS::DBInstance Primary503D6591 in stack DrPrimary-dev would be replaced") &&
                 Catch::Contains("got DBInstanceIdentifier: \"postgres-primary-dev\" -> \"postgres-primary-v2\" "
                                 "(createOnly in the resource schema") &&
                 Catch::Contains("synth --allow-replacement"));
  // The replica may be replaced too (its source changes), a warning.
  CHECK_THAT(refused.err, Catch::Contains("[drsynth.S007] DisasterRecovery/Replica/Replica/Resource") &&
                              Catch::Contains("may be replaced"));
  CHECK(test::snapshot(out) == before);  // byte for byte, nothing left beside it either
  for (const auto& e : fs::directory_iterator(dir.path)) CHECK(e.path().filename() == "cdk.out");

  SECTION("an acknowledgement on the construct lets it through") {
    const auto acked = synth({"-q", "-o", out}, system_with([](auto& dr) {
                                       rename_primary(dr);
                                       dr.primary().acknowledge("S007", "the primary is rebuilt from a snapshot (CHG-1234)");
                                       dr.replica().acknowledge("S007", "the replica follows the new primary");
                                     }));
    CHECK(acked.code == 0);
    CHECK_THAT(acked.err, Catch::Contains("note: [drsynth.S007] DisasterRecovery/Primary/Primary/Resource") &&
                              Catch::Contains("[acknowledged: the primary is rebuilt from a snapshot (CHG-1234)]"));
    CHECK_THAT(test::read_file(fs::path(out) / "DrPrimary-dev.template.json"), Catch::Contains("postgres-primary-v2"));
    CHECK_THAT(test::read_file(fs::path(out) / "tree.json"), Catch::Contains("\"S007\": \"the primary is rebuilt"));
  }
  SECTION("--allow-replacement lets it through, saying so") {
    const auto allowed = synth({"-q", "--allow-replacement", "-o", out}, system_with(rename_primary));
    CHECK(allowed.code == 0);
    CHECK_THAT(allowed.err, Catch::Contains("note: [drsynth.S007] DisasterRecovery/Primary/Primary/Resource") &&
                                Catch::Contains("[allowed by --allow-replacement]"));
    CHECK_THAT(test::read_file(fs::path(out) / "DrPrimary-dev.template.json"), Catch::Contains("postgres-primary-v2"));
  }
  SECTION("with no previous assembly there is nothing to guard") {
    const auto fresh = synth({"-q", "-o", (dir.path / "other").string()}, system_with(rename_primary));
    CHECK(fresh.code == 0);
    CHECK(fresh.err.empty());
  }
  SECTION("an in-place change passes without a word") {
    const auto resized = synth({"-q", "-o", out, "-c", "instanceClass=db.r6g.xlarge"}, system_with());
    CHECK(resized.code == 0);
    CHECK(resized.err.empty());
  }
}

TEST_CASE("acknowledge() knows rule S007", "[diff][guard]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  s.acknowledge("S007", "replacing is fine here");
  CHECK(*s.acknowledgement("S007") == "replacing is fine here");
  try {
    s.acknowledge("S008", "no such rule");
    FAIL("expected E108");
  } catch (const Error& e) {
    CHECK(e.code() == "E108");
    CHECK_THAT(e.what(), Catch::Contains("one of S001-S007"));
  }
}

TEST_CASE("drsynth diff prints the differences with the output folder, exit 1 with --fail", "[diff][cli]") {
  test::TempDir dir;
  const std::string out = (dir.path / "cdk.out").string();
  test::ScopedEnv outdir("CDK_OUTDIR", out);
  const auto none = test::run_cli({"diff"}, system_with());
  CHECK(none.code == 0);
  CHECK_THAT(none.out, Catch::Contains("[+] Stack DrPrimary-dev (us-east-1): new stack"));
  CHECK_THAT(none.err, Catch::Contains("note: there is no previous assembly in " + out));
  CHECK_FALSE(fs::exists(out));  // diff writes nothing

  REQUIRE(test::run_cli({"synth", "-q"}, system_with()).code == 0);
  const auto same = test::run_cli({"diff", "--fail"}, system_with());
  CHECK(same.code == 0);
  CHECK(same.out == "No differences.\n");

  const auto resized = test::run_cli({"diff", "-c", "instanceClass=db.r6g.xlarge"}, system_with());
  CHECK(resized.code == 0);
  CHECK_THAT(resized.out, Catch::Contains("DBInstanceClass: \"db.r6g.large\" -> \"db.r6g.xlarge\"  [some interruption]"));
  CHECK(resized.out.find('\x1b') == std::string::npos);  // not a terminal: plain text
  CHECK(test::run_cli({"diff", "--fail", "-c", "instanceClass=db.r6g.xlarge"}, system_with()).code == 1);

  const auto coloured = test::run_cli({"diff", "--color", "always", "-c", "instanceClass=db.r6g.xlarge"}, system_with());
  CHECK_THAT(coloured.out, Catch::Contains("\x1b[33m[~] AWS::RDS::DBInstance Primary503D6591"));

  const auto as_json = test::run_cli({"diff", "--json", "--stack", "DrReplica-dev", "-c", "instanceClass=db.r6g.xlarge"},
                                     system_with());
  CHECK(as_json.code == 0);
  const json j = json::parse(as_json.out);
  REQUIRE(j["stacks"].size() == 1);
  CHECK(j["stacks"][0]["name"] == "DrReplica-dev");
  CHECK(j["stacks"][0]["resources"][0]["impact"] == "interruption");

  const auto replaced = test::run_cli({"diff", "--against", out}, system_with(rename_primary));
  CHECK(replaced.code == 0);
  CHECK_THAT(replaced.out, Catch::Contains("!!! STATEFUL RESOURCE REPLACED"));

  const auto missing = test::run_cli({"diff", "--against", (dir.path / "nope").string()}, system_with());
  CHECK(missing.code == cli::exit_user_error);
  CHECK_THAT(missing.err, Catch::Contains("[drsynth.E450]"));
}

TEST_CASE("drsynth graph --resources draws the references between the resources of one stack", "[graph][cli]") {
  const auto define = [](App& app) {
    auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
    auto& queue = s.add<CfnResource>("Queue", CfnResourceProps{.type = "AWS::SQS::Queue"});
    auto& topic = s.add<CfnResource>("Topic", CfnResourceProps{.type = "AWS::SNS::Topic"});
    auto& rule = s.add<CfnResource>(
        "Rule", CfnResourceProps{.type = "AWS::Events::Rule",
                                 .properties = {{"ScheduleExpression", "rate(1 hour)"},
                                                {"Targets", Value::array({Value::object({{"Arn", queue.get_att("Arn")},
                                                                                         {"Id", "q"}})})}}});
    rule.add_dependency(topic);
    topic.set_property("DisplayName", Value::pseudo(Pseudo::region));  // a pseudo parameter is no resource: no edge
  };
  const auto dot = test::run_cli({"graph", "--resources"}, define);
  REQUIRE(dot.code == 0);
  // Nodes in logical-ID order: Queue s0r0, Rule s0r1, Topic s0r2.
  CHECK_THAT(dot.out, Catch::Contains("s0r0 -> s0r1 [label=\"Arn \u2192 ") &&
                          Catch::Contains("s0r2 -> s0r1 [label=\"depends on\", color=gray40") &&
                          Catch::Contains("grey: within a stack"));
  CHECK_THAT(dot.out, !Catch::Contains("-> s0r2"));
  const auto mermaid = test::run_cli({"graph", "--resources", "--format", "mermaid"}, define);
  REQUIRE(mermaid.code == 0);
  CHECK_THAT(mermaid.out, Catch::Contains("s0r0 -->|\"Arn \u2192 ") && Catch::Contains("s0r2 -->|\"depends on\"| s0r1"));
  // Without --resources, no resource nodes and no edges inside a stack.
  const auto plain = test::run_cli({"graph"}, define);
  CHECK_THAT(plain.out, !Catch::Contains("s0r0"));
}

TEST_CASE("drsynth graph draws the stacks by region with the references between them", "[graph][cli]") {
  const auto dot = test::run_cli({"graph"}, system_with());
  CHECK(dot.code == 0);
  CHECK_THAT(dot.out, Catch::StartsWith("digraph drsynth {") && Catch::Contains("label=\"us-east-1\"") &&
                          Catch::Contains("label=\"eu-west-1\"") && Catch::Contains("s1 [label=\"2. DrPrimary-dev\"") &&
                          Catch::Contains("s5 [label=\"6. DrFailover-dev\"") &&
                          Catch::Contains("s4 [label=\"5. DrWitness-dev\""));
  // The replica's source: the primary's ARN across regions (dashed), the
  // failover stack's import of the replica endpoint in eu-west-1 (solid).
  CHECK_THAT(dot.out, Catch::Contains("Primary.DBInstanceArn \u2192 Replica.SourceDBInstanceIdentifier") &&
                          Catch::Contains("s2 -> s5 [label=") && Catch::Contains("style=dashed"));

  const auto mermaid = test::run_cli({"graph", "--format", "mermaid"}, system_with());
  CHECK(mermaid.code == 0);
  CHECK_THAT(mermaid.out, Catch::StartsWith("flowchart LR\n") && Catch::Contains("subgraph region0[\"eu-west-1\"]") &&
                              Catch::Contains("(Fn::GetStackOutput)") && Catch::Contains("(Fn::ImportValue)"));

  const auto resources = test::run_cli({"graph", "--resources"}, system_with());
  CHECK(resources.code == 0);
  CHECK_THAT(resources.out, Catch::Contains("subgraph cluster_s0") && Catch::Contains("Primary\\nAWS::RDS::DBInstance"));

  const auto bad = test::run_cli({"graph", "--format", "png"}, system_with());
  CHECK(bad.code == cli::exit_usage);
}

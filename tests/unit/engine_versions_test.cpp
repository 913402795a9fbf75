// Engine versions as data (rds/engine_versions.hpp) seen from the command line
// and from an app: both systems take 15, 16 and 17 minors AWS creates, refuse a
// deprecated one with the list of those that work, warn 90 days ahead, and the
// parameter-group families follow the major. main.cpp fixes today at 2026-12-07.
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "drsynth/drsynth.hpp"
#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "net_test_support.hpp"
#include "test_support.hpp"

using namespace drsynth;
using assertions::Template;
namespace fs = std::filesystem;

namespace {
// The day the constructs and the settings judge on, for one scope.
struct Today {
  explicit Today(const char* day) { ::setenv("DRSYNTH_TODAY", day, 1); }
  ~Today() { ::setenv("DRSYNTH_TODAY", "2026-12-07", 1); }
  Today(const Today&) = delete;
  Today& operator=(const Today&) = delete;
};

nlohmann::json resource_of_type(const fs::path& file, const std::string& type) {
  const auto t = test::read_json(file);
  for (const auto& [id, r] : t["Resources"].items())
    if (r["Type"] == type) return r;
  return {};
}
}  // namespace

TEST_CASE("engineVersion: the RDS system takes 15, 16 and 17 minors and the families follow the major", "[engine][cli]") {
  test::TempDir dir;
  for (const auto& [version, family] : {std::pair{"15.17", "postgres15"}, {"16.9", "postgres16"}, {"17.9", "postgres17"}}) {
    INFO(version);
    const auto out = dir.path / version;
    auto r = test::run_cli({"synth", "-q", "-o", out.string(), "-c", std::string("engineVersion=") + version},
                           patterns::define_default_system);
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(resource_of_type(out / "DrPrimary-dev.template.json", "AWS::RDS::DBInstance")["Properties"]["EngineVersion"] ==
          version);
    CHECK(resource_of_type(out / "DrPrimary-dev.template.json", "AWS::RDS::DBParameterGroup")["Properties"]["Family"] ==
          family);
    CHECK(resource_of_type(out / "DrReplica-dev.template.json", "AWS::RDS::DBParameterGroup")["Properties"]["Family"] ==
          family);
  }
}

TEST_CASE("engineVersion: the default of both systems is a version AWS creates today", "[engine][cli]") {
  test::TempDir dir;
  for (const char* variant : {"rds-replica", "aurora-global"}) {
    INFO(variant);
    const auto out = dir.path / variant;
    auto r = test::run_cli({"synth", "-o", out.string(), "-c", std::string("variant=") + variant},
                           patterns::define_default_system);
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.err.find("E970") == std::string::npos);
  }
  CHECK(resource_of_type(dir.path / "rds-replica" / "DrPrimary-dev.template.json",
                         "AWS::RDS::DBInstance")["Properties"]["EngineVersion"] == "15.17");
  CHECK(resource_of_type(dir.path / "aurora-global" / "AuroraPrimary-dev.template.json",
                         "AWS::RDS::GlobalCluster")["Properties"]["EngineVersion"] == "15.17");
}

TEST_CASE("engineVersion 15.12 is refused with the versions that work, in both systems", "[engine][cli]") {
  test::TempDir dir;
  const auto out = dir.path / "out";
  auto r = test::run_cli({"synth", "-q", "-o", out.string(), "-c", "engineVersion=15.12"},
                         patterns::define_default_system);
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("[drsynth.E720] <app>: setting 'engineVersion' (-c) is not a PostgreSQL version AWS "
                                    "creates today (RDS for PostgreSQL 15.12: AWS creates no new databases on it since "
                                    "2026-05-01 (end of standard support 2026-05-31)"));
  CHECK_THAT(r.err, Catch::Contains("expected one of 15.13, 15.14, 15.15, 15.16, 15.17, 16.9, 16.10, 16.11, 16.12, 16.13, "
                                    "17.5, 17.6, 17.7, 17.8, 17.9)"));
  CHECK(test::snapshot(out).empty());

  r = test::run_cli({"synth", "-q", "-o", out.string(), "-c", "variant=aurora-global", "-c", "engineVersion=15.12"},
                    patterns::define_default_system);
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("[drsynth.E829] <app>: setting 'engineVersion' (-c) is not an Aurora PostgreSQL "
                                    "version AWS creates today (Aurora PostgreSQL 15.12 is not in drsynth's table"));
  CHECK_THAT(r.err, Catch::Contains("expected one of 15.13, 15.14, 15.15, 15.17, 16.9, 16.10, 16.11, 16.13, 17.5, 17.6, "
                                    "17.7, 17.9)"));

  // Aurora 17: the global cluster, both clusters and the aurora-postgresql17 parameter groups.
  const auto aurora = dir.path / "aurora17";
  r = test::run_cli({"synth", "-q", "-o", aurora.string(), "-c", "variant=aurora-global", "-c", "engineVersion=17.9"},
                    patterns::define_default_system);
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(resource_of_type(aurora / "AuroraSecondary-dev.template.json",
                         "AWS::RDS::DBClusterParameterGroup")["Properties"]["Family"] == "aurora-postgresql17");
}

TEST_CASE("engineVersion within 90 days of its deprecation is warning E970; synth still writes", "[engine][cli]") {
  const Today day("2026-03-01");  // 61 days before 15.12's deprecation
  test::TempDir dir;
  const auto out = dir.path / "out";
  auto r = test::run_cli({"synth", "-q", "-o", out.string(), "-c", "engineVersion=15.12"},
                         patterns::define_default_system);
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.err, Catch::Contains("warning: [drsynth.E970] DisasterRecovery/Primary/Primary: engine_version: RDS for "
                                    "PostgreSQL 15.12: AWS stops creating databases on it on 2026-05-01, in 61 days"));
  CHECK(fs::exists(out / "DrPrimary-dev.template.json"));
  r = test::run_cli({"synth", "-q", "--strict", "-o", out.string(), "-c", "engineVersion=15.12"},
                    patterns::define_default_system);
  CHECK(r.code == cli::exit_user_error);
}

TEST_CASE("an app builds rds::DatabaseInstance on PostgreSQL 17 with a postgres17 parameter group", "[engine][rds]") {
  App app({.read_environment = false});
  auto& stack = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& vpc = stack.add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.0/16"});
  auto& sg = stack.add<ec2::SecurityGroup>("DbSg", {.vpc = vpc, .description = "db"});
  auto& params = stack.add<rds::ParameterGroup>("Params", {.engine_version = "17.9", .description = "pg 17"});
  stack.add<rds::DatabaseInstance>("Db", {.instance_identifier = "pg17", .engine_version = "17.9", .vpc = vpc,
                                          .security_groups = {sg}, .parameter_group = params});
  const auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::RDS::DBInstance", {{"Engine", "postgres"}, {"EngineVersion", "17.9"}});
  t.has_resource_properties("AWS::RDS::DBParameterGroup", {{"Family", "postgres17"}});
}

TEST_CASE("an override of EngineVersion is checked against the table too, and is what deploy.sh asks about",
          "[engine][rds][overrides]") {
  // Props on 17.9 (usable), overrides to `db_version` and `global_version` (null: no global cluster).
  const auto check = [](const char* db_version, const char* global_version, const std::function<void(App&)>& then) {
    App app({.read_environment = false});
    auto& stack = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
    auto& vpc = stack.add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.0/16"});
    auto& sg = stack.add<ec2::SecurityGroup>("DbSg", {.vpc = vpc, .description = "db"});
    auto& params = stack.add<rds::ParameterGroup>("Params", {.engine_version = "17.9", .description = "pg 17"});
    auto& db = stack.add<rds::DatabaseInstance>("Db", {.instance_identifier = "pg17", .engine_version = "17.9",
                                                       .vpc = vpc, .security_groups = {sg}, .parameter_group = params});
    db.resource().add_override("Properties.EngineVersion", db_version);
    if (global_version != nullptr)  // alone it is E940 too: only where errors are expected
      stack.add<rds::GlobalCluster>("Global", {.global_cluster_identifier = "g", .engine_version = "17.9"})
          .resource()
          .add_override("Properties.EngineVersion", global_version);
    then(app);
  };
  check("17.4", "16.8", [](App& app) {
    const auto ds = net_test::synth_errors(app);
    const std::string all = net_test::dump(ds);
    INFO(all);
    CHECK(net_test::has_diagnostic(ds, "E720", "S/Db", "17.4"));
    CHECK(net_test::has_diagnostic(ds, "E931", "S/Global", "16.8"));
    CHECK_THAT(all, Catch::Contains("S/Db: EngineVersion (set by an override of S/Db/Resource): RDS for PostgreSQL 17.4: "
                                    "AWS creates no new databases on it since 2026-05-01"));
  });
  // A version AWS creates passes, and deploy.sh asks RDS about it, not about the prop.
  check("17.7", nullptr, [](App& app) {
    const Assembly a = synthesize(app);
    Template::from_assembly(a, "S").has_resource_properties("AWS::RDS::DBInstance", {{"EngineVersion", "17.7"}});
    const std::string script = deploy_script(a);
    CHECK_THAT(script, Catch::Contains("drsynth_check_engine_version 'us-east-1' 'postgres' '17.7'"));
    CHECK_THAT(script, !Catch::Contains("'17.9'"));
  });
}

TEST_CASE("the L2s refuse a deprecated or unknown version with the prop and the versions that work", "[engine][rds]") {
  App app({.read_environment = false});
  auto& stack = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& vpc = stack.add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.0/16"});
  auto& sg = stack.add<ec2::SecurityGroup>("DbSg", {.vpc = vpc, .description = "db"});
  auto& params = stack.add<rds::ParameterGroup>("Params", {.engine_version = "17.4", .description = "pg 17"});
  stack.add<rds::DatabaseInstance>("Db", {.instance_identifier = "pg17", .engine_version = "17.4", .vpc = vpc,
                                          .security_groups = {sg}, .parameter_group = params});
  stack.add<rds::GlobalCluster>("Global", {.global_cluster_identifier = "g", .engine_version = "16.8"});
  const auto ds = net_test::synth_errors(app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E720", "S/Db", "17.4"));
  CHECK_FALSE(net_test::has_diagnostic(ds, "E720", "S/Params", "17.4"));  // the family postgres17 is right
  CHECK(net_test::has_diagnostic(ds, "E931", "S/Global", "16.8"));
  const std::string all = net_test::dump(ds);
  CHECK_THAT(all, Catch::Contains("engine_version: RDS for PostgreSQL 17.4: AWS creates no new databases on it since 2026-05-01"));
  CHECK_THAT(all, Catch::Contains("expected a version AWS creates today: 15.13, 15.14"));
}

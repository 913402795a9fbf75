// The built-in DR system: settings, suffix isolation, the recovery-time budget,
// logical IDs and the handler assets (dr_system_test.cpp has the parts).
#include <array>
#include <cstdint>
#include <regex>
#include <set>

#include "drsynth/assertions/template.hpp"
#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "dr_fixture.hpp"
#include "dr_system_helpers.hpp"
#include "test_support.hpp"

using namespace drsynth;
using namespace dr_test::helpers;
using assertions::absent;
using assertions::any_value;
using assertions::array_with;
using assertions::string_like;
using assertions::Template;
using nlohmann::json;
namespace fs = std::filesystem;
using dr_test::DrProps;
using dr_test::System;
using dr_test::system_error;


// ---- settings -----------------------------------------------------------------

TEST_CASE("settings: environmentSuffix from the command line or drsynth.json names the stacks, unknown settings are E510", "[dr][cli]") {
  test::TempDir dir;
  SECTION("-c environmentSuffix=prod") {
    const auto out = dir.path / "prod";
    auto r = test::run_cli({"synth", "-q", "-o", out.string(), "-c", "environmentSuffix=prod"},
                           patterns::define_default_system);
    INFO(r.err);
    REQUIRE(r.code == 0);
    for (const auto& s : stack_names("prod")) CHECK(fs::exists(out / (s + ".template.json")));
    CHECK_FALSE(fs::exists(out / "DrPrimary-dev.template.json"));
    CHECK(test::read_json(out / "DrPrimary-prod.template.json")["Resources"].dump().find("postgres-primary-prod") !=
          std::string::npos);
  }
  SECTION("a misspelled setting fails with E510 naming the key and the one meant, and writes nothing") {
    const auto out = dir.path / "typo";
    auto r = test::run_cli({"synth", "-q", "-o", out.string(), "-c", "environmentSufix=x"},
                           patterns::define_default_system);
    CHECK(r.code == cli::exit_user_error);
    CHECK_THAT(r.err, Catch::Contains("[drsynth.E510] <app>: unknown setting 'environmentSufix' (-c): did you mean "
                                      "'environmentSuffix'?"));
    CHECK(test::snapshot(out).empty());
  }
  SECTION("drsynth.json in the working folder") {
    { std::ofstream(dir.path / "drsynth.json") << R"({"environmentSuffix": "fromfile", "drRegion": "eu-central-1"})"; }
    InFolder in(dir.path);
    auto r = test::run_cli({"synth", "-q", "-o", "out"}, patterns::define_default_system);
    INFO(r.err);
    REQUIRE(r.code == 0);
    for (const auto& s : stack_names("fromfile")) CHECK(fs::exists(dir.path / "out" / (s + ".template.json")));
    const auto manifest = test::read_json(dir.path / "out" / "manifest.json");
    CHECK(manifest["artifacts"]["DrReplica-fromfile"]["environment"].get<std::string>().ends_with("/eu-central-1"));
  }
}

// ---- suffix isolation -----------------------------------------------------------

namespace {
bool physical_name_key(const std::string& key) {
  static const std::set<std::string> exact{"GroupName", "TopicName", "FunctionName", "AlarmName", "RoleName",
                                           "DBInstanceIdentifier", "Name"};
  // Name-like keys whose values are not account- or region-wide names:
  // MetricName names a metric (the same in every environment by design),
  // PolicyName an inline policy (unique only within its role, which carries
  // the suffix), SetIdentifier a record within its zone (which carries it too).
  static const std::set<std::string> not_physical{"MetricName", "PolicyName", "SetIdentifier"};
  if (not_physical.count(key) == 1) return false;
  return exact.count(key) == 1 || key.ends_with("Name") || key.ends_with("Identifier");
}

// Every physical name of the system: string values of name-like top-level
// properties, export names and stack names.
std::set<std::string> physical_names(const Assembly& a) {
  std::set<std::string> names;
  for (const auto& s : a.stacks) {
    names.insert(s.name);
    for (const auto& [id, r] : s.template_json()["Resources"].items())
      for (const auto& [key, value] : properties(r).items())
        if (physical_name_key(key) && value.is_string()) names.insert(value.get<std::string>());
    if (s.template_json().contains("Outputs"))
      for (const auto& [id, out] : s.template_json()["Outputs"].items())
        if (out.contains("Export")) names.insert(out["Export"]["Name"].get<std::string>());
  }
  return names;
}
}  // namespace

TEST_CASE("suffix isolation: two environments share no physical name, export name or stack name", "[dr]") {
  System dev;
  System qa({.environment_suffix = "qa"});
  const auto dev_names = physical_names(dev.assembly);
  const auto qa_names = physical_names(qa.assembly);
  CHECK(dev_names.size() >= 20);
  std::vector<std::string> shared;
  std::set_intersection(dev_names.begin(), dev_names.end(), qa_names.begin(), qa_names.end(),
                        std::back_inserter(shared));
  CHECK(shared == std::vector<std::string>{});

  int exports = 0;
  for (const auto& s : qa.assembly.stacks) {
    CHECK_THAT(s.name, Catch::Contains("qa"));
    if (s.template_json().contains("Outputs"))
      for (const auto& [id, out] : s.template_json()["Outputs"].items())
        if (out.contains("Export")) {
          ++exports;
          CHECK_THAT(out["Export"]["Name"].get<std::string>(), Catch::Contains("qa"));
        }
  }
  CHECK(exports >= 1);
}

// ---- recovery-time budget -----------------------------------------------------

TEST_CASE("recovery-time budget: counted from the failure, within the 720 s objective by default, printed by synth, E807 when the settings exceed it", "[dr]") {
  const auto budget = patterns::recovery_budget(DrProps{});
  CHECK(budget.engine == "rds");
  CHECK(budget.worst_seconds() <= 720);
  CHECK(budget.worst_seconds() == std::max(budget.dns_seconds, budget.writable_seconds));
  // probe 60 + timeout 5 + view 2 x 60 + evaluation 30 + Route 53 30 + TTL 30
  CHECK(budget.dns_seconds == 275);
  // probe 60 + timeout 5 + hold 180 + evaluation 30 = detection; + the asynchronous invocation 5 and its
  // cold start 5, direct 2 x 5, the witness's claim 2 x (5 - 1) and its cold start 5, the fence readable 4,
  // promotion 300 (AWS: "several minutes or longer"); the lease (240 + 1) expired before the detection: no
  // line of its own. The unpublished delays: src/patterns/unpublished_delays.def.
  CHECK(budget.detection_seconds == 275);
  CHECK(budget.writable_seconds == 612);
  CHECK_FALSE(budget.writable_steps.empty());
  std::int64_t sum = 0;
  for (const auto& step : budget.writable_steps) {
    INFO(step.what);
    CHECK_FALSE(step.source.empty());  // each number says where it comes from
    sum += step.seconds;
  }
  CHECK(sum == budget.writable_seconds);
  CHECK(budget.writable_steps.back().source.find("USER_ReadRepl.Promote.html") != std::string::npos);
  // With a witness a region loss promotes once the lost writer's lease
  // expired; without one it waits for an operator's approval: not counted,
  // said so, and the witness is not asked.
  CHECK_FALSE(budget.needs_approval);
  const auto approval = patterns::recovery_budget(DrProps{.witness_region = ""});
  CHECK(approval.needs_approval);
  CHECK(approval.writable_seconds == 612 - 8 - 5);  // no witness: neither its claim nor its cold start
  // A lease longer than the detection is a line of its own, from the failure.
  const auto long_lease = patterns::recovery_budget(DrProps{.lease_expiry_seconds = 400});
  CHECK(long_lease.writable_seconds == 612 + (401 - 285));

  test::TempDir dir;
  auto r = test::run_cli({"synth", "-o", (dir.path / "out").string()}, patterns::define_default_system);
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out + r.err, Catch::Contains("Recovery-time budget from the failure") &&
                                Catch::Contains("the replica is writable after 612 s"));

  SECTION("settings over the objective are E807") {
    for (const DrProps& p : {DrProps{.hold_minutes = 6}, DrProps{.expected_promotion_seconds = 500},
                             DrProps{.recovery_time_objective_seconds = 600}}) {
      CHECK(patterns::recovery_budget(p).worst_seconds() > p.recovery_time_objective_seconds);
      const auto e = system_error(p);
      INFO(all_diagnostics(e));
      CHECK(test::has_diagnostic(e, "E807", "DisasterRecovery", "recovery-time budget"));
    }
    auto c = test::run_cli({"synth", "-q", "-o", (dir.path / "slow").string(), "-c", "expectedPromotionSeconds=500"},
                           patterns::define_default_system);
    CHECK(c.code == cli::exit_user_error);
    CHECK_THAT(c.err, Catch::Contains("E807"));
  }
}

// ---- bad suffixes -------------------------------------------------------------

TEST_CASE("bad suffixes: characters a name cannot take are E801, a suffix that makes a name too long is E802 naming it", "[dr]") {
  for (const std::string bad : {"Bad_Suffix", "UPPER", "a--b", "", "-dev", "dev-"}) {
    INFO("\"" << bad << "\"");
    const auto e = system_error({.environment_suffix = bad});
    CHECK(test::has_diagnostic(e, "E801", "DisasterRecovery"));
  }
  const std::string long_suffix(60, 'a');
  const auto e = system_error({.environment_suffix = long_suffix});
  INFO(all_diagnostics(e));
  CHECK(test::has_diagnostic(e, "E802", "DisasterRecovery", "lambda-failover-rds-primary-" + long_suffix));
  CHECK(test::has_diagnostic(e, "E802", "DisasterRecovery", "failover function name"));

  // The limit is exact: "lambda-failover-rds-primary-" + 36 characters is the
  // longest Lambda function name (64).
  CHECK_NOTHROW(System({.environment_suffix = std::string(36, 'a')}));
  CHECK(test::has_diagnostic(system_error({.environment_suffix = std::string(37, 'a')}), "E802", "DisasterRecovery"));
}

// ---- logical IDs --------------------------------------------------------------

TEST_CASE("the logical IDs of the DR templates keep aws-cdk-lib's", "[dr]") {
  // construct path -> logical ID, as aws-cdk-lib 2.276 allocated them for the CDK app.
  std::map<std::string, std::string> cdk;
  {
    std::istringstream in(test::read_file(fs::path(DRSYNTH_TESTDATA_DIR) / "cdk-logical-ids.tsv"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line.starts_with("#")) continue;
      const auto tab = line.find('\t');
      cdk[line.substr(0, tab)] = line.substr(tab + 1);
    }
  }
  // The rows that apply to drsynth's templates. Not applicable: the CDK
  // bootstrap (BootstrapVersion), the Custom::CrossRegionExport* and
  // LogRetention custom resources (drsynth uses Fn::GetStackOutput and plain
  // log groups), the L1 route53 records whose CDK IDs had no /Resource, and
  // the probe, the DR-view alarm and the failover function of DrFailover-dev,
  // which issue 20 replaced by the DR kit's per-site constructs (ProbeReplica
  // in DrReplica-dev, FailoverReplica; logical_id_test.cpp checks every row).
  const std::map<std::string, std::vector<std::string>> resources_by_stack{
      {"DrPrimary-dev",
       {"Vpc/Resource", "Vpc/dbSubnet1/Subnet", "Vpc/dbSubnet1/RouteTable", "Vpc/dbSubnet1/RouteTableAssociation",
        "Vpc/dbSubnet2/Subnet", "Vpc/dbSubnet2/RouteTable", "Vpc/dbSubnet2/RouteTableAssociation",
        "DbSecret/Resource", "DbSecret/Attachment/Resource", "Params/Resource", "DbSg/Resource", "Primary/Resource",
        "Primary/LogRetentionpostgresql/Resource"}},
      {"DrReplica-dev", {"Replica/Resource", "Replica/LogRetentionpostgresql/Resource", "Alarms/Resource"}},
      {"DrFailover-dev", {"Zone/Resource", "ReplicaLag/Resource", "ReplicaDisk/Resource"}},
  };
  const std::map<std::string, std::vector<std::string>> outputs_by_stack{
      {"DrPrimary-dev", {"PrimaryEndpoint"}}, {"DrReplica-dev", {"ReplicaEndpoint"}}, {"DrFailover-dev", {"DatabaseCname"}}};

  System sys;
  for (const auto& [stack, paths] : resources_by_stack) {
    const auto& resources = sys.stack(stack).template_json()["Resources"];
    for (const auto& path : paths) {
      INFO(stack << " " << path);
      REQUIRE(cdk.count(path) == 1);
      CHECK(resources.contains(cdk[path]));
    }
  }
  for (const auto& [stack, outputs] : outputs_by_stack) {
    const auto& out = sys.stack(stack).template_json()["Outputs"];
    for (const auto& o : outputs) {
      INFO(stack << " " << o);
      REQUIRE(cdk.count(o) == 1);
      CHECK(out.contains(cdk[o]));
    }
  }
}

// ---- assets -------------------------------------------------------------------

namespace {
std::uint32_t le32(const std::string& b, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}
std::uint16_t le16(const std::string& b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) | static_cast<unsigned char>(b[at + 1]) << 8);
}

// The file names in a zip archive, from its central directory.
std::vector<std::string> zip_entries(const std::string& zip) {
  REQUIRE(zip.size() >= 22);
  std::size_t eocd = zip.size() - 22;
  while (eocd > 0 && le32(zip, eocd) != 0x06054b50) --eocd;
  REQUIRE(le32(zip, eocd) == 0x06054b50);
  const std::size_t count = le16(zip, eocd + 10);
  std::size_t at = le32(zip, eocd + 16);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < count; ++i) {
    REQUIRE(le32(zip, at) == 0x02014b50);
    const std::size_t name_len = le16(zip, at + 28);
    const std::size_t extra_len = le16(zip, at + 30);
    const std::size_t comment_len = le16(zip, at + 32);
    names.push_back(zip.substr(at + 46, name_len));
    at += 46 + name_len + extra_len + comment_len;
  }
  return names;
}

// The files of runtime/<folder> (recursively, byte-code caches left out),
// named relative to runtime/<folder> with `prefix` in front.
std::vector<std::string> files_of(const std::string& folder, const std::string& prefix) {
  std::vector<std::string> out;
  const fs::path root = fs::path(DRSYNTH_SOURCE_DIR) / "runtime" / folder;
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const std::string rel = fs::relative(e.path(), root).generic_string();
    if (rel.find("__pycache__") != std::string::npos || rel.ends_with(".pyc")) continue;
    CHECK_FALSE(e.is_symlink());  // no symlinks under runtime/: each asset carries real files
    if (e.is_regular_file()) out.push_back(prefix + rel);
  }
  return out;
}
}  // namespace

TEST_CASE("assets: each handler ships as an asset zip of its folder and the packages it imports, at the zip root, without symlinks", "[dr]") {
  // The handlers compiled into the library (whatever another test in this
  // process pointed the runtime folder at): they must be runtime/'s files.
  test::ScopedEnv runtime("DRSYNTH_RUNTIME_DIR", "");
  System sys;
  test::TempDir dir;
  const auto out = dir.path / "assembly";
  write_assembly(sys.assembly, out);

  for (const auto& [stack, function, handler, package] :
       {std::tuple{"DrReplica-dev", "lambda-probe-rds-replica-dev", "probe", "drsynth_pgwire"},
        std::tuple{"DrFailover-dev", "lambda-failover-rds-replica-dev", "failover", "drsynth_failover"},
        std::tuple{"DrWitness-dev", "lambda-witness-rds-dev", "witness", "drsynth_failover"}}) {
    INFO(function);
    auto t = sys.t(stack);
    const auto ids = t.find_resources("AWS::Lambda::Function", {{"FunctionName", function}});
    REQUIRE(ids.size() == 1);
    const json& props = properties(t.resource(ids.front()));
    CHECK(props["Runtime"] == "python3.12");
    CHECK(props["Handler"] == "index.handler");
    const std::string key = props["Code"]["S3Key"];
    const std::regex key_re(R"(^asset\.([0-9a-f]{64})\.zip$)");
    std::smatch m;
    REQUIRE(std::regex_match(key, m, key_re));
    const std::string folder = "asset." + m[1].str();

    const std::string code = test::read_file(fs::path(DRSYNTH_SOURCE_DIR) / "runtime" / handler / "index.py");
    REQUIRE_FALSE(code.empty());
    CHECK(test::read_file(out / folder / "index.py") == code);
    std::vector<std::string> in_folder;
    for (const auto& e : fs::recursive_directory_iterator(out / folder))
      if (e.is_regular_file()) in_folder.push_back(fs::relative(e.path(), out / folder).generic_string());
    std::sort(in_folder.begin(), in_folder.end());
    auto files = files_of(handler, "");
    const auto package_files = files_of(package, std::string(package) + "/");
    files.insert(files.end(), package_files.begin(), package_files.end());
    std::sort(files.begin(), files.end());
    CHECK(in_folder == files);
    REQUIRE(fs::exists(out / key));
    CHECK(zip_entries(test::read_file(out / key)) == files);
  }
}

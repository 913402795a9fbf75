// Issue 21: what a first deployment on a real account needs beyond cfn-lint.
// Global bucket names, the rotation that keeps the replica secret current, the
// order a parallel deployer honours, the asset bucket rules shared with
// deploy.sh, customer-managed keys, and the Control Tower acknowledgements.
#include <algorithm>
#include <filesystem>

#include "aurora_system_fixture.hpp"
#include "drsynth/drsynth.hpp"
#include "dr_fixture.hpp"
#include "net_test_support.hpp"
#include "patterns/control_tower.hpp"
#include "core/safety_rules.hpp"
#include "test_support.hpp"

using namespace drsynth;
using assertions::Template;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
std::string only_id(const Template& t, const std::string& type, const json& props = json::object()) {
  const auto ids = t.find_resources(type, props);
  REQUIRE(ids.size() == 1);
  return ids.front();
}
}  // namespace

TEST_CASE("export buckets carry the account and the region; a suffix that breaks S3's 63 characters is E820",
          "[aurora][s3][names]") {
  aurora_system_test::AuroraSystem sys;
  only_id(sys.t("AuroraPrimary-dev"), "AWS::S3::Bucket",
          {{"BucketName", {{"Fn::Sub", "s3-db-export-dev-${AWS::AccountId}-${AWS::Region}"}}}});
  // 21 + 14 + "-<12 digits>-<14-character region>" = 63: the longest suffix.
  const auto e = aurora_system_test::aurora_error({.environment_suffix = "abcdefghijklmno"});
  CHECK(e.code() == "E820");
  CHECK_THAT(e.diagnostics().front().message, Catch::Contains("export replica bucket name"));
  CHECK_THAT(e.diagnostics().front().expected, Catch::Contains("at most 14 characters"));
}

TEST_CASE("s3::Bucket: a name with ${AWS::AccountId} and ${AWS::Region} renders Fn::Sub and is checked as deployed",
          "[s3][names]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "ap-southeast-2"}});
  s.add<s3::Bucket>("Ok", {.bucket_name = "exports-${AWS::AccountId}-${AWS::Region}"});
  const auto t = Template::from_app(app, "S");
  only_id(t, "AWS::S3::Bucket", {{"BucketName", {{"Fn::Sub", "exports-${AWS::AccountId}-${AWS::Region}"}}}});
  App bad({.read_environment = false});
  auto& b = bad.add<Stack>("S", StackProps{.env = {.region = "ap-southeast-2"}});
  b.add<s3::Bucket>("Ok", {.bucket_name = "exports-${AWS::AccountId}-${AWS::Region}"});
  b.add<s3::Bucket>("Long", {.bucket_name = "a-very-long-bucket-name-for-the-exports-${AWS::AccountId}-${AWS::Region}"});
  const auto ds = net_test::synth_errors(bad);
  INFO(net_test::dump(ds));
  // Checked with 12 digits for the account and the stack's region.
  CHECK(net_test::has_diagnostic(ds, "E915", "S/Long", "a-very-long-bucket-name-for-the-exports-123456789012-ap-southeast-2"));
  CHECK_FALSE(net_test::has_diagnostic(ds, "E915", "S/Ok", ""));
}

TEST_CASE("rotation keeps the replica secret current: the function may use the replica key through Secrets Manager "
          "of the DR region",
          "[dr][secrets][rotation]") {
  dr_test::System sys;
  const auto t = sys.t("DrPrimary-dev");
  const auto policies = t.find_resources("AWS::IAM::Policy");
  bool replica_grant = false;
  for (const auto& id : policies)
    for (const auto& st : t.resource(id)["Properties"]["PolicyDocument"]["Statement"])
      if (st["Action"] == json{"kms:Encrypt", "kms:GenerateDataKey"} &&
          st["Condition"] == json{{"StringEquals", {{"kms:ViaService", "secretsmanager.eu-west-1.amazonaws.com"}}}}) {
        replica_grant = true;
        CHECK(st["Resource"].dump().find("DrBase-dev") != std::string::npos);  // the SecretReplicaKey, by reference
      }
  CHECK(replica_grant);
  // The rotation function's log group is under the primary region's DataKey.
  const std::string key = only_id(t, "AWS::KMS::Key");
  const auto groups = t.find_resources("AWS::Logs::LogGroup", {{"LogGroupName", "/aws/lambda/rotate-db-dev"}});
  REQUIRE(groups.size() == 1);
  CHECK(t.resource(groups.front())["Properties"]["KmsKeyId"] == json{{"Fn::GetAtt", {key, "Arn"}}});
}

TEST_CASE("the RDS primary's storage is under the DataKey; customerManagedStorageKey=false keeps aws/rds, and "
          "switching an existing assembly is refused by S007",
          "[dr][kms][guard]") {
  {
    dr_test::System sys;
    const auto t = sys.t("DrPrimary-dev");
    const std::string key = only_id(t, "AWS::KMS::Key");
    const std::string db = only_id(t, "AWS::RDS::DBInstance");
    CHECK(t.resource(db)["Properties"]["KmsKeyId"] == json{{"Fn::GetAtt", {key, "Arn"}}});
    CHECK(t.resource(key)["Properties"]["KeyPolicy"].dump().find("rds.us-east-1.amazonaws.com") != std::string::npos);
  }
  {
    dr_test::System sys({.customer_managed_storage_key = false});
    const auto t = sys.t("DrPrimary-dev");
    CHECK_FALSE(t.resource(only_id(t, "AWS::RDS::DBInstance"))["Properties"].contains("KmsKeyId"));
  }
  test::TempDir dir;
  const auto out = dir.path / "out";
  auto r = test::run_cli({"synth", "-q", "-o", out.string(), "-c", "customerManagedStorageKey=false"},
                         patterns::define_default_system);
  REQUIRE(r.code == 0);
  r = test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system);
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("[drsynth.S007] DisasterRecovery/Primary/Primary/Resource: stateful resource "
                                    "AWS::RDS::DBInstance"));
  CHECK_THAT(r.err, Catch::Contains("KmsKeyId"));
}

TEST_CASE("Aurora's rotation schedule waits for the writer instance: Secrets Manager tests the secret at creation",
          "[aurora][secrets][rotation]") {
  aurora_system_test::AuroraSystem sys;
  const auto t = sys.t("AuroraPrimary-dev");
  const std::string schedule = only_id(t, "AWS::SecretsManager::RotationSchedule");
  const std::string writer = sys.dr.primary_cluster().instances().front()->logical_id();
  const auto& after = t.resource(schedule)["DependsOn"];
  CHECK(std::find(after.begin(), after.end(), json(writer)) != after.end());
}

TEST_CASE("lambda::Function log_kms_key: the log group's KmsKeyId and the key's CloudWatch Logs statement",
          "[lambda][kms]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& key = s.add<kms::Key>("Key", {});
  s.add<lambda::Function>("Fn", {.function_name = "fn-dev", .handler = "index.handler",
                                 .inline_code = "def handler(e, c): pass", .log_kms_key = key});
  const auto t = Template::from_app(app, "S");
  const std::string k = only_id(t, "AWS::KMS::Key");
  t.has_resource_properties("AWS::Logs::LogGroup",
                            {{"LogGroupName", "/aws/lambda/fn-dev"}, {"KmsKeyId", {{"Fn::GetAtt", {k, "Arn"}}}}});
  CHECK(t.resource(k)["Properties"]["KeyPolicy"].dump().find("log-group:/aws/lambda/fn-dev") != std::string::npos);

  App bad({.read_environment = false});
  auto& e = bad.add<Stack>("E", StackProps{.env = {.region = "us-east-1"}});
  auto& w = bad.add<Stack>("W", StackProps{.env = {.region = "us-west-2"}});
  auto& wkey = w.add<kms::Key>("Key", {});
  e.add<lambda::Function>("Fn", {.inline_code = "def handler(e, c): pass", .log_kms_key = wkey});
  const auto ds = net_test::synth_errors(bad);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E765", "E/Fn", "function_name"));
  CHECK(net_test::has_diagnostic(ds, "E960", "E/Fn", "us-west-2"));
}

TEST_CASE("deploy-plan --s3-bucket needs {region} when stacks of two regions upload to it (the rule deploy.sh "
          "applies too)",
          "[cli][deploy]") {
  test::TempDir dir;
  const auto out = dir.path / "out";
  auto r = test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system);
  REQUIRE(r.code == 0);
  r = test::run_cli({"deploy-plan", "-o", out.string(), "--s3-bucket", "drsynth-assets"}, patterns::define_default_system);
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("[drsynth.E543] <app>: --s3-bucket cannot serve every region"));
  CHECK_THAT(r.err, Catch::Contains("the name needs {region}"));
  r = test::run_cli({"deploy-plan", "-o", out.string(), "--s3-bucket", "drsynth-assets-{region}"},
                    patterns::define_default_system);
  INFO(r.err);
  CHECK(r.code == 0);
  // deploy.sh carries the same rules, and asks RDS about each pinned version before anything else.
  const std::string script = test::read_file(out / "deploy.sh");
  CHECK_THAT(script, Catch::Contains("drsynth_bucket_problem() {"));
  CHECK_THAT(script, Catch::Contains("'the prefix xn-- is reserved'"));
  CHECK_THAT(script, Catch::Contains("drsynth_check_engine_version 'us-east-1' 'postgres' '15.17' 0"));
  CHECK_THAT(script, Catch::Contains("drsynth_check_engine_version 'eu-west-1' 'postgres' '15.17' 0"));
  CHECK(script.find("drsynth_check_engine_version 'us-east-1'") < script.find("aws cloudformation deploy"));
}

TEST_CASE("Control Tower acknowledgements: one reasoned list, every control known to acknowledge(), listed in "
          "docs/errors.md",
          "[guard][docs]") {
  const std::string docs = test::read_file(std::string(DRSYNTH_SOURCE_DIR) + "/docs/errors.md");
  for (const auto& c : patterns::detail::control_tower_choices()) {
    INFO(c.rule << " " << c.at);
    const auto* rule = detail::find_safety_rule(c.rule);
    REQUIRE(rule != nullptr);
    CHECK(rule->checked_by == detail::RuleCheckedBy::control_tower_guard);
    CHECK_FALSE(c.reason.empty());
    CHECK(docs.find("| " + std::string(c.rule) + " | ") != std::string::npos);
    CHECK(docs.find(std::string(c.reason)) != std::string::npos);
  }
  // Applied by the patterns: in tree.json with their reasons.
  dr_test::System rds;
  const auto* why = rds.dr.acknowledgement("CT.RDS.PR.13");
  REQUIRE(why != nullptr);
  CHECK_THAT(*why, Catch::Contains("destroyable"));
  aurora_system_test::AuroraSystem protectedDb({.deletion_protection = true});
  CHECK(protectedDb.dr.acknowledgement("CT.RDS.PR.3") == nullptr);  // nothing to acknowledge
}

TEST_CASE("zones by AZ id: drsynth's ids per region, the settings, by-position for deployments made before",
          "[ec2][dr][aurora][settings]") {
  const auto subnet_zones = [](const Template& t) {
    std::vector<json> out;
    for (const auto& id : t.find_resources("AWS::EC2::Subnet")) {
      const json& p = t.resource(id)["Properties"];
      out.push_back(p.contains("AvailabilityZoneId") ? p["AvailabilityZoneId"] : p["AvailabilityZone"]);
    }
    return out;
  };
  {
    dr_test::System sys({.dr_az_ids = {"euw1-az3", "euw1-az1"}});
    CHECK(subnet_zones(sys.t("DrReplica-dev")) == std::vector<json>{"euw1-az3", "euw1-az1"});
  }
  {
    dr_test::System sys({.primary_az_ids = {"by-position"}});
    const auto zones = subnet_zones(sys.t("DrPrimary-dev"));
    REQUIRE(zones.size() == 2);
    CHECK(zones[0] == json{{"Fn::Select", json::array({0, {{"Fn::GetAZs", ""}}})}});
  }
  {
    // Aurora: three zones, and each instance in the zone of its subnet.
    aurora_system_test::AuroraSystem sys;
    const auto t = sys.t("AuroraSecondary-dev");
    CHECK(subnet_zones(t) == std::vector<json>{"usw2-az1", "usw2-az2", "usw2-az3"});
    for (const auto& id : t.find_resources("AWS::RDS::DBInstance"))
      CHECK(t.resource(id)["Properties"]["AvailabilityZone"].dump().find("\"AvailabilityZone\"]") != std::string::npos);
  }
  {
    // A region without drsynth's ids: positions.
    dr_test::System sys({.dr_region = "ap-southeast-2"});
    CHECK(subnet_zones(sys.t("DrReplica-dev")).front().contains("Fn::Select"));
  }
  test::TempDir dir;
  auto r = test::run_cli({"synth", "-q", "-o", (dir.path / "o").string(), "-c", "primaryAzIds=us-east-1a"},
                         patterns::define_default_system);
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("[drsynth.E702] <app>: setting 'primaryAzIds' (-c)"));
  const auto e = dr_test::system_error({.primary_az_ids = {"use1-az1"}});
  CHECK(net_test::has_diagnostic(e.diagnostics(), "E702", "Primary/Vpc", "1 ids"));
}

TEST_CASE("a failed replication (or rotation) of the secret pages: an EventBridge rule on Secrets Manager's "
          "CloudTrail events into a topic of the secret's region",
          "[dr][aurora][secrets][events]") {
  const auto check = [](const Template& t) {
    std::string rule;
    for (const auto& id : t.find_resources("AWS::Events::Rule"))
      if (t.resource(id)["Properties"].contains("EventPattern")) rule = id;  // not the probe's schedule
    REQUIRE_FALSE(rule.empty());
    const json& p = t.resource(rule)["Properties"];
    CHECK(p["EventPattern"]["source"] == json{"aws.secretsmanager"});
    CHECK(p["EventPattern"]["detail-type"] == json{"AWS Service Event via CloudTrail"});
    CHECK(p["EventPattern"]["detail"]["eventName"] == json{"ReplicationFailed", "RotationFailed"});
    REQUIRE(p["Targets"].size() == 1);
    const std::string topic = p["Targets"][0]["Arn"]["Ref"].get<std::string>();
    CHECK(t.resource(topic)["Type"] == "AWS::SNS::Topic");
    bool admitted = false;
    for (const auto& id : t.find_resources("AWS::SNS::TopicPolicy"))
      for (const auto& st : t.resource(id)["Properties"]["PolicyDocument"]["Statement"])
        if (st["Principal"] == json{{"Service", "events.amazonaws.com"}})
          admitted = st["Condition"]["ArnLike"]["aws:SourceArn"] == json{{"Fn::GetAtt", {rule, "Arn"}}};
    CHECK(admitted);
  };
  dr_test::System rds({.alarm_emails = {"oncall@example.com"}});
  check(rds.t("DrPrimary-dev"));
  aurora_system_test::AuroraSystem aurora;
  check(aurora.t("AuroraPrimary-dev"));
}

TEST_CASE("destroy.sh stops the failover functions, resets the records, detaches what a moved Aurora writer needs, "
          "then deletes the stacks and the run-time parameters of every region",
          "[destroy][scripts][aurora]") {
  const auto position = [](const std::string& script, const std::string& text) {
    const auto p = script.find(text);
    INFO(text << "\n" << script);
    REQUIRE(p != std::string::npos);
    return p;
  };
  {
    dr_test::System sys;
    const std::string s = destroy_script(sys.assembly);
    const auto stop_a = position(s, "drsynth_disarm_function 'us-east-1' 'lambda-failover-rds-primary-dev' 300 "
                                    "'/drsynth/rds-dev/failover-lock-primary'");
    const auto stop_b = position(s, "drsynth_disarm_function 'eu-west-1' 'lambda-failover-rds-replica-dev' 300 "
                                    "'/drsynth/rds-dev/failover-lock-replica'");
    const auto reset_a = position(s, "drsynth_reset_record 'eu-west-1' 'DrFailover-dev' ");
    const auto first_delete = position(s, "aws cloudformation delete-stack");
    const auto routes_delete = position(s, "delete-stack --region 'eu-west-1' --stack-name 'DrFailover-dev'");
    const auto parameters = position(s, "drsynth_delete_parameters '/drsynth/rds-dev' 'us-east-1' 'eu-west-1' 'us-west-2'");
    CHECK(std::max(stop_a, stop_b) < reset_a);
    CHECK(reset_a < first_delete);
    CHECK(first_delete <= routes_delete);
    CHECK(parameters > s.rfind("wait stack-delete-complete"));
    // Both records, each with the template's weight, TTL and set identifier, and an UPSERT batch.
    CHECK(s.find("'primary' 100 30 '{\"Changes\":[{\"Action\":\"UPSERT\"") != std::string::npos);
    CHECK(s.find("'replica' 0 30 '{\"Changes\":[{\"Action\":\"UPSERT\"") != std::string::npos);
    CHECK(s.find("drsynth_remove_global_secondaries") == std::string::npos);  // no global cluster
  }
  {
    aurora_system_test::AuroraSystem sys;
    const std::string s = destroy_script(sys.assembly);
    const auto detach = position(s, "drsynth_remove_global_secondaries 'us-east-1' 'aurora-global-dev' 'aurora-primary-dev'");
    CHECK(position(s, "drsynth_reset_record 'us-west-2' 'AuroraFailover-dev' ") < detach);
    CHECK(detach < position(s, "aws cloudformation delete-stack"));
    CHECK(position(s, "delete-stack --region 'us-west-2' --stack-name 'AuroraSecondary-dev'") <
          position(s, "delete-stack --region 'us-east-1' --stack-name 'AuroraPrimary-dev'"));
    position(s, "drsynth_delete_parameters '/drsynth/aurora-dev' 'us-east-1' 'us-west-2' 'us-east-2'");
  }
}

// The built-in DR system's security hardening, as a security reviewer lists it
// (issue 14, "Both systems"): flow logs, KMS-encrypted PostgreSQL logs, the
// upgrade log, a customer-managed key for the secret, rotation of the master
// secret, and who may use each key.
#include <set>

#include "drsynth/assertions/template.hpp"
#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "dr_fixture.hpp"
#include "dr_system_helpers.hpp"
#include "test_support.hpp"

using namespace drsynth;
using namespace dr_test::helpers;
using assertions::Template;
using dr_test::System;
using nlohmann::json;

namespace {

// The logical ID of the region's data key (alias alias/dr-data-<role>-dev).
std::string data_key(const Template& t, const std::string& role) {
  const auto aliases = t.find_resources("AWS::KMS::Alias", {{"AliasName", "alias/dr-data-" + role + "-dev"}});
  REQUIRE(aliases.size() == 1);
  const json& target = properties(t.resource(aliases.front()))["TargetKeyId"];
  REQUIRE(target.contains("Fn::GetAtt"));
  return target["Fn::GetAtt"][0];
}

// CloudWatch Logs of the region of the "primary" or "replica" stack.
std::string logs_principal(const std::string& role) {
  return std::string("logs.") + (role == "primary" ? "us-east-1" : "eu-west-1") + ".amazonaws.com";
}

json get_att_arn(const std::string& id) { return json{{"Fn::GetAtt", json::array({id, "Arn"})}}; }

// The stack that holds the region's data key: each database's own.
std::string key_stack(const std::string& role) { return role == "primary" ? "DrPrimary-dev" : "DrReplica-dev"; }

bool is_data_key(const json& v, const std::string& /*role*/, const std::string& key) { return v == get_att_arn(key); }

// The key policy statement whose principal is `service`.
json statement_for(const Template& t, const std::string& key, const std::string& service) {
  for (const auto& st : properties(t.resource(key))["KeyPolicy"]["Statement"])
    if (st.contains("Principal") && st["Principal"].contains("Service") && st["Principal"]["Service"] == service) return st;
  return json();
}

}  // namespace

TEST_CASE("security: VPC flow logs of both VPCs go to KMS-encrypted log groups with the system's retention", "[dr][security]") {
  System sys;
  for (const auto& [stack, role] : {std::pair{"DrPrimary-dev", "primary"}, std::pair{"DrReplica-dev", "replica"}}) {
    INFO(stack);
    auto t = sys.t(stack);
    const auto kt = sys.t(key_stack(role));
    const std::string key = data_key(kt, role);
    const auto flow = t.find_resources("AWS::EC2::FlowLog");
    REQUIRE(flow.size() == 1);
    const json& fp = properties(t.resource(flow.front()));
    CHECK(fp["ResourceType"] == "VPC");
    CHECK(fp["TrafficType"] == "ALL");
    CHECK(fp["LogDestinationType"] == "cloud-watch-logs");
    const std::string group_name = std::string("/drsynth/vpc-flow-logs/vpc-") + role + "-dev";
    const auto groups = t.find_resources("AWS::Logs::LogGroup", {{"LogGroupName", group_name}});
    REQUIRE(groups.size() == 1);
    const json& gp = properties(t.resource(groups.front()));
    CHECK(is_data_key(gp["KmsKeyId"], role, key));
    CHECK(gp["RetentionInDays"] == 30);
    // The regional CloudWatch Logs service may use the key, for these log groups only.
    const json logs = statement_for(kt, key, logs_principal(role));
    REQUIRE_FALSE(logs.is_null());
    CHECK(contains(logs["Condition"], group_name));
  }
}

TEST_CASE("security: the PostgreSQL and upgrade log groups of both databases are encrypted with the region's customer-managed key", "[dr][security]") {
  System sys;
  for (const auto& [stack, role] : {std::pair{"DrPrimary-dev", "primary"}, std::pair{"DrReplica-dev", "replica"}}) {
    INFO(stack);
    auto t = sys.t(stack);
    const auto kt = sys.t(key_stack(role));
    const std::string key = data_key(kt, role);
    const json& db = properties(t.resource(t.find_resources("AWS::RDS::DBInstance").front()));
    CHECK(db["EnableCloudwatchLogsExports"] == json::array({"postgresql", "upgrade"}));
    for (const std::string log : {"postgresql", "upgrade"}) {
      const std::string name = "/aws/rds/instance/postgres-" + std::string(role) + "-dev/" + log;
      const auto groups = t.find_resources("AWS::Logs::LogGroup", {{"LogGroupName", name}});
      REQUIRE(groups.size() == 1);
      CHECK(is_data_key(properties(t.resource(groups.front()))["KmsKeyId"], role, key));
      CHECK(contains(statement_for(kt, key, logs_principal(role)), name));
    }
    // Destroyable: the key's deletion is scheduled with the stack's, after the shortest wait.
    const json& k = kt.resource(key);
    CHECK(k["DeletionPolicy"] == "Delete");
    CHECK(properties(k)["PendingWindowInDays"] == 7);
    CHECK(properties(k)["EnableKeyRotation"] == true);
  }
}

TEST_CASE("security: the master secret uses the primary's customer-managed key, its replica the DR region's, and is rotated from inside the primary VPC", "[dr][security]") {
  System sys;
  auto t = sys.t("DrPrimary-dev");
  const std::string key = data_key(t, "primary");
  const auto secret = t.find_resources("AWS::SecretsManager::Secret", {{"Name", "db-credentials-dev"}});
  REQUIRE(secret.size() == 1);
  const json& sp = properties(t.resource(secret.front()));
  CHECK(sp["KmsKeyId"] == get_att_arn(key));
  // The replica (which the DR probe reads) under the DR region's data key, from the base stack.
  REQUIRE(sp["ReplicaRegions"].size() == 1);
  CHECK(sp["ReplicaRegions"][0]["Region"] == "eu-west-1");
  const json& replica_key = sp["ReplicaRegions"][0]["KmsKeyId"];
  REQUIRE(replica_key.contains("Fn::GetStackOutput"));
  CHECK(replica_key["Fn::GetStackOutput"]["StackName"] == "DrBase-dev");
  CHECK(replica_key["Fn::GetStackOutput"]["Region"] == "eu-west-1");
  CHECK(sys.stack("DrPrimary-dev").dependencies == std::vector<std::string>{"DrBase-dev"});
  // Secrets Manager of the DR region may use that key, and the DR probe may decrypt through it.
  const auto base = sys.t("DrBase-dev");
  const auto aliases = base.find_resources("AWS::KMS::Alias", {{"AliasName", "alias/dr-secret-replica-dev"}});
  REQUIRE(aliases.size() == 1);
  const std::string base_key = properties(base.resource(aliases.front()))["TargetKeyId"]["Fn::GetAtt"][0];
  CHECK(contains(replica_key, base_key));
  bool replica_via_secretsmanager = false;
  for (const auto& st : properties(base.resource(base_key))["KeyPolicy"]["Statement"])
    if (contains(st, "secretsmanager.eu-west-1.amazonaws.com")) replica_via_secretsmanager = true;
  CHECK(replica_via_secretsmanager);
  CHECK(contains(sys.t("DrReplica-dev").json(), "secretsmanager.eu-west-1.amazonaws.com"));  // the DR probe's grant

  // Secrets Manager of this account may use the key (kms:ViaService), nobody else but the account's IAM.
  bool via_secretsmanager = false;
  for (const auto& st : properties(t.resource(key))["KeyPolicy"]["Statement"])
    if (contains(st, "secretsmanager.us-east-1.amazonaws.com")) via_secretsmanager = true;
  CHECK(via_secretsmanager);

  // Rotation every 30 days by a function in the VPC's subnets that can reach 5432.
  const json& schedule = properties(t.resource(t.find_resources("AWS::SecretsManager::RotationSchedule").front()));
  CHECK(schedule["SecretId"] == json{{"Ref", secret.front()}});
  CHECK(schedule["RotationRules"]["AutomaticallyAfterDays"] == 30);
  const auto fn = t.find_resources("AWS::Lambda::Function", {{"FunctionName", "rotate-db-dev"}});
  REQUIRE(fn.size() == 1);
  CHECK(schedule["RotationLambdaARN"] == get_att_arn(fn.front()));
  const json& fp = properties(t.resource(fn.front()));
  REQUIRE(fp.contains("VpcConfig"));
  CHECK(fp["VpcConfig"]["SubnetIds"].size() >= 2);
  REQUIRE(fp["VpcConfig"]["SecurityGroupIds"].size() == 1);
  const json rotation_sg = fp["VpcConfig"]["SecurityGroupIds"][0];
  bool db_admits_rotation = false;
  for (const auto& id : t.find_resources("AWS::EC2::SecurityGroupIngress")) {
    const json& ing = properties(t.resource(id));
    if (ing["SourceSecurityGroupId"] == rotation_sg && ing["FromPort"] == 5432) db_admits_rotation = true;
  }
  CHECK(db_admits_rotation);
}

TEST_CASE("security: the primary-region probe may decrypt the secret through Secrets Manager only", "[dr][security]") {
  System sys;
  const std::string key = data_key(sys.t("DrPrimary-dev"), "primary");
  // The probe lives in the routes stack (it names the replica's endpoint too).
  auto t = sys.t("DrPrimaryRoutes-dev");
  const auto fn = t.find_resources("AWS::Lambda::Function", {{"FunctionName", "lambda-probe-rds-primary-dev"}});
  REQUIRE(fn.size() == 1);
  const std::string role = properties(t.resource(fn.front()))["Role"]["Fn::GetAtt"][0];
  bool decrypt = false;
  for (const auto& id : t.find_resources("AWS::IAM::Policy")) {
    const json& pol = properties(t.resource(id));
    if (!contains(pol["Roles"], role)) continue;
    for (const auto& st : pol["PolicyDocument"]["Statement"]) {
      if (!contains(st["Action"], "kms:Decrypt")) continue;
      decrypt = true;
      CHECK(contains(st["Resource"], "DrPrimary-dev:ExportsOutputFnGetAtt" + key));
      CHECK(contains(st["Condition"], "secretsmanager.us-east-1.amazonaws.com"));
    }
  }
  CHECK(decrypt);
}

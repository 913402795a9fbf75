// ec2::FlowLog, KMS-encrypted log groups, the RDS "upgrade" log export, and
// DatabaseSecret's customer-managed keys and rotation.
#include <algorithm>
#include <catch2/catch.hpp>

#include "aurora_fixture.hpp"
#include "drsynth/drsynth.hpp"
#include "net_test_support.hpp"

using namespace drsynth;
using assertions::absent;
using assertions::Template;
using json = nlohmann::json;

namespace {
json get_att(const std::string& id, const std::string& attr) { return {{"Fn::GetAtt", json::array({id, attr})}}; }
}  // namespace

TEST_CASE("ec2::FlowLog: all traffic of the VPC to a KMS-encrypted log group with a retention, through a role "
          "that can only write to that group",
          "[ec2][flowlog][aurora]") {
  App app({.read_environment = false});
  const auto a = aurora_test::build_aurora_app(app);
  const auto t = Template::from_app(app, "AuroraPrimary-dev");
  const std::string group = a.flow_log->log_group().resource().logical_id();
  const std::string role = a.flow_log->role().resource().logical_id();
  const std::string key = a.east_data_key->resource().logical_id();
  t.has_resource("AWS::EC2::FlowLog",
                 {{"DependsOn", json::array({a.flow_log->role().default_policy()->logical_id()})},
                  {"Properties", {{"ResourceId", {{"Ref", a.east_vpc->resource().logical_id()}}},
                                  {"ResourceType", "VPC"},
                                  {"TrafficType", "ALL"},
                                  {"LogDestinationType", "cloud-watch-logs"},
                                  {"LogGroupName", {{"Ref", group}}},
                                  {"DeliverLogsPermissionArn", get_att(role, "Arn")},
                                  {"MaxAggregationInterval", 600}}}});
  CHECK(t.resource(group)["Properties"] == json{{"LogGroupName", "/drsynth/vpc-flow-logs/aurora-primary-dev"},
                                                {"RetentionInDays", 90},
                                                {"KmsKeyId", get_att(key, "Arn")}});
  const json& trust = t.resource(role)["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
  CHECK(trust["Principal"] == json{{"Service", "vpc-flow-logs.amazonaws.com"}});
  CHECK(trust["Condition"] ==
        json{{"ArnLike", {{"aws:SourceArn", {{"Fn::Sub", "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*"}}}}},
             {"StringEquals", {{"aws:SourceAccount", {{"Ref", "AWS::AccountId"}}}}}});
  t.has_resource_properties("AWS::IAM::Policy",
                            {{"Roles", json::array({{{"Ref", role}}})},
                             {"PolicyDocument",
                              {{"Statement", json::array({{{"Effect", "Allow"},
                                                           {"Action", {"logs:CreateLogStream", "logs:DescribeLogStreams",
                                                                       "logs:PutLogEvents"}},
                                                           {"Resource", get_att(group, "Arn")}}})}}}});
  // The key admits CloudWatch Logs of us-east-1 for exactly the encrypted groups.
  const json& logs = t.resource(key)["Properties"]["KeyPolicy"]["Statement"].back();
  CHECK(logs["Sid"] == "CloudWatchLogs");
  CHECK(logs["Principal"] == json{{"Service", "logs.us-east-1.amazonaws.com"}});
  CHECK(logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"].size() == 3);
  // ... and the rotation function's log group, under the secret's key.
  CHECK(a.east_data_key->granted_log_groups() ==
        std::vector<std::string>{"/drsynth/vpc-flow-logs/aurora-primary-dev", "/aws/rds/cluster/aurora-primary-dev/postgresql",
                                 "/aws/lambda/lambda-rotate-aurora-dev"});
}

TEST_CASE("DatabaseInstance export_upgrade_log: postgresql and upgrade logs, each with a retained, encrypted group",
          "[rds][logs]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& vpc = s.add<ec2::Vpc>("Vpc", {});
  auto& sg = s.add<ec2::SecurityGroup>("Sg", {.vpc = vpc});
  auto& secret = s.add<secrets::DatabaseSecret>("Secret", {});
  auto& key = s.add<kms::Key>("LogsKey", {});
  auto& db = s.add<rds::DatabaseInstance>("Primary", {.instance_identifier = "Postgres-Primary",
                                                      .vpc = vpc, .security_groups = {sg}, .secret = secret,
                                                      .export_upgrade_log = true, .log_kms_key = key});
  auto& plain = s.add<rds::DatabaseInstance>("Plain", {.instance_identifier = "plain", .vpc = vpc,
                                                       .security_groups = {sg},
                                                       .secret = s.add<secrets::DatabaseSecret>("Secret2", {})});
  auto t = Template::from_app(app, "S");
  const json& r = t.resource(db.resource().logical_id());
  CHECK(r["Properties"]["EnableCloudwatchLogsExports"] == json{"postgresql", "upgrade"});
  CHECK(r["DependsOn"] == json::array({db.log_group().logical_id(), db.upgrade_log_group()->logical_id()}));
  CHECK(t.resource(db.upgrade_log_group()->logical_id())["Properties"] ==
        json{{"LogGroupName", "/aws/rds/instance/postgres-primary/upgrade"},
             {"RetentionInDays", 30},
             {"KmsKeyId", get_att(key.resource().logical_id(), "Arn")}});
  CHECK(db.upgrade_log_group()->path() == "S/Primary/LogRetentionupgrade/Resource");
  // Default unchanged: one export, one unencrypted group.
  CHECK(t.resource(plain.resource().logical_id())["Properties"]["EnableCloudwatchLogsExports"] == json{"postgresql"});
  CHECK_FALSE(t.resource(plain.log_group().logical_id())["Properties"].contains("KmsKeyId"));
  CHECK(plain.upgrade_log_group() == nullptr);
}

TEST_CASE("DatabaseSecret keys: KmsKeyId in its region, a key of the replica's region for the replica",
          "[secrets][aurora]") {
  App app({.read_environment = false});
  const auto a = aurora_test::build_aurora_app(app);
  const auto t = Template::from_app(app, "AuroraPrimary-dev");
  const json& p = t.resource(a.secret->resource().logical_id())["Properties"];
  CHECK(p["KmsKeyId"] == get_att(a.east_data_key->resource().logical_id(), "Arn"));
  REQUIRE(p["ReplicaRegions"].size() == 1);
  CHECK(p["ReplicaRegions"][0]["Region"] == "us-west-2");
  CHECK(p["ReplicaRegions"][0]["KmsKeyId"]["Fn::GetStackOutput"]["StackName"] == "AuroraDrBase-dev");
}

TEST_CASE("DatabaseSecret rotation: our function in the VPC, a narrow security group, permissions on this secret "
          "only, and the schedule after the attachment",
          "[secrets][rotation][aurora]") {
  App app({.read_environment = false});
  const auto a = aurora_test::build_aurora_app(app);
  const auto t = Template::from_app(app, "AuroraPrimary-dev");
  const std::string secret = a.secret->resource().logical_id();
  const auto* fn = dynamic_cast<const lambda::Function*>(a.secret->find_child("RotationFunction"));
  REQUIRE(fn != nullptr);
  const std::string fn_id = fn->resource().logical_id();
  const json& f = t.resource(fn_id)["Properties"];
  CHECK(f["FunctionName"] == "lambda-rotate-aurora-dev");
  CHECK(f["Runtime"] == "python3.12");
  CHECK(f["Handler"] == "index.handler");
  CHECK(f["VpcConfig"]["SubnetIds"].size() == 3);
  CHECK(f["Environment"]["Variables"] == json{{"EXCLUDE_CHARACTERS", " \"'/@\\"}, {"PASSWORD_LENGTH", "32"}});
  const auto* sg = dynamic_cast<const ec2::SecurityGroup*>(a.secret->find_child("RotationSecurityGroup"));
  REQUIRE(sg != nullptr);
  const json& egress = t.resource(sg->resource().logical_id())["Properties"]["SecurityGroupEgress"];
  REQUIRE(egress.size() == 2);
  CHECK(egress[0]["CidrIp"] == "10.10.0.0/16");
  CHECK(egress[0]["FromPort"] == 5432);
  CHECK(egress[1]["FromPort"] == 443);
  t.has_resource_properties("AWS::EC2::SecurityGroupIngress",
                            {{"GroupId", get_att(a.east_db_sg->resource().logical_id(), "GroupId")},
                             {"SourceSecurityGroupId", get_att(sg->resource().logical_id(), "GroupId")},
                             {"FromPort", 5432},
                             {"ToPort", 5432}});
  const json& statements = t.resource(fn->role().default_policy()->logical_id())["Properties"]["PolicyDocument"]["Statement"];
  REQUIRE(statements.size() == 3);
  CHECK(statements[0] == json{{"Effect", "Allow"},
                              {"Action", {"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                                          "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"}},
                              {"Resource", {{"Ref", secret}}}});
  CHECK(statements[1]["Action"] == json{"kms:Decrypt", "kms:GenerateDataKey"});
  CHECK(statements[1]["Condition"] == json{{"StringEquals", {{"kms:ViaService", "secretsmanager.us-east-1.amazonaws.com"}}}});
  // Each rotated version is written to the replica under the us-west-2 key, as the function.
  CHECK(statements[2]["Action"] == json{"kms:Encrypt", "kms:GenerateDataKey"});
  CHECK(statements[2]["Condition"] == json{{"StringEquals", {{"kms:ViaService", "secretsmanager.us-west-2.amazonaws.com"}}}});
  const std::string permission = t.find_resources("AWS::Lambda::Permission", {{"Principal", "secretsmanager.amazonaws.com"}}).at(0);
  CHECK(t.resource(permission)["Properties"]["SourceAccount"] == json{{"Ref", "AWS::AccountId"}});
  CHECK(t.resource(permission)["Properties"]["SourceArn"] == json{{"Ref", secret}});
  // Secrets Manager tests the function when the schedule is created: after the
  // permission, the attachment and the cluster's writer instance.
  std::vector<std::string> after{a.secret->attachment()->logical_id(), permission,
                                 a.primary_cluster->instances().front()->logical_id()};
  std::sort(after.begin(), after.end());
  t.has_resource("AWS::SecretsManager::RotationSchedule",
                 {{"DependsOn", after},
                  {"Properties", {{"SecretId", {{"Ref", secret}}},
                                  {"RotationLambdaARN", get_att(fn_id, "Arn")},
                                  {"RotationRules", {{"AutomaticallyAfterDays", 30}}},
                                  {"RotateImmediatelyOnUpdate", false}}}});
  // No hosted rotation: no Transform, nothing to expand at deploy time.
  CHECK_FALSE(t.json().contains("Transform"));
}

TEST_CASE("flow log, log key, secret key and rotation validation", "[ec2][flowlog][secrets][rotation][validation]") {
  App app({.read_environment = false});
  auto& e = app.add<Stack>("E", StackProps{.env = {.region = "us-east-1"}});
  auto& w = app.add<Stack>("W", StackProps{.env = {.region = "us-west-2"}});
  auto& wvpc = w.add<ec2::Vpc>("Vpc", {});
  auto& wkey = w.add<kms::Key>("Key", {});
  auto& ekey = e.add<kms::Key>("Key", {});
  e.add<ec2::FlowLog>("FlowLog", {.vpc = wvpc, .log_group_name = "/flow", .kms_key = wkey, .traffic_type = "SOME",
                                  .max_aggregation_interval = 120});
  auto& vpc = e.add<ec2::Vpc>("Vpc", {});
  auto& sg = e.add<ec2::SecurityGroup>("Sg", {.vpc = vpc});
  auto& lonely = e.add<secrets::DatabaseSecret>("Lonely", {.replica_regions = {"us-west-2"}, .kms_key = wkey,
                                                           .replica_kms_keys = {ekey, wkey, wkey}});
  lonely.add_rotation({.vpc = vpc, .database_security_group = sg, .automatically_after_days = 0, .timeout_seconds = 5});
  lonely.add_rotation({.vpc = vpc, .database_security_group = sg, .function_name = "again"});
  auto& cron = e.add<secrets::DatabaseSecret>("Cron", {});
  e.add<rds::DatabaseInstance>("Db", {.instance_identifier = "db", .vpc = vpc, .security_groups = {sg},
                                      .secret = cron, .log_kms_key = wkey});
  cron.add_rotation({.vpc = wvpc, .database_security_group = sg, .function_name = "rotate-cron",
                     .schedule_expression = "every day"});
  const auto ds = net_test::synth_errors(app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E950", "E/FlowLog", "us-west-2"));
  CHECK(net_test::has_diagnostic(ds, "E951", "E/FlowLog", "SOME"));
  CHECK(net_test::has_diagnostic(ds, "E952", "E/FlowLog", "120 s"));
  CHECK(net_test::has_diagnostic(ds, "E960", "E/FlowLog/LogGroup", "us-west-2"));
  CHECK(net_test::has_diagnostic(ds, "E960", "E/Db", "us-west-2"));
  CHECK(net_test::has_diagnostic(ds, "E962", "E/Lonely", "us-west-2"));
  CHECK(net_test::has_diagnostic(ds, "E962", "E/Lonely", "us-east-1"));
  CHECK(net_test::has_diagnostic(ds, "E962", "E/Lonely", "W/Key"));
  CHECK(net_test::has_diagnostic(ds, "E955", "E/Lonely", "0 days"));
  CHECK(net_test::has_diagnostic(ds, "E956", "E/Lonely", "without secretsmanager"));
  CHECK(net_test::has_diagnostic(ds, "E957", "E/Lonely", "no attach()"));
  CHECK(net_test::has_diagnostic(ds, "E957", "E/Lonely", "2 rotations"));
  CHECK(net_test::has_diagnostic(ds, "E958", "E/Lonely", "\"\""));
  CHECK(net_test::has_diagnostic(ds, "E958", "E/Lonely", "5 s"));
  CHECK(net_test::has_diagnostic(ds, "E955", "E/Cron", "every day"));
  CHECK(net_test::has_diagnostic(ds, "E956", "E/Cron", "us-west-2"));
}

TEST_CASE("The rotation function's asset ships the handler, the PostgreSQL client package drsynth_pgwire and the RDS CA bundle",
          "[secrets][rotation]") {
  // From the source folder, and from the code compiled into the library.
  for (const std::string& source : {std::string(DRSYNTH_SOURCE_DIR) + "/runtime", std::string()}) {
    INFO("DRSYNTH_RUNTIME_DIR=" << source);
    test::ScopedEnv runtime("DRSYNTH_RUNTIME_DIR", source);
    App app({.read_environment = false});
    auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
    auto& vpc = s.add<ec2::Vpc>("Vpc", {.interface_endpoints = {"secretsmanager"}});
    auto& sg = s.add<ec2::SecurityGroup>("Sg", {.vpc = vpc});
    auto& secret = s.add<secrets::DatabaseSecret>("Secret", {});
    s.add<rds::DatabaseInstance>("Db", {.instance_identifier = "db", .vpc = vpc, .security_groups = {sg}, .secret = secret});
    auto& fn = secret.add_rotation({.vpc = vpc, .database_security_group = sg, .function_name = "rotate-db"});
    REQUIRE(fn.asset() != nullptr);
    std::map<std::string, std::string> files;
    for (const auto& f : fn.asset()->files()) files[f.relative_path] = f.content;
    REQUIRE(files.count("index.py") == 1);
    // The package the probe uses too, at the zip root (no symlink, no sys.path edit).
    REQUIRE(files.count("drsynth_pgwire/__init__.py") == 1);
    CHECK(files["index.py"].find("import drsynth_pgwire") != std::string::npos);
    CHECK(files["drsynth_pgwire/__init__.py"] ==
          test::read_file(std::string(DRSYNTH_SOURCE_DIR) + "/runtime/drsynth_pgwire/__init__.py"));
    // It verifies the database's certificate as the probe does.
    REQUIRE(files.count("rds-ca-bundle.pem") == 1);
    CHECK(files["rds-ca-bundle.pem"] == test::read_file(std::string(DRSYNTH_SOURCE_DIR) + "/runtime/probe/rds-ca-bundle.pem"));
  }
}

#include <catch2/catch.hpp>

#include <functional>

#include "drsynth/drsynth.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/rds/database_instance.hpp"
#include "drsynth/rds/engine.hpp"
#include "drsynth/rds/parameter_group.hpp"
#include "drsynth/rds/read_replica.hpp"
#include "drsynth/rds/subnet_group.hpp"
#include "drsynth/secrets/database_secret.hpp"
#include "net_test_support.hpp"

using namespace drsynth;
using assertions::absent;
using assertions::any_value;
using assertions::Template;
using json = nlohmann::json;

namespace {
// DrPrimary (us-east-1): VPC, group, params, secret, primary; DrReplica (eu-west-1): VPC, group, params.
struct DrApp {
  App app{{.read_environment = false}};
  Stack& primary = app.add<Stack>("DrPrimary", StackProps{.env = {.region = "us-east-1"}});
  Stack& replica = app.add<Stack>("DrReplica", StackProps{.env = {.region = "eu-west-1"}});
  ec2::Vpc& pvpc = primary.add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.0/16", .subnet_name = "db"});
  ec2::SecurityGroup& psg = primary.add<ec2::SecurityGroup>("DbSg", {.vpc = pvpc, .description = "db"});
  rds::ParameterGroup& params = primary.add<rds::ParameterGroup>("Params", {});
  secrets::DatabaseSecret& secret = primary.add<secrets::DatabaseSecret>("DbSecret", {.replica_regions = {"eu-west-1"}});
  ec2::Vpc& rvpc = replica.add<ec2::Vpc>("Vpc", {.cidr = "10.1.0.0/16"});
  ec2::SecurityGroup& rsg = replica.add<ec2::SecurityGroup>("DbSg", {.vpc = rvpc, .description = "db"});
  rds::ParameterGroup& rparams = replica.add<rds::ParameterGroup>("Params", {});

  // The links are given here; `change` adjusts the other props.
  rds::DatabaseInstance& add_primary(const std::function<void(rds::DatabaseInstanceProps&)>& change = {}) {
    rds::DatabaseInstanceProps p{.instance_identifier = "postgres-primary-dev", .vpc = pvpc, .security_groups = {psg},
                                 .parameter_group = params, .secret = secret};
    if (change) change(p);
    return primary.add<rds::DatabaseInstance>("Primary", std::move(p));
  }
  rds::ReadReplica& add_replica(rds::DatabaseInstance& source,
                                const std::function<void(rds::ReadReplicaProps&)>& change = {}) {
    rds::ReadReplicaProps p{.source = source, .instance_identifier = "postgres-replica-dev", .vpc = rvpc,
                            .security_groups = {rsg}, .parameter_group = rparams};
    if (change) change(p);
    return replica.add<rds::ReadReplica>("Replica", std::move(p));
  }
};
}  // namespace

TEST_CASE("engine accepts the PostgreSQL 15, 16 and 17 minors AWS creates today and derives the family", "[rds][engine]") {
  // main.cpp fixes today at 2026-12-07.
  for (const char* v : {"15.13", "15.15", "15.17", "16.9", "16.13", "17.5", "17.9"})
    CHECK(rds::is_supported_postgres_version(v));
  // 15.9-15.12, 16.5-16.8, 17.1-17.4: no new instances since 2026-05-01.
  for (const char* v : {"15", "15.2", "15.9", "15.10", "15.11", "15.12", "16.8", "17.4", "14.12", "15.18", "18.1"})
    CHECK_FALSE(rds::is_supported_postgres_version(v));
  CHECK(rds::parameter_group_family("15.17") == "postgres15");
  CHECK(rds::parameter_group_family("16.9") == "postgres16");
  CHECK(rds::parameter_group_family("17.9") == "postgres17");
  CHECK(rds::default_postgres_version == "15.17");
  CHECK(rds::is_supported_postgres_version(rds::default_postgres_version));
}

TEST_CASE("engine versions: deprecated, near deprecation and unknown on a given day, with the source", "[rds][engine]") {
  using rds::Engine;
  using rds::VersionVerdict;
  auto c = rds::check_engine_version(Engine::postgres, "15.12", "2026-12-07");
  CHECK(c.verdict == VersionVerdict::deprecated);
  REQUIRE(c.row != nullptr);
  CHECK(c.row->deprecated_on == "2026-05-01");
  CHECK(c.row->end_of_support == "2026-05-31");
  CHECK(rds::version_problem(Engine::postgres, c, "15.12").find("since 2026-05-01") != std::string::npos);
  // 61 days before the deprecation: still created, a warning.
  c = rds::check_engine_version(Engine::postgres, "15.12", "2026-03-01");
  CHECK(c.verdict == VersionVerdict::near_deprecation);
  CHECK(c.days_left == 61);
  // More than 90 days before: usable.
  CHECK(rds::check_engine_version(Engine::postgres, "15.12", "2026-01-30").verdict == VersionVerdict::usable);
  CHECK(rds::check_engine_version(Engine::postgres, "15.12", "2026-01-31").verdict == VersionVerdict::near_deprecation);
  CHECK(rds::check_engine_version(Engine::postgres, "15.12", "2026-05-01").verdict == VersionVerdict::deprecated);
  CHECK(rds::check_engine_version(Engine::postgres, "15.8", "2026-12-07").verdict == VersionVerdict::unknown);
  CHECK(rds::usable_versions_text(Engine::postgres, "2026-12-07") ==
        "15.13, 15.14, 15.15, 15.16, 15.17, 16.9, 16.10, 16.11, 16.12, 16.13, 17.5, 17.6, 17.7, 17.8, 17.9");
  CHECK(rds::usable_versions_text(Engine::postgres, "2026-03-01").starts_with("15.9, 15.10, 15.11, 15.12, 15.13"));
  // Every row names its source, and the majors 15, 16 and 17 are there for both engines.
  for (auto e : {Engine::postgres, Engine::aurora_postgresql}) {
    for (const auto& row : rds::engine_versions(e)) CHECK_FALSE(row.source.empty());
    for (const char* major : {"15.", "16.", "17."})
      CHECK(rds::usable_versions_text(e, "2026-12-07").find(major) != std::string::npos);
  }
  CHECK(rds::days_from_iso_date("2026-02-30") == std::nullopt);
  CHECK(rds::days_from_iso_date("1970-01-02") == 1);
}

TEST_CASE("engine versions: DRSYNTH_TODAY sets the day the CLI and the constructs judge on", "[rds][engine]") {
  CHECK(rds::today() == "2026-12-07");  // main.cpp
  ::setenv("DRSYNTH_TODAY", "2026-03-01", 1);
  CHECK(rds::today() == "2026-03-01");
  CHECK(rds::is_supported_postgres_version("15.12"));
  ::setenv("DRSYNTH_TODAY", "not a date", 1);
  CHECK(rds::today().size() == 10);  // ignored: the clock's day
  ::setenv("DRSYNTH_TODAY", "2026-12-07", 1);
}

TEST_CASE("engine knows instance classes and which are at least db.r6g.large", "[rds][engine]") {
  for (const char* c : {"db.r6g.large", "db.r6i.32xlarge", "db.t3.micro", "db.m7g.16xlarge", "db.x2iedn.xlarge"})
    CHECK(rds::is_known_instance_class(c));
  for (const char* c : {"db.r6g.micro", "db.r6g.24xlarge", "db.z9.large", "r6g.large", "db.r6g", "db.x2iedn.12xlarge"})
    CHECK_FALSE(rds::is_known_instance_class(c));
  for (const char* c : {"db.r6g.large", "db.r6g.xlarge", "db.r7g.2xlarge", "db.r5.24xlarge", "db.x2g.large", "db.r6gd.large"})
    CHECK(rds::at_least_r6g_large(c));
  for (const char* c : {"db.t3.micro", "db.t4g.2xlarge", "db.m6g.2xlarge", "db.r6g.medium", "nonsense"})
    CHECK_FALSE(rds::at_least_r6g_large(c));
}

TEST_CASE("ParameterGroup renders the family from the engine version, a description and the parameters", "[rds][params]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  s.add<rds::ParameterGroup>("Params", {.engine_version = "15.17", .parameters = {{"log_statement", "all"}}, .name = "pg-dev"});
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::RDS::DBParameterGroup", {{"Family", "postgres15"},
                                                           {"Description", "drsynth PostgreSQL 15 parameters"},
                                                           {"DBParameterGroupName", "pg-dev"},
                                                           {"Parameters", {{"log_statement", "all"}}}});
  CHECK(t.find_resources("AWS::RDS::DBParameterGroup") == std::vector<std::string>{"ParamsA8366201"});
}

TEST_CASE("SubnetGroup covers every subnet of the VPC", "[rds][subnet-group]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& vpc = s.add<ec2::Vpc>("Vpc", {.max_azs = 3, .subnet_name = "db"});
  s.add<rds::SubnetGroup>("Subnets", {.vpc = vpc, .name = "postgres-dev"});
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::RDS::DBSubnetGroup",
                            {{"DBSubnetGroupName", "postgres-dev"},
                             {"DBSubnetGroupDescription", any_value()},
                             {"SubnetIds", json::array({{{"Ref", "VpcdbSubnet1Subnet1B82B149"}},
                                                        {{"Ref", "VpcdbSubnet2Subnet01192A3B"}},
                                                        any_value()})}});
}

TEST_CASE("DatabaseInstance renders an encrypted Multi-AZ gp3 PostgreSQL instance with backups, private and destroyable",
          "[rds][instance]") {
  DrApp d;
  d.add_primary();
  auto t = Template::from_app(d.app, "DrPrimary");
  t.has_resource("AWS::RDS::DBInstance",
                 {{"DeletionPolicy", "Delete"},
                  {"UpdateReplacePolicy", "Delete"},
                  {"DependsOn", json::array({"PrimaryLogRetentionpostgresql0BCEC516"})},
                  {"Properties",
                   {{"DBInstanceIdentifier", "postgres-primary-dev"},
                    {"Engine", "postgres"},
                    {"EngineVersion", "15.17"},
                    {"DBInstanceClass", "db.r6g.large"},
                    {"MultiAZ", true},
                    {"AllocatedStorage", "100"},
                    {"StorageType", "gp3"},
                    {"StorageEncrypted", true},
                    {"KmsKeyId", absent()},
                    {"BackupRetentionPeriod", 7},
                    {"PubliclyAccessible", false},
                    {"DeletionProtection", false},
                    {"CopyTagsToSnapshot", true},
                    {"Port", "5432"},
                    {"EnableCloudwatchLogsExports", json::array({"postgresql"})},
                    {"DBSubnetGroupName", {{"Ref", "PrimarySubnetGroupF5983FB5"}}},
                    {"DBParameterGroupName", {{"Ref", "ParamsA8366201"}}},
                    {"VPCSecurityGroups", json::array({{{"Fn::GetAtt", {"DbSg495F8305", "GroupId"}}}})}}}});
  CHECK(t.find_resources("AWS::RDS::DBInstance") == std::vector<std::string>{"Primary503D6591"});
}

TEST_CASE("DatabaseInstance takes master credentials from the secret as dynamic references, never ManageMasterUserPassword",
          "[rds][instance][secret]") {
  DrApp d;
  d.add_primary();
  auto t = Template::from_app(d.app, "DrPrimary");
  const json resolve_pw = {{"Fn::Join", json::array({"", json::array({"{{resolve:secretsmanager:",
                                                                     {{"Ref", "DbSecret685A0FA5"}},
                                                                     ":SecretString:password}}"})})}};
  t.has_resource_properties("AWS::RDS::DBInstance", {{"MasterUserPassword", resolve_pw},
                                                     {"MasterUsername", {{"Fn::Join", any_value()}}},
                                                     {"ManageMasterUserPassword", absent()}});
  t.has_resource_properties("AWS::SecretsManager::SecretTargetAttachment",
                            {{"SecretId", {{"Ref", "DbSecret685A0FA5"}}},
                             {"TargetId", {{"Ref", "Primary503D6591"}}},
                             {"TargetType", "AWS::RDS::DBInstance"}});
  CHECK_NOTHROW(t.resource("DbSecretAttachment0609CE05"));
}

TEST_CASE("DatabaseInstance creates its log group with a retention, named where RDS writes", "[rds][instance][logs]") {
  DrApp d;
  d.add_primary([](auto& p) {
    p.instance_identifier = "Postgres-Primary-dev";
    p.log_retention_days = 14;
  });
  auto t = Template::from_app(d.app, "DrPrimary");
  t.has_resource("AWS::Logs::LogGroup", {{"DeletionPolicy", "Delete"},
                                         {"Properties", {{"LogGroupName", "/aws/rds/instance/postgres-primary-dev/postgresql"},
                                                         {"RetentionInDays", 14}}}});
}

TEST_CASE("DatabaseInstance exposes endpoint, port and ARN attributes", "[rds][instance]") {
  DrApp d;
  auto& db = d.add_primary();
  d.primary.add<CfnOutput>("Endpoint", CfnOutputProps{.value = db.endpoint_address()});
  d.primary.add<CfnOutput>("Port", CfnOutputProps{.value = db.endpoint_port()});
  d.primary.add<CfnOutput>("Arn", CfnOutputProps{.value = db.arn()});
  auto t = Template::from_app(d.app, "DrPrimary");
  t.has_output("Endpoint", {{"Value", {{"Fn::GetAtt", {"Primary503D6591", "Endpoint.Address"}}}}});
  t.has_output("Port", {{"Value", {{"Fn::GetAtt", {"Primary503D6591", "Endpoint.Port"}}}}});
  t.has_output("Arn", {{"Value", {{"Fn::GetAtt", {"Primary503D6591", "DBInstanceArn"}}}}});
  CHECK(db.instance_identifier() == "postgres-primary-dev");
}

TEST_CASE("DatabaseInstance validation reports every bad prop", "[rds][instance][validation]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& params14 = s.add<rds::ParameterGroup>("Params14", {.engine_version = "14.12"});
  auto& vpc = s.add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.0/16"});
  auto& other_vpc = s.add<ec2::Vpc>("OtherVpc", {.cidr = "10.1.0.0/16"});
  auto& other_sg = s.add<ec2::SecurityGroup>("OtherSg", {.vpc = other_vpc});
  auto& other_subnets = s.add<rds::SubnetGroup>("OtherSubnets", {.vpc = other_vpc});
  auto& secret = s.add<secrets::DatabaseSecret>("Secret", {});
  s.add<rds::DatabaseInstance>("Bad", {.instance_identifier = "1-bad--id",
                                       .engine_version = "15.2",
                                       .instance_class = "db.q9.huge",
                                       .vpc = vpc,
                                       .subnet_group = other_subnets,
                                       .security_groups = {other_sg},
                                       .allocated_storage = 5,
                                       .storage_type = "magnetic",
                                       .backup_retention_days = 40,
                                       .parameter_group = params14,
                                       .secret = secret,
                                       .database_name = "1db",
                                       .port = 80,
                                       .monitoring_interval = 7});
  const auto ds = net_test::synth_errors(app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E720", "S/Bad", "15.2"));
  CHECK(net_test::has_diagnostic(ds, "E720", "S/Params14", "14.12"));
  CHECK(net_test::has_diagnostic(ds, "E721", "S/Bad", "1-bad--id"));
  CHECK(net_test::has_diagnostic(ds, "E722", "S/Bad", "db.q9.huge"));
  CHECK(net_test::has_diagnostic(ds, "E723", "S/Bad", "5 GiB"));
  CHECK(net_test::has_diagnostic(ds, "E724", "S/Bad", "magnetic"));
  CHECK(net_test::has_diagnostic(ds, "E725", "S/Bad", "40"));
  CHECK(net_test::has_diagnostic(ds, "E726", "S/Bad", "80"));
  CHECK(net_test::has_diagnostic(ds, "E727", "S/Bad", "1db"));
  CHECK(net_test::has_diagnostic(ds, "E729", "S/Bad", "S/OtherSubnets"));
  CHECK(net_test::has_diagnostic(ds, "E730", "S/Bad", "postgres14"));
  CHECK(net_test::has_diagnostic(ds, "E731", "S/Bad", "S/OtherVpc"));
  CHECK(net_test::has_diagnostic(ds, "E732", "S/Bad", "7"));
}

TEST_CASE("ReadReplica across regions references the source ARN, names the source region and uses the regional RDS key",
          "[rds][replica]") {
  DrApp d;
  auto& db = d.add_primary();
  d.add_replica(db);
  auto t = Template::from_app(d.app, "DrReplica");
  t.has_resource("AWS::RDS::DBInstance",
                 {{"DeletionPolicy", "Delete"},
                  {"UpdateReplacePolicy", "Delete"},
                  {"DependsOn", json::array({"ReplicaLogRetentionpostgresql55C4727B"})},
                  {"Metadata", {{"cfn-lint", {{"config", {{"ignore_checks", json::array({"E3720"})}}}}}}},
                  {"Properties",
                   {{"SourceDBInstanceIdentifier",
                     {{"Fn::GetStackOutput", {{"StackName", "DrPrimary"}, {"Region", "us-east-1"}, {"OutputName", any_value()}}}}},
                    {"SourceRegion", "us-east-1"},
                    {"KmsKeyId", "alias/aws/rds"},
                    {"Engine", "postgres"},
                    {"BackupRetentionPeriod", 7},
                    {"MultiAZ", true},
                    {"StorageType", "gp3"},
                    {"DBSubnetGroupName", {{"Ref", "ReplicaSubnetGroupDCB8F807"}}},
                    {"DBParameterGroupName", {{"Ref", "ParamsA8366201"}}}}}});
  CHECK(t.find_resources("AWS::RDS::DBInstance") == std::vector<std::string>{"ReplicaDDFB2A87"});
  t.has_resource_properties("AWS::Logs::LogGroup", {{"LogGroupName", "/aws/rds/instance/postgres-replica-dev/postgresql"}});
}

TEST_CASE("ReadReplica never renders properties forbidden on replicas", "[rds][replica]") {
  DrApp d;
  auto& db = d.add_primary([](auto& p) {
    p.preferred_backup_window = "03:00-04:00";
    p.database_name = "app";
  });
  d.add_replica(db);
  auto t = Template::from_app(d.app, "DrReplica");
  for (const char* p : {"MasterUsername", "MasterUserPassword", "ManageMasterUserPassword", "StorageEncrypted",
                        "CharacterSetName", "DBName", "PreferredBackupWindow", "DBSnapshotIdentifier", "AllocatedStorage",
                        "EngineVersion"})
    t.has_resource_properties("AWS::RDS::DBInstance", {{p, absent()}});
}

TEST_CASE("ReadReplica in the source's region has no SourceRegion, no key and no lint suppression", "[rds][replica]") {
  DrApp d;
  auto& db = d.add_primary();
  d.primary.add<rds::ReadReplica>("Local", {.source = db, .instance_identifier = "postgres-local-dev", .vpc = d.pvpc,
                                            .security_groups = {d.psg}});
  auto t = Template::from_app(d.app, "DrPrimary");
  t.has_resource("AWS::RDS::DBInstance", {{"Metadata", absent()},
                                          {"Properties", {{"DBInstanceIdentifier", "postgres-local-dev"},
                                                          {"SourceDBInstanceIdentifier", {{"Fn::GetAtt", {"Primary503D6591", "DBInstanceArn"}}}},
                                                          {"SourceRegion", absent()},
                                                          {"KmsKeyId", absent()}}}});
}

TEST_CASE("ReadReplica validation: encrypted source with backups, same major version",
          "[rds][replica][validation]") {
  DrApp d;
  auto& db = d.add_primary([](auto& p) {
    p.storage_encrypted = false;
    p.backup_retention_days = 0;
  });
  auto& params14 = d.replica.add<rds::ParameterGroup>("Params14", {.engine_version = "14.12"});
  d.add_replica(db, [&](auto& p) {
    p.instance_identifier = "replica-";
    p.parameter_group = params14;
  });
  const auto ds = net_test::synth_errors(d.app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E734", "DrReplica/Replica", "storage_encrypted = false"));
  CHECK(net_test::has_diagnostic(ds, "E735", "DrReplica/Replica", "0"));
  CHECK(net_test::has_diagnostic(ds, "E736", "DrReplica/Replica", "14.12"));
  CHECK(net_test::has_diagnostic(ds, "E721", "DrReplica/Replica", "replica-"));
}

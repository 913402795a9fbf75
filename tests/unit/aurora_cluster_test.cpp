// rds::GlobalCluster, ClusterParameterGroup, DatabaseCluster (primary and
// secondary), their metrics and validation; the aurora_engine tables.
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

TEST_CASE("aurora_engine: the Aurora PostgreSQL 15 versions cfn-lint accepts, classes incl. db.serverless",
          "[rds][aurora]") {
  for (const char* v : {"15.13", "15.14", "15.15", "15.17", "16.9", "16.13", "17.5", "17.9"})
    CHECK(rds::is_supported_aurora_postgres_version(v));
  // 15.12 (the old default) and the other minors released before 2025-05 are past
  // Aurora's usual 12 months; 15.16 does not exist for Aurora.
  for (const char* v : {"15", "15.7", "15.8", "15.10", "15.12", "15.16", "16.4", "16.8", "17.4"})
    CHECK_FALSE(rds::is_supported_aurora_postgres_version(v));
  CHECK(rds::default_aurora_postgres_version == "15.17");
  CHECK(rds::aurora_parameter_group_family("15.17") == "aurora-postgresql15");
  CHECK(rds::aurora_parameter_group_family("16.9") == "aurora-postgresql16");
  CHECK(rds::aurora_parameter_group_family("17.9") == "aurora-postgresql17");
  for (const char* c : {"db.serverless", "db.r6g.large", "db.r7g.2xlarge", "db.t4g.medium", "db.x2g.xlarge"})
    CHECK(rds::is_aurora_postgres_instance_class(c));
  for (const char* c : {"db.r4.large", "db.m6g.large", "db.t3.micro", "db.r6gd.large", "serverless"})
    CHECK_FALSE(rds::is_aurora_postgres_instance_class(c));
}

TEST_CASE("Aurora global database: the global cluster and the primary cluster with credentials, encryption, "
          "backups, Serverless v2 and three instances",
          "[rds][aurora]") {
  App app({.read_environment = false});
  const auto a = aurora_test::build_aurora_app(app);
  const auto t = Template::from_app(app, "AuroraPrimary-dev");
  const std::string global = a.global->resource().logical_id();
  const std::string cluster = a.primary_cluster->resource().logical_id();
  const std::string key = a.east_data_key->resource().logical_id();
  const std::string secret = a.secret->resource().logical_id();
  t.has_resource("AWS::RDS::GlobalCluster", {{"DeletionPolicy", "Delete"},
                                             {"UpdateReplacePolicy", "Delete"},
                                             {"Properties", {{"GlobalClusterIdentifier", "aurora-global-dev"},
                                                             {"Engine", "aurora-postgresql"},
                                                             {"EngineVersion", "15.17"},
                                                             {"StorageEncrypted", true},
                                                             {"DeletionProtection", false}}}});
  t.has_resource_properties("AWS::RDS::DBClusterParameterGroup",
                            {{"Family", "aurora-postgresql15"},
                             {"Description", "drsynth Aurora PostgreSQL cluster parameters"},
                             {"Parameters", {{"log_statement", "ddl"}, {"shared_preload_libraries", "pg_stat_statements"}}}});
  const json& c = t.resource(cluster);
  CHECK(c["DeletionPolicy"] == "Delete");
  CHECK(c["UpdateReplacePolicy"] == "Delete");
  const json& p = c["Properties"];
  CHECK(p["DBClusterIdentifier"] == "aurora-primary-dev");
  CHECK(p["Engine"] == "aurora-postgresql");
  CHECK(p["EngineVersion"] == "15.17");
  CHECK(p["GlobalClusterIdentifier"] == json{{"Ref", global}});
  CHECK(p["MasterUsername"]["Fn::Join"][1][1] == json{{"Ref", secret}});
  CHECK(p["MasterUsername"]["Fn::Join"][1][2] == ":SecretString:username}}");
  CHECK(p["MasterUserPassword"]["Fn::Join"][1][2] == ":SecretString:password}}");
  CHECK(p["DatabaseName"] == "payments");
  CHECK(p["StorageEncrypted"] == true);
  CHECK(p["KmsKeyId"] == get_att(key, "Arn"));
  CHECK(p["BackupRetentionPeriod"] == 7);
  CHECK(p["DeletionProtection"] == false);
  CHECK(p["CopyTagsToSnapshot"] == true);
  CHECK(p["Port"] == 5432);
  CHECK(p["EnableCloudwatchLogsExports"] == json{"postgresql"});
  CHECK(p["ServerlessV2ScalingConfiguration"] == json{{"MinCapacity", 0.5}, {"MaxCapacity", 4.0}});
  CHECK(p["DBClusterParameterGroupName"].contains("Ref"));
  CHECK(p["VpcSecurityGroupIds"] == json::array({get_att(a.east_db_sg->resource().logical_id(), "GroupId")}));
  CHECK(p["DBSubnetGroupName"].contains("Ref"));
  // The log group first (retention and KMS key apply), then the cluster.
  const std::string log_group = a.primary_cluster->log_group()->logical_id();
  CHECK(c["DependsOn"] == json::array({log_group}));
  t.has_resource_properties("AWS::Logs::LogGroup", {{"LogGroupName", "/aws/rds/cluster/aurora-primary-dev/postgresql"},
                                                    {"RetentionInDays", 30},
                                                    {"KmsKeyId", get_att(key, "Arn")}});
  // The secret's attachment targets the cluster.
  t.has_resource_properties("AWS::SecretsManager::SecretTargetAttachment",
                            {{"TargetId", {{"Ref", cluster}}}, {"TargetType", "AWS::RDS::DBCluster"}});

  // Writer first, readers after it, spread over the three AZs, failover order by tier.
  REQUIRE(a.primary_cluster->instances().size() == 3);
  for (int i = 0; i < 3; ++i) {
    const auto* inst = a.primary_cluster->instances()[static_cast<std::size_t>(i)];
    const json& r = t.resource(inst->logical_id());
    CHECK(r["Type"] == "AWS::RDS::DBInstance");
    CHECK(r["DeletionPolicy"] == "Delete");
    CHECK(r["Properties"] == json{{"DBInstanceIdentifier", "aurora-primary-dev-" + std::to_string(i + 1)},
                                  {"DBClusterIdentifier", {{"Ref", cluster}}},
                                  {"Engine", "aurora-postgresql"},
                                  {"DBInstanceClass", "db.serverless"},
                                  {"AvailabilityZone", {{"Fn::Select", json::array({i, {{"Fn::GetAZs", ""}}})}}},
                                  {"PromotionTier", i},
                                  {"PubliclyAccessible", false},
                                  {"AutoMinorVersionUpgrade", false}});
    if (i == 0)
      CHECK_FALSE(r.contains("DependsOn"));
    else
      CHECK(r["DependsOn"] == json::array({a.primary_cluster->instances()[0]->logical_id()}));
  }
  CHECK(a.primary_cluster->instance_identifiers().back() == "aurora-primary-dev-3");
}

TEST_CASE("Aurora global database: the secondary cluster joins through Fn::GetStackOutput, without credentials, "
          "with a key of its own region; the lag alarm watches AuroraGlobalDBReplicationLag",
          "[rds][aurora]") {
  App app({.read_environment = false});
  const auto a = aurora_test::build_aurora_app(app);
  const auto assembly = synthesize(app);
  const auto t = Template::from_assembly(assembly, "AuroraSecondary-dev");
  const json& p = t.resource(a.secondary_cluster->resource().logical_id())["Properties"];
  CHECK(p["GlobalClusterIdentifier"]["Fn::GetStackOutput"]["StackName"] == "AuroraPrimary-dev");
  CHECK(p["GlobalClusterIdentifier"]["Fn::GetStackOutput"]["Region"] == "us-east-1");
  for (const char* never : {"MasterUsername", "MasterUserPassword", "DatabaseName", "ServerlessV2ScalingConfiguration"})
    CHECK_FALSE(p.contains(never));
  CHECK(p["StorageEncrypted"] == true);
  CHECK(p["KmsKeyId"].contains("Fn::ImportValue"));  // the us-west-2 key of AuroraDrBase-dev
  CHECK(p["BackupRetentionPeriod"] == 7);
  t.resource_count_is("AWS::RDS::DBInstance", 3);
  t.all_resources_match("AWS::RDS::DBInstance", {{"DBInstanceClass", "db.r6g.large"}, {"Engine", "aurora-postgresql"}});
  CHECK(assembly.find("AuroraSecondary-dev")->dependencies ==
        std::vector<std::string>{"AuroraDrBase-dev", "AuroraPrimary-dev"});
  t.has_resource_properties("AWS::CloudWatch::Alarm",
                            {{"AlarmName", "alarm-aurora-replication-lag-dev"},
                             {"Namespace", "AWS/RDS"},
                             {"MetricName", "AuroraGlobalDBReplicationLag"},
                             {"Dimensions", json::array({{{"Name", "DBClusterIdentifier"}, {"Value", "aurora-secondary-dev"}}})},
                             {"Statistic", "Maximum"},
                             {"Unit", "Milliseconds"},
                             {"Threshold", 500}});
  const auto m = a.secondary_cluster->metric_global_rpo_lag();
  CHECK(m.metric_name == "AuroraGlobalDBRPOLag");
  CHECK(a.secondary_cluster->metric_replica_lag_maximum().metric_name == "AuroraReplicaLagMaximum");
  CHECK(a.primary_cluster->metric_serverless_capacity().metric_name == "ServerlessDatabaseCapacity");
  CHECK(a.global->members().size() == 2);
}

TEST_CASE("DatabaseCluster and GlobalCluster validation names the construct, the bad value and the rule",
          "[rds][aurora][validation]") {
  App app({.read_environment = false});
  auto& e = app.add<Stack>("E", StackProps{.env = {.region = "us-east-1"}});
  auto& w = app.add<Stack>("W", StackProps{.env = {.region = "us-west-2"}});
  auto& vpc = e.add<ec2::Vpc>("Vpc", {});
  auto& other_vpc = e.add<ec2::Vpc>("OtherVpc", {.cidr = "10.9.0.0/16"});
  auto& foreign_sg = e.add<ec2::SecurityGroup>("ForeignSg", {.vpc = other_vpc});
  auto& wvpc = w.add<ec2::Vpc>("Vpc", {});
  auto& wsg = w.add<ec2::SecurityGroup>("Sg", {.vpc = wvpc});
  auto& wkey = w.add<kms::Key>("Key", {});
  auto& secret = e.add<secrets::DatabaseSecret>("Secret", {});
  auto& wsecret = w.add<secrets::DatabaseSecret>("Secret", {});
  auto& params16 = e.add<rds::ClusterParameterGroup>("Params", {.engine_version = "16.4", .description = "",
                                                                .parameters = {{"bad name", "x"}, {"work_mem", ""}}});
  auto& global = e.add<rds::GlobalCluster>("Global", {.global_cluster_identifier = "1global",
                                                      .engine_version = "15.9",
                                                      .removal_policy = RemovalPolicy::snapshot});
  e.add<rds::DatabaseCluster>("Bad", {.cluster_identifier = "a-very-long-cluster-identifier-that-leaves-no-room-for-the-ids",
                                      .engine_version = "15.16",
                                      .global_cluster = global,
                                      .database_name = "1db",
                                      .vpc = vpc,
                                      .security_groups = {foreign_sg},
                                      .parameter_group = params16,
                                      .storage_encrypted = false,
                                      .kms_key = wkey,
                                      .backup_retention_days = 0,
                                      .port = 80,
                                      .log_exports = {"postgresql", "upgrade"},
                                      .instance_class = "db.serverless",
                                      .readers = 16,
                                      .monitoring_interval = 7});
  auto& other_subnets = e.add<rds::SubnetGroup>("OtherSubnets", {.vpc = other_vpc});
  e.add<rds::DatabaseCluster>("Net", {.cluster_identifier = "net",
                                      .vpc = wvpc,
                                      .subnet_group = other_subnets,
                                      .security_groups = {wsg},
                                      .instance_class = "db.m6g.large",
                                      .serverless_v2 = rds::ServerlessV2Scaling{.min_capacity = 0.3, .max_capacity = 0.5}});
  w.add<rds::DatabaseCluster>("Secondary", {.cluster_identifier = "secondary",
                                            .global_role = rds::GlobalRole::secondary,
                                            .secret = wsecret,
                                            .database_name = "payments",
                                            .vpc = wvpc,
                                            .security_groups = {wsg}});
  w.add<rds::DatabaseCluster>("Joined", {.cluster_identifier = "joined", .global_cluster = global, .secret = secret,
                                         .vpc = wvpc, .security_groups = {wsg}});
  const auto ds = net_test::synth_errors(app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E930", "E/Global", "1global"));
  CHECK(net_test::has_diagnostic(ds, "E931", "E/Global", "15.9"));
  CHECK(net_test::has_diagnostic(ds, "E943", "E/Global", "snapshot"));
  CHECK(net_test::has_diagnostic(ds, "E940", "E/Global", "W/Joined"));        // two primaries
  CHECK(net_test::has_diagnostic(ds, "E940", "E/Global", "15.16"));           // version differs
  CHECK(net_test::has_diagnostic(ds, "E940", "E/Global", "not encrypted"));   // encryption differs
  CHECK(net_test::has_diagnostic(ds, "E930", "E/Bad", "a-very-long-cluster-identifier"));
  CHECK(net_test::has_diagnostic(ds, "E931", "E/Bad", "15.16"));
  CHECK(net_test::has_diagnostic(ds, "E932", "E/Bad", "aurora-postgresql16"));
  CHECK(net_test::has_diagnostic(ds, "E932", "E/Params", "bad name"));
  CHECK(net_test::has_diagnostic(ds, "E932", "E/Params", ""));
  CHECK(net_test::has_diagnostic(ds, "E934", "E/Bad", "E/OtherVpc"));
  CHECK(net_test::has_diagnostic(ds, "E935", "E/Bad", "secret unset"));
  CHECK(net_test::has_diagnostic(ds, "E936", "E/Bad", "us-west-2"));
  CHECK(net_test::has_diagnostic(ds, "E936", "E/Bad", "W/Key"));
  CHECK(net_test::has_diagnostic(ds, "E937", "E/Bad", "0"));
  CHECK(net_test::has_diagnostic(ds, "E938", "E/Bad", "serverless_v2 unset"));
  CHECK(net_test::has_diagnostic(ds, "E939", "E/Bad", "16"));
  CHECK(net_test::has_diagnostic(ds, "E941", "E/Bad", "upgrade"));
  CHECK(net_test::has_diagnostic(ds, "E942", "E/Bad", "80"));
  CHECK(net_test::has_diagnostic(ds, "E942", "E/Bad", "1db"));
  CHECK(net_test::has_diagnostic(ds, "E944", "E/Bad", "7"));
  CHECK(net_test::has_diagnostic(ds, "E933", "E/Net", "E/OtherSubnets"));
  CHECK(net_test::has_diagnostic(ds, "E933", "E/Net", "us-west-2"));
  CHECK(net_test::has_diagnostic(ds, "E935", "E/Net", "secret unset"));
  CHECK(net_test::has_diagnostic(ds, "E938", "E/Net", "0.3 ACU"));
  CHECK(net_test::has_diagnostic(ds, "E938", "E/Net", "0.5 ACU"));
  CHECK(net_test::has_diagnostic(ds, "E939", "E/Net", "db.m6g.large"));
  CHECK(net_test::has_diagnostic(ds, "E935", "W/Secondary", "global_cluster unset"));
  CHECK(net_test::has_diagnostic(ds, "E935", "W/Secondary", "W/Secret"));
  CHECK(net_test::has_diagnostic(ds, "E935", "W/Secondary", "payments"));
}

TEST_CASE("GlobalCluster: two primaries, or two members in one region, are errors", "[rds][aurora][validation]") {
  App app({.read_environment = false});
  auto& e = app.add<Stack>("E", StackProps{.env = {.region = "us-east-1"}});
  auto& vpc = e.add<ec2::Vpc>("Vpc", {});
  auto& sg = e.add<ec2::SecurityGroup>("Sg", {.vpc = vpc});
  auto& global = e.add<rds::GlobalCluster>("Global", {.global_cluster_identifier = "g"});
  for (const char* id : {"One", "Two"}) {
    auto& secret = e.add<secrets::DatabaseSecret>(std::string(id) + "Secret", {});
    e.add<rds::DatabaseCluster>(id, {.cluster_identifier = std::string("c") + id, .global_cluster = global,
                                     .secret = secret, .vpc = vpc, .security_groups = {sg}});
  }
  const auto ds = net_test::synth_errors(app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E940", "E/Global", "E/One, E/Two"));
  CHECK(net_test::has_diagnostic(ds, "E940", "E/Global", "E/Two"));
}

TEST_CASE("GlobalCluster: the primary must be in the global cluster's region", "[rds][aurora][validation]") {
  App app({.read_environment = false});
  auto& e = app.add<Stack>("E", StackProps{.env = {.region = "us-east-1"}});
  auto& w = app.add<Stack>("W", StackProps{.env = {.region = "us-west-2"}});
  auto& vpc = w.add<ec2::Vpc>("Vpc", {});
  auto& sg = w.add<ec2::SecurityGroup>("Sg", {.vpc = vpc});
  auto& secret = w.add<secrets::DatabaseSecret>("Secret", {});
  auto& global = e.add<rds::GlobalCluster>("Global", {.global_cluster_identifier = "g"});
  w.add<rds::DatabaseCluster>("Primary", {.cluster_identifier = "p", .global_cluster = global, .secret = secret,
                                          .vpc = vpc, .security_groups = {sg}});
  const auto ds = net_test::synth_errors(app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E940", "E/Global", "us-west-2"));
}

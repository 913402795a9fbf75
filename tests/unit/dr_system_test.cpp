// The built-in DR system (patterns::PostgresDisasterRecovery), tested one
// requirement per TEST_CASE against the rendered templates: what a user sees.
// Primary, replica, networking, health and routing here; failover, monitoring,
// names and outputs in dr_system_ops_test.cpp; settings, budget, logical IDs
// and assets in dr_system_settings_test.cpp.
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


// ---- primary ------------------------------------------------------------------

TEST_CASE("primary: RDS PostgreSQL 15 in us-east-1, Multi-AZ, at least db.r6g.large, gp3, encrypted with the region's customer-managed key, 7-day backups, Secrets Manager credentials, audit parameters and logs",
          "[dr]") {
  System sys;
  CHECK(sys.stack("DrPrimary-dev").region == "us-east-1");
  auto t = sys.t("DrPrimary-dev");
  t.resource_count_is("AWS::RDS::DBInstance", 1);
  const auto db_id = ids_of(t, "AWS::RDS::DBInstance").front();
  const json& db = t.resource(db_id);
  t.has_resource_properties("AWS::RDS::DBInstance",
                            {{"Engine", "postgres"},
                             {"EngineVersion", string_like(R"(^15\.\d+$)")},
                             {"MultiAZ", true},
                             {"DBInstanceClass", "db.r6g.large"},
                             {"StorageType", "gp3"},
                             {"StorageEncrypted", true},
                             // the DataKey (customerManagedStorageKey; Control Tower CT.RDS.PR.30)
                             {"KmsKeyId", {{"Fn::GetAtt", json::array({ids_of(t, "AWS::KMS::Key").front(), "Arn"})}}},
                             {"BackupRetentionPeriod", 7},
                             {"DeletionProtection", false},
                             {"ManageMasterUserPassword", absent()},
                             {"EnableCloudwatchLogsExports", array_with({"postgresql"})}});
  // One customer-managed key, for the logs, the secret (dr_system_security_test.cpp) and the storage.
  t.resource_count_is("AWS::KMS::Key", 1);

  // Credentials: a Secrets Manager secret, read through a dynamic reference.
  t.resource_count_is("AWS::SecretsManager::Secret", 1);
  const auto secret_id = ids_of(t, "AWS::SecretsManager::Secret").front();
  CHECK(contains(properties(db)["MasterUserPassword"], "{{resolve:secretsmanager:"));
  CHECK(contains(properties(db)["MasterUserPassword"], secret_id));
  CHECK(contains(properties(db)["MasterUsername"], "{{resolve:secretsmanager:"));
  t.has_resource_properties("AWS::SecretsManager::SecretTargetAttachment",
                            {{"SecretId", {{"Ref", secret_id}}},
                             {"TargetId", {{"Ref", db_id}}},
                             {"TargetType", "AWS::RDS::DBInstance"}});

  // Audit parameter group, used by the primary.
  t.resource_count_is("AWS::RDS::DBParameterGroup", 1);
  const auto params_id = ids_of(t, "AWS::RDS::DBParameterGroup").front();
  t.has_resource_properties("AWS::RDS::DBParameterGroup",
                            {{"Family", "postgres15"},
                             {"Parameters", {{"log_statement", "all"}, {"rds.force_ssl", "0"}}}});
  CHECK(properties(db)["DBParameterGroupName"] == json{{"Ref", params_id}});

  // PostgreSQL logs go to a log group the stack creates (with a retention) before the DB.
  const auto log_ids =
      t.find_resources("AWS::Logs::LogGroup", {{"LogGroupName", "/aws/rds/instance/postgres-primary-dev/postgresql"}});
  REQUIRE(log_ids.size() == 1);
  CHECK(properties(t.resource(log_ids.front())).contains("RetentionInDays"));
  CHECK(depends_on(db, log_ids.front()));

  SECTION("an instance class below db.r6g.large is E803 naming the class, one RDS does not offer is E722") {
    for (const std::string bad : {"db.t3.micro", "db.t4g.large", "db.m6g.large"}) {
      INFO(bad);
      const auto e = system_error({.instance_class = bad});
      CHECK(test::has_diagnostic(e, "E803", "DisasterRecovery", bad));
    }
    for (const std::string unknown : {"db.r6g.medium", "db.r6g.huge"}) {
      INFO(unknown);
      const auto e = system_error({.instance_class = unknown});
      CHECK(e.diagnostics().size() == 1);
      CHECK(test::has_diagnostic(e, "E722", "DisasterRecovery", unknown));
    }
  }
}

// ---- replica ------------------------------------------------------------------

TEST_CASE("DR replica: cross-region read replica of the primary ARN in eu-west-1 with its own backups, parameters and logs, and no forbidden replica properties",
          "[dr]") {
  System sys;
  CHECK(sys.stack("DrReplica-dev").region == "eu-west-1");
  auto p = sys.t("DrPrimary-dev");
  auto t = sys.t("DrReplica-dev");
  t.resource_count_is("AWS::RDS::DBInstance", 1);
  const auto replica_id = ids_of(t, "AWS::RDS::DBInstance").front();
  const json& replica = t.resource(replica_id);
  const json& rp = properties(replica);

  // The source: the primary's ARN, read from DrPrimary-dev in us-east-1.
  REQUIRE(rp["SourceDBInstanceIdentifier"].contains("Fn::GetStackOutput"));
  const json& ref = rp["SourceDBInstanceIdentifier"]["Fn::GetStackOutput"];
  CHECK(ref["StackName"] == "DrPrimary-dev");
  CHECK(ref["Region"] == "us-east-1");
  const std::string output = ref["OutputName"];
  REQUIRE(p.json()["Outputs"].contains(output));
  const auto primary_id = ids_of(p, "AWS::RDS::DBInstance").front();
  CHECK(p.json()["Outputs"][output]["Value"] == json{{"Fn::GetAtt", {primary_id, "DBInstanceArn"}}});

  t.has_resource_properties("AWS::RDS::DBInstance", {{"SourceRegion", "us-east-1"},
                                                     {"KmsKeyId", any_value()},
                                                     {"BackupRetentionPeriod", 7},
                                                     {"EnableCloudwatchLogsExports", array_with({"postgresql"})}});
  CHECK_FALSE(rp["KmsKeyId"].is_null());
  for (const char* forbidden : {"MasterUsername", "MasterUserPassword", "StorageEncrypted", "DBName",
                                "PreferredBackupWindow", "DBSnapshotIdentifier", "CharacterSetName"}) {
    INFO(forbidden);
    CHECK_FALSE(rp.contains(forbidden));
  }

  // Its own parameter group and log group, in its region.
  t.resource_count_is("AWS::RDS::DBParameterGroup", 1);
  const auto params_id = ids_of(t, "AWS::RDS::DBParameterGroup").front();
  t.has_resource_properties("AWS::RDS::DBParameterGroup",
                            {{"Family", "postgres15"}, {"Parameters", {{"log_statement", "all"}}}});
  CHECK(rp["DBParameterGroupName"] == json{{"Ref", params_id}});
  const auto log_ids =
      t.find_resources("AWS::Logs::LogGroup", {{"LogGroupName", "/aws/rds/instance/postgres-replica-dev/postgresql"}});
  REQUIRE(log_ids.size() == 1);
  CHECK(properties(t.resource(log_ids.front())).contains("RetentionInDays"));
  CHECK(depends_on(replica, log_ids.front()));

  // The E3720 suppression is on the replica only.
  CHECK(replica["Metadata"]["cfn-lint"]["config"]["ignore_checks"] == json::array({"E3720"}));
  int suppressed = 0;
  each_resource(sys.assembly, [&](const StackArtifact& s, const std::string& id, const json& r) {
    if (r.contains("Metadata") && contains(r["Metadata"], "ignore_checks")) {
      ++suppressed;
      CHECK((s.name == "DrReplica-dev" && id == replica_id));
    }
  });
  CHECK(suppressed == 1);
}

// ---- networking ---------------------------------------------------------------

TEST_CASE("networking: non-overlapping VPCs with DNS in both regions, no internet access, 5432 only from named CIDRs, peering with routes on both sides",
          "[dr]") {
  System sys;
  const std::set<std::string> named_cidrs{"10.10.0.0/16", "10.20.0.0/16"};
  auto p = sys.t("DrPrimary-dev");
  auto r = sys.t("DrReplica-dev");
  p.resource_count_is("AWS::EC2::VPC", 1);
  r.resource_count_is("AWS::EC2::VPC", 1);
  for (const auto* t : {&p, &r}) {
    t->has_resource_properties("AWS::EC2::VPC", {{"EnableDnsSupport", true}, {"EnableDnsHostnames", true}});
    CHECK(t->find_resources("AWS::EC2::Subnet").size() >= 2);
    for (const auto& id : t->find_resources("AWS::EC2::Subnet")) {
      // Zones by AZ id: the same physical zones in every account, never AZ names.
      CHECK_FALSE(properties(t->resource(id)).contains("AvailabilityZone"));
      CHECK(properties(t->resource(id))["AvailabilityZoneId"].is_string());
    }
  }
  std::set<std::string> zones;
  for (const auto& id : p.find_resources("AWS::EC2::Subnet"))
    zones.insert(properties(p.resource(id))["AvailabilityZoneId"].get<std::string>());
  CHECK(zones == std::set<std::string>{"use1-az1", "use1-az2"});  // not use1-az3 (no Graviton)
  const std::string primary_cidr = properties(p.resource(ids_of(p, "AWS::EC2::VPC").front()))["CidrBlock"];
  const std::string dr_cidr = properties(r.resource(ids_of(r, "AWS::EC2::VPC").front()))["CidrBlock"];
  CHECK(primary_cidr == "10.10.0.0/16");
  CHECK(dr_cidr == "10.20.0.0/16");
  CHECK_FALSE(cidrs_overlap(primary_cidr, dr_cidr));

  // No way to or from the internet.
  each_resource(sys.assembly, [&](const StackArtifact& s, const std::string& id, const json& res) {
    const std::string type = res["Type"];
    INFO(s.name << " " << id);
    CHECK(type != "AWS::EC2::InternetGateway");
    CHECK(type != "AWS::EC2::NatGateway");
    CHECK(type != "AWS::EC2::VPCGatewayAttachment");
    CHECK(type != "AWS::EC2::EIP");
    CHECK(type != "AWS::EC2::EgressOnlyInternetGateway");
  });

  // Security groups: every rule names one of the system's CIDRs; never 0.0.0.0/0.
  // The database groups admit 5432 only.
  int ingress_rules = 0;
  auto check_ingress = [&](const json& rule, bool database) {
    ++ingress_rules;
    CHECK_FALSE(rule.contains("CidrIpv6"));
    CHECK_FALSE(rule.contains("SourcePrefixListId"));
    if (rule.contains("CidrIp")) {
      CHECK(named_cidrs.count(rule["CidrIp"].get<std::string>()) == 1);
    } else {
      CHECK(rule.contains("SourceSecurityGroupId"));
    }
    if (database) {
      CHECK(rule["IpProtocol"] == "tcp");
      CHECK(rule["FromPort"] == 5432);
      CHECK(rule["ToPort"] == 5432);
    }
  };
  int database_groups = 0;
  each_resource(sys.assembly, [&](const StackArtifact& s, const std::string& id, const json& res) {
    INFO(s.name << " " << id);
    if (res["Type"] == "AWS::EC2::SecurityGroup") {
      CHECK_FALSE(contains(res, "0.0.0.0/0"));
      CHECK_FALSE(contains(res, "::/0"));
      const json& props = properties(res);
      const bool database = props.value("GroupName", "").starts_with("db-sg-");
      database_groups += database ? 1 : 0;
      if (props.contains("SecurityGroupIngress"))
        for (const auto& rule : props["SecurityGroupIngress"]) check_ingress(rule, database);
      // Egress: to the system's CIDRs, or aws-cdk-lib's "disallow all" placeholder.
      if (props.contains("SecurityGroupEgress"))
        for (const auto& rule : props["SecurityGroupEgress"])
          if (rule.contains("CidrIp") && rule["CidrIp"] != "255.255.255.255/32")
            CHECK(named_cidrs.count(rule["CidrIp"].get<std::string>()) == 1);
    }
    if (res["Type"] == "AWS::EC2::SecurityGroupIngress") {
      CHECK_FALSE(contains(res, "0.0.0.0/0"));
      check_ingress(properties(res), true);
    }
    if (res["Type"] == "AWS::EC2::SecurityGroupEgress") CHECK_FALSE(contains(res, "0.0.0.0/0"));
  });
  CHECK(database_groups == 2);
  CHECK(ingress_rules >= 3);  // primary: both VPCs; replica: its VPC

  // Peering requested from the DR side, accepted in us-east-1, routes on both sides.
  r.resource_count_is("AWS::EC2::VPCPeeringConnection", 1);
  r.has_resource_properties("AWS::EC2::VPCPeeringConnection", {{"PeerRegion", "us-east-1"}});
  const auto replica_routes = r.find_resources("AWS::EC2::Route");
  CHECK(replica_routes.size() >= 1);
  r.all_resources_match("AWS::EC2::Route", {{"DestinationCidrBlock", primary_cidr}, {"VpcPeeringConnectionId", any_value()}});
  auto routes = sys.t("DrPrimaryRoutes-dev");
  CHECK(routes.find_resources("AWS::EC2::Route").size() >= 1);
  routes.all_resources_match("AWS::EC2::Route", {{"DestinationCidrBlock", dr_cidr}, {"VpcPeeringConnectionId", any_value()}});
  p.resource_count_is("AWS::EC2::Route", 0);  // no default route either

  SECTION("overlapping CIDRs are E805") {
    const auto e = system_error({.primary_vpc_cidr = "10.10.0.0/16", .dr_vpc_cidr = "10.10.0.0/16"});
    CHECK(test::has_diagnostic(e, "E805", "DisasterRecovery", "10.10.0.0/16"));
    const auto e2 = system_error({.primary_vpc_cidr = "10.20.0.0/16", .dr_vpc_cidr = "10.20.128.0/17"});
    CHECK(test::has_diagnostic(e2, "E805", "DisasterRecovery", "10.20.128.0/17"));
  }
}

// ---- health -------------------------------------------------------------------

TEST_CASE("health: probes in both regions every minute, each probing both sites, alarms on their metric and a calculated health check guarding the weight-100 record",
          "[dr]") {
  System sys;
  CHECK(sys.stack("DrFailover-dev").region == "eu-west-1");
  auto t = sys.t("DrFailover-dev");
  // The probe of each site, in its region's VPC (B's with the replica, A's
  // in the routes stack: it names the replica's endpoint, which the primary
  // stack cannot), each with its own alarms there.
  for (const auto& [stack, word] : {std::pair{"DrReplica-dev", "replica"}, std::pair{"DrPrimaryRoutes-dev", "primary"}}) {
    INFO(stack);
    auto v = sys.t(stack);
    const auto probe_ids = v.find_resources("AWS::Lambda::Function", {{"FunctionName", std::string("lambda-probe-rds-") + word + "-dev"}});
    REQUIRE(probe_ids.size() == 1);
    const json& probe = properties(v.resource(probe_ids.front()));
    REQUIRE(probe.contains("VpcConfig"));
    CHECK_FALSE(probe["VpcConfig"]["SubnetIds"].empty());
    CHECK_FALSE(probe["VpcConfig"]["SecurityGroupIds"].empty());
    CHECK(probe["Environment"]["Variables"]["LOCAL_SITE"] == word);
    CHECK(probe["Environment"]["Variables"]["REMOTE_SITE"] == (std::string(word) == "primary" ? "replica" : "primary"));
    v.has_resource_properties("AWS::Events::Rule",
                              {{"ScheduleExpression", "rate(1 minute)"},
                               {"Targets", array_with({{{"Arn", {{"Fn::GetAtt", {probe_ids.front(), "Arn"}}}}}})}});
    // Every alarm on the probe's metric is one Route 53 could follow.
    const auto alarm_ids = v.find_resources("AWS::CloudWatch::Alarm", {{"MetricName", "Writer"}});
    REQUIRE(alarm_ids.size() == 3);  // the two views (DNS) and the silence alarm
    for (const auto& id : alarm_ids) {
      const json& alarm = properties(v.resource(id));
      INFO(alarm.dump());
      CHECK(alarm["TreatMissingData"] == "breaching");
      CHECK(alarm["Period"].get<int>() >= 60);
      CHECK(alarm["DatapointsToAlarm"] == alarm["EvaluationPeriods"]);
      CHECK_FALSE(alarm.contains("Metrics"));  // no metric math
    }
  }

  // The weight-100 record's health check: healthy = not fenced AND (either view healthy).
  const auto record = t.find_resources("AWS::Route53::RecordSet", {{"Weight", 100}});
  REQUIRE(record.size() == 1);
  const std::string hc_id = properties(t.resource(record.front()))["HealthCheckId"]["Ref"];
  const json& calculated = properties(t.resource(hc_id))["HealthCheckConfig"];
  CHECK(calculated["Type"] == "CALCULATED");
  CHECK(calculated["HealthThreshold"] == 3);
  REQUIRE(calculated["ChildHealthChecks"].size() == 4);
  std::multiset<std::string> followed;
  for (const auto& child : calculated["ChildHealthChecks"]) {
    const json& hc = properties(t.resource(child["Ref"].get<std::string>()))["HealthCheckConfig"];
    INFO(hc.dump());
    CHECK(hc["Type"] == "CLOUDWATCH_METRIC");
    CHECK_FALSE(hc.contains("Port"));
    CHECK_FALSE(hc.contains("IPAddress"));
    const auto [producer, alarm] = referenced_resource(sys.assembly, "DrFailover-dev", hc["AlarmIdentifier"]["Name"]);
    REQUIRE_FALSE(alarm.is_null());
    followed.insert(properties(alarm)["AlarmName"].get<std::string>() + "@" +
                    hc["AlarmIdentifier"]["Region"].get<std::string>() + "=" +
                    hc["InsufficientDataHealthStatus"].get<std::string>());
  }
  // A lost region or a silent probe is no vote; the fence keeps its last status when its data stops.
  CHECK(followed == std::multiset<std::string>{"alarm-writer-rds-primary-seen-from-replica-dev@eu-west-1=Unhealthy",
                                               "alarm-writer-rds-primary-seen-from-primary-dev@us-east-1=Unhealthy",
                                               "alarm-fence-rds-primary-dev@eu-west-1=LastKnownStatus",
                                               "alarm-fence-rds-primary-dev@eu-west-1=LastKnownStatus"});
}

// ---- routing ------------------------------------------------------------------

TEST_CASE("routing: a private zone db-dev.internal in both VPCs with a weighted CNAME 100 primary and 0 replica", "[dr]") {
  System sys;
  auto t = sys.t("DrFailover-dev");
  t.resource_count_is("AWS::Route53::HostedZone", 1);
  const auto zone_id = ids_of(t, "AWS::Route53::HostedZone").front();
  const json& zone = properties(t.resource(zone_id));
  CHECK(zone["Name"] == "db-dev.internal");
  REQUIRE(zone["VPCs"].size() == 2);
  std::set<std::string> regions;
  for (const auto& v : zone["VPCs"]) {
    regions.insert(v["VPCRegion"].get<std::string>());
    CHECK(v.contains("VPCId"));
  }
  CHECK(regions == std::set<std::string>{"us-east-1", "eu-west-1"});

  const auto records = t.find_resources("AWS::Route53::RecordSet");
  REQUIRE(records.size() == 2);
  std::map<int, std::string> by_weight;
  for (const auto& id : records) {
    const json& rec = properties(t.resource(id));
    INFO(rec.dump());
    CHECK(rec["Name"] == "postgres.db-dev.internal");
    CHECK(rec["Type"] == "CNAME");
    CHECK(rec["HostedZoneId"] == json{{"Ref", zone_id}});
    const int ttl = rec["TTL"].is_string() ? std::stoi(rec["TTL"].get<std::string>()) : rec["TTL"].get<int>();
    CHECK(ttl <= 60);
    CHECK(rec["ResourceRecords"].size() == 1);
    by_weight[rec["Weight"].get<int>()] = rec["SetIdentifier"];
  }
  CHECK(by_weight == std::map<int, std::string>{{0, "replica"}, {100, "primary"}});
  // The weight-100 record points at the primary (from us-east-1), the other at the replica.
  const json& primary_rec = properties(t.resource(t.find_resources("AWS::Route53::RecordSet", {{"Weight", 100}}).front()));
  CHECK(contains(primary_rec["ResourceRecords"], "DrPrimary-dev"));
  const json& replica_rec = properties(t.resource(t.find_resources("AWS::Route53::RecordSet", {{"Weight", 0}}).front()));
  CHECK(contains(replica_rec["ResourceRecords"], "DrReplica-dev"));
}

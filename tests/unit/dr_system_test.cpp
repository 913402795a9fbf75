// The built-in DR system (patterns::PostgresDisasterRecovery), tested one
// requirement per TEST_CASE against the rendered templates: what a user sees.
#include <array>
#include <cstdint>
#include <regex>
#include <set>

#include "drsynth/assertions.hpp"
#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "dr_fixture.hpp"
#include "test_support.hpp"

using namespace drsynth;
using assertions::absent;
using assertions::any_value;
using assertions::array_with;
using assertions::string_like;
using assertions::Template;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using dr_test::DrProps;
using dr_test::System;
using dr_test::system_error;

std::vector<std::string> stack_names(const std::string& suffix) {
  return {"DrPrimary-" + suffix, "DrReplica-" + suffix, "DrPrimaryRoutes-" + suffix, "DrFailover-" + suffix};
}

std::string all_diagnostics(const Error& e) {
  std::string s;
  for (const auto& d : e.diagnostics()) s += d.format() + "\n";
  return s;
}

const json& properties(const json& resource) {
  static const json empty = json::object();
  return resource.contains("Properties") ? resource["Properties"] : empty;
}

// Calls f(stack artifact, logical ID, resource entry) for every resource of every template.
template <class F>
void each_resource(const Assembly& a, F&& f) {
  for (const auto& s : a.stacks)
    for (const auto& [id, r] : s.template_json()["Resources"].items()) f(s, id, r);
}

// The logical IDs of the resources of `type` in a template.
std::vector<std::string> ids_of(const Template& t, std::string_view type) { return t.find_resources(type); }

bool depends_on(const json& resource, const std::string& id) {
  if (!resource.contains("DependsOn")) return false;
  const json& d = resource["DependsOn"];
  if (d.is_string()) return d == id;
  return std::find(d.begin(), d.end(), json(id)) != d.end();
}

bool contains(const json& haystack, std::string_view needle) { return haystack.dump().find(needle) != std::string::npos; }

// "10.1.0.0/16" -> (first address, prefix length).
std::pair<std::uint32_t, int> cidr(const std::string& text) {
  static const std::regex re(R"(^(\d+)\.(\d+)\.(\d+)\.(\d+)/(\d+)$)");
  std::smatch m;
  if (!std::regex_match(text, m, re)) throw std::runtime_error("not a CIDR: " + text);
  std::uint32_t a = 0;
  for (int i = 1; i <= 4; ++i) a = a << 8 | static_cast<std::uint32_t>(std::stoul(m[i]));
  return {a, std::stoi(m[5])};
}
bool cidrs_overlap(const std::string& x, const std::string& y) {
  const auto a = cidr(x);
  const auto b = cidr(y);
  const int len = std::min(a.second, b.second);
  const std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
  return (a.first & mask) == (b.first & mask);
}

// Actions and resources of a policy statement, as lists.
std::vector<json> as_list(const json& j) {
  if (j.is_array()) return {j.begin(), j.end()};
  return {j};
}

// Restores the working folder at scope exit.
struct InFolder {
  fs::path old = fs::current_path();
  explicit InFolder(const fs::path& dir) { fs::current_path(dir); }
  ~InFolder() { fs::current_path(old); }
  InFolder(const InFolder&) = delete;
  InFolder& operator=(const InFolder&) = delete;
};

}  // namespace

// ---- primary ------------------------------------------------------------------

TEST_CASE("primary: RDS PostgreSQL 15 in us-east-1, Multi-AZ, at least db.r6g.large, gp3, encrypted with the AWS managed key, 7-day backups, Secrets Manager credentials, audit parameters and logs",
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
                             {"KmsKeyId", absent()},  // no key: RDS uses the AWS managed key aws/rds
                             {"BackupRetentionPeriod", 7},
                             {"DeletionProtection", false},
                             {"ManageMasterUserPassword", absent()},
                             {"EnableCloudwatchLogsExports", array_with({"postgresql"})}});
  t.resource_count_is("AWS::KMS::Key", 0);

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
      const json& az = properties(t->resource(id))["AvailabilityZone"];
      CHECK_FALSE(az.is_string());  // no literal AZ names
      CHECK(contains(az, "Fn::GetAZs"));
    }
  }
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

TEST_CASE("health: probes in both regions every minute, alarms on their metric and a calculated health check guarding the weight-100 record",
          "[dr]") {
  System sys;
  CHECK(sys.stack("DrFailover-dev").region == "eu-west-1");
  auto t = sys.t("DrFailover-dev");

  const auto probe_ids = t.find_resources("AWS::Lambda::Function", {{"FunctionName", "probe-dev"}});
  REQUIRE(probe_ids.size() == 1);
  const json& probe = properties(t.resource(probe_ids.front()));
  REQUIRE(probe.contains("VpcConfig"));
  CHECK_FALSE(probe["VpcConfig"]["SubnetIds"].empty());
  CHECK_FALSE(probe["VpcConfig"]["SecurityGroupIds"].empty());
  t.has_resource_properties("AWS::Events::Rule",
                            {{"ScheduleExpression", "rate(1 minute)"},
                             {"Targets", array_with({{{"Arn", {{"Fn::GetAtt", {probe_ids.front(), "Arn"}}}}}})}});
  // The second probe, next to the primary, with its own alarm there.
  auto primary = sys.t("DrPrimary-dev");
  const auto local_ids = primary.find_resources("AWS::Lambda::Function", {{"FunctionName", "probe-local-dev"}});
  REQUIRE(local_ids.size() == 1);
  CHECK(properties(primary.resource(local_ids.front())).contains("VpcConfig"));
  primary.has_resource_properties("AWS::CloudWatch::Alarm", {{"AlarmName", "primary-down-local-dev"},
                                                             {"MetricName", "PrimaryHealthy"},
                                                             {"TreatMissingData", "breaching"}});

  // Every alarm on the probe's metric is one Route 53 can follow.
  const auto alarm_ids = t.find_resources("AWS::CloudWatch::Alarm", {{"MetricName", "PrimaryHealthy"}});
  REQUIRE(alarm_ids.size() == 2);  // primary-down (DNS) and primary-down-held (promotion)
  for (const auto& id : alarm_ids) {
    const json& alarm = properties(t.resource(id));
    INFO(alarm.dump());
    CHECK(alarm["TreatMissingData"] == "breaching");
    CHECK(alarm["Period"].get<int>() >= 60);
    CHECK(alarm["DatapointsToAlarm"] == alarm["EvaluationPeriods"]);
    CHECK_FALSE(alarm.contains("Metrics"));  // no metric math
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
    const json& id = hc["AlarmIdentifier"]["Name"];
    const std::string name = id.is_string() ? id.get<std::string>()
                                            : properties(t.resource(id["Ref"].get<std::string>()))["AlarmName"].get<std::string>();
    followed.insert(name + "@" + hc["AlarmIdentifier"]["Region"].get<std::string>() + "=" +
                    hc["InsufficientDataHealthStatus"].get<std::string>());
  }
  CHECK(followed == std::multiset<std::string>{"primary-down-dev@eu-west-1=LastKnownStatus",
                                               "primary-down-local-dev@us-east-1=Unhealthy",
                                               "primary-fenced-dev@eu-west-1=Healthy",
                                               "primary-fenced-dev@eu-west-1=Healthy"});
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

// ---- failover -----------------------------------------------------------------

TEST_CASE("failover: a function in eu-west-1 outside any VPC with a least-privilege policy, invoked by the hold alarm", "[dr]") {
  System sys;
  auto t = sys.t("DrFailover-dev");
  const auto fn_ids = t.find_resources("AWS::Lambda::Function", {{"FunctionName", "failover-dev"}});
  REQUIRE(fn_ids.size() == 1);
  const std::string fn_id = fn_ids.front();
  const json& fn = properties(t.resource(fn_id));
  CHECK_FALSE(fn.contains("VpcConfig"));
  CHECK(fn["Timeout"] == 300);

  // The role's policy: exactly these actions, no wildcards.
  REQUIRE(fn["Role"].contains("Fn::GetAtt"));
  const std::string role_id = fn["Role"]["Fn::GetAtt"][0];
  std::vector<json> statements;
  for (const auto& id : t.find_resources("AWS::IAM::Policy")) {
    const json& pol = properties(t.resource(id));
    if (contains(pol["Roles"], role_id))
      for (const auto& st : pol["PolicyDocument"]["Statement"]) statements.push_back(st);
  }
  const json& role = properties(t.resource(role_id));
  if (role.contains("Policies"))
    for (const auto& pol : role["Policies"])
      for (const auto& st : pol["PolicyDocument"]["Statement"]) statements.push_back(st);
  REQUIRE_FALSE(statements.empty());

  std::set<std::string> actions;
  std::map<std::string, std::vector<std::string>> resources_of;  // action -> resources (dumped)
  for (const auto& st : statements) {
    INFO(st.dump());
    CHECK(st["Effect"] == "Allow");
    CHECK_FALSE(st.contains("NotAction"));
    CHECK_FALSE(st.contains("NotResource"));
    for (const auto& a : as_list(st["Action"])) {
      REQUIRE(a.is_string());
      const std::string action = a;
      CHECK((action.find('*') == std::string::npos || action == "kms:GenerateDataKey*"));
      actions.insert(action);
      // "*" only where CloudWatch has no resource-level permissions (PutMetricData pinned to the namespace).
      const bool star_ok = action == "cloudwatch:GetMetricStatistics" ||
                           (action == "cloudwatch:PutMetricData" && st["Condition"]["StringEquals"]["cloudwatch:namespace"] == "drsynth");
      for (const auto& res : as_list(st["Resource"])) {
        if (!star_ok) CHECK(res != "*");
        CHECK_FALSE((res.is_string() && res.get<std::string>().ends_with(":*")));
        resources_of[action].push_back(res.dump());
      }
    }
  }
  CHECK(actions == std::set<std::string>{"rds:PromoteReadReplica", "rds:DescribeDBInstances", "rds:ModifyDBInstance",
                                         "route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets",
                                         "sns:Publish", "kms:GenerateDataKey*", "kms:Decrypt",
                                         "cloudwatch:DescribeAlarms", "cloudwatch:SetAlarmState",
                                         "cloudwatch:GetMetricStatistics", "cloudwatch:PutMetricData",
                                         "sqs:SendMessage", "ssm:PutParameter", "ssm:GetParameter",
                                         "ssm:DeleteParameter"});
  auto only_on = [&](const std::string& action, std::vector<std::string> needles) {
    INFO(action);
    const auto& rs = resources_of[action];
    REQUIRE(rs.size() == needles.size());
    for (std::size_t i = 0; i < needles.size(); ++i) {
      bool found = false;
      for (const auto& r : rs) found = found || r.find(needles[i]) != std::string::npos;
      CHECK(found);
    }
  };
  const auto zone_id = ids_of(t, "AWS::Route53::HostedZone").front();
  const auto topic_id = ids_of(t, "AWS::SNS::Topic").front();
  only_on("rds:PromoteReadReplica", {"db:postgres-replica-dev"});
  only_on("rds:ModifyDBInstance", {"db:postgres-replica-dev"});  // the replica's backup window
  only_on("cloudwatch:SetAlarmState", {"alarm:primary-fenced-dev"});
  only_on("rds:DescribeDBInstances", {"db:postgres-replica-dev", "db:postgres-primary-dev"});
  only_on("route53:ChangeResourceRecordSets", {zone_id});
  only_on("route53:ListResourceRecordSets", {zone_id});
  only_on("sns:Publish", {topic_id});
  only_on("cloudwatch:DescribeAlarms",
          {"alarm:primary-down-held-dev", "alarm:primary-fenced-dev", "us-east-1:${AWS::AccountId}:alarm:primary-down-local-dev"});
  for (const char* ssm : {"ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"})
    only_on(ssm, {"parameter/drsynth/dev/failover-lock", "parameter/drsynth/dev/failover-state"});

  // Invoked by the hold alarm only (never by the one-minute DNS alarm).
  const auto alarm_ids = t.find_resources("AWS::CloudWatch::Alarm", {{"AlarmName", "primary-down-held-dev"}});
  REQUIRE(alarm_ids.size() == 1);
  t.has_resource_properties("AWS::CloudWatch::Alarm",
                            {{"AlarmName", "primary-down-held-dev"},
                             {"AlarmActions", array_with({{{"Fn::GetAtt", {fn_id, "Arn"}}}})}});
  t.has_resource_properties("AWS::Lambda::Permission",
                            {{"Principal", "lambda.alarms.cloudwatch.amazonaws.com"},
                             {"Action", "lambda:InvokeFunction"},
                             {"FunctionName", {{"Fn::GetAtt", {fn_id, "Arn"}}}},
                             {"SourceArn", {{"Fn::GetAtt", {alarm_ids.front(), "Arn"}}}}});
}

// ---- monitoring ---------------------------------------------------------------

TEST_CASE("monitoring: alarms on replica lag above 60 s, probe failures, free storage and CPU notify the SNS topic", "[dr]") {
  System sys;
  auto t = sys.t("DrFailover-dev");
  t.resource_count_is("AWS::SNS::Topic", 1);
  const json topic_ref = {{"Ref", ids_of(t, "AWS::SNS::Topic").front()}};
  const auto replica_id_ref = array_with({{{"Name", "DBInstanceIdentifier"}, {"Value", any_value()}}});
  t.has_resource_properties("AWS::CloudWatch::Alarm", {{"Namespace", "AWS/RDS"},
                                                       {"MetricName", "ReplicaLag"},
                                                       {"ComparisonOperator", "GreaterThanThreshold"},
                                                       {"Threshold", 60},
                                                       {"Dimensions", replica_id_ref},
                                                       {"AlarmActions", array_with({topic_ref})}});
  t.has_resource_properties("AWS::CloudWatch::Alarm", {{"Namespace", "AWS/RDS"},
                                                       {"MetricName", "FreeStorageSpace"},
                                                       {"ComparisonOperator", "LessThanThreshold"},
                                                       {"AlarmActions", array_with({topic_ref})}});
  t.has_resource_properties("AWS::CloudWatch::Alarm", {{"Namespace", "AWS/RDS"},
                                                       {"MetricName", "CPUUtilization"},
                                                       {"ComparisonOperator", "GreaterThanThreshold"},
                                                       {"AlarmActions", array_with({topic_ref})}});
  // Probe failures: the primary is unreachable (PrimaryHealthy), or the probe function itself fails.
  t.has_resource_properties("AWS::CloudWatch::Alarm",
                            {{"MetricName", "PrimaryHealthy"}, {"AlarmActions", array_with({topic_ref})}});
  t.has_resource_properties("AWS::CloudWatch::Alarm", {{"Namespace", "AWS/Lambda"},
                                                       {"MetricName", "Errors"},
                                                       {"Dimensions", array_with({{{"Name", "FunctionName"}, {"Value", "probe-dev"}}})},
                                                       {"AlarmActions", array_with({topic_ref})}});
  // Replica metrics are alarmed on the replica's identifier.
  for (const auto& id : t.find_resources("AWS::CloudWatch::Alarm", {{"Namespace", "AWS/RDS"}}))
    CHECK(properties(t.resource(id))["Dimensions"] ==
          json::array({{{"Name", "DBInstanceIdentifier"}, {"Value", "postgres-replica-dev"}}}));
  // Every alarm of the system notifies the topic.
  t.all_resources_match("AWS::CloudWatch::Alarm", {{"AlarmActions", array_with({topic_ref})}});
}

// ---- names and tags -----------------------------------------------------------

TEST_CASE("names: every physical name carries the environment suffix and every taggable resource has the cost tags", "[dr]") {
  System sys({.environment_suffix = "qa"});
  std::map<std::string, int> seen;  // property -> how many values were checked
  static const std::set<std::string> named{"DBInstanceIdentifier", "FunctionName", "AlarmName", "TopicName",
                                           "DBParameterGroupName", "GroupName", "RoleName", "DBSubnetGroupName",
                                           "LogGroupName"};
  each_resource(sys.assembly, [&](const StackArtifact& s, const std::string& id, const json& r) {
    INFO(s.name << " " << id);
    const json& props = properties(r);
    for (const auto& [key, value] : props.items()) {
      if (named.count(key) == 0 || !value.is_string()) continue;
      if (key == "FunctionName" && r["Type"] != "AWS::Lambda::Function") continue;  // a permission names its function
      ++seen[key];
      CHECK_THAT(value.get<std::string>(), Catch::Contains("qa"));
    }
    if (r["Type"] == "AWS::SecretsManager::Secret" || r["Type"] == "AWS::Route53::HostedZone") {
      ++seen[r["Type"].get<std::string>() + " Name"];
      CHECK_THAT(props["Name"].get<std::string>(), Catch::Contains("qa"));
    }
  });
  for (const char* key : {"DBInstanceIdentifier", "FunctionName", "AlarmName", "TopicName", "DBParameterGroupName",
                          "GroupName", "RoleName", "AWS::SecretsManager::Secret Name", "AWS::Route53::HostedZone Name"}) {
    INFO(key);
    CHECK(seen[key] >= 1);
  }
  CHECK(seen["DBInstanceIdentifier"] == 2);
  CHECK(seen["DBParameterGroupName"] >= 2);

  // Tags: every resource of a taggable type (the list drsynth tags) has them.
  static const std::set<std::string> list_tagged{
      "AWS::CloudWatch::Alarm", "AWS::EC2::RouteTable",  "AWS::EC2::SecurityGroup",  "AWS::EC2::Subnet",
      "AWS::EC2::VPC",          "AWS::EC2::VPCEndpoint", "AWS::EC2::VPCPeeringConnection", "AWS::Events::Rule",
      "AWS::IAM::Role",         "AWS::Lambda::Function", "AWS::Logs::LogGroup",      "AWS::RDS::DBInstance",
      "AWS::RDS::DBParameterGroup", "AWS::RDS::DBSubnetGroup", "AWS::SNS::Topic",    "AWS::SecretsManager::Secret"};
  const auto cost_tags = array_with({{{"Key", "Environment"}, {"Value", "qa"}},
                                     {{"Key", "Project"}, {"Value", "drsynth"}},
                                     {{"Key", "DR-Tier"}, {"Value", "tier-1"}}});
  std::set<std::string> tagged_types;
  each_resource(sys.assembly, [&](const StackArtifact& s, const std::string& id, const json& r) {
    const std::string type = r["Type"];
    std::string key;
    if (list_tagged.count(type) == 1) key = "Tags";
    if (type == "AWS::Route53::HostedZone") key = "HostedZoneTags";
    if (type == "AWS::Route53::HealthCheck") key = "HealthCheckTags";
    if (key.empty()) return;
    INFO(s.name << " " << id << " " << type);
    std::string why;
    CHECK(assertions::matches(cost_tags, properties(r).value(key, json()), &why));
    INFO(why);
    tagged_types.insert(type);
  });
  for (const char* type : {"AWS::RDS::DBInstance", "AWS::EC2::VPC", "AWS::Lambda::Function", "AWS::Logs::LogGroup",
                           "AWS::CloudWatch::Alarm", "AWS::Route53::HostedZone"}) {
    INFO(type);
    CHECK(tagged_types.count(type) == 1);
  }
}

// ---- nothing retained ---------------------------------------------------------

TEST_CASE("nothing retained: no Retain policy anywhere, databases deleted on delete and replace, no deletion protection", "[dr]") {
  System sys;
  int databases = 0;
  each_resource(sys.assembly, [&](const StackArtifact& s, const std::string& id, const json& r) {
    INFO(s.name << " " << id);
    for (const char* policy : {"DeletionPolicy", "UpdateReplacePolicy"})
      if (r.contains(policy)) {
        CHECK(r[policy] != "Retain");
        CHECK(r[policy] != "RetainExceptOnCreate");
      }
    const json& props = properties(r);
    if (props.contains("DeletionProtection")) CHECK(props["DeletionProtection"] == false);
    if (props.contains("DeletionProtectionEnabled")) CHECK(props["DeletionProtectionEnabled"] == false);
    if (r["Type"] == "AWS::RDS::DBInstance") {
      ++databases;
      CHECK(r["DeletionPolicy"] == "Delete");
      CHECK(r["UpdateReplacePolicy"] == "Delete");
      CHECK(props["DeletionProtection"] == false);
    }
  });
  CHECK(databases == 2);
}

// ---- outputs ------------------------------------------------------------------

TEST_CASE("outputs: the primary and replica endpoints and the DatabaseCname", "[dr]") {
  System sys;
  auto endpoint_output = [&](const char* stack) {
    auto t = sys.t(stack);
    const auto db_id = ids_of(t, "AWS::RDS::DBInstance").front();
    int found = 0;
    // Outputs for users, not the ExportsOutput* ones that carry references to other stacks.
    for (const auto& [name, out] : t.json()["Outputs"].items())
      if (!name.starts_with("ExportsOutput") && out["Value"] == json{{"Fn::GetAtt", {db_id, "Endpoint.Address"}}})
        ++found;
    return found;
  };
  CHECK(endpoint_output("DrPrimary-dev") == 1);
  CHECK(endpoint_output("DrReplica-dev") == 1);
  sys.t("DrFailover-dev").has_output("DatabaseCname", {{"Value", "postgres.db-dev.internal"}});
  CHECK(sys.dr.cname() == "postgres.db-dev.internal");
}

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

TEST_CASE("recovery-time budget: within 300 s by default, printed by synth, E807 when the settings exceed the objective", "[dr]") {
  const auto budget = patterns::recovery_budget({});
  CHECK(budget.worst_seconds <= 300);
  CHECK(budget.worst_seconds == std::max(budget.dns_seconds, budget.writable_after_detection_seconds));
  CHECK(budget.writable_after_detection_seconds == 250);  // hold 120 + start 10 + promotion 120
  CHECK(budget.promoted_seconds == budget.detection_seconds + 250);
  CHECK_FALSE(budget.steps.empty());

  test::TempDir dir;
  auto r = test::run_cli({"synth", "-o", (dir.path / "out").string()}, patterns::define_default_system);
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out + r.err, Catch::Contains("Recovery-time budget"));

  SECTION("settings over the objective are E807") {
    for (const DrProps& p : {DrProps{.health_alarm_periods = 5},
                             DrProps{.health_alarm_periods = 2, .record_ttl_seconds = 60},
                             DrProps{.recovery_time_objective_seconds = 120}}) {
      CHECK(patterns::recovery_budget(p).worst_seconds > p.recovery_time_objective_seconds);
      const auto e = system_error(p);
      INFO(all_diagnostics(e));
      CHECK(test::has_diagnostic(e, "E807", "DisasterRecovery", "recovery-time budget"));
    }
    auto c = test::run_cli({"synth", "-q", "-o", (dir.path / "slow").string(), "-c", "healthAlarmPeriods=5"},
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
  CHECK(test::has_diagnostic(e, "E802", "DisasterRecovery", "postgres-primary-" + long_suffix));
  CHECK(test::has_diagnostic(e, "E802", "DisasterRecovery", "DB instance identifier"));

  // The limit is exact: "postgres-primary-" + 46 characters is the longest DB identifier (63).
  CHECK_NOTHROW(System({.environment_suffix = std::string(46, 'a')}));
  CHECK(test::has_diagnostic(system_error({.environment_suffix = std::string(47, 'a')}), "E802", "DisasterRecovery"));
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
  // log groups), and the L1 route53 records whose CDK IDs had no /Resource.
  const std::map<std::string, std::vector<std::string>> resources_by_stack{
      {"DrPrimary-dev",
       {"Vpc/Resource", "Vpc/dbSubnet1/Subnet", "Vpc/dbSubnet1/RouteTable", "Vpc/dbSubnet1/RouteTableAssociation",
        "Vpc/dbSubnet2/Subnet", "Vpc/dbSubnet2/RouteTable", "Vpc/dbSubnet2/RouteTableAssociation",
        "DbSecret/Resource", "DbSecret/Attachment/Resource", "Params/Resource", "DbSg/Resource", "Primary/Resource",
        "Primary/LogRetentionpostgresql/Resource"}},
      {"DrReplica-dev", {"Replica/Resource", "Replica/LogRetentionpostgresql/Resource"}},
      {"DrFailover-dev",
       {"Alarms/Resource", "Zone/Resource", "Probe/Resource", "Probe/ServiceRole/Resource", "PrimaryDown/Resource",
        "Failover/Resource", "Failover/AlarmPermission", "Failover/ServiceRole/Resource",
        "Failover/ServiceRole/DefaultPolicy/Resource", "ReplicaLag/Resource", "ReplicaDisk/Resource"}},
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

// Environment variables a handler reads: os.environ["X"], os.environ.get("X"),
// os.getenv("X"), and env.get("X") / env["X"] where the environment is passed
// in (the failover's Settings(os.environ)). The AWS_* ones Lambda provides.
std::set<std::string> environment_read_by(const std::string& code) {
  static const std::regex re(R"re((?:\bos\.environ|\benv)(?:\.get\(\s*|\[\s*)["']([A-Za-z_][A-Za-z0-9_]*)["']|\bos\.getenv\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["'])re");
  std::set<std::string> names;
  for (auto it = std::sregex_iterator(code.begin(), code.end(), re); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[1].matched ? (*it)[1].str() : (*it)[2].str();
    if (!name.starts_with("AWS_")) names.insert(name);
  }
  return names;
}
}  // namespace

TEST_CASE("assets: the probe and failover handlers ship as asset zips with exactly their files and the environment their code reads", "[dr]") {
  // The handlers compiled into the library (whatever another test in this
  // process pointed the runtime folder at): they must be runtime/'s files.
  test::ScopedEnv runtime("DRSYNTH_RUNTIME_DIR", "");
  System sys;
  test::TempDir dir;
  const auto out = dir.path / "assembly";
  write_assembly(sys.assembly, out);
  auto t = sys.t("DrFailover-dev");

  for (const std::string fn : {"probe", "failover"}) {
    INFO(fn);
    const auto ids = t.find_resources("AWS::Lambda::Function", {{"FunctionName", fn + "-dev"}});
    REQUIRE(ids.size() == 1);
    const json& props = properties(t.resource(ids.front()));
    CHECK(props["Runtime"] == "python3.12");
    CHECK(props["Handler"] == "index.handler");
    const std::string key = props["Code"]["S3Key"];
    const std::regex key_re(R"(^asset\.([0-9a-f]{64})\.zip$)");
    std::smatch m;
    REQUIRE(std::regex_match(key, m, key_re));
    const std::string folder = "asset." + m[1].str();

    const auto source = fs::path(DRSYNTH_SOURCE_DIR) / "runtime" / fn / "index.py";
    const std::string code = test::read_file(source);
    REQUIRE_FALSE(code.empty());
    REQUIRE(fs::exists(out / folder / "index.py"));
    CHECK(test::read_file(out / folder / "index.py") == code);
    std::vector<std::string> in_folder;
    for (const auto& e : fs::recursive_directory_iterator(out / folder))
      if (e.is_regular_file()) in_folder.push_back(fs::relative(e.path(), out / folder).string());
    std::sort(in_folder.begin(), in_folder.end());
    // The probe carries the Amazon RDS CA bundle (generated by scripts/rds_ca_bundle.sh).
    const auto files = fn == "probe" ? std::vector<std::string>{"index.py", "rds-ca-bundle.pem"}
                                     : std::vector<std::string>{"failover_state.py", "index.py"};
    CHECK(in_folder == files);
    REQUIRE(fs::exists(out / key));
    CHECK(zip_entries(test::read_file(out / key)) == files);

    std::set<std::string> in_template;
    for (const auto& [name, value] : props["Environment"]["Variables"].items()) in_template.insert(name);
    const auto read = environment_read_by(code);
    CHECK_FALSE(read.empty());
    // What the template sets, the code reads; what the code reads beyond it is optional.
    CHECK(std::includes(read.begin(), read.end(), in_template.begin(), in_template.end()));
    std::set<std::string> optional;
    std::set_difference(read.begin(), read.end(), in_template.begin(), in_template.end(),
                        std::inserter(optional, optional.end()));
    CHECK(optional == (fn == "probe" ? std::set<std::string>{"DB_SCRAM_MAX_ITERATIONS"}
                                     : std::set<std::string>{"REPLICA_HEALTH_CHECK_ID"}));
  }
}

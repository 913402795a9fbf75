// The conveniences that spare an app the plumbing (issue 13): metrics on RDS
// instances with create_alarm, the generated master secret, connections() and
// PrivateHostedZone::add_vpc. Each test asserts on the template a user deploys.
#include <catch2/catch.hpp>

#include "drsynth/drsynth.hpp"
#include "net_test_support.hpp"

using namespace drsynth;
using assertions::absent;
using assertions::Template;
using json = nlohmann::json;

namespace {
// us-east-1 (S) and eu-west-1 (W), a VPC and a database group in each.
struct TwoRegions {
  App app{{.read_environment = false}};
  Stack& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  Stack& w = app.add<Stack>("W", StackProps{.env = {.region = "eu-west-1"}});
  ec2::Vpc& vpc = s.add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.0/16"});
  ec2::Vpc& wvpc = w.add<ec2::Vpc>("Vpc", {.cidr = "10.1.0.0/16"});
  ec2::SecurityGroup& sg = s.add<ec2::SecurityGroup>("DbSg", {.vpc = vpc, .description = "db"});
  ec2::SecurityGroup& wsg = w.add<ec2::SecurityGroup>("DbSg", {.vpc = wvpc, .description = "db"});

  rds::DatabaseInstance& db(std::string identifier = "app-primary", int port = 5432) {
    return s.add<rds::DatabaseInstance>(
        "Db", {.instance_identifier = std::move(identifier), .vpc = vpc, .security_groups = {sg}, .port = port});
  }
  rds::ReadReplica& replica(rds::DatabaseInstance& source, Stack* where = nullptr) {
    Stack& st = where != nullptr ? *where : w;
    ec2::Vpc& v = &st == &s ? vpc : wvpc;
    ec2::SecurityGroup& g = &st == &s ? sg : wsg;
    return st.add<rds::ReadReplica>(
        "Replica", {.source = source, .instance_identifier = "app-replica", .vpc = v, .security_groups = {g}});
  }
};

std::string logical_id(Template& t, std::string_view type) {
  const auto ids = t.find_resources(type);
  REQUIRE(ids.size() == 1);
  return ids.front();
}
}  // namespace

// ---- metrics and create_alarm ---------------------------------------------

TEST_CASE("db.metric_cpu_utilization().create_alarm renders an AWS/RDS alarm on the instance", "[conveniences][cloudwatch]") {
  TwoRegions d;
  auto& db = d.db();
  auto& alarm = db.metric_cpu_utilization().create_alarm(
      d.s, "HighCpu", {.alarm_name = "app-cpu", .threshold = 80, .evaluation_periods = 3});
  CHECK(alarm.path() == "S/HighCpu");
  auto t = Template::from_app(d.app, "S");
  t.has_resource_properties("AWS::CloudWatch::Alarm",
                            {{"AlarmName", "app-cpu"},
                             {"Namespace", "AWS/RDS"},
                             {"MetricName", "CPUUtilization"},
                             {"Dimensions", json::array({{{"Name", "DBInstanceIdentifier"}, {"Value", "app-primary"}}})},
                             {"Statistic", "Average"},
                             {"Period", 60},
                             {"Threshold", 80},
                             {"EvaluationPeriods", 3},
                             {"ComparisonOperator", "GreaterThanThreshold"},
                             {"TreatMissingData", "missing"},
                             {"Unit", absent()}});
}

TEST_CASE("metric options and the alarm's comparison reach the template", "[conveniences][cloudwatch]") {
  TwoRegions d;
  auto& db = d.db();
  db.metric_free_storage_space({.statistic = "Minimum", .period_seconds = 300})
      .create_alarm(d.s, "LowStorage",
                    {.threshold = 10e9, .comparison = cloudwatch::ComparisonOperator::less_than_threshold,
                     .evaluation_periods = 2, .datapoints_to_alarm = 1,
                     .treat_missing_data = cloudwatch::TreatMissingData::breaching});
  auto t = Template::from_app(d.app, "S");
  t.has_resource_properties("AWS::CloudWatch::Alarm", {{"MetricName", "FreeStorageSpace"},
                                                       {"Statistic", "Minimum"},
                                                       {"Period", 300},
                                                       {"Threshold", 10000000000LL},
                                                       {"ComparisonOperator", "LessThanThreshold"},
                                                       {"EvaluationPeriods", 2},
                                                       {"DatapointsToAlarm", 1},
                                                       {"TreatMissingData", "breaching"}});
}

TEST_CASE("replica.metric_replica_lag() and the other metrics name their instance", "[conveniences][cloudwatch]") {
  TwoRegions d;
  auto& db = d.db();
  auto& replica = d.replica(db);
  replica.metric_replica_lag({.statistic = "Maximum"}).create_alarm(d.w, "Lag", {.threshold = 300});
  db.metric_database_connections().create_alarm(d.s, "Connections", {.threshold = 400});
  CHECK(db.metric_freeable_memory().metric_name == "FreeableMemory");
  CHECK(replica.metric_read_iops().metric_name == "ReadIOPS");
  CHECK(db.metric("ReadLatency").namespace_name == "AWS/RDS");
  auto tw = Template::from_app(d.app, "W");
  tw.has_resource_properties(
      "AWS::CloudWatch::Alarm",
      {{"MetricName", "ReplicaLag"},
       {"Statistic", "Maximum"},
       {"Dimensions", json::array({{{"Name", "DBInstanceIdentifier"}, {"Value", "app-replica"}}})}});
  auto ts = Template::from_app(d.app, "S");
  ts.has_resource_properties(
      "AWS::CloudWatch::Alarm",
      {{"MetricName", "DatabaseConnections"},
       {"Dimensions", json::array({{{"Name", "DBInstanceIdentifier"}, {"Value", "app-primary"}}})}});
}

TEST_CASE("an alarm made by create_alarm is checked like any alarm", "[conveniences][cloudwatch][validation]") {
  TwoRegions d;
  d.db().metric_cpu_utilization({.period_seconds = 45}).create_alarm(d.s, "HighCpu", {.threshold = 80});
  const auto ds = net_test::synth_errors(d.app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E780", "S/HighCpu", "45"));
}

// ---- the generated secret -------------------------------------------------

TEST_CASE("an instance without .secret generates its secret and reads the password from it", "[conveniences][secrets]") {
  TwoRegions d;
  auto& db = d.db();
  CHECK(db.generated_secret());
  CHECK(db.secret().path() == "S/Db/Secret");
  auto t = Template::from_app(d.app, "S");
  const std::string secret_id = logical_id(t, "AWS::SecretsManager::Secret");
  const std::string db_id = logical_id(t, "AWS::RDS::DBInstance");
  auto resolve = [&](const char* key) {
    return json{{"Fn::Join",
                 json::array({"", json::array({"{{resolve:secretsmanager:", {{"Ref", secret_id}},
                                               std::string(":SecretString:") + key + "}}"})})}};
  };
  t.has_resource_properties("AWS::RDS::DBInstance",
                            {{"MasterUsername", resolve("username")}, {"MasterUserPassword", resolve("password")}});
  t.has_resource_properties("AWS::SecretsManager::Secret",
                            {{"GenerateSecretString", {{"GenerateStringKey", "password"}, {"PasswordLength", 32}}},
                             {"ReplicaRegions", absent()}});
  t.has_resource_properties("AWS::SecretsManager::SecretTargetAttachment",
                            {{"SecretId", {{"Ref", secret_id}}}, {"TargetId", {{"Ref", db_id}}},
                             {"TargetType", "AWS::RDS::DBInstance"}});
}

TEST_CASE("a cross-region replica replicates the generated secret to its region, once", "[conveniences][secrets]") {
  TwoRegions d;
  auto& db = d.db();
  d.replica(db);
  db.secret().add_replica_region("eu-west-1");  // already there: ignored
  auto t = Template::from_app(d.app, "S");
  t.has_resource_properties("AWS::SecretsManager::Secret",
                            {{"ReplicaRegions", json::array({{{"Region", "eu-west-1"}}})}});
  CHECK(db.secret().replica_regions() == std::vector<std::string>{"eu-west-1"});
}

TEST_CASE("a replica in the source's region, or a secret given in props, leaves the replica regions alone",
          "[conveniences][secrets]") {
  SECTION("same region") {
    TwoRegions d;
    auto& db = d.db();
    d.replica(db, &d.s);
    auto t = Template::from_app(d.app, "S");
    t.has_resource_properties("AWS::SecretsManager::Secret", {{"ReplicaRegions", absent()}});
  }
  SECTION("given secret") {
    TwoRegions d;
    auto& secret = d.s.add<secrets::DatabaseSecret>("Given", {});
    auto& db = d.s.add<rds::DatabaseInstance>(
        "Db", {.instance_identifier = "app-primary", .vpc = d.vpc, .security_groups = {d.sg}, .secret = secret});
    d.replica(db);
    CHECK_FALSE(db.generated_secret());
    CHECK(&db.secret() == &secret);
    auto t = Template::from_app(d.app, "S");
    t.resource_count_is("AWS::SecretsManager::Secret", 1);
    t.has_resource_properties("AWS::SecretsManager::Secret", {{"ReplicaRegions", absent()}});
  }
}

// ---- connections ------------------------------------------------------------

TEST_CASE("db.connections() admits a security group or a CIDR on the database's port", "[conveniences][ec2]") {
  TwoRegions d;
  auto& app_sg = d.s.add<ec2::SecurityGroup>("AppSg", {.vpc = d.vpc, .description = "app"});
  auto& db = d.db("app-primary", 6543);
  CHECK(db.connections().default_port() == 6543);
  db.connections().allow_default_port_from(app_sg).allow_from(ec2::Peer::cidr("10.9.0.0/16"), 6544, "office");
  auto t = Template::from_app(d.app, "S");
  t.has_resource_properties("AWS::EC2::SecurityGroupIngress",
                            {{"GroupId", {{"Fn::GetAtt", json::array({assertions::any_value(), "GroupId"})}}},
                             {"SourceSecurityGroupId", {{"Fn::GetAtt", json::array({assertions::any_value(), "GroupId"})}}},
                             {"IpProtocol", "tcp"},
                             {"FromPort", 6543},
                             {"ToPort", 6543},
                             {"Description", "from S/AppSg"}});
  const auto& ingress = t.only_resource("AWS::EC2::SecurityGroupIngress");
  CHECK(ingress["Properties"]["GroupId"]["Fn::GetAtt"][0].get<std::string>().starts_with("DbSg"));
  CHECK(ingress["Properties"]["SourceSecurityGroupId"]["Fn::GetAtt"][0].get<std::string>().starts_with("AppSg"));
  t.has_resource_properties(
      "AWS::EC2::SecurityGroup",
      {{"GroupDescription", "db"},
       {"SecurityGroupIngress", json::array({{{"CidrIp", "10.9.0.0/16"}, {"Description", "office"}, {"FromPort", 6544},
                                              {"IpProtocol", "tcp"}, {"ToPort", 6544}}})}});
}

TEST_CASE("replica.connections() uses the source's port; a world-open CIDR is refused", "[conveniences][ec2][validation]") {
  TwoRegions d;
  auto& db = d.db("app-primary", 6543);
  auto& replica = d.replica(db);
  CHECK(replica.connections().default_port() == 6543);
  replica.connections().allow_default_port_from(ec2::Peer::cidr("10.0.0.0/16"));
  {
    auto t = Template::from_app(d.app, "W");
    t.has_resource_properties("AWS::EC2::SecurityGroup",
                              {{"SecurityGroupIngress", json::array({{{"CidrIp", "10.0.0.0/16"},
                                                                      {"Description", "from 10.0.0.0/16"},
                                                                      {"FromPort", 6543},
                                                                      {"IpProtocol", "tcp"},
                                                                      {"ToPort", 6543}}})}});
  }
  TwoRegions e;
  e.db().connections().allow_default_port_from(ec2::Peer::cidr("0.0.0.0/0"));
  const auto ds = net_test::synth_errors(e.app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E710", "S/DbSg", "0.0.0.0/0"));
}

// ---- zone.add_vpc -----------------------------------------------------------

TEST_CASE("zone.add_vpc associates VPCs of both regions", "[conveniences][route53]") {
  TwoRegions d;
  auto& zone = d.w.add<route53::PrivateHostedZone>("Zone", {.zone_name = "db.internal"});
  zone.add_vpc(d.wvpc).add_vpc(d.vpc);
  auto t = Template::from_app(d.app, "W");
  const auto& vpcs = t.only_resource("AWS::Route53::HostedZone")["Properties"]["VPCs"];
  REQUIRE(vpcs.size() == 2);
  CHECK(vpcs[0] == json{{"VPCId", {{"Ref", logical_id(t, "AWS::EC2::VPC")}}}, {"VPCRegion", "eu-west-1"}});
  CHECK(vpcs[1]["VPCRegion"] == "us-east-1");
  CHECK(vpcs[1]["VPCId"].contains("Fn::GetStackOutput"));  // the other region's VPC
  CHECK(zone.props().vpcs.size() == 2);
}

TEST_CASE("a zone given its VPCs only through add_vpc is valid", "[conveniences][route53][validation]") {
  TwoRegions d;
  d.s.add<route53::PrivateHostedZone>("Zone", {.zone_name = "db.internal"}).add_vpc(d.vpc);
  CHECK_NOTHROW((void)synthesize(d.app));
}

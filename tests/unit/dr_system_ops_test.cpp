// The built-in DR system: failover, monitoring, names, nothing retained and
// outputs (dr_system_test.cpp has the parts, dr_system_settings_test.cpp the settings).
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


// ---- failover -----------------------------------------------------------------

TEST_CASE("failover: a function in eu-west-1 outside any VPC with a least-privilege policy, invoked by the hold alarm", "[dr]") {
  System sys;
  auto t = sys.t("DrFailover-dev");
  const auto fn_ids = t.find_resources("AWS::Lambda::Function", {{"FunctionName", "lambda-failover-rds-replica-dev"}});
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
      const bool star_ok = action == "cloudwatch:GetMetricStatistics" || action == "cloudwatch:GetMetricData" ||
                           (action == "cloudwatch:PutMetricData" && st["Condition"]["StringEquals"]["cloudwatch:namespace"] == "drsynth");
      for (const auto& res : as_list(st["Resource"])) {
        if (!star_ok) CHECK(res != "*");
        CHECK_FALSE((res.is_string() && res.get<std::string>().ends_with(":*")));
        resources_of[action].push_back(res.dump());
      }
    }
  }
  // No cloudwatch:SetAlarmState any more: the fence is a Fenced datapoint
  // (Route 53 follows the data stream, not the alarm state, issue 20).
  CHECK(actions == std::set<std::string>{"rds:PromoteReadReplica", "rds:DescribeDBInstances", "rds:ModifyDBInstance",
                                         "rds:ModifyDBParameterGroup", "rds:RebootDBInstance",
                                         "route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets",
                                         "route53:GetHealthCheckStatus", "sns:Publish", "kms:GenerateDataKey*",
                                         "kms:Decrypt", "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricStatistics", "cloudwatch:PutMetricData",
                                         "lambda:InvokeFunction", "sqs:SendMessage", "ssm:PutParameter",
                                         "ssm:GetParameter", "ssm:DeleteParameter"});
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
  only_on("rds:PromoteReadReplica", {"db:postgres-replica-dev"});
  only_on("rds:ModifyDBInstance", {"db:postgres-replica-dev"});  // the replica's backup window
  only_on("rds:DescribeDBInstances", {"db:postgres-replica-dev", "db:postgres-primary-dev"});
  only_on("route53:ChangeResourceRecordSets", {zone_id});
  only_on("route53:ListResourceRecordSets", {zone_id});
  only_on("route53:GetHealthCheckStatus", {"NotFencedPrimaryA", "NotFencedPrimaryB"});  // the failback's confirmation
  only_on("sns:Publish", {"DrReplica-dev", "DrPrimaryRoutes-dev"});  // both regions' topics
  only_on("cloudwatch:DescribeAlarms",
          {"eu-west-1:${AWS::AccountId}:alarm:alarm-writer-held-rds-primary-seen-from-replica-dev",
           "eu-west-1:${AWS::AccountId}:alarm:alarm-writer-rds-primary-seen-from-replica-dev",
           "eu-west-1:${AWS::AccountId}:alarm:alarm-fence-rds-primary-dev",
           "us-east-1:${AWS::AccountId}:alarm:alarm-writer-rds-primary-seen-from-primary-dev",
           "us-east-1:${AWS::AccountId}:alarm:alarm-fence-rds-replica-dev"});
  only_on("ssm:DeleteParameter", {"eu-west-1:${AWS::AccountId}:parameter/drsynth/rds-dev/failover-lock-replica",
                                  "eu-west-1:${AWS::AccountId}:parameter/drsynth/rds-dev/failover-state-replica"});
  // Without a witness's grant, the claim writes `disarmed` into the other site's state. The lease
  // (runtime/drsynth_failover/lease.py): this site's lease is renewed in the witness's and the other
  // site's region, its last success recorded here; the other site's lease is only read, here.
  only_on("ssm:PutParameter", {"eu-west-1:${AWS::AccountId}:parameter/drsynth/rds-dev/failover-lock-replica",
                               "eu-west-1:${AWS::AccountId}:parameter/drsynth/rds-dev/failover-state-replica",
                               "us-east-1:${AWS::AccountId}:parameter/drsynth/rds-dev/failover-state-primary",
                               "us-west-2:${AWS::AccountId}:parameter/drsynth/rds-dev/lease-replica",
                               "us-east-1:${AWS::AccountId}:parameter/drsynth/rds-dev/lease-replica",
                               "eu-west-1:${AWS::AccountId}:parameter/drsynth/rds-dev/lease-record-replica"});
  only_on("ssm:GetParameter", {"eu-west-1:${AWS::AccountId}:parameter/drsynth/rds-dev/failover-lock-replica",
                               "eu-west-1:${AWS::AccountId}:parameter/drsynth/rds-dev/failover-state-replica",
                               "us-east-1:${AWS::AccountId}:parameter/drsynth/rds-dev/failover-state-primary",
                               "eu-west-1:${AWS::AccountId}:parameter/drsynth/rds-dev/lease-record-replica",
                               "eu-west-1:${AWS::AccountId}:parameter/drsynth/rds-dev/lease-primary"});
  // The self-fence acts on this site's own database and parameter group only.
  only_on("rds:ModifyDBParameterGroup", {"eu-west-1:${AWS::AccountId}:pg:postgres15-replica-dev"});
  only_on("rds:RebootDBInstance", {"eu-west-1:${AWS::AccountId}:db:postgres-replica-dev"});
  only_on("lambda:InvokeFunction", {"DrWitness-dev"});

  // Invoked by the hold alarm (never by the DNS view alarms).
  const auto alarm_ids = t.find_resources("AWS::CloudWatch::Alarm", {{"AlarmName", "alarm-writer-held-rds-primary-seen-from-replica-dev"}});
  REQUIRE(alarm_ids.size() == 1);
  t.has_resource_properties("AWS::CloudWatch::Alarm",
                            {{"AlarmName", "alarm-writer-held-rds-primary-seen-from-replica-dev"},
                             {"AlarmActions", array_with({{{"Fn::GetAtt", {fn_id, "Arn"}}}})}});
  t.has_resource_properties("AWS::Lambda::Permission",
                            {{"Principal", "lambda.alarms.cloudwatch.amazonaws.com"},
                             {"Action", "lambda:InvokeFunction"},
                             {"FunctionName", {{"Fn::GetAtt", {fn_id, "Arn"}}}},
                             {"SourceArn", {{"Fn::GetAtt", {alarm_ids.front(), "Arn"}}}}});
}

// ---- monitoring ---------------------------------------------------------------

TEST_CASE("monitoring: alarms on replica lag above 60 s, free storage and CPU, and the probes' silence and faults, notify the region's SNS topic", "[dr]") {
  System sys;
  auto t = sys.t("DrFailover-dev");
  auto r = sys.t("DrReplica-dev");
  r.resource_count_is("AWS::SNS::Topic", 1);
  const std::string topic_id = ids_of(r, "AWS::SNS::Topic").front();
  // The DR region's topic, from the replica stack.
  const json topic_ref = {{"Fn::ImportValue", string_like("DrReplica-dev:ExportsOutputRef" + topic_id.substr(0, 6))}};
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
  // Probe failures: a site unreachable (Writer), the probe silent, or at fault.
  const json local_topic = {{"Ref", topic_id}};
  r.has_resource_properties("AWS::CloudWatch::Alarm", {{"MetricName", "Writer"}, {"AlarmActions", array_with({local_topic})}});
  r.has_resource_properties("AWS::CloudWatch::Alarm",
                            {{"MetricName", "Writer"}, {"Statistic", "SampleCount"}, {"AlarmActions", array_with({local_topic})}});
  r.has_resource_properties("AWS::CloudWatch::Alarm", {{"MetricName", "ProbeFault"}, {"AlarmActions", array_with({local_topic})}});
  // Replica metrics are alarmed on the replica's identifier.
  for (const auto& id : t.find_resources("AWS::CloudWatch::Alarm", {{"Namespace", "AWS/RDS"}}))
    CHECK(properties(t.resource(id))["Dimensions"] ==
          json::array({{{"Name", "DBInstanceIdentifier"}, {"Value", "postgres-replica-dev"}}}));
  // Every alarm of the region notifies the topic, except the one on the topic
  // failing to deliver: it invokes the failover function, which relays.
  r.all_resources_match("AWS::CloudWatch::Alarm", {{"AlarmActions", array_with({local_topic})}});
  for (const auto& id : t.find_resources("AWS::CloudWatch::Alarm")) {
    const json& a = properties(t.resource(id));
    INFO(a.dump());
    if (a["MetricName"] == "NumberOfNotificationsFailed") CHECK(contains(a["AlarmActions"], "FailoverReplica"));
    else CHECK(contains(a["AlarmActions"], "DrReplica-dev:ExportsOutputRef"));
  }
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

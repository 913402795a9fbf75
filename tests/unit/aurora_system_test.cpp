// The Aurora Global Database system (issue 14; requirement documents 002 and
// 004), one test per requirement, on the synthesized templates: the global
// cluster, the instances, the credentials, the export bucket, the events, the
// networking, the tags and deletion protection. The failover path is in
// aurora_system_failover_test.cpp.
#include <set>

#include "aurora_system_fixture.hpp"
#include "dr_system_helpers.hpp"

using namespace drsynth;
using namespace aurora_system_test;
using namespace dr_test::helpers;
using assertions::Template;
using nlohmann::json;

namespace {

json only(const Template& t, std::string_view type) { return properties(t.resource(t.find_resources(type).front())); }

json get_att_arn(const std::string& id) { return json{{"Fn::GetAtt", json::array({id, "Arn"})}}; }

// The logical ID of the key with this alias in the template.
std::string key_with_alias(const Template& t, const std::string& alias) {
  const auto aliases = t.find_resources("AWS::KMS::Alias", {{"AliasName", alias}});
  REQUIRE(aliases.size() == 1);
  return properties(t.resource(aliases.front()))["TargetKeyId"]["Fn::GetAtt"][0];
}

// A reference to an output of `stack`: Fn::ImportValue in the same region,
// Fn::GetStackOutput across regions.
bool is_cross_stack(const json& v, const std::string& stack) {
  if (v.contains("Fn::ImportValue")) return v["Fn::ImportValue"].get<std::string>().starts_with(stack + ":");
  return v.contains("Fn::GetStackOutput") && v["Fn::GetStackOutput"]["StackName"] == stack;
}

}  // namespace

TEST_CASE("aurora: a global cluster (aurora-postgresql 15.x) with the primary cluster in us-east-1 and the secondary in us-west-2", "[aurora]") {
  AuroraSystem sys;
  CHECK(sys.stack(primary).region == "us-east-1");
  CHECK(sys.stack(secondary).region == "us-west-2");
  auto p = sys.t(primary);
  const json& global = only(p, "AWS::RDS::GlobalCluster");
  CHECK(global["Engine"] == "aurora-postgresql");
  CHECK(global["EngineVersion"].get<std::string>().starts_with("15."));
  CHECK(global["GlobalClusterIdentifier"] == "aurora-global-dev");
  CHECK(global["StorageEncrypted"] == true);
  const json& east = only(p, "AWS::RDS::DBCluster");
  CHECK(east["DBClusterIdentifier"] == "aurora-primary-dev");
  CHECK(east["GlobalClusterIdentifier"] == json{{"Ref", p.find_resources("AWS::RDS::GlobalCluster").front()}});
  CHECK(contains(east["MasterUserPassword"], "{{resolve:secretsmanager:"));
  auto s = sys.t(secondary);
  const json& west = only(s, "AWS::RDS::DBCluster");
  CHECK(west["DBClusterIdentifier"] == "aurora-secondary-dev");
  CHECK(is_cross_stack(west["GlobalClusterIdentifier"], primary));  // attached to the global cluster
  CHECK_FALSE(west.contains("MasterUsername"));  // a secondary replicates the primary's users
  CHECK(west["EngineVersion"] == east["EngineVersion"]);
}

TEST_CASE("aurora: cluster storage is encrypted with a customer-managed key of each region, rotation on", "[aurora][security]") {
  AuroraSystem sys;
  auto p = sys.t(primary);
  const std::string east_key = key_with_alias(p, "alias/kms-data-primary-dev");
  CHECK(only(p, "AWS::RDS::DBCluster")["KmsKeyId"] == get_att_arn(east_key));
  CHECK(properties(p.resource(east_key))["EnableKeyRotation"] == true);
  auto b = sys.t(base);
  const std::string west_key = key_with_alias(b, "alias/kms-data-secondary-dev");
  CHECK(sys.stack(base).region == "us-west-2");
  const json& west = only(sys.t(secondary), "AWS::RDS::DBCluster");
  CHECK(west["StorageEncrypted"] == true);
  CHECK(is_cross_stack(west["KmsKeyId"], base));
  // Key policies: the account administers; services only with a condition or as a named service principal.
  for (const auto* stack : {primary, base, secondary}) {
    auto t = sys.t(stack);
    for (const auto& id : t.find_resources("AWS::KMS::Key")) {
      INFO(stack << " " << id);
      for (const auto& st : properties(t.resource(id))["KeyPolicy"]["Statement"]) {
        if (st["Effect"] == "Deny") {  // the one Deny: no grants but AWS services' (CT.KMS.PR.3)
          CHECK(st["Sid"] == "GrantsOnlyForAwsServices");
          continue;
        }
        CHECK(st["Principal"] != "*");
        CHECK_FALSE(contains(st["Principal"], "\"*\""));
      }
    }
  }
}

TEST_CASE("aurora: 7-day backups with point-in-time recovery and pg_stat_statements in both regions", "[aurora]") {
  AuroraSystem sys;
  for (const auto* stack : {primary, secondary}) {
    INFO(stack);
    auto t = sys.t(stack);
    const json& cluster = only(t, "AWS::RDS::DBCluster");
    CHECK(cluster["BackupRetentionPeriod"] == 7);  // Aurora keeps PITR for the retention period
    const json& params = only(t, "AWS::RDS::DBClusterParameterGroup");
    CHECK(params["Family"] == "aurora-postgresql15");
    CHECK(contains(params["Parameters"]["shared_preload_libraries"], "pg_stat_statements"));
    CHECK(params["Parameters"]["rds.force_ssl"] == "1");
    CHECK(cluster["DBClusterParameterGroupName"] == json{{"Ref", t.find_resources("AWS::RDS::DBClusterParameterGroup").front()}});
  }
}

TEST_CASE("aurora: a writer and 2 readers in three different AZs in each region, db.r6g.large by default", "[aurora]") {
  AuroraSystem sys;
  for (const auto* stack : {primary, secondary}) {
    INFO(stack);
    auto t = sys.t(stack);
    const auto instances = t.find_resources("AWS::RDS::DBInstance");
    REQUIRE(instances.size() == 3);
    std::set<std::string> azs;
    for (const auto& id : instances) {
      const json& i = properties(t.resource(id));
      CHECK(i["DBInstanceClass"] == "db.r6g.large");
      CHECK(i["PubliclyAccessible"] == false);
      azs.insert(i["AvailabilityZone"].dump());
    }
    CHECK(azs.size() == 3);
  }
}

TEST_CASE("aurora: instanceClass db.serverless gives Serverless v2 instances with a 0.5 ACU minimum", "[aurora]") {
  AuroraSystem sys({.instance_class = "db.serverless", .max_capacity_acu = 8});
  for (const auto* stack : {primary, secondary}) {
    auto t = sys.t(stack);
    CHECK(only(t, "AWS::RDS::DBCluster")["ServerlessV2ScalingConfiguration"] ==
          json{{"MinCapacity", 0.5}, {"MaxCapacity", 8}});
    t.all_resources_match("AWS::RDS::DBInstance", {{"DBInstanceClass", "db.serverless"}});
  }
  const auto e = aurora_error({.instance_class = "db.serverless", .min_capacity_acu = 0.25});
  CHECK(test::has_diagnostic(e, "E824", "AuroraGlobalDr", "min_capacity_acu"));
  CHECK(test::has_diagnostic(aurora_error({.readers = 1}), "E825", "AuroraGlobalDr", "readers"));
  CHECK(test::has_diagnostic(aurora_error({.instance_class = "db.t3.medium"}), "E823", "AuroraGlobalDr"));
}

TEST_CASE("aurora: generated credentials (16+ characters, specials allowed) under a customer-managed key, a secret per region, rotated from inside the VPC", "[aurora][security]") {
  AuroraSystem sys;
  auto p = sys.t(primary);
  const json& secret = only(p, "AWS::SecretsManager::Secret");
  CHECK(secret["Name"] == "secret-aurora-master-dev");
  CHECK(secret["GenerateSecretString"]["PasswordLength"].get<int>() >= 16);
  CHECK_FALSE(secret["GenerateSecretString"].contains("ExcludePunctuation"));
  CHECK(secret["GenerateSecretString"]["ExcludeCharacters"] == " \"'/@\\");  // only what RDS refuses
  CHECK(secret["KmsKeyId"] == get_att_arn(key_with_alias(p, "alias/kms-data-primary-dev")));
  REQUIRE(secret["ReplicaRegions"].size() == 1);
  CHECK(secret["ReplicaRegions"][0]["Region"] == "us-west-2");
  CHECK(is_cross_stack(secret["ReplicaRegions"][0]["KmsKeyId"], base));  // the replica: its own key in us-west-2
  const json& schedule = only(p, "AWS::SecretsManager::RotationSchedule");
  CHECK(schedule.contains("RotationLambdaARN"));
  const auto rotation = p.find_resources("AWS::Lambda::Function", {{"FunctionName", "lambda-rotate-aurora-dev"}});
  REQUIRE(rotation.size() == 1);
  CHECK(properties(p.resource(rotation.front()))["VpcConfig"]["SubnetIds"].size() == 3);
}

TEST_CASE("aurora: the export bucket is versioned, SSE-KMS, private, TLS- and encryption-enforcing, replicated to us-west-2, Glacier after 30 days", "[aurora][s3]") {
  AuroraSystem sys;
  auto p = sys.t(primary);
  const auto ids = p.find_resources("AWS::S3::Bucket", {{"BucketName", {{"Fn::Sub", "s3-db-export-dev-${AWS::AccountId}-${AWS::Region}"}}}});
  REQUIRE(ids.size() == 1);
  const json& bucket = properties(p.resource(ids.front()));
  CHECK(bucket["VersioningConfiguration"]["Status"] == "Enabled");
  CHECK(bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms");
  CHECK(bucket["PublicAccessBlockConfiguration"] == json{{"BlockPublicAcls", true}, {"BlockPublicPolicy", true},
                                                          {"IgnorePublicAcls", true}, {"RestrictPublicBuckets", true}});
  CHECK(contains(bucket["LifecycleConfiguration"], R"({"StorageClass":"GLACIER","TransitionInDays":30})"));
  CHECK(contains(bucket["ReplicationConfiguration"]["Rules"], "AuroraDrBase-dev"));  // the replica bucket in us-west-2
  const json& policy = only(p, "AWS::S3::BucketPolicy");
  CHECK(contains(policy, "aws:SecureTransport"));
  CHECK(contains(policy, "s3:x-amz-server-side-encryption"));
  const auto replica = sys.t(base).find_resources("AWS::S3::Bucket", {{"BucketName", {{"Fn::Sub", "s3-db-export-replica-dev-${AWS::AccountId}-${AWS::Region}"}}}});
  REQUIRE(replica.size() == 1);
  // Destroyable: destroy.sh empties both versioned buckets before deleting their stacks.
  const std::string destroy = destroy_script(sys.assembly);
  const auto empty_export = destroy.find("drsynth_empty_bucket 'us-east-1' 'AuroraPrimary-dev' '" + ids.front() + "'");
  const auto empty_replica = destroy.find("drsynth_empty_bucket 'us-west-2' 'AuroraDrBase-dev' '" + replica.front() + "'");
  CHECK(empty_export != std::string::npos);
  CHECK(empty_replica != std::string::npos);
  CHECK(empty_export < destroy.find("--stack-name 'AuroraPrimary-dev'"));
}

TEST_CASE("aurora: SNS topics in both regions under customer-managed keys, RDS events for failover, failures and backups, an SQS queue with a DLQ (3 receives) and a DLQ alarm", "[aurora][events]") {
  AuroraSystem sys({.alarm_emails = {"oncall@example.com"}});
  for (const auto& [stack, word] : {std::pair{primary, "primary"}, std::pair{secondary, "secondary"}}) {
    INFO(stack);
    auto t = sys.t(stack);
    const std::string key = key_with_alias(t, std::string("alias/kms-events-") + word + "-dev");
    const auto topics = t.find_resources("AWS::SNS::Topic", {{"TopicName", std::string("sns-db-events-") + word + "-dev"}});
    REQUIRE(topics.size() == 1);
    CHECK(properties(t.resource(topics.front()))["KmsMasterKeyId"] == get_att_arn(key));
    CHECK(contains(only(t, "AWS::SNS::TopicPolicy"), "aws:SecureTransport"));
    const auto subscriptions = t.find_resources("AWS::RDS::EventSubscription");
    REQUIRE(subscriptions.size() == 2);
    const json events = properties(t.resource(t.find_resources("AWS::RDS::EventSubscription", {{"SourceType", "db-cluster"}}).front()));
    for (const char* category : {"failover", "failure", "global-failover"})  // failover, failures, replication
      CHECK(contains(events["EventCategories"], category));
    const json backups = properties(t.resource(t.find_resources("AWS::RDS::EventSubscription", {{"SourceType", "db-cluster-snapshot"}}).front()));
    CHECK(contains(backups["EventCategories"], "backup"));  // backup failures
    CHECK(backups["SnsTopicArn"] == events["SnsTopicArn"]);
    const auto queues = t.find_resources("AWS::SQS::Queue", {{"QueueName", std::string("sqs-db-events-") + word + "-dev"}});
    REQUIRE(queues.size() == 1);
    const json& queue = properties(t.resource(queues.front()));
    CHECK(queue["RedrivePolicy"]["maxReceiveCount"] == 3);
    CHECK(queue["KmsMasterKeyId"] == get_att_arn(key));
    t.has_resource_properties("AWS::SNS::Subscription", {{"Protocol", "sqs"}});
    t.has_resource_properties("AWS::SNS::Subscription", {{"Protocol", "email"}, {"Endpoint", "oncall@example.com"}});
    t.has_resource_properties("AWS::CloudWatch::Alarm", {{"AlarmName", std::string("alarm-events-dlq-") + word + "-dev"},
                                                         {"MetricName", "ApproximateNumberOfMessagesVisible"}});
  }
}

TEST_CASE("aurora: VPCs with private subnets in 3 AZs, flow logs, peering with routes, 5432 only from named networks", "[aurora][network]") {
  AuroraSystem sys({.application_cidrs = {"10.30.128.0/20"}});
  for (const auto& [stack, peer] : {std::pair{primary, "10.40.0.0/16"}, std::pair{secondary, "10.30.0.0/16"}}) {
    INFO(stack);
    auto t = sys.t(stack);
    t.resource_count_is("AWS::EC2::Subnet", 3);
    t.all_resources_match("AWS::EC2::Subnet", {{"MapPublicIpOnLaunch", false}});
    t.resource_count_is("AWS::EC2::InternetGateway", 0);
    t.resource_count_is("AWS::EC2::FlowLog", 1);
    const auto sgs = t.find_resources("AWS::EC2::SecurityGroup", {{"GroupName", std::string("secgroup-db-") +
                                                                    (std::string(stack) == primary ? "primary" : "secondary") + "-dev"}});
    REQUIRE(sgs.size() == 1);
    std::set<std::string> cidrs;
    for (const auto& rule : properties(t.resource(sgs.front()))["SecurityGroupIngress"]) {
      CHECK(rule["FromPort"] == 5432);
      CHECK(rule["ToPort"] == 5432);
      if (rule.contains("CidrIp")) cidrs.insert(rule["CidrIp"]);
    }
    CHECK(cidrs == std::set<std::string>{"10.30.128.0/20", peer});
  }
  sys.t(secondary).resource_count_is("AWS::EC2::VPCPeeringConnection", 1);
  CHECK(sys.t(secondary).find_resources("AWS::EC2::Route").size() == 3);  // to the primary VPC, from each subnet
  CHECK(sys.t(routes).find_resources("AWS::EC2::Route").size() == 3);     // and back
}

TEST_CASE("aurora: Environment=production and DR-Tier=critical on every taggable resource by default", "[aurora][tags]") {
  AuroraSystem sys;
  std::size_t tagged = 0;
  const std::set<std::string> taggable{"AWS::RDS::DBCluster", "AWS::RDS::DBInstance", "AWS::RDS::GlobalCluster",
                                       "AWS::KMS::Key", "AWS::S3::Bucket", "AWS::SNS::Topic", "AWS::SQS::Queue",
                                       "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::SecurityGroup",
                                       "AWS::Lambda::Function", "AWS::SecretsManager::Secret", "AWS::Logs::LogGroup",
                                       "AWS::IAM::Role", "AWS::CloudWatch::Alarm", "AWS::RDS::EventSubscription"};
  for (const auto& artifact : sys.assembly.stacks) {
    auto t = sys.t(artifact.name);
    for (const auto& [id, resource] : t.json()["Resources"].items()) {
      if (!taggable.contains(resource["Type"])) continue;
      INFO(artifact.name << " " << id);
      const json& tags = resource["Properties"]["Tags"];
      CHECK(contains(tags, R"({"Key":"Environment","Value":"production"})"));
      CHECK(contains(tags, R"({"Key":"DR-Tier","Value":"critical"})"));
      ++tagged;
    }
  }
  CHECK(tagged > 70);
  AuroraSystem staging({.environment_suffix = "stg", .environment_tag = "staging", .dr_tier = "tier-2"});
  staging.t("AuroraPrimary-stg").has_resource_properties(
      "AWS::RDS::DBCluster", {{"Tags", json::array({{{"Key", "DR-Tier"}, {"Value", "tier-2"}},
                                                    {{"Key", "Environment"}, {"Value", "staging"}},
                                                    {{"Key", "EnvironmentSuffix"}, {"Value", "stg"}},
                                                    {{"Key", "ManagedBy"}, {"Value", "drsynth"}},
                                                    {{"Key", "Project"}, {"Value", "drsynth"}}})}});
}

TEST_CASE("aurora: deletion protection is off by default (destroyable) and on for both clusters and the global cluster in production", "[aurora]") {
  AuroraSystem dev;
  CHECK(only(dev.t(primary), "AWS::RDS::GlobalCluster")["DeletionProtection"] == false);
  for (const auto* stack : {primary, secondary}) {
    const auto t = dev.t(stack);
    CHECK(only(t, "AWS::RDS::DBCluster")["DeletionProtection"] == false);
    for (const auto& [id, r] : t.json()["Resources"].items()) CHECK(r.value("DeletionPolicy", "Delete") == "Delete");
  }
  AuroraSystem prod({.deletion_protection = true});
  CHECK(only(prod.t(primary), "AWS::RDS::GlobalCluster")["DeletionProtection"] == true);
  for (const auto* stack : {primary, secondary}) CHECK(only(prod.t(stack), "AWS::RDS::DBCluster")["DeletionProtection"] == true);
}

TEST_CASE("aurora: PostgreSQL log exports go to log groups under the region's customer-managed key", "[aurora][security]") {
  AuroraSystem sys;
  for (const auto& [stack, cluster] : {std::pair{primary, "aurora-primary-dev"}, std::pair{secondary, "aurora-secondary-dev"}}) {
    INFO(stack);
    auto t = sys.t(stack);
    CHECK(only(t, "AWS::RDS::DBCluster")["EnableCloudwatchLogsExports"] == json::array({"postgresql"}));
    const auto groups = t.find_resources("AWS::Logs::LogGroup",
                                         {{"LogGroupName", "/aws/rds/cluster/" + std::string(cluster) + "/postgresql"}});
    REQUIRE(groups.size() == 1);
    CHECK(properties(t.resource(groups.front())).contains("KmsKeyId"));
  }
}

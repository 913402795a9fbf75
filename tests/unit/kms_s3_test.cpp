// kms::Key and s3::Bucket: the template JSON they render and their validation.
#include <catch2/catch.hpp>

#include "aurora_fixture.hpp"
#include "drsynth/drsynth.hpp"
#include "drsynth/iam/role.hpp"
#include "net_test_support.hpp"

using namespace drsynth;
using assertions::absent;
using assertions::array_with;
using assertions::Template;
using json = nlohmann::json;

namespace {
json root_principal() { return {{"AWS", {{"Fn::Sub", "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}}}; }
json get_att(const std::string& id, const std::string& attr) { return {{"Fn::GetAtt", json::array({id, attr})}}; }
// AWS Control Tower CT.KMS.PR.3: grants only for AWS services, in every key policy.
json grants_only_for_aws_services() {
  return {{"Sid", "GrantsOnlyForAwsServices"},
          {"Effect", "Deny"},
          {"Principal", {{"AWS", "*"}}},
          {"Action", {"kms:CreateGrant"}},
          {"Resource", "*"},
          {"Condition", {{"BoolIfExists", {{"kms:GrantIsForAWSResource", "false"}, {"aws:PrincipalIsAWSService", "false"}}}}}};
}
}  // namespace

TEST_CASE("kms::Key: rotation on, the shortest pending window, destroyable, the account admin statement and no grants but AWS services'",
          "[kms]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  s.add<kms::Key>("DataKey", {.description = "dr data", .alias = "alias/dr-data-dev"});
  auto t = Template::from_app(app, "S");
  const std::string id = t.find_resources("AWS::KMS::Key").at(0);
  t.has_resource("AWS::KMS::Key",
                 {{"DeletionPolicy", "Delete"},
                  {"UpdateReplacePolicy", "Delete"},
                  {"Properties",
                   {{"Description", "dr data"},
                    {"EnableKeyRotation", true},
                    {"PendingWindowInDays", 7},
                    {"RotationPeriodInDays", absent()},
                    {"KeyPolicy", {{"Version", "2012-10-17"},
                                   {"Statement", json::array({{{"Sid", "AccountAdmin"},
                                                               {"Effect", "Allow"},
                                                               {"Principal", root_principal()},
                                                               {"Action", "kms:*"},
                                                               {"Resource", "*"}},
                                                              grants_only_for_aws_services()})}}}}}});
  t.has_resource_properties("AWS::KMS::Alias", {{"AliasName", "alias/dr-data-dev"}, {"TargetKeyId", get_att(id, "Arn")}});
}

TEST_CASE("kms::Key grants: services by principal, account principals through one service, log groups by "
          "encryption context, roles in their own policy",
          "[kms]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1", .account = "123456789012"}});
  auto& key = s.add<kms::Key>("Key", {});
  key.grant_service("cloudwatch.amazonaws.com", kms::publish_actions());
  key.grant_via_service("rds");
  key.grant_log_group("/aws/rds/cluster/aurora-primary-dev/postgresql");
  key.grant_log_group("/drsynth/vpc-flow-logs/dev");
  key.grant_log_group("/drsynth/vpc-flow-logs/dev");  // once is enough
  auto& role = s.add<iam::Role>("Reader", {.assumed_by = "lambda.amazonaws.com"});
  key.grant(role, kms::decrypt_actions(), "secretsmanager");
  auto t = Template::from_app(app, "S");
  const json root = {{"AWS", {{"Fn::Sub", "arn:${AWS::Partition}:iam::123456789012:root"}}}};
  const json statements = t.only_resource("AWS::KMS::Key")["Properties"]["KeyPolicy"]["Statement"];
  REQUIRE(statements.size() == 5);
  CHECK(statements[0]["Principal"] == root);
  CHECK(statements[1] == grants_only_for_aws_services());
  CHECK(statements[2] == json{{"Effect", "Allow"},
                              {"Principal", {{"Service", "cloudwatch.amazonaws.com"}}},
                              {"Action", {"kms:Decrypt", "kms:GenerateDataKey*"}},
                              {"Resource", "*"}});
  CHECK(statements[3] == json{{"Effect", "Allow"},
                              {"Principal", root},
                              {"Action", {"kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt",
                                          "kms:GenerateDataKey*", "kms:ReEncrypt*"}},
                              {"Resource", "*"},
                              {"Condition", {{"StringEquals", {{"kms:CallerAccount", "123456789012"},
                                                               {"kms:ViaService", "rds.us-east-1.amazonaws.com"}}}}}});
  CHECK(statements[4] ==
        json{{"Sid", "CloudWatchLogs"},
             {"Effect", "Allow"},
             {"Principal", {{"Service", "logs.us-east-1.amazonaws.com"}}},
             {"Action", {"kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"}},
             {"Resource", "*"},
             {"Condition",
              {{"ArnEquals",
                {{"kms:EncryptionContext:aws:logs:arn",
                  {{{"Fn::Sub", "arn:${AWS::Partition}:logs:${AWS::Region}:123456789012:log-group:/aws/rds/cluster/"
                                "aurora-primary-dev/postgresql"}},
                   {{"Fn::Sub", "arn:${AWS::Partition}:logs:${AWS::Region}:123456789012:log-group:/drsynth/vpc-flow-logs/dev"}}}}}}}}});
  const std::string key_id = t.find_resources("AWS::KMS::Key").at(0);
  t.has_resource_properties(
      "AWS::IAM::Policy",
      {{"PolicyDocument",
        {{"Statement", json::array({{{"Effect", "Allow"},
                                     {"Action", "kms:Decrypt"},
                                     {"Resource", get_att(key_id, "Arn")},
                                     {"Condition", {{"StringEquals",
                                                     {{"kms:ViaService", "secretsmanager.us-east-1.amazonaws.com"}}}}}}})}}}});
  CHECK(key.granted_services() == std::vector<std::string>{"cloudwatch.amazonaws.com", "via:rds",
                                                           "logs.us-east-1.amazonaws.com"});
}

TEST_CASE("kms::Key validation names the key, the bad value and the rule", "[kms][validation]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  s.add<kms::Key>("AwsAlias", {.alias = "alias/aws/rds"});
  s.add<kms::Key>("Window", {.alias = "no-prefix", .rotation_period_days = 30, .pending_window_days = 5});
  s.add<kms::Key>("Off", {.enable_key_rotation = false, .rotation_period_days = 365,
                          .removal_policy = RemovalPolicy::snapshot});
  auto& grants = s.add<kms::Key>("Grants", {});
  grants.grant_service("logs.eu-west-1.amazonaws.com", {"kms:Encrypt"});
  grants.grant_service("cloudwatch", {"kms:Decrypt"});
  grants.grant_service("sns.amazonaws.com", {"kms:*"}, {}, "Publish");
  grants.grant_service("sqs.amazonaws.com", {"s3:GetObject"}, {}, "Publish");
  grants.grant_service("events.rds.amazonaws.com", {});
  grants.grant_via_service("rds.amazonaws.com");
  const auto ds = net_test::synth_errors(app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E910", "S/AwsAlias", "alias/aws/rds"));
  CHECK(net_test::has_diagnostic(ds, "E910", "S/Window", "no-prefix"));
  CHECK(net_test::has_diagnostic(ds, "E911", "S/Window", "5 days"));
  CHECK(net_test::has_diagnostic(ds, "E911", "S/Window", "30 days"));
  CHECK(net_test::has_diagnostic(ds, "E911", "S/Off", "365 days"));
  CHECK(net_test::has_diagnostic(ds, "E914", "S/Off", "snapshot"));
  CHECK(net_test::has_diagnostic(ds, "E912", "S/Grants", "logs.eu-west-1.amazonaws.com"));
  CHECK(net_test::has_diagnostic(ds, "E912", "S/Grants", "cloudwatch"));
  CHECK(net_test::has_diagnostic(ds, "E912", "S/Grants", "rds.amazonaws.com"));
  CHECK(net_test::has_diagnostic(ds, "E913", "S/Grants", "kms:*"));
  CHECK(net_test::has_diagnostic(ds, "E913", "S/Grants", "s3:GetObject"));
  CHECK(net_test::has_diagnostic(ds, "E913", "S/Grants", "[]"));
  CHECK(net_test::has_diagnostic(ds, "E913", "S/Grants", "Publish"));
}

TEST_CASE("s3::Bucket: versioned, SSE-KMS with a bucket key, private, TLS-only, encryption-enforcing, Glacier "
          "after 30 days",
          "[s3]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& key = s.add<kms::Key>("Key", {});
  s.add<s3::Bucket>("Export", {.bucket_name = "s3-db-export-dev", .kms_key = key, .transition_to_glacier_days = 30});
  auto t = Template::from_app(app, "S");
  const std::string key_id = t.find_resources("AWS::KMS::Key").at(0);
  const std::string bucket_id = t.find_resources("AWS::S3::Bucket").at(0);
  const json glacier = json::array({{{"StorageClass", "GLACIER"}, {"TransitionInDays", 30}}});
  t.has_resource(
      "AWS::S3::Bucket",
      {{"DeletionPolicy", "Delete"},
       {"UpdateReplacePolicy", "Delete"},
       {"Properties",
        {{"BucketName", "s3-db-export-dev"},
         {"VersioningConfiguration", {{"Status", "Enabled"}}},
         {"BucketEncryption",
          {{"ServerSideEncryptionConfiguration",
            json::array({{{"BucketKeyEnabled", true},
                          {"ServerSideEncryptionByDefault",
                           {{"SSEAlgorithm", "aws:kms"}, {"KMSMasterKeyID", get_att(key_id, "Arn")}}}}})}}},
         {"PublicAccessBlockConfiguration",
          {{"BlockPublicAcls", true}, {"BlockPublicPolicy", true}, {"IgnorePublicAcls", true}, {"RestrictPublicBuckets", true}}},
         {"OwnershipControls", {{"Rules", json::array({{{"ObjectOwnership", "BucketOwnerEnforced"}}})}}},
         {"LifecycleConfiguration",
          {{"Rules", json::array({{{"Id", "TransitionToGlacier"},
                                   {"Status", "Enabled"},
                                   {"Transitions", glacier},
                                   {"NoncurrentVersionTransitions", glacier}},
                                  {{"Id", "AbortIncompleteMultipartUploads"},
                                   {"Status", "Enabled"},
                                   {"AbortIncompleteMultipartUpload", {{"DaysAfterInitiation", 7}}}}})}}},
         {"ReplicationConfiguration", absent()}}}});
  const json objects = {{"Fn::Join", json::array({"", json::array({get_att(bucket_id, "Arn"), "/*"})})}};
  t.has_resource_properties(
      "AWS::S3::BucketPolicy",
      {{"Bucket", {{"Ref", bucket_id}}},
       {"PolicyDocument",
        {{"Statement",
          json::array({{{"Sid", "EnforceTLS"},
                        {"Effect", "Deny"},
                        {"Principal", "*"},
                        {"Action", "s3:*"},
                        {"Resource", json::array({get_att(bucket_id, "Arn"), objects})},
                        {"Condition", {{"Bool", {{"aws:SecureTransport", "false"}}}}}},
                       {{"Sid", "DenyOtherEncryption"},
                        {"Effect", "Deny"},
                        {"Principal", "*"},
                        {"Action", "s3:PutObject"},
                        {"Resource", objects},
                        {"Condition", {{"StringNotEqualsIfExists", {{"s3:x-amz-server-side-encryption", "aws:kms"}}}}}},
                       {{"Sid", "DenyOtherKmsKey"},
                        {"Effect", "Deny"},
                        {"Principal", "*"},
                        {"Action", "s3:PutObject"},
                        {"Resource", objects},
                        {"Condition", {{"StringNotEqualsIfExists",
                                        {{"s3:x-amz-server-side-encryption-aws-kms-key-id", get_att(key_id, "Arn")}}}}}}})}}}});
}

TEST_CASE("s3::Bucket replicates across regions with a least-privilege role and a key of the destination's region",
          "[s3][aurora]") {
  App app({.read_environment = false});
  const auto a = aurora_test::build_aurora_app(app);
  const auto assembly = synthesize(app);
  const auto east = Template::from_assembly(assembly, "AuroraPrimary-dev");
  const std::string bucket_id = a.exports->resource().logical_id();
  const std::string key_id = a.east_data_key->resource().logical_id();
  const std::string role_id = a.exports->replication_role()->resource().logical_id();
  // The destination (us-west-2) comes through Fn::GetStackOutput.
  const json& dest = east.resource(bucket_id)["Properties"]["ReplicationConfiguration"];
  CHECK(dest["Role"] == get_att(role_id, "Arn"));
  const json& rule = dest["Rules"].at(0);
  CHECK(rule["Id"] == "ReplicateAll");
  CHECK(rule["Priority"] == 1);
  CHECK(rule["Filter"] == json{{"Prefix", ""}});
  CHECK(rule["DeleteMarkerReplication"] == json{{"Status", "Enabled"}});
  CHECK(rule["SourceSelectionCriteria"] == json{{"SseKmsEncryptedObjects", {{"Status", "Enabled"}}}});
  CHECK(rule["Destination"]["Bucket"].contains("Fn::GetStackOutput"));
  CHECK(rule["Destination"]["Bucket"]["Fn::GetStackOutput"]["Region"] == "us-west-2");
  CHECK(rule["Destination"]["EncryptionConfiguration"]["ReplicaKmsKeyID"]["Fn::GetStackOutput"]["StackName"] ==
        "AuroraDrBase-dev");
  // The role: S3 of this account (and this bucket), and nothing but replication.
  const json& role = east.resource(role_id)["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
  CHECK(role["Principal"] == json{{"Service", "s3.amazonaws.com"}});
  CHECK(role["Condition"] == json{{"ArnLike", {{"aws:SourceArn", {{"Fn::Sub", "arn:${AWS::Partition}:s3:::s3-db-export-dev"}}}}},
                                  {"StringEquals", {{"aws:SourceAccount", {{"Ref", "AWS::AccountId"}}}}}});
  const json& statements = east.only_resource("AWS::IAM::Policy", {{"Roles", json::array({{{"Ref", role_id}}})}})
                               ["Properties"]["PolicyDocument"]["Statement"];
  REQUIRE(statements.size() == 5);
  CHECK(statements[0]["Action"] == json{"s3:GetReplicationConfiguration", "s3:ListBucket"});
  CHECK(statements[0]["Resource"] == get_att(bucket_id, "Arn"));
  CHECK(statements[1]["Action"] ==
        json{"s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"});
  CHECK(statements[2]["Action"] == json{"s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"});
  CHECK(statements[2]["Resource"]["Fn::Join"][1][0].contains("Fn::GetStackOutput"));
  CHECK(statements[3]["Action"] == "kms:Decrypt");
  CHECK(statements[3]["Resource"] == get_att(key_id, "Arn"));
  CHECK(statements[3]["Condition"]["StringEquals"] == json{{"kms:ViaService", "s3.us-east-1.amazonaws.com"}});
  CHECK(statements[3]["Condition"]["StringLike"]["kms:EncryptionContext:aws:s3:arn"].size() == 2);
  CHECK(statements[4]["Action"] == json{"kms:Encrypt", "kms:GenerateDataKey"});
  CHECK(statements[4]["Condition"]["StringEquals"] == json{{"kms:ViaService", "s3.us-west-2.amazonaws.com"}});
  // The source stack is deployed after the destination's.
  CHECK(assembly.find("AuroraPrimary-dev")->dependencies == std::vector<std::string>{"AuroraDrBase-dev"});
}

TEST_CASE("s3::Bucket empty_on_destroy: destroy.sh empties each bucket right before deleting its stack",
          "[s3][aurora]") {
  App app({.read_environment = false});
  const auto a = aurora_test::build_aurora_app(app);
  const auto assembly = synthesize(app);
  const std::string script = destroy_script(assembly);
  const auto pos = [&](const std::string& text) {
    const auto p = script.find(text);
    INFO(text << "\n" << script);
    REQUIRE(p != std::string::npos);
    return p;
  };
  pos("drsynth_empty_bucket() {");
  pos("aws s3api list-object-versions --region \"$region\" --bucket \"$bucket\" --max-keys 1000 --no-paginate");
  const auto empty_source = pos("drsynth_empty_bucket 'us-east-1' 'AuroraPrimary-dev' '" +
                                a.exports->resource().logical_id() + "'");
  const auto delete_source = pos("delete-stack --region 'us-east-1' --stack-name 'AuroraPrimary-dev'");
  const auto empty_replica = pos("drsynth_empty_bucket 'us-west-2' 'AuroraDrBase-dev' '" +
                                 a.export_replica->resource().logical_id() + "'");
  const auto delete_replica = pos("delete-stack --region 'us-west-2' --stack-name 'AuroraDrBase-dev'");
  CHECK(empty_source < delete_source);
  CHECK(delete_source < empty_replica);
  CHECK(empty_replica < delete_replica);
  // Without such a bucket the script has no helper (existing assemblies are unchanged).
  App plain({.read_environment = false});
  plain.add<Stack>("P", StackProps{.env = {.region = "us-east-1"}}).add<s3::Bucket>("B", {});
  CHECK(destroy_script(synthesize(plain)).find("drsynth_empty_bucket") == std::string::npos);
}

TEST_CASE("s3::Bucket validation names the bucket, the bad value and the rule", "[s3][validation]") {
  CHECK(s3::is_valid_bucket_name("s3-db-export-dev"));
  for (const char* bad : {"ab", "Upper", "-dash", "dots..dots", "192.168.1.1", "xn--name", "name-s3alias", "end-"})
    CHECK_FALSE(s3::is_valid_bucket_name(bad));
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& w = app.add<Stack>("W", StackProps{.env = {.region = "eu-west-1"}});
  auto& west_key = w.add<kms::Key>("Key", {});
  auto& plain_dest = w.add<s3::Bucket>("PlainDest", {.versioned = false});
  s.add<s3::Bucket>("Name", {.bucket_name = "Bad_Name", .transition_to_glacier_days = 30, .noncurrent_expiration_days = 10,
                             .abort_incomplete_multipart_days = 0});
  s.add<s3::Bucket>("Keyed", {.kms_key = west_key, .removal_policy = RemovalPolicy::snapshot});
  auto& source = s.add<s3::Bucket>("Source", {.kms_key = s.add<kms::Key>("SourceKey", {}), .versioned = false,
                                              .replicate_to = plain_dest, .removal_policy = RemovalPolicy::retain,
                                              .empty_on_destroy = true});
  (void)source;
  const auto ds = net_test::synth_errors(app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E915", "S/Name", "Bad_Name"));
  CHECK(net_test::has_diagnostic(ds, "E916", "S/Name", "0 days"));
  CHECK(net_test::has_diagnostic(ds, "E916", "S/Name", "10 days"));
  CHECK(net_test::has_diagnostic(ds, "E917", "S/Keyed", "eu-west-1"));
  CHECK(net_test::has_diagnostic(ds, "E920", "S/Keyed", "snapshot"));
  CHECK(net_test::has_diagnostic(ds, "E918", "S/Source", "kms_key unset"));
  CHECK(net_test::has_diagnostic(ds, "E919", "S/Source", "S/Source is not versioned"));
  CHECK(net_test::has_diagnostic(ds, "E920", "S/Source", "retain"));
}

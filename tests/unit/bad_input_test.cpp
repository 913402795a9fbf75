// Every kind of mistake a user can make, one row each: the run fails with the
// exact code, the construct path and the exit code, and the previous assembly
// in the output folder is untouched (byte for byte, no temporaries left).
#include <set>

#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/logs/log_group.hpp"
#include "drsynth/rds/parameter_group.hpp"
#include "drsynth/route53/private_hosted_zone.hpp"
#include "drsynth/route53/weighted_record.hpp"
#include "drsynth/secrets/database_secret.hpp"
#include "drsynth/sns/topic.hpp"
#include "test_support.hpp"

using namespace drsynth;
namespace fs = std::filesystem;

namespace {

struct Row {
  std::string name;
  std::vector<std::string> args{};           // extra command-line arguments (-c ...)
  std::optional<std::string> settings{};     // drsynth.json text, passed with --settings
  std::optional<std::string> environment{};  // CDK_CONTEXT_JSON
  std::function<void(App&)> define{};        // empty: the built-in DR system
  std::string code;
  std::string path;                          // "<app>" for settings problems
  int exit = cli::exit_user_error;
  std::string contains{};                    // more text the error output must contain
};

Stack& stack(App& app, std::string name = "S-dev") {
  return app.add<Stack>("S", StackProps{.stack_name = std::move(name), .env = {.region = "us-east-1"}});
}
CfnResource& l1(Construct& scope, std::string id, std::string type, Value::Object props = {}) {
  return scope.add<CfnResource>(std::move(id), CfnResourceProps{.type = std::move(type), .properties = std::move(props)});
}
Value obj(std::initializer_list<std::pair<const std::string, Value>> kv) { return Value::object(kv); }

cloudwatch::Metric metric(int period) {
  return {.namespace_name = "drsynth", .metric_name = "Healthy", .statistic = "Minimum", .period_seconds = period};
}

std::vector<Row> rows() {
  const std::string dr = "DisasterRecovery";
  std::vector<Row> r;
  auto c = [](std::string kv) { return std::vector<std::string>{"-c", std::move(kv)}; };

  // ---- identifiers and names -------------------------------------------------
  r.push_back({.name = "suffix with upper case and underscore", .args = c("environmentSuffix=Bad_Suffix"), .code = "E801", .path = "<app>"});
  r.push_back({.name = "suffix with a double hyphen", .args = c("environmentSuffix=a--b"), .code = "E801", .path = "<app>"});
  r.push_back({.name = "suffix with a trailing hyphen", .args = c("environmentSuffix=dev-"), .code = "E801", .path = "<app>"});
  r.push_back({.name = "suffix with a slash", .args = c("environmentSuffix=a/b"), .code = "E801", .path = "<app>"});
  r.push_back({.name = "suffix one character too long (computed: 36)", .args = c("environmentSuffix=" + std::string(37, 'a')),
               .code = "E802", .path = "<app>", .contains = "at most 36 characters"});
  r.push_back({.name = "suffix empty", .args = c("environmentSuffix="), .code = "E801", .path = "<app>"});
  r.push_back({.name = "stack name over 128 characters",
               .define = [](App& a) { (void)stack(a, "S" + std::string(128, 'x')); }, .code = "E202", .path = "S"});
  r.push_back({.name = "stack name with invalid characters", .define = [](App& a) { (void)stack(a, "bad_name!"); },
               .code = "E202", .path = "S"});
  r.push_back({.name = "stack without a region",
               .define = [](App& a) { a.add<Stack>("S", StackProps{.stack_name = "S-dev"}); }, .code = "E203", .path = "S"});
  r.push_back({.name = "logical ID over 255 characters",
               .define = [](App& a) { l1(stack(a), "R", "AWS::SNS::Topic").override_logical_id(std::string(256, 'L')); },
               .code = "E201", .path = "S/R"});
  r.push_back({.name = "output name that is not alphanumeric",
               .define = [](App& a) { stack(a).add<CfnOutput>("Out", {.value = Value("x")}).override_logical_id("Out-1"); },
               .code = "E201", .path = "S/Out"});
  r.push_back({.name = "construct id with a slash",
               .define = [](App& a) { l1(stack(a), "a/b", "AWS::SNS::Topic"); }, .code = "E102", .path = "S"});
  r.push_back({.name = "two constructs with one id",
               .define = [](App& a) { auto& s = stack(a); l1(s, "X", "AWS::SNS::Topic"); l1(s, "X", "AWS::SNS::Topic"); },
               .code = "E103", .path = "S/X"});
  r.push_back({.name = "parameter group name with a double hyphen",
               .define = [](App& a) { stack(a).add<rds::ParameterGroup>("Params", {.name = "bad--name"}); },
               .code = "E733", .path = "S/Params"});
  r.push_back({.name = "topic name with a dot",
               .define = [](App& a) { stack(a).add<sns::Topic>("T", {.topic_name = "bad.name"}); }, .code = "E787", .path = "S/T"});
  r.push_back({.name = "hosted zone name with a space",
               .define = [](App& a) {
                 stack(a).add<route53::PrivateHostedZone>("Zone", {.zone_name = "bad zone.internal",
                                                                    .vpcs = {{.vpc_id = Value("vpc-1"), .region = "us-east-1"}}});
               },
               .code = "E750", .path = "S/Zone"});
  r.push_back({.name = "secret password length 4",
               .define = [](App& a) { stack(a).add<secrets::DatabaseSecret>("Secret", {.password_length = 4}); },
               .code = "E742", .path = "S/Secret"});

  // ---- instance classes and engine versions ------------------------------------
  r.push_back({.name = "primary class below db.r6g.large", .args = c("instanceClass=db.t3.micro"), .code = "E803", .path = "<app>"});
  r.push_back({.name = "replica class below db.r6g.large", .args = c("replicaInstanceClass=db.m6g.large"), .code = "E803", .path = "<app>"});
  r.push_back({.name = "unknown instance class", .args = c("instanceClass=db.zz9.large"), .code = "E722", .path = "<app>"});
  r.push_back({.name = "PostgreSQL 14", .args = c("engineVersion=14.9"), .code = "E720", .path = "<app>"});
  r.push_back({.name = "deprecated PostgreSQL 15 minor", .args = c("engineVersion=15.12"), .code = "E720", .path = "<app>"});
  r.push_back({.name = "engine version that is not a version", .args = c("engineVersion=latest"), .code = "E720", .path = "<app>"});
  r.push_back({.name = "parameter group for PostgreSQL 13",
               .define = [](App& a) { stack(a).add<rds::ParameterGroup>("Params", {.engine_version = "13.4"}); },
               .code = "E720", .path = "S/Params"});

  // ---- retention ---------------------------------------------------------------
  r.push_back({.name = "backup retention 3 (the pattern needs 7)", .args = c("backupRetentionDays=3"), .code = "E806", .path = "<app>"});
  r.push_back({.name = "backup retention 40 (RDS allows 0-35)", .args = c("backupRetentionDays=40"), .code = "E806", .path = "<app>"});
  r.push_back({.name = "backup retention negative", .args = c("backupRetentionDays=-1"), .code = "E806", .path = "<app>"});
  r.push_back({.name = "log retention 45 (not a CloudWatch value)", .args = c("logRetentionDays=45"), .code = "E746", .path = "<app>"});
  r.push_back({.name = "log group retention 2",
               .define = [](App& a) { stack(a).add<logs::LogGroup>("Logs", {.log_group_name = "/x", .retention_days = 2}); },
               .code = "E746", .path = "S/Logs"});
  r.push_back({.name = "log group name with a space",
               .define = [](App& a) { stack(a).add<logs::LogGroup>("Logs", {.log_group_name = "bad name"}); },
               .code = "E745", .path = "S/Logs"});

  // ---- networks and ports ------------------------------------------------------
  r.push_back({.name = "VPC CIDR that is not a CIDR", .args = c("primaryVpcCidr=not-a-cidr"), .code = "E700", .path = "<app>"});
  r.push_back({.name = "VPC CIDR prefix /33", .args = c("primaryVpcCidr=10.10.0.0/33"), .code = "E700", .path = "<app>"});
  r.push_back({.name = "VPC CIDR octet 300", .args = c("drVpcCidr=10.300.0.0/16"), .code = "E700", .path = "<app>"});
  r.push_back({.name = "VPC CIDR /12 (too large)", .args = c("drVpcCidr=172.16.0.0/12"), .code = "E701", .path = "<app>"});
  r.push_back({.name = "VPC CIDR with host bits", .define = [](App& a) { stack(a).add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.1/16"}); },
               .code = "E700", .path = "S/Vpc"});
  r.push_back({.name = "subnets that do not fit in the VPC",
               .define = [](App& a) { stack(a).add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.0/24", .max_azs = 3, .subnet_prefix_length = 24}); },
               .code = "E703", .path = "S/Vpc"});
  r.push_back({.name = "the two VPC CIDRs overlap", .args = c("drVpcCidr=10.10.128.0/17"), .code = "E805", .path = "<app>"});
  r.push_back({.name = "application CIDR open to the world", .args = c("applicationCidrs=0.0.0.0/0"), .code = "E710", .path = "<app>"});
  r.push_back({.name = "application CIDR malformed", .args = c("applicationCidrs=[\"10.0.0.0/99\"]"), .code = "E709", .path = "<app>"});
  r.push_back({.name = "security group port 70000",
               .define = [](App& a) {
                 auto& s = stack(a);
                 auto& vpc = s.add<ec2::Vpc>("Vpc", {});
                 s.add<ec2::SecurityGroup>("Sg", {.vpc = vpc, .port = 70000}).allow_from_cidr("10.0.0.0/16", "apps");
               },
               .code = "E711", .path = "S/Sg"});

  // ---- alarms, weights, TTL ----------------------------------------------------
  r.push_back({.name = "replica lag threshold 0", .args = c("replicaLagThresholdSeconds=0"), .code = "E808", .path = "<app>"});
  r.push_back({.name = "CPU threshold 150 %", .args = c("cpuThresholdPercent=150"), .code = "E808", .path = "<app>"});
  r.push_back({.name = "free storage threshold above the storage", .args = c("freeStorageThresholdGiB=500"), .code = "E808", .path = "<app>"});
  r.push_back({.name = "health alarm periods 0", .args = c("healthAlarmPeriods=0"), .code = "E808", .path = "<app>"});
  r.push_back({.name = "probe timeout 60 s", .args = c("probeTimeoutSeconds=60"), .code = "E808", .path = "<app>"});
  r.push_back({.name = "record TTL 300 s with a health check", .args = c("recordTtlSeconds=300"), .code = "E809", .path = "<app>"});
  r.push_back({.name = "record TTL negative", .args = c("recordTtlSeconds=-5"), .code = "E809", .path = "<app>"});
  r.push_back({.name = "recovery-time objective shorter than the budget", .args = c("recoveryTimeObjectiveSeconds=60"), .code = "E807", .path = "<app>"});
  r.push_back({.name = "Route 53 alarm with a 30 s period",
               .define = [](App& a) {
                 stack(a).add<cloudwatch::Alarm>("A", {.metric = metric(30), .threshold = 1, .route53_compatible = true});
               },
               .code = "E785", .path = "S/A"});
  r.push_back({.name = "Route 53 alarm with DatapointsToAlarm != EvaluationPeriods",
               .define = [](App& a) {
                 stack(a).add<cloudwatch::Alarm>("A", {.metric = metric(60), .threshold = 1, .evaluation_periods = 3,
                                                       .datapoints_to_alarm = 2, .route53_compatible = true});
               },
               .code = "E785", .path = "S/A"});
  r.push_back({.name = "weight 300",
               .define = [](App& a) {
                 auto& s = stack(a);
                 auto& zone = s.add<route53::PrivateHostedZone>(
                     "Zone", {.zone_name = "db.internal", .vpcs = {{.vpc_id = Value("vpc-1"), .region = "us-east-1"}}});
                 s.add<route53::WeightedRecord>("Rec", {.zone = zone, .record_name = "pg.db.internal",
                                                        .values = {Value("x.example.com")}, .weight = 300,
                                                        .set_identifier = "primary"});
               },
               .code = "E755", .path = "S/Rec"});
  r.push_back({.name = "alarm e-mail that is not an address", .args = c("alarmEmails=[\"not-an-email\"]"), .code = "E788", .path = "<app>"});
  r.push_back({.name = "allocated storage 10 GiB", .args = c("allocatedStorageGiB=10"), .code = "E810", .path = "<app>"});

  // ---- regions and accounts ----------------------------------------------------
  r.push_back({.name = "unknown primary region", .args = c("primaryRegion=us-east-9"), .code = "E804", .path = "<app>"});
  r.push_back({.name = "unknown DR region", .args = c("drRegion=mars-1"), .code = "E804", .path = "<app>"});
  r.push_back({.name = "primary and DR region the same", .args = c("drRegion=us-east-1"), .code = "E804", .path = "<app>"});
  r.push_back({.name = "account that is not 12 digits", .args = c("account=\"12345\""), .code = "E204", .path = "<app>"});

  // ---- settings: -c ------------------------------------------------------------
  r.push_back({.name = "unknown setting", .args = c("noSuchSetting=1"), .code = "E510", .path = "<app>", .contains = "noSuchSetting"});
  r.push_back({.name = "integer setting given a word", .args = c("backupRetentionDays=seven"), .code = "E501", .path = "<app>", .contains = "'backupRetentionDays' (-c)"});
  r.push_back({.name = "integer setting given a fraction", .args = c("backupRetentionDays=7.5"), .code = "E501", .path = "<app>", .contains = "backupRetentionDays"});
  r.push_back({.name = "string setting given a number in drsynth.json", .settings = "{\"environmentSuffix\": 42}", .code = "E501", .path = "<app>", .contains = "environmentSuffix"});
  r.push_back({.name = "string setting given a list", .args = c("environmentSuffix=[1]"), .code = "E501", .path = "<app>", .contains = "environmentSuffix"});
  r.push_back({.name = "list setting given an object", .args = c("applicationCidrs={\"a\":1}"), .code = "E501", .path = "<app>", .contains = "applicationCidrs"});
  r.push_back({.name = "boolean setting given a word", .args = c("destroyable=maybe"), .code = "E501", .path = "<app>", .contains = "destroyable"});
  r.push_back({.name = "string setting of 2000 characters", .args = c("project=" + std::string(2000, 'p')), .code = "E810", .path = "<app>", .contains = "project"});
  r.push_back({.name = "integer setting 1e12", .args = c("probeTimeoutSeconds=1e12"), .code = "E808", .path = "<app>", .contains = "probeTimeoutSeconds"});
  r.push_back({.name = "-c without '='", .args = c("environmentSuffix"), .code = "E503", .path = "<app>"});
  r.push_back({.name = "-c with an empty key", .args = c("=dev"), .code = "E503", .path = "<app>"});
  r.push_back({.name = "-c value that is not UTF-8", .args = c("environmentSuffix=d\xff\xfe" "v"), .code = "E503", .path = "<app>", .contains = "'environmentSuffix'"});
  r.push_back({.name = "-c value of 100 KB", .args = c("project=" + std::string(100 * 1024, 'x')), .code = "E503", .path = "<app>", .contains = "'project'"});
  r.push_back({.name = "-c value nested 100 deep", .args = c("applicationCidrs=" + std::string(100, '[') + std::string(100, ']')), .code = "E503", .path = "<app>", .contains = "applicationCidrs"});

  // ---- settings: drsynth.json --------------------------------------------------
  r.push_back({.name = "settings file with invalid JSON", .settings = "{\n  \"environmentSuffix\": \"x\",\n  oops\n}\n", .code = "E505", .path = "<app>", .contains = "drsynth.json:3"});
  r.push_back({.name = "settings file that is an array", .settings = "[1, 2]", .code = "E505", .path = "<app>", .contains = "must be a JSON object"});
  r.push_back({.name = "settings file that is not UTF-8", .settings = "{\n\"project\": \"\xc3\x28\"\n}", .code = "E505", .path = "<app>", .contains = "drsynth.json:2: not UTF-8"});
  r.push_back({.name = "settings file truncated", .settings = "{\"environmentSuffix\": \"de", .code = "E505", .path = "<app>"});
  r.push_back({.name = "settings file with a number overflow", .settings = "{\"allocatedStorageGiB\": 1e400}", .code = "E505", .path = "<app>", .contains = "drsynth.json:1: number overflow"});
  r.push_back({.name = "settings file nested 100 deep", .settings = "{\"a\": " + std::string(100, '[') + std::string(100, ']') + "}", .code = "E505", .path = "<app>", .contains = "nested too deeply"});
  r.push_back({.name = "settings value of 10 MB", .settings = "{\n\"environmentSuffix\": \"dev\",\n\"project\": \"" + std::string(10 * 1024 * 1024, 'x') + "\"\n}", .code = "E505", .path = "<app>", .contains = "drsynth.json:3: setting 'project' is too large"});
  r.push_back({.name = "settings key that is empty", .settings = "{\"\": 1}", .code = "E505", .path = "<app>", .contains = "empty name"});
  r.push_back({.name = "settings value of the wrong type names file and line", .settings = "{\n  \"environmentSuffix\": \"dev\",\n  \"backupRetentionDays\": \"seven\"\n}", .code = "E501", .path = "<app>", .contains = "drsynth.json:3) has the wrong type"});
  r.push_back({.name = "settings file with an unknown key names file and line", .settings = "{\n\n  \"colour\": \"blue\"\n}", .code = "E510", .path = "<app>", .contains = "drsynth.json:3)"});
  r.push_back({.name = "settings file with an invalid suffix", .settings = "{\"environmentSuffix\": \"UPPER\"}", .code = "E801", .path = "<app>"});
  r.push_back({.name = "duplicate key in drsynth.json names both lines", .settings = "{\n  \"project\": \"a\",\n  \"project\": \"b\"\n}", .code = "E508", .path = "<app>", .contains = "drsynth.json:3: setting 'project' is given twice (first at line 2)"});
  r.push_back({.name = "duplicate key inside a setting's value", .settings = "{\"applicationCidrs\": {\"a\": 1,\n \"a\": 2}}", .code = "E508", .path = "<app>", .contains = "key 'a' of setting 'applicationCidrs' is given twice"});
  r.push_back({.name = "misspelt setting gets a suggestion", .settings = "{\n\"backupRetentionDay\": 7\n}", .code = "E510", .path = "<app>", .contains = "drsynth.json:2): did you mean 'backupRetentionDays'?"});

  // ---- settings: CDK_CONTEXT_JSON (the same scanner as drsynth.json) -----------
  r.push_back({.name = "CDK_CONTEXT_JSON duplicate key names both places", .environment = "{\"project\": \"a\", \"project\": \"b\"}", .code = "E508", .path = "<app>", .contains = "CDK_CONTEXT_JSON:1:18: setting 'project' is given twice (first at line 1:2)"});
  r.push_back({.name = "CDK_CONTEXT_JSON number overflow", .environment = "{\"allocatedStorageGiB\": 1e400}", .code = "E502", .path = "<app>", .contains = "CDK_CONTEXT_JSON:1: number overflow (got 1e400"});
  r.push_back({.name = "CDK_CONTEXT_JSON nested 30,000 deep", .environment = "{\"a\": " + std::string(30000, '[') + std::string(30000, ']') + "}", .code = "E502", .path = "<app>", .contains = "nested too deeply"});
  r.push_back({.name = "CDK_CONTEXT_JSON that is not an object", .environment = "[1]", .code = "E502", .path = "<app>", .contains = "must be a JSON object"});
  r.push_back({.name = "CDK_CONTEXT_JSON value of the wrong type", .environment = "{\"backupRetentionDays\": \"seven\"}", .code = "E501", .path = "<app>", .contains = "'backupRetentionDays' (CDK_CONTEXT_JSON) has the wrong type"});

  // ---- settings: values AWS or the design refuse ----------------------------------
  r.push_back({.name = "probe interval that would overflow the recovery budget", .args = c("probeIntervalMinutes=35791395"), .code = "E808", .path = "<app>", .contains = "'probeIntervalMinutes' (-c) is out of range (got \"35791395\", expected 1)"});
  r.push_back({.name = "negative expected promotion time", .args = c("expectedPromotionSeconds=-100000"), .code = "E810", .path = "<app>", .contains = "expected 1..3600"});
  r.push_back({.name = "allocated storage of 2^40 GiB", .args = c("allocatedStorageGiB=1099511627776"), .code = "E810", .path = "<app>", .contains = "'allocatedStorageGiB' (-c) is out of range"});
  r.push_back({.name = "instance class of an unknown size is unknown, not small", .args = c("instanceClass=db.r6g.huge"), .code = "E722", .path = "<app>", .contains = "not a known RDS instance class"});
  r.push_back({.name = "VPC CIDR with a leading zero", .args = c("primaryVpcCidr=010.10.0.0/16"), .code = "E700", .path = "<app>"});
  r.push_back({.name = "tag value with a tab", .args = c("project=a\tb"), .code = "E810", .path = "<app>", .contains = "'project' (-c) has a character AWS refuses"});
  r.push_back({.name = "settings file list given a number", .settings = "{\"alarmEmails\": 5}", .code = "E501", .path = "<app>", .contains = "alarmEmails"});

  // ---- template limits ---------------------------------------------------------
  r.push_back({.name = "501 resources in one stack",
               .define = [](App& a) { auto& s = stack(a); for (int i = 0; i < 501; ++i) l1(s, "T" + std::to_string(i), "AWS::SNS::Topic"); },
               .code = "E601", .path = "S"});
  r.push_back({.name = "201 outputs in one stack",
               .define = [](App& a) { auto& s = stack(a); for (int i = 0; i < 201; ++i) s.add<CfnOutput>("O" + std::to_string(i), {.value = Value("v")}); },
               .code = "E602", .path = "S"});
  r.push_back({.name = "201 parameters in one stack",
               .define = [](App& a) { auto& s = stack(a); l1(s, "T", "AWS::SNS::Topic"); for (int i = 0; i < 201; ++i) s.add<CfnParameter>("P" + std::to_string(i), {}); },
               .code = "E603", .path = "S"});
  r.push_back({.name = "template over 1,000,000 bytes",
               .define = [](App& a) { l1(stack(a), "T", "AWS::SNS::Topic", {{"DisplayName", Value(std::string(1'000'001, 'x'))}}); },
               .code = "E604", .path = "S"});
  r.push_back({.name = "template over 51,200 bytes with --strict", .args = {"--strict"},
               .define = [](App& a) { l1(stack(a), "T", "AWS::SNS::Topic", {{"DisplayName", Value(std::string(60'000, 'x'))}}); },
               .code = "W605", .path = "S"});

  // ---- safety rules ------------------------------------------------------------
  r.push_back({.name = "S001 security group open to 0.0.0.0/0",
               .define = [](App& a) {
                 l1(stack(a), "Sg", "AWS::EC2::SecurityGroup",
                    {{"GroupDescription", Value("x")},
                     {"SecurityGroupIngress", Value::array({obj({{"CidrIp", Value("0.0.0.0/0")}, {"IpProtocol", Value("tcp")},
                                                                 {"FromPort", Value(5432)}, {"ToPort", Value(5432)}})})}});
               },
               .code = "S001", .path = "S/Sg"});
  r.push_back({.name = "S001 ingress rule open to ::/0",
               .define = [](App& a) {
                 l1(stack(a), "In", "AWS::EC2::SecurityGroupIngress",
                    {{"GroupId", Value("sg-1")}, {"CidrIpv6", Value("::/0")}, {"IpProtocol", Value("-1")}});
               },
               .code = "S001", .path = "S/In"});
  r.push_back({.name = "S002 IAM action *",
               .define = [](App& a) {
                 l1(stack(a), "Policy", "AWS::IAM::Policy",
                    {{"PolicyName", Value("p")}, {"Roles", Value::array({Value("r")})},
                     {"PolicyDocument", obj({{"Version", Value("2012-10-17")},
                                             {"Statement", Value::array({obj({{"Effect", Value("Allow")}, {"Action", Value("rds:*")},
                                                                              {"Resource", Value("arn:aws:rds:::db:x")}})})}})}});
               },
               .code = "S002", .path = "S/Policy"});
  r.push_back({.name = "S002 IAM resource * where an ARN exists",
               .define = [](App& a) {
                 l1(stack(a), "Policy", "AWS::IAM::Policy",
                    {{"PolicyName", Value("p")}, {"Roles", Value::array({Value("r")})},
                     {"PolicyDocument", obj({{"Version", Value("2012-10-17")},
                                             {"Statement", Value::array({obj({{"Effect", Value("Allow")},
                                                                              {"Action", Value("rds:PromoteReadReplica")},
                                                                              {"Resource", Value("*")}})})}})}});
               },
               .code = "S002", .path = "S/Policy"});
  r.push_back({.name = "S003 unencrypted database",
               .define = [](App& a) {
                 l1(stack(a), "Db", "AWS::RDS::DBInstance", {{"Engine", Value("postgres")}, {"StorageEncrypted", Value(false)}});
               },
               .code = "S003", .path = "S/Db"});
  r.push_back({.name = "S004 literal master password",
               .define = [](App& a) {
                 l1(stack(a), "Db", "AWS::RDS::DBInstance",
                    {{"StorageEncrypted", Value(true)}, {"MasterUserPassword", Value("hunter2hunter2")}});
               },
               .code = "S004", .path = "S/Db"});
  r.push_back({.name = "S004 literal password in a Lambda environment",
               .define = [](App& a) {
                 l1(stack(a), "Fn", "AWS::Lambda::Function",
                    {{"Environment", obj({{"Variables", obj({{"DB_PASSWORD", Value("hunter2")}})}})}});
               },
               .code = "S004", .path = "S/Fn"});
  r.push_back({.name = "S004 output exposing a secret value",
               .define = [](App& a) {
                 stack(a).add<CfnOutput>("Pw", {.value = Value("{{resolve:secretsmanager:db:SecretString:password}}")});
               },
               .code = "S004", .path = "S/Pw"});
  r.push_back({.name = "S005 Retain in a destroyable app", .args = c("destroyable=true"),
               .define = [](App& a) { l1(stack(a), "T", "AWS::SNS::Topic").apply_removal_policy(RemovalPolicy::retain); },
               .code = "S005", .path = "S/T"});
  r.push_back({.name = "S006 log group without retention",
               .define = [](App& a) { l1(stack(a), "Logs", "AWS::Logs::LogGroup"); }, .code = "S006", .path = "S/Logs"});
  r.push_back({.name = "acknowledging an unknown rule",
               .define = [](App& a) { stack(a).acknowledge("S999", "because"); }, .code = "E108", .path = "S"});
  r.push_back({.name = "acknowledging a rule without a reason",
               .define = [](App& a) { stack(a).acknowledge("S001", " "); }, .code = "E108", .path = "S"});

  // ---- references --------------------------------------------------------------
  r.push_back({.name = "stack dependency cycle",
               .define = [](App& a) {
                 auto& s1 = a.add<Stack>("A", StackProps{.env = {.region = "us-east-1"}});
                 auto& s2 = a.add<Stack>("B", StackProps{.env = {.region = "us-east-1"}});
                 auto& t1 = l1(s1, "T", "AWS::SNS::Topic");
                 auto& t2 = l1(s2, "T", "AWS::SNS::Topic");
                 t1.set_property("DisplayName", t2.ref());
                 t2.set_property("DisplayName", t1.ref());
               },
               .code = "E303", .path = "A"});
  r.push_back({.name = "engine version typed as a number stays a string", .args = c("engineVersion=15.10"), .define = [](App& a) {
                 if (a.context_string("engineVersion", "") != "15.10") throw std::runtime_error("not 15.10");
                 l1(stack(a), "Logs", "AWS::Logs::LogGroup");
               },
               .code = "S006", .path = "S/Logs"});
  r.push_back({.name = "unknown --stack", .args = {"--stack", "NoSuchStack"}, .code = "E504", .path = "<app>"});
  r.push_back({.name = "the app's own integer setting given a word", .args = c("retries=three"),
               .define = [](App& a) { (void)a.context_int("retries", 3); },
               .code = "E501", .path = "<app>", .contains = "setting 'retries' (-c) has the wrong type (got \"three\", expected an integer)"});
  r.push_back({.name = "an exception from the app with an escape sequence",
               .define = [](App&) { throw std::runtime_error("clear\x1b[2J screen"); },
               .code = "E900", .path = "internal error", .exit = cli::exit_internal, .contains = "clear\\x1b[2J screen"});

  // ---- tags (AWS: keys 1-128, values <= 256, letters, digits, spaces, _ . : / = + - @) ----
  // The DR system's tag settings are refused as settings (naming the key); tags set in code, below.
  r.push_back({.name = "tag value of 1,024 characters", .args = c("project=" + std::string(1024, 'p')), .code = "E810",
               .path = "<app>", .contains = "setting 'project' (-c) is too long"});
  r.push_back({.name = "tag value with a tab, printed escaped", .args = c("project=pay\tments"), .code = "E810", .path = "<app>",
               .contains = "(got \"pay\\tments\""});
  r.push_back({.name = "tag value with an escape sequence, printed escaped", .args = c("drTier=tier\x1b[31m1"), .code = "E810",
               .path = "<app>", .contains = "\"tier\\x1b[31m1\""});
  r.push_back({.name = "tag value with a NUL", .define = [](App& a) { Tags::of(stack(a)).add("Owner", std::string("a\0b", 3)); },
               .code = "E410", .path = "S", .contains = "\"a\\x00b\""});
  r.push_back({.name = "tag value with a character AWS refuses", .define = [](App& a) { Tags::of(stack(a)).add("Owner", "a|b"); },
               .code = "E410", .path = "S", .contains = "holds '|'"});
  r.push_back({.name = "tag key starting with aws:", .define = [](App& a) { Tags::of(a).add("AWS:owner", "me"); l1(stack(a), "T", "AWS::SNS::Topic"); },
               .code = "E410", .path = "<app>", .contains = "starts with aws:"});
  r.push_back({.name = "tag key of 129 characters", .define = [](App& a) { l1(stack(a), "T", "AWS::SNS::Topic").set_tag(std::string(129, 'k'), "v"); },
               .code = "E410", .path = "S/T", .contains = "129 characters, more than 128"});
  r.push_back({.name = "tag key empty", .define = [](App& a) { Tags::of(stack(a)).add("", "v"); }, .code = "E410", .path = "S",
               .contains = "tag key is empty"});
  r.push_back({.name = "explicit Tags property with a value AWS refuses",
               .define = [](App& a) {
                 l1(stack(a), "T", "AWS::SNS::Topic", {{"Tags", Value::array({obj({{"Key", Value("Team")}, {"Value", Value("a;b")}})})}});
               },
               .code = "E410", .path = "S/T", .contains = "the value of tag 'Team' holds ';'"});
  r.push_back({.name = "51 tags on one resource",
               .define = [](App& a) {
                 auto& s = stack(a);
                 for (int i = 0; i < 30; ++i) Tags::of(s).add("k" + std::to_string(i), "v");
                 auto& t = l1(s, "T", "AWS::SNS::Topic");
                 for (int i = 25; i < 51; ++i) t.set_tag("k" + std::to_string(i), "w");
               },
               .code = "E411", .path = "S/T", .contains = "got 51 tags"});

  // ---- quotas, --strict, escaping ----------------------------------------------
  std::string cidrs = "applicationCidrs=[";
  for (int i = 0; i < 300; ++i) cidrs += (i == 0 ? "\"" : ",\"") + std::string("172.16.") + std::to_string(i / 2) + "." + std::to_string(i % 2 * 128) + "/25\"";
  r.push_back({.name = "300 application CIDRs: over the rules quota (a warning, fatal with --strict)",
               .args = {"--strict", "-c", cidrs + "]"}, .code = "W718", .path = dr + "/Primary/DbSg",
               .contains = "AWS's default quota of 60 rules"});
  r.push_back({.name = "--strict says that it failed the run",
               .args = {"--strict"},
               .define = [](App& a) { l1(stack(a), "T", "AWS::SNS::Topic", {{"DisplayName", Value(std::string(60'000, 'x'))}}); },
               .code = "E540", .path = "<app>", .contains = "the run failed because of --strict: it makes the 1 warning above fatal"});
  r.push_back({.name = "a reported value with a newline is escaped", .args = c("environmentSuffix=a\nb"), .code = "E801", .path = "<app>",
               .contains = "a\\nb"});
  return r;
}

}  // namespace

TEST_CASE("every bad input fails with its code, path and exit code and leaves the previous assembly", "[bad-input]") {
  test::TempDir dir;
  const fs::path out = dir.path / "cdk.out";
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system).code == 0);
  const auto before = test::snapshot(out);
  REQUIRE(before.size() > 6);

  const auto table = rows();
  CHECK(table.size() >= 60);
  std::set<std::string> names;
  for (const auto& row : table) {
    INFO("row: " << row.name);
    CHECK(names.insert(row.name).second);  // distinct rows
    std::vector<std::string> args{"synth", "-q", "-o", out.string()};
    args.insert(args.end(), row.args.begin(), row.args.end());
    std::optional<test::ScopedEnv> environment;
    if (row.environment) environment.emplace("CDK_CONTEXT_JSON", *row.environment);
    const fs::path settings = dir.path / "drsynth.json";
    if (row.settings) {
      std::ofstream(settings, std::ios::binary) << *row.settings;
      args.insert(args.end(), {"--settings", settings.string()});
    }
    const auto result = test::run_cli(args, row.define ? row.define : patterns::define_default_system);
    fs::remove(settings);
    INFO("stderr: " << result.err.substr(0, 2000));
    CHECK(result.code == row.exit);
    CHECK_THAT(result.err, Catch::Contains("[drsynth." + row.code + "] " + row.path + ": "));
    if (!row.contains.empty()) CHECK_THAT(result.err, Catch::Contains(row.contains));
    CHECK(test::snapshot(out) == before);
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator{}) == 1);  // no temporaries
  }
}

TEST_CASE("an acknowledged safety rule is a note with its reason, shown in tree.json, and does not fail", "[bad-input]") {
  test::TempDir dir;
  const fs::path out = dir.path / "cdk.out";
  auto define = [](App& a) {
    auto& s = stack(a);
    l1(s, "Logs", "AWS::Logs::LogGroup");
    s.acknowledge("S006", "audit logs are exported to the archive account and kept forever");
  };
  auto r = test::run_cli({"synth", "-o", out.string()}, define);
  CHECK(r.code == 0);
  CHECK_THAT(r.err, Catch::Contains("note: [drsynth.S006] S/Logs: ") &&
                        Catch::Contains("[acknowledged: audit logs are exported to the archive account"));
  CHECK(test::read_json(out / "tree.json")["tree"]["children"]["S"]["acknowledgements"]["S006"] ==
        "audit logs are exported to the archive account and kept forever");
  // -q keeps warnings and errors only.
  const auto quiet = test::run_cli({"synth", "-q", "-o", out.string()}, define);
  CHECK(quiet.code == 0);
  CHECK(quiet.err.empty());
  // Without the acknowledgement the same app fails.
  auto bad = test::run_cli({"synth", "-q", "-o", (dir.path / "x").string()}, [](App& a) { l1(stack(a), "Logs", "AWS::Logs::LogGroup"); });
  CHECK(bad.code == cli::exit_user_error);
  CHECK_FALSE(fs::exists(dir.path / "x"));
}

TEST_CASE("all problems of one run are reported together, sorted by path", "[bad-input]") {
  auto r = test::run_cli({"list", "-c", "backupRetentionDays=3", "-c", "instanceClass=db.t3.micro", "-c",
                          "engineVersion=14.9", "-c", "logRetentionDays=45"},
                         patterns::define_default_system);
  CHECK(r.code == cli::exit_user_error);
  std::vector<std::string> paths;
  std::istringstream lines(r.err);
  for (std::string l; std::getline(lines, l);) {
    const auto at = l.find("] ");
    if (l.rfind("error: [drsynth.", 0) == 0 && at != std::string::npos) paths.push_back(l.substr(at + 2, l.find(": ", at) - at - 2));
  }
  CHECK(paths.size() >= 4);
  CHECK(std::is_sorted(paths.begin(), paths.end()));
  CHECK_THAT(r.err, Catch::Contains("E803") && Catch::Contains("E806") && Catch::Contains("E720") && Catch::Contains("E746"));
}

// Writes cloud assemblies that use the Aurora building blocks in several prop
// combinations; tests/aurora_lint.cmake runs cfn-lint on them (zero findings,
// each template in its region).
#include <catch2/catch.hpp>
#include <cstdlib>

#include "aurora_fixture.hpp"
#include "drsynth/core/app.hpp"
#include "drsynth/rds/database_instance.hpp"
#include "drsynth/rds/read_replica.hpp"
#include "drsynth/synth/synth.hpp"

using namespace drsynth;

namespace {

void write_if_asked(const Assembly& assembly, const std::string& sub) {
  if (const char* out = std::getenv("DRSYNTH_AURORA_LINT_OUT"); out != nullptr && *out != '\0')
    write_assembly(assembly, std::filesystem::path(out) / sub);
}

}  // namespace

TEST_CASE("the two-region Aurora app synthesizes and is written for cfn-lint", "[aurora][aurora-lint]") {
  App app({.read_environment = false});
  (void)aurora_test::build_aurora_app(app);
  const auto assembly = synthesize(app);
  REQUIRE(assembly.stacks.size() == 3);
  write_if_asked(assembly, "aurora");
}

TEST_CASE("other building-block combinations are written for cfn-lint", "[aurora][aurora-lint]") {
  App app({.read_environment = false});
  ops_test::stub_runtime_dir();
  auto& east = app.add<Stack>("Variants-east", StackProps{.env = {.region = "us-east-1"}});
  auto& west = app.add<Stack>("Variants-west", StackProps{.env = {.region = "eu-west-1"}});

  // RDS for PostgreSQL: the upgrade log export and KMS-encrypted log groups, with a replica.
  auto& key = east.add<kms::Key>("LogsKey", {.description = "logs", .enable_key_rotation = true,
                                             .rotation_period_days = 180, .pending_window_days = 30});
  key.grant_via_service("rds");
  auto& vpc = east.add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.0/16", .interface_endpoints = {"secretsmanager"}});
  auto& sg = east.add<ec2::SecurityGroup>("DbSg", {.vpc = vpc, .description = "db"});
  auto& secret = east.add<secrets::DatabaseSecret>("DbSecret", {.replica_regions = {"eu-west-1"}});
  auto& db = east.add<rds::DatabaseInstance>("Primary", {.instance_identifier = "postgres-primary-variant",
                                                         .vpc = vpc,
                                                         .security_groups = {sg},
                                                         .secret = secret,
                                                         .export_upgrade_log = true,
                                                         .log_kms_key = key});
  secret.add_rotation({.vpc = vpc, .database_security_group = sg, .function_name = "rotate-variant",
                       .schedule_expression = "rate(12 hours)", .window_duration = "2h",
                       .rotate_immediately_on_update = true, .timeout_seconds = 120});
  auto& wvpc = west.add<ec2::Vpc>("Vpc", {.cidr = "10.1.0.0/16"});
  auto& wsg = west.add<ec2::SecurityGroup>("DbSg", {.vpc = wvpc, .description = "db"});
  auto& wkey = west.add<kms::Key>("LogsKey", {.description = "replica logs"});
  west.add<rds::ReadReplica>("Replica", {.source = db, .instance_identifier = "postgres-replica-variant",
                                         .vpc = wvpc, .security_groups = {wsg},
                                         .export_upgrade_log = true, .log_kms_key = wkey});
  west.add<ec2::FlowLog>("FlowLog", {.vpc = wvpc, .log_group_name = "/drsynth/flow/variant",
                                     .traffic_type = "REJECT", .max_aggregation_interval = 60,
                                     .role_name = "flow-logs-variant"});

  // Plain encryption choices: SQS-managed SSE, SSE-S3, a topic under aws/sns.
  auto& plain_topic = west.add<sns::Topic>("Plain", {.topic_name = "plain-variant", .enforce_tls = true});
  auto& plain_queue = west.add<sqs::Queue>("PlainQueue", {.visibility_timeout_seconds = 60, .receive_wait_seconds = 20});
  plain_topic.add_sqs_subscription(plain_queue);
  west.add<s3::Bucket>("Scratch", {.noncurrent_expiration_days = 60, .abort_incomplete_multipart_days = 1});
  west.add<s3::Bucket>("Unversioned", {.versioned = false, .enforce_tls = false, .enforce_encryption = false});

  // A standalone provisioned cluster, no global database, monitoring and insights on.
  auto& ckey = west.add<kms::Key>("ClusterKey", {.description = "cluster"});
  auto& csecret = west.add<secrets::DatabaseSecret>("ClusterSecret", {.kms_key = ckey});
  west.add<rds::DatabaseCluster>("Cluster", {.cluster_identifier = "aurora-standalone-variant",
                                             .engine_version = "15.13",
                                             .secret = csecret,
                                             .vpc = wvpc,
                                             .security_groups = {wsg},
                                             .kms_key = ckey,
                                             .backup_retention_days = 14,
                                             .preferred_backup_window = "03:00-04:00",
                                             .log_exports = {"postgresql", "instance"},
                                             .instance_class = "db.r7g.large",
                                             .readers = 1,
                                             .enable_performance_insights = true,
                                             .monitoring_interval = 60});

  const auto assembly = synthesize(app);
  REQUIRE(assembly.stacks.size() == 2);
  write_if_asked(assembly, "variants");
}

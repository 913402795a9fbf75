// A two-region Aurora Global Database app built from the building blocks of
// issue 14 (kms, s3, sqs, sns, rds clusters, event subscriptions, flow logs,
// rotation), in the stack layout docs/aurora-notes.md proposes:
//   AuroraDrBase-dev    us-west-2  keys and the export replica bucket (deployed first)
//   AuroraPrimary-dev   us-east-1  VPC, flow logs, global + primary cluster, secret and
//                                  rotation, export bucket, events topic/queue/DLQ
//   AuroraSecondary-dev us-west-2  VPC, secondary cluster, events, lag alarm
// The unit tests assert on its templates; the lint test writes them for cfn-lint.
#pragma once

#include "ops_fixture.hpp"

#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/ec2/flow_log.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/rds/cluster_parameter_group.hpp"
#include "drsynth/rds/database_cluster.hpp"
#include "drsynth/rds/event_subscription.hpp"
#include "drsynth/rds/global_cluster.hpp"
#include "drsynth/s3/bucket.hpp"
#include "drsynth/secrets/database_secret.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/sqs/queue.hpp"

namespace aurora_test {

struct RegionEvents {
  drsynth::kms::Key* key = nullptr;
  drsynth::sns::Topic* topic = nullptr;
  drsynth::sqs::Queue* queue = nullptr;
  drsynth::sqs::Queue* dlq = nullptr;
  drsynth::rds::EventSubscription* subscription = nullptr;
  drsynth::cloudwatch::Alarm* dlq_alarm = nullptr;
};

struct AuroraApp {
  drsynth::Stack* base = nullptr;
  drsynth::Stack* primary = nullptr;
  drsynth::Stack* secondary = nullptr;
  drsynth::kms::Key* east_data_key = nullptr;
  drsynth::kms::Key* west_data_key = nullptr;
  drsynth::ec2::Vpc* east_vpc = nullptr;
  drsynth::ec2::Vpc* west_vpc = nullptr;
  drsynth::ec2::SecurityGroup* east_db_sg = nullptr;
  drsynth::ec2::FlowLog* flow_log = nullptr;
  drsynth::rds::GlobalCluster* global = nullptr;
  drsynth::rds::DatabaseCluster* primary_cluster = nullptr;
  drsynth::rds::DatabaseCluster* secondary_cluster = nullptr;
  drsynth::secrets::DatabaseSecret* secret = nullptr;
  drsynth::s3::Bucket* exports = nullptr;
  drsynth::s3::Bucket* export_replica = nullptr;
  RegionEvents east_events;
  RegionEvents west_events;
  drsynth::cloudwatch::Alarm* lag_alarm = nullptr;
};

// Topic, queue and DLQ under a customer-managed key, RDS cluster events, a DLQ depth alarm.
inline RegionEvents add_events(drsynth::Stack& s, const std::string& region_word, const drsynth::Value& cluster_id) {
  using namespace drsynth;
  RegionEvents e;
  e.key = &s.add<kms::Key>("EventsKey", {.description = "events of aurora-dev in " + region_word,
                                          .alias = "alias/aurora-events-" + region_word + "-dev"});
  e.topic = &s.add<sns::Topic>("Events", {.topic_name = "sns-db-events-" + region_word + "-dev",
                                          .kms_key = *e.key,
                                          .enforce_tls = true});
  e.dlq = &s.add<sqs::Queue>("EventsDlq", {.queue_name = "sqs-db-events-dlq-" + region_word + "-dev",
                                           .kms_key = *e.key,
                                           .message_retention_seconds = 1'209'600});
  e.queue = &s.add<sqs::Queue>("EventsQueue", {.queue_name = "sqs-db-events-" + region_word + "-dev",
                                               .kms_key = *e.key,
                                               .dead_letter_queue = *e.dlq,
                                               .max_receive_count = 3});
  e.topic->add_sqs_subscription(*e.queue, {.raw_message_delivery = true});
  e.subscription = &s.add<rds::EventSubscription>(
      "ClusterEvents", {.topic = *e.topic,
                        .source_type = "db-cluster",
                        .event_categories = {"failover", "failure", "global-failover", "notification"},
                        .source_ids = {cluster_id},
                        .subscription_name = "rds-cluster-events-" + region_word + "-dev"});
  e.dlq_alarm = &s.add<cloudwatch::Alarm>(
      "DlqDepth", {.alarm_name = "alarm-db-events-dlq-" + region_word + "-dev",
                   .description = "Database event messages could not be processed",
                   .metric = e.dlq->metric_approximate_number_of_messages_visible(),
                   .threshold = 0,
                   .comparison = cloudwatch::ComparisonOperator::greater_than_threshold});
  e.dlq_alarm->add_alarm_action(*e.topic);
  return e;
}

inline AuroraApp build_aurora_app(drsynth::App& app) {
  using namespace drsynth;
  ops_test::stub_runtime_dir();
  AuroraApp a;
  a.base = &app.add<Stack>("AuroraDrBase-dev", StackProps{.env = {.region = "us-west-2"}});
  a.primary = &app.add<Stack>("AuroraPrimary-dev", StackProps{.env = {.region = "us-east-1"}});
  a.secondary = &app.add<Stack>("AuroraSecondary-dev", StackProps{.env = {.region = "us-west-2"}});

  // us-west-2 keys and replica bucket: the primary stack refers to them.
  a.west_data_key = &a.base->add<kms::Key>("DataKey", {.description = "aurora-dev data in us-west-2",
                                                       .alias = "alias/aurora-data-west-dev"});
  a.export_replica = &a.base->add<s3::Bucket>("ExportReplica", {.bucket_name = "s3-db-export-replica-dev",
                                                               .kms_key = *a.west_data_key,
                                                               .transition_to_glacier_days = 30,
                                                               .empty_on_destroy = true});

  // us-east-1
  Stack& p = *a.primary;
  a.east_data_key = &p.add<kms::Key>("DataKey", {.description = "aurora-dev data in us-east-1",
                                                 .alias = "alias/aurora-data-east-dev"});
  a.east_vpc = &p.add<ec2::Vpc>("Vpc", {.cidr = "10.10.0.0/16", .max_azs = 3, .name = "vpc-aurora-primary-dev",
                                        .interface_endpoints = {"secretsmanager"}});
  a.flow_log = &p.add<ec2::FlowLog>("FlowLog", {.vpc = *a.east_vpc,
                                                .log_group_name = "/drsynth/vpc-flow-logs/aurora-primary-dev",
                                                .retention_days = 90,
                                                .kms_key = *a.east_data_key});
  a.east_db_sg = &p.add<ec2::SecurityGroup>("DbSg", {.vpc = *a.east_vpc, .description = "Aurora PostgreSQL primary"});
  a.east_db_sg->allow_from_cidr("10.10.100.0/24", "application subnet");
  auto& params = p.add<rds::ClusterParameterGroup>(
      "ClusterParams", {.parameters = {{"shared_preload_libraries", "pg_stat_statements"}, {"log_statement", "ddl"}}});
  a.global = &p.add<rds::GlobalCluster>("Global", {.global_cluster_identifier = "aurora-global-dev"});
  a.secret = &p.add<secrets::DatabaseSecret>("DbSecret", {.name = "secret-aurora-master-dev",
                                                          .replica_regions = {"us-west-2"},
                                                          .kms_key = *a.east_data_key,
                                                          .replica_kms_keys = {*a.west_data_key}});
  a.primary_cluster = &p.add<rds::DatabaseCluster>(
      "Primary", {.cluster_identifier = "aurora-primary-dev",
                  .global_cluster = *a.global,
                  .secret = *a.secret,
                  .database_name = "payments",
                  .vpc = *a.east_vpc,
                  .security_groups = {*a.east_db_sg},
                  .parameter_group = params,
                  .kms_key = *a.east_data_key,
                  .log_kms_key = *a.east_data_key,
                  .instance_class = "db.serverless",
                  .serverless_v2 = rds::ServerlessV2Scaling{.min_capacity = 0.5, .max_capacity = 4}});
  a.secret->add_rotation({.vpc = *a.east_vpc, .database_security_group = *a.east_db_sg,
                          .function_name = "lambda-rotate-aurora-dev"});
  a.exports = &p.add<s3::Bucket>("Export", {.bucket_name = "s3-db-export-dev",
                                            .kms_key = *a.east_data_key,
                                            .transition_to_glacier_days = 30,
                                            .replicate_to = *a.export_replica,
                                            .empty_on_destroy = true});
  a.east_events = add_events(p, "east", a.primary_cluster->cluster_ref());

  // us-west-2 secondary
  Stack& w = *a.secondary;
  a.west_vpc = &w.add<ec2::Vpc>("Vpc", {.cidr = "10.20.0.0/16", .max_azs = 3, .name = "vpc-aurora-secondary-dev"});
  auto& west_sg = w.add<ec2::SecurityGroup>("DbSg", {.vpc = *a.west_vpc, .description = "Aurora PostgreSQL secondary"});
  west_sg.allow_from_cidr("10.20.100.0/24", "application subnet");
  auto& west_params = w.add<rds::ClusterParameterGroup>(
      "ClusterParams", {.parameters = {{"shared_preload_libraries", "pg_stat_statements"}}});
  a.secondary_cluster = &w.add<rds::DatabaseCluster>("Secondary", {.cluster_identifier = "aurora-secondary-dev",
                                                                   .global_cluster = *a.global,
                                                                   .global_role = rds::GlobalRole::secondary,
                                                                   .vpc = *a.west_vpc,
                                                                   .security_groups = {west_sg},
                                                                   .parameter_group = west_params,
                                                                   .kms_key = *a.west_data_key,
                                                                   .instance_class = "db.r6g.large",
                                                                   .readers = 2});
  a.west_events = add_events(w, "west", a.secondary_cluster->cluster_ref());
  a.lag_alarm = &w.add<cloudwatch::Alarm>(
      "ReplicationLag", {.alarm_name = "alarm-aurora-replication-lag-dev",
                         .description = "The us-west-2 cluster is more than 500 ms behind the primary",
                         .metric = a.secondary_cluster->metric_global_replication_lag(),
                         .threshold = 500,
                         .evaluation_periods = 3});
  a.lag_alarm->add_alarm_action(*a.west_events.topic);
  return a;
}

}  // namespace aurora_test

// The data layer of the AuroraGlobalDisasterRecovery system: the base stack
// (the secondary region's keys and replica bucket, deployed first), the
// primary and secondary regions (VPC, flow logs, cluster, secret, export
// bucket, events) and the peering between them.
#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/ec2/flow_log.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/ec2/vpc_peering.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/rds/cluster_parameter_group.hpp"
#include "drsynth/rds/database_cluster.hpp"
#include "drsynth/rds/event_subscription.hpp"
#include "drsynth/rds/global_cluster.hpp"
#include "drsynth/s3/bucket.hpp"
#include "drsynth/secrets/database_secret.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/sqs/queue.hpp"
#include "drsynth/core/stack.hpp"
#include "patterns/aurora_parts.hpp"
#include "patterns/secret_events.hpp"
#include "patterns/setting_rules.hpp"

namespace drsynth::patterns::detail {

namespace {

using N = AuroraName;

Stack& add_stack(Construct& scope, std::string id, const AuroraGlobalDisasterRecoveryProps& p, std::string name,
                 const std::string& region, const std::string& what) {
  return add_dr_stack(scope, std::move(id), std::move(name), region, p.account,
                      "drsynth Aurora Global Database DR (" + p.environment_suffix + "): " + what);
}

// Private subnets in 3 AZs; the probes and the rotation function run there
// without NAT and reach Secrets Manager and CloudWatch through endpoints.
ec2::Vpc& add_vpc(Stack& stack, const std::string& cidr, std::string name, std::vector<std::string> zone_ids) {
  return stack.add<ec2::Vpc>("Vpc", {.cidr = cidr,
                                     .max_azs = 3,
                                     .availability_zone_ids = std::move(zone_ids),
                                     .name = std::move(name),
                                     .subnet_name = "db",
                                     .interface_endpoints = {"secretsmanager", "monitoring"}});
}

// 5432 from the named application networks and the other region's probe
// (over the peering; security groups cannot be referenced across regions).
ec2::SecurityGroup& add_db_security_group(Stack& stack, const AuroraGlobalDisasterRecoveryProps& p, ec2::Vpc& vpc,
                                          std::string name, const std::string& peer_cidr, const std::string& peer_region) {
  auto& sg = stack.add<ec2::SecurityGroup>(
      "DbSg", {.vpc = vpc, .description = "Aurora PostgreSQL: 5432 from the application networks and the probes",
               .group_name = std::move(name)});
  for (const auto& c : p.application_cidrs) sg.allow_from_cidr(c, "application network");
  sg.allow_from_cidr(peer_cidr, "health probe in " + peer_region + ", over the peering");
  return sg;
}

rds::ClusterParameterGroup& add_parameters(Stack& stack, const AuroraGlobalDisasterRecoveryProps& p, std::string name) {
  return stack.add<rds::ClusterParameterGroup>(
      "ClusterParams",
      {.engine_version = p.engine_version,
       .description = "Aurora PostgreSQL: pg_stat_statements, DDL audit, TLS only (" + p.environment_suffix + ")",
       .parameters = {{"shared_preload_libraries", "pg_stat_statements"},
                      {"log_statement", "ddl"},
                      {"rds.force_ssl", "1"}},
       .name = std::move(name)});
}

rds::DatabaseClusterProps cluster_props(const AuroraGlobalDisasterRecoveryProps& p, std::string identifier,
                                        rds::GlobalCluster& global, ec2::Vpc& vpc, ec2::SecurityGroup& sg,
                                        rds::ClusterParameterGroup& params, kms::Key& key) {
  rds::DatabaseClusterProps c{.cluster_identifier = std::move(identifier),
                              .engine_version = p.engine_version,
                              .global_cluster = global,
                              .vpc = vpc,
                              .security_groups = {sg},
                              .parameter_group = params,
                              .kms_key = key,
                              .backup_retention_days = p.backup_retention_days,
                              .deletion_protection = p.deletion_protection,
                              .log_retention_days = p.log_retention_days,
                              .log_kms_key = key,
                              .instance_class = p.instance_class,
                              .readers = p.readers,
                              .monitoring_interval = 60};
  if (p.instance_class == "db.serverless")
    c.serverless_v2 = rds::ServerlessV2Scaling{.min_capacity = p.min_capacity_acu, .max_capacity = p.max_capacity_acu};
  return c;
}

// Topic and queue under a customer-managed key, the queue's DLQ (3 receives),
// RDS cluster events (failover, failure, global failover, notification,
// maintenance) and cluster snapshot events (backup), an alarm on the DLQ's depth.
void add_events(Stack& stack, const AuroraGlobalDisasterRecoveryProps& p, const AuroraNames& names, bool primary,
                const rds::DatabaseCluster& cluster, kms::Key*& key_out, sns::Topic*& topic_out) {
  const std::string where = primary ? p.primary_region : p.secondary_region;
  auto& key = stack.add<kms::Key>(
      "EventsKey", {.description = "drsynth Aurora DR (" + p.environment_suffix + "): database events in " + where,
                    .alias = names(primary ? N::primary_events_key_alias : N::secondary_events_key_alias)});
  auto& topic = stack.add<sns::Topic>("Events", {.topic_name = names(primary ? N::primary_events_topic
                                                                             : N::secondary_events_topic),
                                                 .display_name = "Aurora DR " + p.environment_suffix + " " + where,
                                                 .kms_key = key,
                                                 .enforce_tls = true});
  for (const auto& email : p.alarm_emails) topic.add_email_subscription(email);
  auto& dlq = stack.add<sqs::Queue>("EventsDlq", {.queue_name = names(primary ? N::primary_events_dlq
                                                                              : N::secondary_events_dlq),
                                                  .kms_key = key,
                                                  .message_retention_seconds = 1'209'600});
  auto& queue = stack.add<sqs::Queue>("EventsQueue", {.queue_name = names(primary ? N::primary_events_queue
                                                                                  : N::secondary_events_queue),
                                                      .kms_key = key,
                                                      .message_retention_seconds = 1'209'600,
                                                      .dead_letter_queue = dlq,
                                                      .max_receive_count = 3});
  topic.add_sqs_subscription(queue, {.raw_message_delivery = true});
  stack.add<rds::EventSubscription>(
      "ClusterEvents",
      {.topic = topic,
       .source_type = "db-cluster",
       .event_categories = {"failover", "failure", "global-failover", "notification", "maintenance"},
       .source_ids = {cluster.cluster_ref()},
       .subscription_name = names(primary ? N::primary_event_subscription : N::secondary_event_subscription)});
  // Backup failures: the cluster snapshots' backup and notification events of the region.
  stack.add<rds::EventSubscription>(
      "SnapshotEvents",
      {.topic = topic,
       .source_type = "db-cluster-snapshot",
       .event_categories = {"backup", "notification"},
       .subscription_name = names(primary ? N::primary_snapshot_subscription : N::secondary_snapshot_subscription)});
  auto& alarm = stack.add<cloudwatch::Alarm>(
      "EventsDlqDepth",
      {.alarm_name = names(primary ? N::primary_events_dlq_alarm : N::secondary_events_dlq_alarm),
       .description = "Database event messages in " + where + " could not be processed (3 receives)",
       .metric = dlq.metric_approximate_number_of_messages_visible(),
       .threshold = 0,
       .comparison = cloudwatch::ComparisonOperator::greater_than_threshold});
  alarm.add_alarm_action(topic);
  key_out = &key;
  topic_out = &topic;
}

}  // namespace

AuroraBase add_aurora_base(Construct& scope, const AuroraGlobalDisasterRecoveryProps& p, const AuroraNames& names) {
  auto& stack = add_stack(scope, "Base", p, names(N::base_stack), p.secondary_region,
                          "keys and the export replica bucket in " + p.secondary_region + " (deployed first)");
  auto& key = stack.add<kms::Key>(
      "DataKey", {.description = "drsynth Aurora DR (" + p.environment_suffix + "): secondary cluster storage, "
                                 "logs, the secret's replica and the export replica in " + p.secondary_region,
                  .alias = names(N::secondary_data_key_alias)});
  key.grant_via_service("secretsmanager");
  key.grant_via_service("rds");
  auto& replica = stack.add<s3::Bucket>("ExportReplica", {.bucket_name = names(N::export_replica_bucket),
                                                         .kms_key = key,
                                                         .transition_to_glacier_days = 30,
                                                         .empty_on_destroy = true});
  return {stack, key, replica};
}

AuroraPrimary add_aurora_primary(Construct& scope, const AuroraGlobalDisasterRecoveryProps& p,
                                 const AuroraNames& names, const AuroraBase& base) {
  auto& stack = add_stack(scope, "Primary", p, names(N::primary_stack), p.primary_region,
                          "global cluster and primary cluster in " + p.primary_region);
  auto& key = stack.add<kms::Key>(
      "DataKey", {.description = "drsynth Aurora DR (" + p.environment_suffix + "): primary cluster storage, logs, "
                                 "the master secret and the export bucket in " + p.primary_region,
                  .alias = names(N::primary_data_key_alias)});
  key.grant_via_service("secretsmanager");
  key.grant_via_service("rds");
  auto& vpc = add_vpc(stack, p.primary_vpc_cidr, names(N::primary_vpc),
                      zone_ids_for(p.primary_az_ids, p.primary_region, 3));
  stack.add<ec2::FlowLog>("FlowLog", {.vpc = vpc,
                                      .log_group_name = names(N::primary_flow_log_group),
                                      .retention_days = p.log_retention_days,
                                      .kms_key = key});
  auto& sg = add_db_security_group(stack, p, vpc, names(N::primary_db_security_group), p.secondary_vpc_cidr,
                                   p.secondary_region);
  auto& params = add_parameters(stack, p, names(N::primary_parameter_group));
  auto& global = stack.add<rds::GlobalCluster>("Global", {.global_cluster_identifier = names(N::global_cluster),
                                                          .engine_version = p.engine_version,
                                                          .deletion_protection = p.deletion_protection});
  // One secret, replicated: the replica in the secondary region is a secret of
  // that region (its own ARN and key) that survives the primary region.
  auto& secret = stack.add<secrets::DatabaseSecret>(
      "DbSecret", {.name = names(N::secret),
                   .replica_regions = {p.secondary_region},
                   .description = "Aurora master credentials (" + p.environment_suffix + "), replicated to " +
                                  p.secondary_region,
                   .kms_key = key,
                   .replica_kms_keys = {base.data_key}});
  auto props = cluster_props(p, names(N::primary_cluster), global, vpc, sg, params, key);
  props.secret = secret;
  props.database_name = "payments";
  auto& cluster = stack.add<rds::DatabaseCluster>("Cluster", std::move(props));
  // After a switchover or failover the writer is the secondary stack's
  // cluster, and CloudFormation deletes that stack first: its cluster cannot
  // leave the global cluster while another member is attached
  // (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-deleting.html).
  // destroy.sh removes the other members first; see docs/dr-runbook.md.
  stack.add_pre_destroy_step({.kind = Stack::PreDestroyStep::Kind::remove_global_secondaries,
                              .resource = &global.resource(),
                              .reason = "detach the members that are not the global cluster's current writer",
                              .detail = Stack::RemoveGlobalSecondaries{.global_cluster_id = names(N::global_cluster),
                                                                       .primary_cluster_id = names(N::primary_cluster)}});
  secret.add_rotation({.vpc = vpc,
                       .database_security_group = sg,
                       .function_name = names(N::rotation_function),
                       .log_retention_days = p.log_retention_days});
  auto& exports = stack.add<s3::Bucket>("Export", {.bucket_name = names(N::export_bucket),
                                                   .kms_key = key,
                                                   .transition_to_glacier_days = 30,
                                                   .replicate_to = base.export_replica,
                                                   .replication_role_name = names(N::export_replication_role),
                                                   .empty_on_destroy = true});
  kms::Key* events_key = nullptr;
  sns::Topic* topic = nullptr;
  add_events(stack, p, names, true, cluster, events_key, topic);
  // The secret's replica in the secondary region follows each rotation; a failed
  // replication pages on the primary region's events topic.
  add_secret_events(stack, *topic, "the Aurora DR system (" + p.environment_suffix + ")");
  return {{stack, vpc, key, sg, cluster, *events_key, *topic}, global, exports};
}

AuroraRegion add_aurora_secondary(Construct& scope, const AuroraGlobalDisasterRecoveryProps& p,
                                  const AuroraNames& names, const AuroraBase& base, const AuroraPrimary& primary) {
  auto& stack = add_stack(scope, "Secondary", p, names(N::secondary_stack), p.secondary_region,
                          "secondary cluster of the global database in " + p.secondary_region);
  auto& vpc = add_vpc(stack, p.secondary_vpc_cidr, names(N::secondary_vpc),
                      zone_ids_for(p.secondary_az_ids, p.secondary_region, 3));
  stack.add<ec2::FlowLog>("FlowLog", {.vpc = vpc,
                                      .log_group_name = names(N::secondary_flow_log_group),
                                      .retention_days = p.log_retention_days,
                                      .kms_key = base.data_key});
  auto& sg = add_db_security_group(stack, p, vpc, names(N::secondary_db_security_group), p.primary_vpc_cidr,
                                   p.primary_region);
  auto& params = add_parameters(stack, p, names(N::secondary_parameter_group));
  auto props = cluster_props(p, names(N::secondary_cluster), primary.global, vpc, sg, params, base.data_key);
  props.global_role = rds::GlobalRole::secondary;
  auto& cluster = stack.add<rds::DatabaseCluster>("Cluster", std::move(props));
  kms::Key* events_key = nullptr;
  sns::Topic* topic = nullptr;
  add_events(stack, p, names, false, cluster, events_key, topic);
  return {stack, vpc, base.data_key, sg, cluster, *events_key, *topic};
}

Stack& add_aurora_peering(Construct& scope, const AuroraGlobalDisasterRecoveryProps& p, const AuroraNames& names,
                          const AuroraRegion& primary, const AuroraRegion& secondary) {
  auto& routes = add_stack(scope, "PrimaryRoutes", p, names(N::routes_stack), p.primary_region,
                           "primary-side routes to the secondary VPC and the writer probe of " + p.primary_region);
  secondary.stack.add<ec2::VpcPeering>("Peering", {.requester = secondary.vpc,
                                                   .accepter = primary.vpc,
                                                   .accepter_routes_stack = routes,
                                                   .peer_owner_id = p.account,
                                                   .name = names(N::peering)});
  return routes;
}

}  // namespace drsynth::patterns::detail

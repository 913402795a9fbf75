// The failover path of the AuroraGlobalDisasterRecovery system: a probe of the
// writer in each region, the alarms that move DNS (fast,
// reversible) and the hold alarms that start a failover function (slow,
// irreversible), the fences, the lag alarm and the DNS lag guard, the private
// zone with the weighted records, and a failover function in each region.
// docs/dr-design.md ("The Aurora Global Database system") explains each choice.
#include "drsynth/cfn_output.hpp"
#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/lambda/aurora_failover_function.hpp"
#include "drsynth/lambda/health_probe.hpp"
#include "drsynth/rds/database_cluster.hpp"
#include "drsynth/rds/global_cluster.hpp"
#include "drsynth/route53/health_check.hpp"
#include "drsynth/route53/private_hosted_zone.hpp"
#include "drsynth/route53/weighted_record.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/sqs/queue.hpp"
#include "drsynth/stack.hpp"
#include "patterns/aurora_parts.hpp"
#include "patterns/failover_alarms.hpp"

namespace drsynth::patterns::detail {

namespace {

using N = AuroraName;
using route53::InsufficientDataHealthStatus;

// The probe of the writer from one region's VPC: wherever the writer is,
// this region's view of it. It reads the master secret of its
// own region (the replica in the secondary region survives the primary's loss).
lambda::HealthProbe& add_probe(const AuroraGlobalDisasterRecoveryProps& p, const AuroraNames& names,
                               const AuroraRegion& region, const AuroraRegion& other, Stack& home, bool primary) {
  auto& sg = region.stack.add<ec2::SecurityGroup>(
      "ProbeSg", {.vpc = region.vpc,
                  .description = "writer probe: PostgreSQL to the clusters of both regions, HTTPS to the endpoints",
                  .group_name = names(primary ? N::primary_probe_security_group : N::secondary_probe_security_group)});
  sg.allow_to_cidr(p.primary_vpc_cidr, 5432, "Aurora PostgreSQL in " + p.primary_region);
  sg.allow_to_cidr(p.secondary_vpc_cidr, 5432, "Aurora PostgreSQL in " + p.secondary_region);
  sg.allow_to_cidr(region.vpc.cidr(), 443, "Secrets Manager and CloudWatch interface endpoints");
  region.db_sg.allow_from(sg, 5432, "writer probe of this region");
  auto& probe = home.add<lambda::HealthProbe>(
      "WriterProbe",
      {.function_name = names(primary ? N::primary_probe_function : N::secondary_probe_function),
       .vpc = {.subnet_ids = region.vpc.subnet_ids(), .security_group_ids = {sg.group_id()}},
       // Both cluster endpoints, this region's first: healthy when either is a
       // writable primary. (The global writer endpoint would be the natural
       // target, but CloudFormation gives no GetAtt of its address that
       // cfn-lint accepts.)
       .db_host = Value::join(",", {region.cluster.endpoint_address(), other.cluster.endpoint_address()}),
       .db_port = 5432,
       .db_name = "postgres",
       .secret = Value(names(N::secret)),
       .secret_region = primary ? p.primary_region : p.secondary_region,
       .metric_dimension_value = names(primary ? N::primary_probe_dimension : N::secondary_probe_dimension),
       .probe_timeout_seconds = static_cast<double>(p.probe_timeout_seconds),
       .ca_bundle_file = p.probe_ca_bundle,
       .log_retention_days = p.log_retention_days,
       .role_name = names(primary ? N::primary_probe_role : N::secondary_probe_role)});
  region.data_key.grant(probe.role(), kms::decrypt_actions(), "secretsmanager");
  return probe;
}

// The fence of a record: set by a failover function before the irreversible
// step, the record is not answered until failback lifts it. Its metric is the
// record's own (dimension: the record's set identifier, which is its cluster's
// identifier, unique in the account), so fencing one record never fences the
// other (runtime/README.md, "aurora_failover").
cloudwatch::AlarmProps fence(std::string name, const std::string& record, const std::string& set_identifier) {
  return fence_alarm(std::move(name),
                     "Set by a failover function before failing over: the " + record +
                         " record is not answered until failback",
                     set_identifier);
}

struct FunctionSide {
  Stack& stack;
  const AuroraRegion& local;
  const AuroraRegion& remote;
  bool primary;  // the local region is the primary region
};

lambda::AuroraFailoverFunction& add_function(const AuroraGlobalDisasterRecoveryProps& p, const AuroraNames& names,
                                             const FunctionSide& side,
                                             const route53::PrivateHostedZone& zone,
                                             const route53::HealthCheck& primary_health,
                                             const route53::HealthCheck& secondary_health,
                                             const lambda::HealthProbe& probe, const std::string& cname) {
  const bool P = side.primary;
  auto& dlq = side.stack.add<sqs::Queue>(
      "FailoverDeadLetters", {.queue_name = names(P ? N::primary_failover_dlq : N::secondary_failover_dlq),
                              .message_retention_seconds = 1'209'600});
  const std::string hold_name = names(P ? N::primary_hold_alarm : N::secondary_hold_alarm);
  const std::string local_id = side.local.cluster.cluster_identifier();
  const std::string remote_id = side.remote.cluster.cluster_identifier();
  const std::string& local_region = P ? p.primary_region : p.secondary_region;
  const std::string& remote_region = P ? p.secondary_region : p.primary_region;
  auto& function = side.stack.add<lambda::AuroraFailoverFunction>(
      "Failover",
      {.function_name = names(P ? N::primary_failover_function : N::secondary_failover_function),
       .global_cluster_id = Value(names(N::global_cluster)),
       .local_region = local_region,
       // Literal identifiers and ARNs: the other region's cluster is in a
       // stack of another region, and the names are fixed by the settings.
       .local_cluster_id = Value(local_id),
       .local_cluster_arn = side.stack.format_arn("rds", "cluster:" + local_id, local_region),
       .remote_region = remote_region,
       .remote_cluster_id = Value(remote_id),
       .remote_cluster_arn = side.stack.format_arn("rds", "cluster:" + remote_id, remote_region),
       .hosted_zone_id = zone.hosted_zone_id(),
       .record_name = cname,
       .record_ttl = p.record_ttl_seconds,
       .local_set_identifier = local_id,  // the records' set identifiers are the cluster identifiers
       .remote_set_identifier = remote_id,
       .local_endpoint = side.local.cluster.endpoint_address(),
       .remote_endpoint = side.remote.cluster.endpoint_address(),
       .local_health_check_id = (P ? primary_health : secondary_health).health_check_id(),
       .remote_health_check_id = (P ? secondary_health : primary_health).health_check_id(),
       .topic_arn = side.local.events_topic.topic_arn(),
       .topic_key_arn = side.local.events_key.key_arn(),
       .hold_alarm_name = hold_name,
       .remote_view_alarm_name = names(P ? N::secondary_view_alarm : N::primary_view_alarm),
       .local_fence_alarm_name = names(P ? N::primary_fence_alarm : N::secondary_fence_alarm),
       .remote_fence_alarm_name = names(P ? N::secondary_fence_alarm : N::primary_fence_alarm),
       .fence_region = p.secondary_region,
       .lock_parameter = names(P ? N::primary_lock_parameter : N::secondary_lock_parameter),
       .state_parameter = names(P ? N::primary_state_parameter : N::secondary_state_parameter),
       .arm_after_healthy_datapoints = p.arm_after_healthy_minutes,
       .promotion_deadline_seconds = p.promotion_deadline_minutes * 60,
       .detection_budget_seconds = p.failover_objective_seconds,
       .second_signal_timeout_seconds = p.second_signal_timeout_seconds,
       .allow_detach = p.allow_detach,
       .metric_dimension_value = names(P ? N::primary_probe_dimension : N::secondary_probe_dimension),
       .dead_letter_queue_arn = dlq.queue_arn(),
       .log_retention_days = p.log_retention_days,
       .role_name = names(P ? N::primary_failover_role : N::secondary_failover_role)});
  auto& hold = side.stack.add<cloudwatch::Alarm>(
      "WriterDownHeld",
      probe_down_alarm(probe, hold_name,
                  "The writer has been unhealthy for " + std::to_string(p.hold_minutes) + " minutes as " +
                      (P ? p.primary_region : p.secondary_region) +
                      " sees it: the failover function there checks the second signal",
                  p.hold_minutes));
  hold.add_alarm_action(function);
  hold.add_alarm_action(side.local.events_topic);
  hold.add_ok_action(side.local.events_topic);
  auto& dlq_alarm = side.stack.add<cloudwatch::Alarm>(
      "FailoverDeadLetterAlarm",
      {.alarm_name = names(P ? N::primary_failover_dlq_alarm : N::secondary_failover_dlq_alarm),
       .description = "An asynchronous invocation of the failover function failed after its retries",
       .metric = dlq.metric_approximate_number_of_messages_visible(),
       .threshold = 0,
       .comparison = cloudwatch::ComparisonOperator::greater_than_threshold,
       .treat_missing_data = cloudwatch::TreatMissingData::not_breaching});
  dlq_alarm.add_alarm_action(side.local.events_topic);
  return function;
}

}  // namespace

AuroraFailover add_aurora_failover(Construct& scope, const AuroraGlobalDisasterRecoveryProps& p,
                                   const AuroraNames& names, const AuroraPrimary& primary,
                                   const AuroraRegion& secondary, Stack& routes) {
  const auto& east = primary.region;
  const std::string cname = names(N::database_cname);
  // ---- probes and the regions' one-minute views (DNS) ----------------------
  // The primary region's probe and view alarm live in the routes stack: the
  // probe names the secondary's endpoint, which the primary stack cannot.
  auto& east_probe = add_probe(p, names, east, secondary, routes, true);
  auto& west_probe = add_probe(p, names, secondary, east, secondary.stack, false);
  auto& east_view = routes.add<cloudwatch::Alarm>(
      "WriterDownView", probe_down_alarm(east_probe, names(N::primary_view_alarm),
                                    "The probe in " + p.primary_region + " cannot use the writer", p.health_alarm_periods));
  auto& west_view = secondary.stack.add<cloudwatch::Alarm>(
      "WriterDownView", probe_down_alarm(west_probe, names(N::secondary_view_alarm),
                                    "The probe in " + p.secondary_region + " cannot use the writer", p.health_alarm_periods));
  east_view.add_alarm_action(east.events_topic);
  west_view.add_alarm_action(secondary.events_topic);
  // ---- replication lag: people at 500 ms, the DNS guard at 60 s ------------
  auto& lag = secondary.stack.add<cloudwatch::Alarm>(
      "ReplicationLag", {.alarm_name = names(N::lag_alarm),
                         .description = "The " + p.secondary_region + " cluster is more than " +
                                        std::to_string(p.lag_alarm_milliseconds) + " ms behind the primary",
                         .metric = secondary.cluster.metric_global_replication_lag(),
                         .threshold = static_cast<double>(p.lag_alarm_milliseconds),
                         .comparison = cloudwatch::ComparisonOperator::greater_than_threshold,
                         .evaluation_periods = 3,
                         .datapoints_to_alarm = 2,
                         .treat_missing_data = cloudwatch::TreatMissingData::not_breaching});
  lag.add_alarm_action(secondary.events_topic);
  lag.add_ok_action(secondary.events_topic);

  auto& f = scope.add<Stack>("Failover", StackProps{
      .stack_name = names(N::failover_stack), .env = {.region = p.secondary_region, .account = p.account},
      .description = "drsynth Aurora Global Database DR (" + names.suffix() + "): DNS, health checks and the failover "
                     "function in " + p.secondary_region});
  // Missing data is no lag: a promoted (or detached) cluster stops reporting it.
  auto& guard = f.add<cloudwatch::Alarm>(
      "LagGuard", {.alarm_name = names(N::lag_guard_alarm),
                   .description = "DNS guard: the secondary is more than " + std::to_string(p.dns_lag_guard_seconds) +
                                  " s behind, its record is unhealthy",
                   .metric = secondary.cluster.metric_global_replication_lag(),
                   .threshold = p.dns_lag_guard_seconds * 1000.0,
                   .comparison = cloudwatch::ComparisonOperator::greater_than_threshold,
                   .evaluation_periods = 1,
                   .treat_missing_data = cloudwatch::TreatMissingData::not_breaching,
                   .route53_compatible = true});
  auto& zone = f.add<route53::PrivateHostedZone>(
      "Zone", {.zone_name = names(N::zone),
               .vpcs = {{.vpc_id = east.vpc.vpc_id(), .region = p.primary_region},
                        {.vpc_id = secondary.vpc.vpc_id(), .region = p.secondary_region}},
               .comment = "Aurora Global Database writer for " + names.suffix()});
  const std::string primary_set = east.cluster.cluster_identifier();
  const std::string secondary_set = secondary.cluster.cluster_identifier();
  auto& primary_fence =
      f.add<cloudwatch::Alarm>("PrimaryFenced", fence(names(N::primary_fence_alarm), "primary", primary_set));
  auto& secondary_fence =
      f.add<cloudwatch::Alarm>("SecondaryFenced", fence(names(N::secondary_fence_alarm), "secondary", secondary_set));
  // Primary record: healthy = not fenced AND (either region sees the writer
  // healthy); the fence counts twice, so 3 of 4 needs both plus one view.
  auto& fence_a = f.add<route53::HealthCheck>(
      "PrimaryNotFencedA", route53::cloudwatch_metric_check(primary_fence, InsufficientDataHealthStatus::healthy));
  auto& fence_b = f.add<route53::HealthCheck>(
      "PrimaryNotFencedB", route53::cloudwatch_metric_check(primary_fence, InsufficientDataHealthStatus::healthy));
  auto& west_sees = f.add<route53::HealthCheck>(
      "WriterSecondaryView", {.kind = route53::HealthCheckKind::cloudwatch_metric,
                              .alarm_name = Value(names(N::secondary_view_alarm)),
                              .alarm_region = p.secondary_region,
                              .insufficient_data_health_status = InsufficientDataHealthStatus::last_known_status});
  auto& east_sees = f.add<route53::HealthCheck>(
      "WriterPrimaryView", {.kind = route53::HealthCheckKind::cloudwatch_metric,
                            .alarm_name = Value(names(N::primary_view_alarm)),
                            .alarm_region = p.primary_region,
                            .insufficient_data_health_status = InsufficientDataHealthStatus::unhealthy});
  auto& primary_health = f.add<route53::HealthCheck>(
      "PrimaryHealth", route53::calculated_check({fence_a, fence_b, west_sees, east_sees}, 3));
  // Secondary record: healthy = not fenced AND replicated within the guard.
  auto& secondary_not_fenced = f.add<route53::HealthCheck>(
      "SecondaryNotFenced", route53::cloudwatch_metric_check(secondary_fence, InsufficientDataHealthStatus::healthy));
  auto& lag_ok = f.add<route53::HealthCheck>(
      "SecondaryLagGuard", route53::cloudwatch_metric_check(guard, InsufficientDataHealthStatus::last_known_status));
  auto& secondary_health = f.add<route53::HealthCheck>(
      "SecondaryHealth", route53::calculated_check({secondary_not_fenced, lag_ok}, 2));
  f.add<route53::WeightedRecord>("PrimaryRecord", {.zone = zone,
                                                   .record_name = cname,
                                                   .values = {east.cluster.endpoint_address()},
                                                   .weight = 100,
                                                   .set_identifier = primary_set,
                                                   .ttl = p.record_ttl_seconds,
                                                   .health_check = primary_health});
  f.add<route53::WeightedRecord>("SecondaryRecord", {.zone = zone,
                                                     .record_name = cname,
                                                     .values = {secondary.cluster.endpoint_address()},
                                                     .weight = 0,
                                                     .set_identifier = secondary_set,
                                                     .ttl = p.record_ttl_seconds,
                                                     .health_check = secondary_health});
  for (auto* alarm : {&primary_fence, &secondary_fence, &guard}) {
    alarm->add_alarm_action(secondary.events_topic);
    alarm->add_ok_action(secondary.events_topic);
  }

  // ---- a failover function in each region -----------------------------------
  auto& fp = scope.add<Stack>("FailoverPrimary", StackProps{
      .stack_name = names(N::failover_primary_stack), .env = {.region = p.primary_region, .account = p.account},
      .description = "drsynth Aurora Global Database DR (" + names.suffix() + "): the failover function in " +
                     p.primary_region + " (fails over to it when the writer is in " + p.secondary_region + ")"});
  add_function(p, names, {f, secondary, east, false}, zone, primary_health, secondary_health,
               west_probe, cname);
  add_function(p, names, {fp, east, secondary, true}, zone, primary_health, secondary_health,
               east_probe, cname);

  f.add<CfnOutput>("WriterCname", {.value = Value(cname),
                                   .description = "the name applications connect to (weighted: primary 100, secondary 0)"});
  f.add<CfnOutput>("FailoverFunctionName",
                   {.value = Value(names(N::secondary_failover_function)),
                    .description = "invoke with {\"action\": \"status\"}, {\"action\": \"switchover\"} or "
                                   "{\"action\": \"failover\", \"force\": true}"});
  return {f, fp, zone};
}

}  // namespace drsynth::patterns::detail

// The DR region's health, DNS and failover part of the PostgresDisasterRecovery
// system: what must outlive the primary region.
#include "drsynth/cfn_output.hpp"
#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/lambda/failover_function.hpp"
#include "drsynth/lambda/health_probe.hpp"
#include "drsynth/rds/database_instance.hpp"
#include "drsynth/rds/read_replica.hpp"
#include "drsynth/route53/health_check.hpp"
#include "drsynth/route53/private_hosted_zone.hpp"
#include "drsynth/route53/weighted_record.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/stack.hpp"
#include "patterns/dr_parts.hpp"

namespace drsynth::patterns::detail {

Failover add_failover(Construct& scope, const PostgresDisasterRecoveryProps& p, const Names& names,
                      const PrimaryRegion& primary, const ReplicaRegion& replica) {
  const std::string& s = names.suffix();
  auto& f = scope.add<Stack>("Failover", StackProps{
      .stack_name = names(Name::failover_stack), .env = {.region = p.dr_region, .account = p.account},
      .description = "drsynth PostgreSQL DR (" + s + "): health checks, DNS failover and alarms in " + p.dr_region});
  auto& topic = f.add<sns::Topic>("Alarms", {.topic_name = names(Name::topic), .display_name = "PostgreSQL DR " + s});
  for (const auto& email : p.alarm_emails) topic.add_email_subscription(email);

  auto& zone = f.add<route53::PrivateHostedZone>(
      "Zone", {.zone_name = names(Name::zone),
               .vpcs = {{.vpc_id = primary.vpc.vpc_id(), .region = p.primary_region},
                        {.vpc_id = replica.vpc.vpc_id(), .region = p.dr_region}},
               .comment = "PostgreSQL DR endpoint for " + s});

  // The probe runs in the DR VPC and really connects to the primary over the peering.
  auto& probe_sg = f.add<ec2::SecurityGroup>(
      "ProbeSg", {.vpc = replica.vpc, .description = "health probe: PostgreSQL to the primary, HTTPS to the endpoints",
                  .group_name = names(Name::probe_security_group)});
  probe_sg.allow_to_cidr(p.primary_vpc_cidr, 5432, "PostgreSQL primary over the peering");
  probe_sg.allow_to_cidr(p.dr_vpc_cidr, 443, "Secrets Manager and CloudWatch interface endpoints");
  auto& probe = f.add<lambda::HealthProbe>(
      "Probe", {.function_name = names(Name::probe_function),
                .vpc = {.subnet_ids = replica.vpc.subnet_ids(), .security_group_ids = {probe_sg.group_id()}},
                .db_host = primary.database.endpoint_address(),
                .db_port = primary.database.endpoint_port(),
                .db_name = "postgres",
                // The replicated copy of the secret, in this region: it survives the primary region.
                .secret = Value(names(Name::secret)),
                .secret_region = p.dr_region,
                .metric_namespace = "drsynth",
                .metric_dimension_name = "System",
                .metric_dimension_value = names(Name::probe_metric_dimension),
                .probe_timeout_seconds = static_cast<double>(p.probe_timeout_seconds),
                .schedule = p.probe_interval_minutes == 1 ? "rate(1 minute)"
                                                          : "rate(" + std::to_string(p.probe_interval_minutes) + " minutes)",
                .log_retention_days = p.log_retention_days,
                .role_name = names(Name::probe_role)});

  // The probe publishes 1 (healthy) or 0 every interval; missing data (the
  // probe itself down) counts as unhealthy.
  auto metric = probe.healthy_metric();
  metric.period_seconds = 60;
  auto& health_alarm = f.add<cloudwatch::Alarm>(
      "PrimaryDown", {.alarm_name = names(Name::health_alarm),
                      .description = "The probe cannot authenticate to the primary and run SELECT 1",
                      .metric = metric,
                      .threshold = 1,
                      .comparison = cloudwatch::ComparisonOperator::less_than_threshold,
                      .evaluation_periods = p.health_alarm_periods,
                      .datapoints_to_alarm = p.health_alarm_periods,
                      .treat_missing_data = cloudwatch::TreatMissingData::breaching,
                      .route53_compatible = true});
  auto& health = f.add<route53::HealthCheck>("PrimaryHealth", route53::cloudwatch_metric_check(health_alarm));

  // Weighted records 100/0: the health check takes the primary's out when it fails.
  const std::string cname = names(Name::database_cname);
  f.add<route53::WeightedRecord>("PrimaryRecord", {.zone = zone,
                                                   .record_name = cname,
                                                   .values = {primary.database.endpoint_address()},
                                                   .weight = 100,
                                                   .set_identifier = "primary",
                                                   .ttl = p.record_ttl_seconds,
                                                   .health_check = health});
  f.add<route53::WeightedRecord>("ReplicaRecord", {.zone = zone,
                                                   .record_name = cname,
                                                   .values = {replica.replica.endpoint_address()},
                                                   .weight = 0,
                                                   .set_identifier = "replica",
                                                   .ttl = p.record_ttl_seconds});

  auto& function = f.add<lambda::FailoverFunction>(
      "Failover", {.function_name = names(Name::failover_function),
                   .primary_instance_id = Value(primary.database.instance_identifier()),
                   .primary_region = p.primary_region,
                   .replica_instance_id = Value(replica.replica.instance_identifier()),
                   .replica_region = p.dr_region,
                   .hosted_zone_id = zone.hosted_zone_id(),
                   .record_name = cname,
                   .record_ttl = p.record_ttl_seconds,
                   .primary_set_identifier = "primary",
                   .replica_set_identifier = "replica",
                   .primary_endpoint = primary.database.endpoint_address(),
                   .replica_endpoint = replica.replica.endpoint_address(),
                   .topic_arn = topic.topic_arn(),
                   .health_alarm_name = health_alarm.alarm_name(),
                   .backup_retention_days = p.backup_retention_days,
                   .lock_parameter = names(Name::failover_lock_parameter),
                   .timeout_seconds = 300,
                   .log_retention_days = p.log_retention_days,
                   .role_name = names(Name::failover_role)});
  health_alarm.add_alarm_action(topic);
  health_alarm.add_ok_action(topic);
  health_alarm.add_alarm_action(function);
  return {f, topic, zone, probe, health_alarm, function};
}

void add_outputs(const Failover& failover, const Names& names) {
  failover.stack.add<CfnOutput>(
      "DatabaseCname", {.value = Value(names(Name::database_cname)),
                        .description = "the name applications connect to (weighted: primary 100, replica 0)"});
  failover.stack.add<CfnOutput>(
      "FailoverFunctionName", {.value = Value(names(Name::failover_function)),
                               .description = "invoke with {\"action\": \"status\"} or {\"action\": \"failover\"}"});
}

}  // namespace drsynth::patterns::detail

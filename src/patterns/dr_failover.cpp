// The failover path of the PostgresDisasterRecovery system: probes in both
// regions, the alarms and the calculated health check that move DNS (fast,
// reversible), the hold alarm, fence and failover function that promote (slow,
// irreversible), and the paging topic they report to. It lives in the DR
// region (what must outlive the primary region), except the primary region's
// own probe and alarm. docs/dr-design.md explains each choice.
#include <fstream>
#include <sstream>

#include "drsynth/cfn_output.hpp"
#include "drsynth/cfn_resource.hpp"
#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/lambda/failover_function.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/lambda/health_probe.hpp"
#include "drsynth/rds/database_instance.hpp"
#include "drsynth/rds/read_replica.hpp"
#include "drsynth/route53/health_check.hpp"
#include "drsynth/route53/private_hosted_zone.hpp"
#include "drsynth/route53/weighted_record.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/stack.hpp"
#include "patterns/dr_parts.hpp"
#include "patterns/failover_alarms.hpp"

namespace drsynth::patterns::detail {

namespace {

Value statement(std::string sid, Value principal, Value actions, Value resource, Value condition = nullptr) {
  Value::Object o{{"Sid", std::move(sid)}, {"Effect", "Allow"}, {"Principal", std::move(principal)},
                  {"Action", std::move(actions)}, {"Resource", std::move(resource)}};
  if (!condition.is_null()) o["Condition"] = std::move(condition);
  return Value(std::move(o));
}

std::string rate(int minutes) {
  return minutes == 1 ? "rate(1 minute)" : "rate(" + std::to_string(minutes) + " minutes)";
}

lambda::HealthProbeProps probe_props(const PostgresDisasterRecoveryProps& p, const Names& names,
                                     const ec2::Vpc& vpc, const ec2::SecurityGroup& sg,
                                     const rds::DatabaseInstance& primary, bool local) {
  return lambda::HealthProbeProps{
      .function_name = local ? names(Name::local_probe_function) : names(Name::probe_function),
      .vpc = {.subnet_ids = vpc.subnet_ids(), .security_group_ids = {sg.group_id()}},
      .db_host = primary.endpoint_address(),
      .db_port = primary.endpoint_port(),
      .db_name = "postgres",
      // The secret of its own region: the DR probe reads the replicated copy,
      // which survives the primary region.
      .secret = Value(names(Name::secret)),
      .secret_region = local ? p.primary_region : p.dr_region,
      .metric_namespace = "drsynth",
      .metric_dimension_name = "System",
      .metric_dimension_value = names(Name::probe_metric_dimension),
      .probe_timeout_seconds = static_cast<double>(p.probe_timeout_seconds),
      .ca_bundle_file = p.probe_ca_bundle,
      .allow_md5 = p.probe_allow_md5,
      .allow_cleartext = p.probe_allow_cleartext,
      .schedule = rate(p.probe_interval_minutes),
      .log_retention_days = p.log_retention_days,
      .role_name = local ? names(Name::local_probe_role) : names(Name::probe_role)};
}

// The KMS key (rotation on) CloudWatch and the failover function may use (its
// policy is completed by add_failover, which knows the function's role), the
// topic encrypted with it, and a topic policy that admits CloudWatch over TLS only.
sns::Topic& add_alarm_topic(Stack& f, const PostgresDisasterRecoveryProps& p, const Names& names) {
  // CloudWatch alarm actions cannot publish to a topic under alias/aws/sns (its
  // key policy cannot admit cloudwatch.amazonaws.com): a key of our own.
  auto& key = f.add<CfnResource>("AlarmsKey", CfnResourceProps{.type = "AWS::KMS::Key"});
  key.set_property("Description", "Encrypts the DR alarm topic " + names(Name::topic) + "; CloudWatch and the functions may use it");
  key.set_property("EnableKeyRotation", true);
  key.apply_removal_policy(RemovalPolicy::destroy);
  key.set_property("PendingWindowInDays", 7);
  auto& alias = f.add<CfnResource>("AlarmsKeyAlias", CfnResourceProps{.type = "AWS::KMS::Alias"});
  alias.set_property("AliasName", names(Name::alarm_key_alias));
  alias.set_property("TargetKeyId", key.ref());

  auto& topic = f.add<sns::Topic>("Alarms", {.topic_name = names(Name::topic),
                                             .display_name = "PostgreSQL DR " + p.environment_suffix,
                                             .kms_master_key_id = key.get_att("Arn")});
  for (const auto& email : p.alarm_emails) topic.add_email_subscription(email);
  auto& policy = f.add<CfnResource>("AlarmsPolicy", CfnResourceProps{.type = "AWS::SNS::TopicPolicy"});
  policy.set_property("Topics", Value::array({topic.topic_arn()}));
  policy.set_property(
      "PolicyDocument",
      Value::object(
          {{"Version", "2012-10-17"},
           {"Statement",
            Value::array(
                {Value::object({{"Sid", "TlsOnly"},
                                {"Effect", "Deny"},
                                {"Principal", "*"},
                                {"Action", "sns:Publish"},
                                {"Resource", topic.topic_arn()},
                                {"Condition", Value::object({{"Bool", Value::object({{"aws:SecureTransport", "false"}})}})}}),
                 statement("CloudWatchAlarmsPublish", Value::object({{"Service", "cloudwatch.amazonaws.com"}}),
                           "sns:Publish", topic.topic_arn(),
                           Value::object({{"StringEquals", Value::object({{"aws:SourceAccount", f.account_value()}})}}))})}}));
  return topic;
}

}  // namespace

Failover add_failover(Construct& scope, const PostgresDisasterRecoveryProps& p, const Names& names,
                      const PrimaryRegion& primary, const ReplicaRegion& replica) {
  const std::string& s = names.suffix();
  auto& f = scope.add<Stack>("Failover", StackProps{
      .stack_name = names(Name::failover_stack), .env = {.region = p.dr_region, .account = p.account},
      .description = "drsynth PostgreSQL DR (" + s + "): health checks, DNS failover and alarms in " + p.dr_region});
  auto& topic = add_alarm_topic(f, p, names);
  auto& zone = f.add<route53::PrivateHostedZone>(
      "Zone", {.zone_name = names(Name::zone),
               .vpcs = {{.vpc_id = primary.vpc.vpc_id(), .region = p.primary_region},
                        {.vpc_id = replica.vpc.vpc_id(), .region = p.dr_region}},
               .comment = "PostgreSQL DR endpoint for " + s});
  const std::string cname = names(Name::database_cname);
  // ---- probes: one over the peering (DR view), one next to the primary -----
  auto& probe_sg = f.add<ec2::SecurityGroup>(
      "ProbeSg", {.vpc = replica.vpc, .description = "health probe: PostgreSQL to the primary, HTTPS to the endpoints",
                  .group_name = names(Name::probe_security_group)});
  probe_sg.allow_to_cidr(p.primary_vpc_cidr, 5432, "PostgreSQL primary over the peering");
  probe_sg.allow_to_cidr(p.dr_vpc_cidr, 443, "Secrets Manager and CloudWatch interface endpoints");
  auto& probe = f.add<lambda::HealthProbe>("Probe", probe_props(p, names, replica.vpc, probe_sg, primary.database, false));
  // It reads the secret's replica, encrypted with the base stack's key.
  replica.secret_key.grant(probe.role(), kms::decrypt_actions(), "secretsmanager");

  auto& local_sg = primary.stack.add<ec2::SecurityGroup>(
      "ProbeSg", {.vpc = primary.vpc,
                  .description = "local health probe: PostgreSQL to the primary, HTTPS to the endpoints",
                  .group_name = names(Name::local_probe_security_group)});
  local_sg.allow_to_cidr(p.primary_vpc_cidr, 5432, "PostgreSQL primary");
  local_sg.allow_to_cidr(p.primary_vpc_cidr, 443, "Secrets Manager and CloudWatch interface endpoints");
  auto& local_probe =
      primary.stack.add<lambda::HealthProbe>("Probe", probe_props(p, names, primary.vpc, local_sg, primary.database, true));
  // It reads the master secret, encrypted with the region's data key.
  primary.key.grant(local_probe.role(), kms::decrypt_actions(), "secretsmanager");
  // The primary region's own view; Route 53 and the failover function read it
  // from the DR region (by name: no cross-stack reference).
  primary.stack.add<cloudwatch::Alarm>(
      "PrimaryDownLocal", probe_down_alarm(local_probe, names(Name::local_health_alarm),
                                     "The probe in the primary region cannot use the primary (1 minute)", 1));

  // ---- DNS (fast, reversible): the calculated health check -----------------
  auto& health_alarm = f.add<cloudwatch::Alarm>(
      "PrimaryDown", probe_down_alarm(probe, names(Name::health_alarm),
                                "The DR-region probe cannot authenticate to the primary and run SELECT 1",
                                p.health_alarm_periods));
  auto& fence = f.add<cloudwatch::Alarm>(
      "PrimaryFenced",
      fence_alarm(names(Name::fence_alarm),
                  "Set by the failover function before promoting: the old primary is never routed to again",
                  names(Name::probe_metric_dimension)));
  using route53::InsufficientDataHealthStatus;
  // Its alarm treats missing data as breaching, so INSUFFICIENT_DATA only
  // happens before its first evaluation: the last known status (healthy for a
  // new check) keeps a fresh deploy from answering with the replica.
  auto& dr_view = f.add<route53::HealthCheck>(
      "PrimaryHealthDrView",
      route53::cloudwatch_metric_check(health_alarm, InsufficientDataHealthStatus::last_known_status));
  // A region that has gone silent (its CloudWatch unreadable) is unhealthy.
  auto& local_view = f.add<route53::HealthCheck>(
      "PrimaryHealthLocalView", {.kind = route53::HealthCheckKind::cloudwatch_metric,
                                 .alarm_name = Value(names(Name::local_health_alarm)),
                                 .alarm_region = p.primary_region,
                                 .insufficient_data_health_status = InsufficientDataHealthStatus::unhealthy});
  // Threshold arithmetic: healthy = not fenced AND (either view healthy). The
  // fence counts twice, so 3 of 4 needs both fence checks plus one view.
  auto& fence_a = f.add<route53::HealthCheck>(
      "PrimaryNotFencedA", route53::cloudwatch_metric_check(fence, InsufficientDataHealthStatus::healthy));
  auto& fence_b = f.add<route53::HealthCheck>(
      "PrimaryNotFencedB", route53::cloudwatch_metric_check(fence, InsufficientDataHealthStatus::healthy));
  auto& health = f.add<route53::HealthCheck>(
      "PrimaryHealth", route53::calculated_check({fence_a, fence_b, dr_view, local_view}, 3));
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

  // ---- promotion (slow, irreversible) ---------------------------------------
  auto& hold_alarm = f.add<cloudwatch::Alarm>(
      "PrimaryDownHeld",
      probe_down_alarm(probe, names(Name::hold_alarm),
                 "The primary has been unhealthy for the hold time (" + std::to_string(p.hold_minutes) +
                     " minutes): the failover function checks the second signal",
                 p.hold_minutes));
  auto& dead_letters = f.add<CfnResource>("FailoverDeadLetters", CfnResourceProps{.type = "AWS::SQS::Queue"});
  dead_letters.set_property("QueueName", names(Name::dead_letter_queue));
  dead_letters.set_property("MessageRetentionPeriod", 1209600);  // 14 days, the maximum
  dead_letters.set_property("SqsManagedSseEnabled", true);
  dead_letters.apply_removal_policy(RemovalPolicy::destroy);

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
                   .health_alarm_name = hold_alarm.alarm_name(),
                   .primary_view_alarm_name = names(Name::local_health_alarm),
                   .fence_alarm_name = names(Name::fence_alarm),
                   .primary_health_check_id = health.health_check_id(),
                   .backup_retention_days = p.backup_retention_days,
                   .lock_parameter = names(Name::failover_lock_parameter),
                   .state_parameter = names(Name::failover_state_parameter),
                   .arm_after_healthy_datapoints = p.arm_after_healthy_minutes,
                   .promotion_deadline_seconds = p.promotion_deadline_minutes * 60,
                   .metric_namespace = "drsynth",
                   .metric_dimension_name = "System",
                   .metric_dimension_value = names(Name::probe_metric_dimension),
                   .replica_backup_window = p.replica_backup_window,
                   .dead_letter_queue_arn = dead_letters.get_att("Arn"),
                   .topic_key_arn = topic.props().kms_master_key_id,
                   .timeout_seconds = 300,
                   .log_retention_days = p.log_retention_days,
                   .role_name = names(Name::failover_role)});
  for (auto* alarm : {&health_alarm, &hold_alarm, &fence}) {
    alarm->add_alarm_action(topic);
    alarm->add_ok_action(topic);
  }
  hold_alarm.add_alarm_action(function);

  auto& dlq_alarm = f.add<cloudwatch::Alarm>(
      "FailoverDeadLetterAlarm",
      {.alarm_name = names(Name::dead_letter_alarm),
       .description = "An asynchronous invocation of the failover function failed after its retries",
       .metric = {.namespace_name = "AWS/SQS",
                  .metric_name = "ApproximateNumberOfMessagesVisible",
                  .dimensions = {{"QueueName", dead_letters.get_att("QueueName")}},
                  .statistic = "Maximum",
                  .period_seconds = 60},
       .threshold = 0,
       .comparison = cloudwatch::ComparisonOperator::greater_than_threshold,
       .evaluation_periods = 1,
       .treat_missing_data = cloudwatch::TreatMissingData::not_breaching});
  dlq_alarm.add_alarm_action(topic);

  // The topic's key: the account administers it (IAM policies apply);
  // CloudWatch (alarm actions) and the failover function may encrypt for the topic.
  auto& key = dynamic_cast<CfnResource&>(*f.find_child("AlarmsKey"));
  const Value root = Value::object({{"AWS", Value::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")}});
  const Value use = Value::array({"kms:Decrypt", "kms:GenerateDataKey*"});
  key.set_property(
      "KeyPolicy",
      Value::object(
          {{"Version", "2012-10-17"},
           {"Statement",
            Value::array(
                {statement("AccountAdministers", root, "kms:*", "*"),
                 statement("CloudWatchAlarmsPublish", Value::object({{"Service", "cloudwatch.amazonaws.com"}}), use, "*",
                           Value::object({{"StringEquals", Value::object({{"aws:SourceAccount", f.account_value()}})}})),
                 statement("FailoverFunctionPublishes",
                           Value::object({{"AWS", function.role().role_arn()}}), use, "*")})}}));
  return {f, topic, zone, probe, health_alarm, function, local_probe, hold_alarm, fence};
}


void add_outputs(const Failover& failover, const Names& names) {
  failover.stack.add<CfnOutput>(
      "DatabaseCname", {.value = Value(names(Name::database_cname)),
                        .description = "the name applications connect to (weighted: primary 100, replica 0)"});
  failover.stack.add<CfnOutput>(
      "FailoverFunctionName",
      {.value = Value(names(Name::failover_function)),
       .description = "invoke with {\"action\": \"status\"}, {\"action\": \"failover\", \"force\": true} or "
                      "{\"action\": \"failback\", \"confirm\": \"<replica id>\"}"});
}

}  // namespace drsynth::patterns::detail

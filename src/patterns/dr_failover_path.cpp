#include "patterns/dr_failover_path.hpp"

#include <fstream>
#include <sstream>

#include "drsynth/cfn_resource.hpp"
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

namespace drsynth::patterns::detail {

FailoverNames::FailoverNames(const std::string& s)
    : probe_function("probe-" + s),
      probe_role("probe-role-" + s),
      probe_sg("probe-sg-" + s),
      local_probe_function("probe-local-" + s),
      local_probe_role("probe-local-role-" + s),
      local_probe_sg("probe-local-sg-" + s),
      dr_alarm("primary-down-" + s),
      local_alarm("primary-down-local-" + s),
      hold_alarm("primary-down-held-" + s),
      fence_alarm("primary-fenced-" + s),
      dead_letter_alarm("failover-dead-letters-" + s),
      topic("dr-alarms-" + s),
      key_alias("alias/dr-alarms-" + s),
      dead_letter_queue("failover-dlq-" + s),
      lock_parameter("/drsynth/" + s + "/failover-lock"),
      state_parameter("/drsynth/" + s + "/failover-state"),
      failover_function("failover-" + s),
      failover_role("failover-role-" + s),
      metric_dimension("postgres-dr-" + s) {}

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

lambda::HealthProbeProps probe_props(const PostgresDisasterRecoveryProps& p, const FailoverNames& n,
                                     const ec2::Vpc& vpc, const ec2::SecurityGroup& sg,
                                     const rds::DatabaseInstance& primary, bool local) {
  return lambda::HealthProbeProps{
      .function_name = local ? n.local_probe_function : n.probe_function,
      .vpc = {.subnet_ids = vpc.subnet_ids(), .security_group_ids = {sg.group_id()}},
      .db_host = primary.endpoint_address(),
      .db_port = primary.endpoint_port(),
      .db_name = "postgres",
      // The secret of its own region: the DR probe reads the replicated copy,
      // which survives the primary region.
      .secret = Value("db-credentials-" + p.environment_suffix),
      .secret_region = local ? p.primary_region : p.dr_region,
      .metric_namespace = "drsynth",
      .metric_dimension_name = "System",
      .metric_dimension_value = n.metric_dimension,
      .probe_timeout_seconds = static_cast<double>(p.probe_timeout_seconds),
      .ca_bundle_file = p.probe_ca_bundle,
      .allow_md5 = p.probe_allow_md5,
      .allow_cleartext = p.probe_allow_cleartext,
      .schedule = rate(p.probe_interval_minutes),
      .log_retention_days = p.log_retention_days,
      .role_name = local ? n.local_probe_role : n.probe_role};
}

// PrimaryHealthy < 1 over `periods` one-minute periods, missing data breaching
// (a silent probe must not look healthy).
cloudwatch::AlarmProps down_alarm(const lambda::HealthProbe& probe, std::string name, std::string description,
                                  int periods) {
  auto metric = probe.healthy_metric();
  metric.period_seconds = 60;
  return cloudwatch::AlarmProps{.alarm_name = std::move(name),
                                .description = std::move(description),
                                .metric = metric,
                                .threshold = 1,
                                .comparison = cloudwatch::ComparisonOperator::less_than_threshold,
                                .evaluation_periods = periods,
                                .datapoints_to_alarm = periods,
                                .treat_missing_data = cloudwatch::TreatMissingData::breaching,
                                .route53_compatible = true};
}

}  // namespace

sns::Topic& add_alarm_topic(Stack& f, const PostgresDisasterRecoveryProps& p, const FailoverNames& n) {
  // CloudWatch alarm actions cannot publish to a topic under alias/aws/sns (its
  // key policy cannot admit cloudwatch.amazonaws.com): a key of our own.
  auto& key = f.add<CfnResource>("AlarmsKey", CfnResourceProps{.type = "AWS::KMS::Key"});
  key.set_property("Description", "Encrypts the DR alarm topic " + n.topic + "; CloudWatch and the functions may use it");
  key.set_property("EnableKeyRotation", true);
  key.apply_removal_policy(RemovalPolicy::destroy);
  key.set_property("PendingWindowInDays", 7);
  auto& alias = f.add<CfnResource>("AlarmsKeyAlias", CfnResourceProps{.type = "AWS::KMS::Alias"});
  alias.set_property("AliasName", n.key_alias);
  alias.set_property("TargetKeyId", key.ref());

  auto& topic = f.add<sns::Topic>("Alarms", {.topic_name = n.topic,
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

FailoverPath add_failover_path(const FailoverPathInputs& in) {
  const auto& p = in.props;
  const auto& n = in.names;
  auto& f = in.failover_stack;
  FailoverPath out;

  // ---- probes: one over the peering (DR view), one next to the primary -----
  auto& probe_sg = f.add<ec2::SecurityGroup>(
      "ProbeSg", {.vpc = &in.dr_vpc, .description = "health probe: PostgreSQL to the primary, HTTPS to the endpoints",
                  .group_name = n.probe_sg});
  probe_sg.allow_to_cidr(p.primary_vpc_cidr, 5432, "PostgreSQL primary over the peering");
  probe_sg.allow_to_cidr(p.dr_vpc_cidr, 443, "Secrets Manager and CloudWatch interface endpoints");
  out.probe = &f.add<lambda::HealthProbe>("Probe", probe_props(p, n, in.dr_vpc, probe_sg, in.primary, false));

  auto& local_sg = in.primary_stack.add<ec2::SecurityGroup>(
      "ProbeSg", {.vpc = &in.primary_vpc,
                  .description = "local health probe: PostgreSQL to the primary, HTTPS to the endpoints",
                  .group_name = n.local_probe_sg});
  local_sg.allow_to_cidr(p.primary_vpc_cidr, 5432, "PostgreSQL primary");
  local_sg.allow_to_cidr(p.primary_vpc_cidr, 443, "Secrets Manager and CloudWatch interface endpoints");
  out.local_probe =
      &in.primary_stack.add<lambda::HealthProbe>("Probe", probe_props(p, n, in.primary_vpc, local_sg, in.primary, true));
  // The primary region's own view; Route 53 and the failover function read it
  // from the DR region (by name: no cross-stack reference).
  in.primary_stack.add<cloudwatch::Alarm>(
      "PrimaryDownLocal", down_alarm(*out.local_probe, n.local_alarm,
                                     "The probe in the primary region cannot use the primary (1 minute)", 1));

  // ---- DNS (fast, reversible): the calculated health check -----------------
  out.dr_alarm = &f.add<cloudwatch::Alarm>(
      "PrimaryDown", down_alarm(*out.probe, n.dr_alarm,
                                "The DR-region probe cannot authenticate to the primary and run SELECT 1",
                                p.health_alarm_periods));
  out.fence_alarm = &f.add<cloudwatch::Alarm>(
      "PrimaryFenced",
      {.alarm_name = n.fence_alarm,
       .description = "Set by the failover function before promoting: the old primary is never routed to again",
       .metric = {.namespace_name = "drsynth",
                  .metric_name = "Fenced",
                  .dimensions = {{"System", Value(n.metric_dimension)}},
                  .statistic = "Maximum",
                  .period_seconds = 60},
       .threshold = 1,
       .comparison = cloudwatch::ComparisonOperator::greater_than_or_equal_to_threshold,
       .evaluation_periods = 1,
       .datapoints_to_alarm = 1,
       // No data keeps the state: a fence stays until failback lifts it.
       .treat_missing_data = cloudwatch::TreatMissingData::ignore,
       .route53_compatible = true});
  using route53::InsufficientDataHealthStatus;
  // Its alarm treats missing data as breaching, so INSUFFICIENT_DATA only
  // happens before its first evaluation: the last known status (healthy for a
  // new check) keeps a fresh deploy from answering with the replica.
  auto& dr_view = f.add<route53::HealthCheck>(
      "PrimaryHealthDrView",
      route53::cloudwatch_metric_check(*out.dr_alarm, InsufficientDataHealthStatus::last_known_status));
  // A region that has gone silent (its CloudWatch unreadable) is unhealthy.
  auto& local_view = f.add<route53::HealthCheck>(
      "PrimaryHealthLocalView", {.kind = route53::HealthCheckKind::cloudwatch_metric,
                                 .alarm_name = Value(n.local_alarm),
                                 .alarm_region = p.primary_region,
                                 .insufficient_data_health_status = InsufficientDataHealthStatus::unhealthy});
  // Threshold arithmetic: healthy = not fenced AND (either view healthy). The
  // fence counts twice, so 3 of 4 needs both fence checks plus one view.
  auto& fence_a = f.add<route53::HealthCheck>(
      "PrimaryNotFencedA", route53::cloudwatch_metric_check(*out.fence_alarm, InsufficientDataHealthStatus::healthy));
  auto& fence_b = f.add<route53::HealthCheck>(
      "PrimaryNotFencedB", route53::cloudwatch_metric_check(*out.fence_alarm, InsufficientDataHealthStatus::healthy));
  auto& health = f.add<route53::HealthCheck>(
      "PrimaryHealth", route53::calculated_check({&fence_a, &fence_b, &dr_view, &local_view}, 3));
  f.add<route53::WeightedRecord>("PrimaryRecord", {.zone = &in.zone,
                                                   .record_name = in.cname,
                                                   .values = {in.primary.endpoint_address()},
                                                   .weight = 100,
                                                   .set_identifier = "primary",
                                                   .ttl = p.record_ttl_seconds,
                                                   .health_check = &health});
  f.add<route53::WeightedRecord>("ReplicaRecord", {.zone = &in.zone,
                                                   .record_name = in.cname,
                                                   .values = {in.replica.endpoint_address()},
                                                   .weight = 0,
                                                   .set_identifier = "replica",
                                                   .ttl = p.record_ttl_seconds});

  // ---- promotion (slow, irreversible) ---------------------------------------
  out.hold_alarm = &f.add<cloudwatch::Alarm>(
      "PrimaryDownHeld",
      down_alarm(*out.probe, n.hold_alarm,
                 "The primary has been unhealthy for the hold time (" + std::to_string(p.hold_minutes) +
                     " minutes): the failover function checks the second signal",
                 p.hold_minutes));
  auto& dead_letters = f.add<CfnResource>("FailoverDeadLetters", CfnResourceProps{.type = "AWS::SQS::Queue"});
  dead_letters.set_property("QueueName", n.dead_letter_queue);
  dead_letters.set_property("MessageRetentionPeriod", 1209600);  // 14 days, the maximum
  dead_letters.set_property("SqsManagedSseEnabled", true);
  dead_letters.apply_removal_policy(RemovalPolicy::destroy);

  out.failover = &f.add<lambda::FailoverFunction>(
      "Failover", {.function_name = n.failover_function,
                   .primary_instance_id = Value(in.primary.instance_identifier()),
                   .primary_region = p.primary_region,
                   .replica_instance_id = Value(in.replica.instance_identifier()),
                   .replica_region = p.dr_region,
                   .hosted_zone_id = in.zone.hosted_zone_id(),
                   .record_name = in.cname,
                   .record_ttl = p.record_ttl_seconds,
                   .primary_set_identifier = "primary",
                   .replica_set_identifier = "replica",
                   .primary_endpoint = in.primary.endpoint_address(),
                   .replica_endpoint = in.replica.endpoint_address(),
                   .topic_arn = in.topic.topic_arn(),
                   .health_alarm_name = out.hold_alarm->alarm_name(),
                   .primary_view_alarm_name = n.local_alarm,
                   .fence_alarm_name = n.fence_alarm,
                   .primary_health_check_id = health.health_check_id(),
                   .backup_retention_days = p.backup_retention_days,
                   .lock_parameter = n.lock_parameter,
                   .state_parameter = n.state_parameter,
                   .arm_after_healthy_datapoints = p.arm_after_healthy_minutes,
                   .promotion_deadline_seconds = p.promotion_deadline_minutes * 60,
                   .metric_namespace = "drsynth",
                   .metric_dimension_name = "System",
                   .metric_dimension_value = n.metric_dimension,
                   .replica_backup_window = p.replica_backup_window,
                   .dead_letter_queue_arn = dead_letters.get_att("Arn"),
                   .topic_key_arn = in.topic.props().kms_master_key_id,
                   .timeout_seconds = 300,
                   .log_retention_days = p.log_retention_days,
                   .role_name = n.failover_role});
  for (auto* alarm : {out.dr_alarm, out.hold_alarm, out.fence_alarm}) {
    alarm->add_alarm_action(in.topic);
    alarm->add_ok_action(in.topic);
  }
  out.hold_alarm->add_alarm_action(*out.failover);

  auto& dlq_alarm = f.add<cloudwatch::Alarm>(
      "FailoverDeadLetterAlarm",
      {.alarm_name = n.dead_letter_alarm,
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
  dlq_alarm.add_alarm_action(in.topic);

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
                           Value::object({{"AWS", out.failover->role().role_arn()}}), use, "*")})}}));
  return out;
}

void validate_failover_settings(const Construct& at, const PostgresDisasterRecoveryProps& p, Validation& v) {
  if (p.hold_minutes < 3 || p.hold_minutes > 15)
    v.error("E811", at, "hold time out of range: below 3 minutes a 120 s Multi-AZ failover can fill the hold alarm",
            std::to_string(p.hold_minutes) + " minutes (holdMinutes)", "3..15 minutes");
  else if (p.hold_minutes <= p.health_alarm_periods)
    v.error("E811", at, "hold time must be longer than the DR-view alarm (DNS moves first, promotion later)",
            std::to_string(p.hold_minutes) + " minutes (holdMinutes)",
            "more than healthAlarmPeriods (" + std::to_string(p.health_alarm_periods) + ")");
  if (p.arm_after_healthy_minutes < 1 || p.arm_after_healthy_minutes > 60)
    v.error("E812", at, "arming datapoints out of range", std::to_string(p.arm_after_healthy_minutes) +
            " (armAfterHealthyMinutes)", "1..60 consecutive healthy minutes");
  if (!p.probe_ca_bundle.empty()) {
    std::ifstream in(p.probe_ca_bundle, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || text.str().find("-----BEGIN CERTIFICATE-----") == std::string::npos)
      v.error("E813", at, in ? "probe CA bundle holds no PEM certificate" : "probe CA bundle cannot be read",
              "\"" + p.probe_ca_bundle + "\" (probeCaBundle)", "a readable PEM file of CA certificates");
  }
  if (p.promotion_deadline_minutes < 5 || p.promotion_deadline_minutes > 240)
    v.error("E814", at, "promotion deadline out of range", std::to_string(p.promotion_deadline_minutes) +
            " minutes (promotionDeadlineMinutes)", "5..240 minutes");
  if (p.alarm_emails.empty())
    v.warning("E815", at, "no alarm subscription: alarms and failover decisions reach nobody", "alarmEmails []",
              "at least one address (alarmEmails), or a subscription added to the topic dr-alarms-" +
                  p.environment_suffix);
  const auto budget = recovery_budget(p);
  if (budget.worst_seconds > p.recovery_time_objective_seconds) {
    std::string why;
    for (const auto& l : budget.steps) why += "\n" + l;
    v.error("E807", at,
            "the recovery-time budget exceeds the objective; shorten the probe interval, alarm periods, TTL or hold "
            "(not below what keeps a Multi-AZ failover from promoting)" + why,
            std::to_string(budget.worst_seconds) + " s",
            "<= " + std::to_string(p.recovery_time_objective_seconds) + " s (recoveryTimeObjectiveSeconds)");
  }
}

}  // namespace drsynth::patterns::detail

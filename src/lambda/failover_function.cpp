#include "drsynth/lambda/failover_function.hpp"


#include "drsynth/stack.hpp"
#include "lambda/ready_made.hpp"

namespace drsynth::lambda {

namespace {

// The alarm usually invokes this function (its ARN is in AlarmActions), so the
// function must not refer to the alarm: a Ref would be a circular dependency.
// A Ref to an alarm with a literal AlarmName becomes that name.
const CfnResource* alarm_target(const Value& v) {
  if (v.kind() != Value::Kind::ref) return nullptr;
  const auto* r = dynamic_cast<const CfnResource*>(v.target());
  return r != nullptr && r->type() == "AWS::CloudWatch::Alarm" ? r : nullptr;
}

Value literal_alarm_name(const Value& v) {
  if (const auto* r = alarm_target(v)) {
    if (auto it = r->properties().find("AlarmName"); it != r->properties().end() && it->second.is_string()) return it->second;
  }
  return v;
}

FunctionProps function_props(const FailoverFunctionProps& p) {
  std::map<std::string, Value> env = {
      {"PRIMARY_INSTANCE_ID", p.primary_instance_id},
      {"PRIMARY_REGION", p.primary_region},
      {"REPLICA_INSTANCE_ID", p.replica_instance_id},
      {"HOSTED_ZONE_ID", p.hosted_zone_id},
      {"RECORD_NAME", p.record_name},
      {"RECORD_TTL", std::to_string(p.record_ttl)},
      {"PRIMARY_SET_IDENTIFIER", p.primary_set_identifier},
      {"REPLICA_SET_IDENTIFIER", p.replica_set_identifier},
      {"PRIMARY_ENDPOINT", p.primary_endpoint},
      {"REPLICA_ENDPOINT", p.replica_endpoint},
      {"HOLD_ALARM_NAME", literal_alarm_name(p.health_alarm_name)},
      {"BACKUP_RETENTION_DAYS", std::to_string(p.backup_retention_days)},
      {"LOCK_PARAMETER", p.lock_parameter},
      {"STATE_PARAMETER", p.state_parameter},
      {"ARM_AFTER_HEALTHY_DATAPOINTS", std::to_string(p.arm_after_healthy_datapoints)},
      {"PROMOTION_DEADLINE_SECONDS", std::to_string(p.promotion_deadline_seconds)},
      {"METRIC_NAMESPACE", p.metric_namespace},
      {"METRIC_DIMENSION_NAME", p.metric_dimension_name},
      {"METRIC_DIMENSION_VALUE", p.metric_dimension_value},
  };
  if (!p.topic_arn.is_null()) env["TOPIC_ARN"] = p.topic_arn;
  if (!p.primary_view_alarm_name.empty()) env["PRIMARY_VIEW_ALARM_NAME"] = p.primary_view_alarm_name;
  if (!p.fence_alarm_name.empty()) env["FENCE_ALARM_NAME"] = p.fence_alarm_name;
  if (!p.replica_backup_window.empty()) env["REPLICA_BACKUP_WINDOW"] = p.replica_backup_window;
  if (!detail::missing(p.primary_health_check_id)) env["PRIMARY_HEALTH_CHECK_ID"] = p.primary_health_check_id;
  FunctionProps f{
      .function_name = p.function_name,
      .description = "Promotes the cross-region read replica and flips the weighted DNS records",
      .runtime = "python3.12",
      .handler = "index.handler",
      .timeout_seconds = p.timeout_seconds,
      .memory_mb = p.memory_mb,
      .environment = std::move(env),
      .log_retention_days = p.log_retention_days,
      .role_name = p.role_name,
  };
  detail::use_handler(f, "failover");
  return f;
}

}  // namespace

FailoverFunction::FailoverFunction(Construct& scope, std::string id, FailoverFunctionProps props)
    : Function(scope, std::move(id), function_props(props)), failover_(std::move(props)) {
  const auto& p = failover_;
  const Stack& s = stack();
  const std::string replica_region = p.replica_region.empty() ? s.region() : p.replica_region;
  add_environment("REPLICA_REGION", replica_region);

  const Value replica_arn = s.format_arn("rds", detail::concat("db:", p.replica_instance_id), replica_region);
  const Value primary_arn = s.format_arn("rds", detail::concat("db:", p.primary_instance_id), p.primary_region);
  Value zone_arn = p.hosted_zone_id.is_string()
                       ? Value::sub("arn:${AWS::Partition}:route53:::hostedzone/" + p.hosted_zone_id.as_string())
                       : Value::sub("arn:${AWS::Partition}:route53:::hostedzone/${ZoneId}", {{"ZoneId", p.hosted_zone_id}});
  const Value alarm_arn = s.format_arn("cloudwatch", detail::concat("alarm:", literal_alarm_name(p.health_alarm_name)), replica_region);

  std::vector<std::string> replica_actions{"rds:PromoteReadReplica", "rds:DescribeDBInstances"};
  if (!p.replica_backup_window.empty()) replica_actions.push_back("rds:ModifyDBInstance");
  add_to_role_policy({.actions = std::move(replica_actions), .resources = {replica_arn}});
  add_to_role_policy({.actions = {"rds:DescribeDBInstances"}, .resources = {primary_arn}});
  add_to_role_policy({.actions = {"route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"},
                      .resources = {std::move(zone_arn)}});
  if (!p.topic_arn.is_null()) add_to_role_policy({.actions = {"sns:Publish"}, .resources = {p.topic_arn}});
  std::vector<Value> alarms{alarm_arn};
  if (!p.fence_alarm_name.empty()) {
    const Value fence_arn = s.format_arn("cloudwatch", "alarm:" + p.fence_alarm_name, replica_region);
    alarms.push_back(fence_arn);
    add_to_role_policy({.actions = {"cloudwatch:SetAlarmState"}, .resources = {fence_arn}});
  }
  if (!p.primary_view_alarm_name.empty()) {
    alarms.push_back(s.format_arn("cloudwatch", "alarm:" + p.primary_view_alarm_name, p.primary_region));
  }
  add_to_role_policy({.actions = {"cloudwatch:DescribeAlarms"}, .resources = std::move(alarms)});
  if (!p.topic_key_arn.is_null()) {
    add_to_role_policy({.actions = {"kms:GenerateDataKey*", "kms:Decrypt"}, .resources = {p.topic_key_arn}});
  }
  reconcile_ = detail::add_failover_plumbing(
      *this, {.metric_namespace = p.metric_namespace,
              .lock_parameter = p.lock_parameter,
              .state_parameter = p.state_parameter,
              .region = replica_region,
              .dead_letter_queue_arn = p.dead_letter_queue_arn,
              .reconcile_schedule = p.reconcile_schedule,
              .reconcile_description = "Arms the failover, retries an unfinished promotion or flip"});
}

void FailoverFunction::validate(Validation& v) const {
  Function::validate(v);
  const auto& p = failover_;
  auto require = [&](bool ok, const std::string& what, const std::string& example) {
    if (!ok) v.error("E769", *this, "failover function has no " + what, "empty", example);
  };
  require(!detail::missing(p.primary_instance_id), "primary_instance_id", "the primary DB instance identifier");
  require(!p.primary_region.empty(), "primary_region", "e.g. us-east-1");
  require(!detail::missing(p.replica_instance_id), "replica_instance_id", "the replica DB instance identifier");
  require(!detail::missing(p.hosted_zone_id), "hosted_zone_id", "zone.hosted_zone_id()");
  require(!p.record_name.empty(), "record_name", "e.g. postgres.db-dev.internal");
  require(!p.primary_set_identifier.empty(), "primary_set_identifier", "the primary record's SetIdentifier");
  require(!p.replica_set_identifier.empty(), "replica_set_identifier", "the replica record's SetIdentifier");
  require(!detail::missing(p.primary_endpoint), "primary_endpoint", "the primary endpoint address");
  require(!detail::missing(p.replica_endpoint), "replica_endpoint", "the replica endpoint address");
  require(!detail::missing(p.health_alarm_name), "health_alarm_name", "alarm.alarm_name()");
  require(!p.lock_parameter.empty(), "lock_parameter", "e.g. /drsynth/dev/failover-lock");
  require(!p.state_parameter.empty(), "state_parameter", "e.g. /drsynth/dev/failover-state");
  require(!p.metric_dimension_value.empty(), "metric_dimension_value", "the probe's dimension value");
  if (p.arm_after_healthy_datapoints < 1 || p.arm_after_healthy_datapoints > 60) {
    v.error("E769", *this, "arm_after_healthy_datapoints out of range", std::to_string(p.arm_after_healthy_datapoints),
            "1..60");
  }
  if (p.promotion_deadline_seconds < 60 || p.promotion_deadline_seconds > 86400) {
    v.error("E769", *this, "promotion_deadline_seconds out of range", std::to_string(p.promotion_deadline_seconds),
            "60..86400");
  }
  if (alarm_target(literal_alarm_name(p.health_alarm_name)) != nullptr) {
    v.error("E769", *this,
            "the health alarm has no physical alarm_name: the alarm invokes this function, so the function cannot "
            "refer to it without a circular dependency",
            p.health_alarm_name.describe(), "AlarmProps.alarm_name set (e.g. primary-down-dev)");
  }
  detail::check_lock_and_state(v, *this, p.lock_parameter, p.state_parameter);
  if (p.backup_retention_days < 1 || p.backup_retention_days > 35) {
    v.error("E769", *this, "backup retention after promotion outside 1..35 days", std::to_string(p.backup_retention_days),
            "1..35");
  }
}

}  // namespace drsynth::lambda

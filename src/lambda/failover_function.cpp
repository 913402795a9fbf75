#include "drsynth/lambda/failover_function.hpp"

#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/lambda/witness_function.hpp"
#include "drsynth/route53/health_check.hpp"
#include "drsynth/route53/private_hosted_zone.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/sqs/queue.hpp"
#include "drsynth/core/stack.hpp"
#include "lambda/contract.hpp"
#include "lambda/ready_made.hpp"

namespace drsynth::lambda {

namespace {

std::string number(int n) { return std::to_string(n); }

// The variables the handler reads (runtime/drsynth_failover/contract.json,
// "failover"), from the props; the engine's own lines join them.
std::map<std::string, Value> environment(const FailoverFunctionProps& p) {
  const auto alarm = [](const cloudwatch::Alarm* a) { return Value(a == nullptr ? "" : a->props().alarm_name); };
  std::map<std::string, Value> env = {
      {"ENGINE", p.engine},
      {"REMOTE_REGION", p.remote.region},
      {"LOCAL_SITE", p.local.id},
      {"REMOTE_SITE", p.remote.id},
      {"LOCAL_DB_ID", p.local.db_id},
      {"LOCAL_DB_ARN", p.local.db_arn},
      {"REMOTE_DB_ID", p.remote.db_id},
      {"REMOTE_DB_ARN", p.remote.db_arn},
      {"HOSTED_ZONE_ID", p.zone->hosted_zone_id()},
      {"RECORD_NAME", p.record_name},
      {"RECORD_TTL", number(p.record_ttl)},
      {"LOCAL_ENDPOINT", p.local.endpoint},
      {"REMOTE_ENDPOINT", p.remote.endpoint},
      {"LOCAL_WRITER_CHECK_ID", p.local.writer_check->health_check_id()},
      {"LOCAL_FALLBACK_CHECK_ID", p.local.fallback_check->health_check_id()},
      {"REMOTE_WRITER_CHECK_ID", p.remote.writer_check->health_check_id()},
      {"REMOTE_FALLBACK_CHECK_ID", p.remote.fallback_check->health_check_id()},
      {"HOLD_ALARM_NAME", alarm(p.hold_alarm.pointer())},
      {"REMOTE_VIEW_ALARM_NAME", alarm(p.remote_view_alarm.pointer())},
      {"FENCE_ALARM_NAME", alarm(p.fence_alarm.pointer())},
      {"LOCK_PARAMETER", p.lock_parameter},
      {"STATE_PARAMETER", p.local.state_parameter},
      {"REMOTE_STATE_PARAMETER", p.remote.state_parameter},
      {"METRIC_NAMESPACE", p.metric_namespace},
      {"METRIC_DIMENSION_NAME", p.metric_dimension_name},
      {"METRIC_DIMENSION_VALUE", p.metric_dimension_value},
      {"ARM_AFTER_HEALTHY_MINUTES", number(p.arm_after_healthy_minutes)},
      {"HOLD_MINUTES", number(p.hold_minutes)},
      {"MAX_PROMOTION_LAG_SECONDS", number(p.max_promotion_lag_seconds)},
      {"PROMOTION_DEADLINE_SECONDS", number(p.promotion_deadline_seconds)},
      {"SECOND_SIGNAL_TIMEOUT_SECONDS", number(p.second_signal_timeout_seconds)},
      {"RECONCILE_INTERVAL_SECONDS", number(p.reconcile_interval_seconds)},
      // Empty: no witness, a promotion without a direct second signal waits for an operator.
      {"WITNESS_FUNCTION_ARN", p.witness ? p.witness->function_arn() : Value("")},
  };
  std::vector<Value> fence_checks;
  for (const auto& c : p.fence_checks) fence_checks.push_back(c->health_check_id());
  if (!fence_checks.empty()) env["FENCE_CHECK_IDS"] = Value::join(",", std::move(fence_checks));
  if (p.local.topic) env["LOCAL_TOPIC_ARN"] = p.local.topic->topic_arn();
  if (p.remote.topic) env["REMOTE_TOPIC_ARN"] = p.remote.topic->topic_arn();
  if (p.view_alarm) env["VIEW_ALARM_NAME"] = alarm(p.view_alarm.pointer());
  if (p.remote_fence_alarm) env["REMOTE_FENCE_ALARM_NAME"] = alarm(p.remote_fence_alarm.pointer());
  if (!p.lease.parameter.empty()) {
    env["LEASE_PARAMETER"] = p.lease.parameter;
    env["REMOTE_LEASE_PARAMETER"] = p.lease.remote_parameter;
    env["LEASE_RECORD_PARAMETER"] = p.lease.record_parameter;
    env["LEASE_EXPIRY_SECONDS"] = number(p.lease.expiry_seconds);
    env["SELF_FENCE_AFTER_SECONDS"] = number(p.lease.self_fence_after_seconds);
  }
  for (const auto& [name, value] : p.engine_environment) env[name] = detail::env_string(value);
  return env;
}

FunctionProps function_props(const FailoverFunctionProps& p) {
  auto f = detail::ready_made_props(p,
                                    "Makes this site the writer when the other site is lost (both signals, claim, "
                                    "fence), flips the weighted records",
                                    environment(p), detail::failover_code);
  // 0 reserves nothing (ReservedConcurrentExecutions 0 would stop the function).
  if (p.reserved_concurrency.value_or(0) > 0) f.reserved_concurrency = p.reserved_concurrency;
  return f;
}

// arn:<partition>:route53:::<kind>/<id>. Fn::Join, not Fn::Sub: the id is
// usually another region's output, and cfn-lint refuses Fn::GetStackOutput
// as a Fn::Sub variable.
Value route53_arn(std::string_view kind, const Value& id) {
  const std::string head = "arn:${AWS::Partition}:route53:::" + std::string(kind) + "/";
  if (id.is_string()) return Value::sub(head + id.as_string());
  return Value::join("", {Value::sub(head), id});
}

}  // namespace

FailoverFunction::FailoverFunction(Construct& scope, std::string id, FailoverFunctionProps props)
    : Function(scope, std::move(id), function_props(props)), failover_(std::move(props)) {
  const auto& p = failover_;
  const Stack& s = stack();
  local_region_ = p.local.region.empty() ? s.region() : p.local.region;
  add_environment("LOCAL_REGION", local_region_);
  const auto alarm_arn = [&](const cloudwatch::Alarm& a) {
    return s.format_arn("cloudwatch", "alarm:" + a.props().alarm_name, a.stack().region());
  };

  for (const auto& statement : p.engine_statements) add_to_role_policy(statement);
  add_to_role_policy({.actions = {"route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"},
                      .resources = {route53_arn("hostedzone", p.zone->hosted_zone_id())}});
  // The failback waits until Route 53 sees the fence of the other site lifted.
  if (!p.fence_checks.empty()) {
    std::vector<Value> checks;
    for (const auto& check : p.fence_checks) checks.push_back(route53_arn("healthcheck", check->health_check_id()));
    add_to_role_policy({.actions = {"route53:GetHealthCheckStatus"}, .resources = std::move(checks)});
  }
  // Every page goes to both regions' topics (one may be lost).
  std::vector<Value> topics;
  std::vector<Value> keys;
  for (const auto* topic : {p.local.topic.pointer(), p.remote.topic.pointer()}) {
    if (topic == nullptr) continue;
    topics.push_back(topic->topic_arn());
    if (const kms::Key* key = topic->kms_key()) keys.push_back(key->key_arn());
  }
  if (!topics.empty()) add_to_role_policy({.actions = {"sns:Publish"}, .resources = std::move(topics)});
  if (!keys.empty()) add_to_role_policy({.actions = kms::publish_actions(), .resources = std::move(keys)});
  std::vector<Value> alarms;
  for (const auto* a : {p.hold_alarm.pointer(), p.view_alarm.pointer(), p.fence_alarm.pointer(),
                        p.remote_view_alarm.pointer(), p.remote_fence_alarm.pointer()})
    if (a != nullptr && !a->props().alarm_name.empty()) alarms.push_back(alarm_arn(*a));
  add_to_role_policy({.actions = {"cloudwatch:DescribeAlarms"}, .resources = std::move(alarms)});
  // Arming, the lag at the failure, the fence's confirmation and the
  // freshness of the other region's probe read metrics (GetMetricStatistics
  // has no resource-level permissions).
  add_to_role_policy({.actions = {"cloudwatch:GetMetricStatistics"},
                      .resources = {"*"}});
  add_to_role_policy({.actions = {"cloudwatch:PutMetricData"},
                      .resources = {"*"},
                      .conditions = {{"StringEquals", Value::object({{"cloudwatch:namespace", p.metric_namespace}})}}});
  add_to_role_policy({.actions = {"ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"},
                      .resources = {detail::ssm_parameter_arn(s, p.lock_parameter, local_region_),
                                    detail::ssm_parameter_arn(s, p.local.state_parameter, local_region_)}});
  // Without a witness, claiming is writing `disarmed` into the other site's state.
  if (!p.remote.state_parameter.empty())
    add_to_role_policy({.actions = {"ssm:GetParameter", "ssm:PutParameter"},
                        .resources = {detail::ssm_parameter_arn(s, p.remote.state_parameter, p.remote.region)}});
  if (p.witness)
    add_to_role_policy({.actions = {"lambda:InvokeFunction"}, .resources = {p.witness->function_arn()}});
  // The lease: this site's in the witness's and the other site's region
  // (write only), its record here, the other site's lease here (read only).
  if (!p.lease.parameter.empty() && p.witness) {
    add_to_role_policy({.actions = {"ssm:PutParameter"},
                        .resources = {detail::ssm_parameter_arn(s, p.lease.parameter, p.witness->stack().region()),
                                      detail::ssm_parameter_arn(s, p.lease.parameter, p.remote.region)}});
    add_to_role_policy({.actions = {"ssm:GetParameter", "ssm:PutParameter"},
                        .resources = {detail::ssm_parameter_arn(s, p.lease.record_parameter, local_region_)}});
    add_to_role_policy({.actions = {"ssm:GetParameter"},
                        .resources = {detail::ssm_parameter_arn(s, p.lease.remote_parameter, local_region_)}});
  }
  if (p.dead_letter_queue) {
    add_to_role_policy({.actions = {"sqs:SendMessage"}, .resources = {p.dead_letter_queue->queue_arn()}});
    resource().set_property("DeadLetterConfig", Value::object({{"TargetArn", p.dead_letter_queue->queue_arn()}}));
  }
  if (!p.reconcile_schedule.empty()) {
    reconcile_ = &add<events::Schedule>(
        "Reconcile", events::ScheduleProps{.expression = p.reconcile_schedule,
                                           .description = "Arms the failover, continues an unfinished promotion, "
                                                          "flip or failback, keeps the fence"});
    reconcile_->add_target(*this, R"({"action": "reconcile", "source": "schedule"})");
  }
}

void FailoverFunction::validate(Validation& v) const {
  Function::validate(v);
  const auto& p = failover_;
  detail::check_environment(v, *this, "failover", p.engine, props().environment);
  for (const auto& [what, alarm] : {std::pair{"hold_alarm", p.hold_alarm.pointer()},
                                    std::pair{"remote_view_alarm", p.remote_view_alarm.pointer()},
                                    std::pair{"fence_alarm", p.fence_alarm.pointer()},
                                    std::pair{"view_alarm", p.view_alarm.pointer()},
                                    std::pair{"remote_fence_alarm", p.remote_fence_alarm.pointer()}}) {
    if (alarm != nullptr && alarm->props().alarm_name.empty())
      v.error(codes::E769, *this,
              std::string(what) + " has no physical alarm_name: the function reads it by name (the hold alarm "
                                  "invokes the function, so a Ref would be a circular dependency)",
              alarm->path(), "AlarmProps.alarm_name set");
  }
  if (local_region_ == p.remote.region)
    v.error(codes::E769, *this, "both sites are in one region: a regional outage would take both", p.remote.region,
            "two regions");
  detail::check_parameter_name(v, *this, "lock", p.lock_parameter);
  detail::check_parameter_name(v, *this, "state", p.local.state_parameter);
  detail::check_parameter_name(v, *this, "other site's state", p.remote.state_parameter);
  if (!p.lease.parameter.empty()) {
    if (!p.witness)
      v.error(codes::E769, *this, "a lease without a witness: nobody could grant on it", p.lease.parameter,
              "witness set, or no lease");
    detail::check_parameter_name(v, *this, "lease", p.lease.parameter);
    detail::check_parameter_name(v, *this, "other site's lease", p.lease.remote_parameter);
    detail::check_parameter_name(v, *this, "lease record", p.lease.record_parameter);
  }
  if (!p.lock_parameter.empty() && p.lock_parameter == p.local.state_parameter)
    v.error(codes::E769, *this, "the lock and the state parameter are the same", "\"" + p.lock_parameter + "\"",
            "two parameters");
  auto in_range = [&](int value, int lo, int hi, const char* what) {
    if (value < lo || value > hi)
      v.error(codes::E769, *this, std::string(what) + " out of range", std::to_string(value),
              std::to_string(lo) + ".." + std::to_string(hi));
  };
  in_range(p.arm_after_healthy_minutes, 1, 60, "arm_after_healthy_minutes");
  in_range(p.hold_minutes, 1, 60, "hold_minutes");
  in_range(p.max_promotion_lag_seconds, 1, 86400, "max_promotion_lag_seconds");
  in_range(p.promotion_deadline_seconds, 60, 86400, "promotion_deadline_seconds");
  in_range(p.second_signal_timeout_seconds, 1, 60, "second_signal_timeout_seconds");
  in_range(p.reconcile_interval_seconds, 60, 3600, "reconcile_interval_seconds");
}

}  // namespace drsynth::lambda

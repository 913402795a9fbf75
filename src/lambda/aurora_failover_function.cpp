#include "drsynth/lambda/aurora_failover_function.hpp"

#include "drsynth/stack.hpp"
#include "lambda/ready_made.hpp"

namespace drsynth::lambda {

namespace {

FunctionProps function_props(const AuroraFailoverFunctionProps& p) {
  std::map<std::string, Value> env = {
      {"GLOBAL_CLUSTER_ID", p.global_cluster_id},
      {"LOCAL_CLUSTER_ID", p.local_cluster_id},
      {"LOCAL_CLUSTER_ARN", p.local_cluster_arn},
      {"REMOTE_REGION", p.remote_region},
      {"REMOTE_CLUSTER_ID", p.remote_cluster_id},
      {"REMOTE_CLUSTER_ARN", p.remote_cluster_arn},
      {"HOSTED_ZONE_ID", p.hosted_zone_id},
      {"RECORD_NAME", p.record_name},
      {"RECORD_TTL", std::to_string(p.record_ttl)},
      {"LOCAL_SET_IDENTIFIER", p.local_set_identifier},
      {"REMOTE_SET_IDENTIFIER", p.remote_set_identifier},
      {"LOCAL_ENDPOINT", p.local_endpoint},
      {"REMOTE_ENDPOINT", p.remote_endpoint},
      {"HOLD_ALARM_NAME", p.hold_alarm_name},
      {"REMOTE_VIEW_ALARM_NAME", p.remote_view_alarm_name},
      {"LOCAL_FENCE_ALARM_NAME", p.local_fence_alarm_name},
      {"REMOTE_FENCE_ALARM_NAME", p.remote_fence_alarm_name},
      {"FENCE_REGION", p.fence_region},
      {"LOCK_PARAMETER", p.lock_parameter},
      {"STATE_PARAMETER", p.state_parameter},
      {"ARM_AFTER_HEALTHY_DATAPOINTS", std::to_string(p.arm_after_healthy_datapoints)},
      {"PROMOTION_DEADLINE_SECONDS", std::to_string(p.promotion_deadline_seconds)},
      {"DETECTION_BUDGET_SECONDS", std::to_string(p.detection_budget_seconds)},
      {"SECOND_SIGNAL_TIMEOUT_SECONDS", std::to_string(p.second_signal_timeout_seconds)},
      {"ALLOW_DETACH", p.allow_detach ? "true" : "false"},
      {"METRIC_NAMESPACE", p.metric_namespace},
      {"METRIC_DIMENSION_NAME", p.metric_dimension_name},
      {"METRIC_DIMENSION_VALUE", p.metric_dimension_value},
  };
  if (!p.topic_arn.is_null()) env["TOPIC_ARN"] = p.topic_arn;
  if (!detail::missing(p.local_health_check_id)) env["LOCAL_HEALTH_CHECK_ID"] = p.local_health_check_id;
  if (!detail::missing(p.remote_health_check_id)) env["REMOTE_HEALTH_CHECK_ID"] = p.remote_health_check_id;
  FunctionProps f{
      .function_name = p.function_name,
      .description = "Fails the Aurora global database over to this region's cluster and flips the weighted records",
      .runtime = "python3.12",
      .handler = "index.handler",
      .timeout_seconds = p.timeout_seconds,
      .memory_mb = p.memory_mb,
      .environment = std::move(env),
      .log_retention_days = p.log_retention_days,
      .role_name = p.role_name,
  };
  detail::use_handler(f, "aurora_failover");
  return f;
}

}  // namespace

AuroraFailoverFunction::AuroraFailoverFunction(Construct& scope, std::string id, AuroraFailoverFunctionProps props)
    : Function(scope, std::move(id), function_props(props)), failover_(std::move(props)) {
  const auto& p = failover_;
  const Stack& s = stack();
  const std::string local_region = p.local_region.empty() ? s.region() : p.local_region;
  add_environment("LOCAL_REGION", local_region);

  // Global clusters have no region in their ARN.
  const Value global_arn = s.format_arn("rds", detail::concat("global-cluster:", p.global_cluster_id), "");
  const Value local_arn = s.format_arn("rds", detail::concat("cluster:", p.local_cluster_id), local_region);
  const Value remote_arn = s.format_arn("rds", detail::concat("cluster:", p.remote_cluster_id), p.remote_region);
  // Fn::Join, not Fn::Sub: the zone is usually in another region's stack, and
  // cfn-lint refuses Fn::GetStackOutput as a Fn::Sub variable.
  Value zone_arn = p.hosted_zone_id.is_string()
                       ? Value::sub("arn:${AWS::Partition}:route53:::hostedzone/" + p.hosted_zone_id.as_string())
                       : Value::join("", {Value::sub("arn:${AWS::Partition}:route53:::hostedzone/"), p.hosted_zone_id});
  auto alarm_arn = [&](const std::string& name, const std::string& region) {
    return s.format_arn("cloudwatch", "alarm:" + name, region);
  };

  // The global cluster calls name the global cluster and a member (which
  // member RDS authorizes against is not documented: both are listed);
  // detaching only this region's cluster, and only when allowed.
  add_to_role_policy({.actions = {"rds:FailoverGlobalCluster", "rds:SwitchoverGlobalCluster"},
                      .resources = {global_arn, local_arn, remote_arn}});
  if (p.allow_detach)
    add_to_role_policy({.actions = {"rds:RemoveFromGlobalCluster"}, .resources = {global_arn, local_arn}});
  add_to_role_policy({.actions = {"rds:DescribeGlobalClusters"}, .resources = {global_arn}});
  add_to_role_policy({.actions = {"rds:DescribeDBClusters"}, .resources = {local_arn, remote_arn}});
  add_to_role_policy({.actions = {"route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"},
                      .resources = {std::move(zone_arn)}});
  if (!p.topic_arn.is_null()) add_to_role_policy({.actions = {"sns:Publish"}, .resources = {p.topic_arn}});
  if (!p.topic_key_arn.is_null())
    add_to_role_policy({.actions = {"kms:GenerateDataKey*", "kms:Decrypt"}, .resources = {p.topic_key_arn}});
  const std::string fence_region = p.fence_region.empty() ? local_region : p.fence_region;
  // It fences only the other record, never its own.
  add_to_role_policy({.actions = {"cloudwatch:SetAlarmState"},
                      .resources = {alarm_arn(p.remote_fence_alarm_name, fence_region)}});
  add_to_role_policy({.actions = {"cloudwatch:DescribeAlarms"},
                      .resources = {alarm_arn(p.local_fence_alarm_name, fence_region),
                                    alarm_arn(p.remote_fence_alarm_name, fence_region),
                                    alarm_arn(p.hold_alarm_name, local_region),
                                    alarm_arn(p.remote_view_alarm_name, p.remote_region)}});
  reconcile_ = detail::add_failover_plumbing(
      *this, {.metric_namespace = p.metric_namespace,
              .lock_parameter = p.lock_parameter,
              .state_parameter = p.state_parameter,
              .region = local_region,
              .dead_letter_queue_arn = p.dead_letter_queue_arn,
              .reconcile_schedule = p.reconcile_schedule,
              .reconcile_description = "Arms the failover, finishes an unfinished failover or flip"});
}

void AuroraFailoverFunction::validate(Validation& v) const {
  Function::validate(v);
  const auto& p = failover_;
  auto require = [&](bool ok, const std::string& what, const std::string& example) {
    if (!ok) v.error("E769", *this, "Aurora failover function has no " + what, "empty", example);
  };
  require(!detail::missing(p.global_cluster_id), "global_cluster_id", "global.identifier()");
  require(!detail::missing(p.local_cluster_id), "local_cluster_id", "the cluster of this region");
  require(!detail::missing(p.local_cluster_arn), "local_cluster_arn", "cluster.arn()");
  require(!p.remote_region.empty(), "remote_region", "e.g. us-east-1");
  require(!detail::missing(p.remote_cluster_id), "remote_cluster_id", "the other region's cluster");
  require(!detail::missing(p.remote_cluster_arn), "remote_cluster_arn", "cluster.arn()");
  require(!detail::missing(p.hosted_zone_id), "hosted_zone_id", "zone.hosted_zone_id()");
  require(!p.record_name.empty(), "record_name", "e.g. writer.aurora-dev.internal");
  require(!p.local_set_identifier.empty(), "local_set_identifier", "this region's record SetIdentifier");
  require(!p.remote_set_identifier.empty(), "remote_set_identifier", "the other record's SetIdentifier");
  require(!detail::missing(p.local_endpoint), "local_endpoint", "cluster.endpoint_address()");
  require(!detail::missing(p.remote_endpoint), "remote_endpoint", "cluster.endpoint_address()");
  require(!p.hold_alarm_name.empty(), "hold_alarm_name", "the hold alarm's physical name");
  require(!p.remote_view_alarm_name.empty(), "remote_view_alarm_name", "the other region's view alarm");
  require(!p.local_fence_alarm_name.empty(), "local_fence_alarm_name", "the fence alarm of this region's record");
  require(!p.remote_fence_alarm_name.empty(), "remote_fence_alarm_name", "the fence alarm of the other record");
  require(!p.lock_parameter.empty(), "lock_parameter", "e.g. /drsynth/aurora-dev/failover-lock-primary");
  require(!p.state_parameter.empty(), "state_parameter", "e.g. /drsynth/aurora-dev/failover-state-primary");
  require(!p.metric_dimension_value.empty(), "metric_dimension_value", "this region's probe dimension value");
  auto in_range = [&](int value, int lo, int hi, const char* what) {
    if (value < lo || value > hi)
      v.error("E769", *this, std::string(what) + " out of range", std::to_string(value),
              std::to_string(lo) + ".." + std::to_string(hi));
  };
  in_range(p.arm_after_healthy_datapoints, 1, 60, "arm_after_healthy_datapoints");
  in_range(p.promotion_deadline_seconds, 60, 86400, "promotion_deadline_seconds");
  in_range(p.detection_budget_seconds, 10, 3600, "detection_budget_seconds");
  in_range(p.second_signal_timeout_seconds, 1, 30, "second_signal_timeout_seconds");
  detail::check_lock_and_state(v, *this, p.lock_parameter, p.state_parameter);
}

}  // namespace drsynth::lambda

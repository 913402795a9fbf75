#include "drsynth/ec2/flow_log.hpp"

#include "drsynth/core/error_codes.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/iam/role.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/logs/log_group.hpp"
#include "drsynth/core/stack.hpp"

namespace drsynth::ec2 {

FlowLog::FlowLog(Construct& scope, std::string id, FlowLogProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  log_group_ = &add<logs::LogGroup>("LogGroup", logs::LogGroupProps{.log_group_name = props_.log_group_name,
                                                                    .retention_days = props_.retention_days,
                                                                    .removal_policy = props_.removal_policy,
                                                                    .kms_key = props_.kms_key});
  role_ = &add<iam::Role>("IAMRole", iam::RoleProps{.role_name = props_.role_name,
                                                    .assumed_by = "vpc-flow-logs.amazonaws.com",
                                                    .description = "Delivers the VPC flow logs of " + props_.vpc->path()});
  // Confused-deputy protection: only flow logs of this account may assume the role.
  Value& trust = role_->resource().properties()["AssumeRolePolicyDocument"]["Statement"].as_array().front();
  trust["Condition"] = Value::object(
      {{"ArnLike", Value::object({{"aws:SourceArn", stack().format_arn("ec2", "vpc-flow-log/*")}})},
       {"StringEquals", Value::object({{"aws:SourceAccount", stack().account_value()}})}});
  // The group's ARN ends in ":*": it covers the group's log streams.
  role_->add_to_policy(iam::PolicyStatement{
      .actions = {"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"},
      .resources = {log_group_->arn()}});

  resource_ = &add<CfnResource>("FlowLog", CfnResourceProps{.type = "AWS::EC2::FlowLog"});
  resource_->set_property("ResourceId", props_.vpc->vpc_id());
  resource_->set_property("ResourceType", "VPC");
  resource_->set_property("TrafficType", props_.traffic_type);
  resource_->set_property("LogDestinationType", "cloud-watch-logs");
  resource_->set_property("LogGroupName", log_group_->resource().ref());
  resource_->set_property("DeliverLogsPermissionArn", role_->role_arn());
  resource_->set_property("MaxAggregationInterval", props_.max_aggregation_interval);
  // The role's policy must exist before the first delivery.
  if (role_->default_policy() != nullptr) resource_->add_dependency(*role_->default_policy());
}

void FlowLog::validate(Validation& v) const {
  if (props_.vpc->region() != stack().region())
    v.error(codes::E950, *this, "the VPC " + props_.vpc->path() + " is in another region", props_.vpc->region(),
            stack().region());
  const auto& t = props_.traffic_type;
  if (t != "ALL" && t != "ACCEPT" && t != "REJECT")
    v.error(codes::E951, *this, "traffic type is invalid", t, "ALL, ACCEPT or REJECT");
  if (props_.max_aggregation_interval != 60 && props_.max_aggregation_interval != 600)
    v.error(codes::E952, *this, "maximum aggregation interval is invalid",
            std::to_string(props_.max_aggregation_interval) + " s", "60 or 600 seconds");
}

}  // namespace drsynth::ec2

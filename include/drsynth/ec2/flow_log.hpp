// ec2::FlowLog: VPC flow logs delivered to CloudWatch Logs, with a retention,
// optionally a customer-managed KMS key, and a delivery role of least privilege.
//
//   auto& key = stack.add<kms::Key>("LogsKey", {.alias = "alias/dr-logs-dev"});
//   stack.add<ec2::FlowLog>("FlowLog", {.vpc = vpc, .log_group_name = "/drsynth/vpc-flow-logs/dr-primary-dev",
//                                       .retention_days = 90, .kms_key = key});
//
// Children (aws-cdk-lib's names, so logical IDs match a CDK FlowLog):
//   LogGroup  logs::LogGroup (the retention; KmsKeyId and the key's CloudWatch
//             Logs grant when kms_key is given)
//   IAMRole   iam::Role assumed by vpc-flow-logs.amazonaws.com, trust limited to this
//             account's flow logs (aws:SourceAccount, aws:SourceArn), allowed only
//             logs:CreateLogStream, logs:PutLogEvents and logs:DescribeLogStreams
//             on this log group (the group exists: no logs:CreateLogGroup)
//   FlowLog   AWS::EC2::FlowLog, ResourceType VPC, LogDestinationType cloud-watch-logs
//
// Error codes: E950-E952 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <string>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/link.hpp"
#include "drsynth/core/removal_policy.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::iam {
class Role;
}
namespace drsynth::kms {
class Key;
}
namespace drsynth::logs {
class LogGroup;
}

namespace drsynth::ec2 {

class Vpc;

struct FlowLogProps {
  Required<Vpc, "vpc"> vpc;
  std::string log_group_name{};           // e.g. "/drsynth/vpc-flow-logs/dr-primary-dev"
  int retention_days{30};
  Link<kms::Key> kms_key{};               // a key of the flow log's region
  std::string traffic_type{"ALL"};        // ALL, ACCEPT or REJECT
  int max_aggregation_interval{600};      // seconds: 60 or 600
  std::string role_name{};                // physical name of the IAMRole; empty: generated
  RemovalPolicy removal_policy{RemovalPolicy::destroy};  // of the log group
};

class FlowLog : public Construct {
 public:
  using Props = FlowLogProps;

  FlowLog(Construct& scope, std::string id, FlowLogProps props);

  // Ref: the flow log id.
  [[nodiscard]] Value flow_log_id() const { return resource_->ref(); }
  [[nodiscard]] logs::LogGroup& log_group() const noexcept { return *log_group_; }
  [[nodiscard]] iam::Role& role() const noexcept { return *role_; }
  [[nodiscard]] CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] const FlowLogProps& props() const noexcept { return props_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.ec2.FlowLog"; }

 private:
  FlowLogProps props_;
  logs::LogGroup* log_group_ = nullptr;
  iam::Role* role_ = nullptr;
  CfnResource* resource_ = nullptr;
};

}  // namespace drsynth::ec2

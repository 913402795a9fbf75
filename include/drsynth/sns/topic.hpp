// sns::Topic: an AWS::SNS::Topic, encrypted at rest by default.
//
// Error codes (cloudwatch/sns range E780-E789):
//   E787  invalid topic name (1-256 chars of [A-Za-z0-9_-])
//   E788  display name longer than 100 characters, or an invalid e-mail subscription
#pragma once

#include <string>
#include <vector>

#include "drsynth/cfn_resource.hpp"
#include "drsynth/cloudwatch/alarm_action.hpp"
#include "drsynth/construct.hpp"

namespace drsynth::sns {

struct TopicProps {
  std::string topic_name{};    // physical name; empty: CloudFormation generates one
  std::string display_name{};
  // KMS key for encryption at rest (id, ARN or alias); null: not encrypted.
  Value kms_master_key_id = "alias/aws/sns";
};

// An alarm action (cloudwatch::Alarm::add_alarm_action / add_ok_action): the
// alarm notifies the topic.
class Topic : public Construct, public cloudwatch::AlarmAction {
 public:
  using Props = TopicProps;
  Topic(Construct& scope, std::string id, TopicProps props);

  // An AWS::SNS::Subscription child "EmailSubscription<n>" (n from 1).
  CfnResource& add_email_subscription(std::string email);

  // Ref: the topic ARN.
  [[nodiscard]] Value topic_arn() const { return resource_->ref(); }
  [[nodiscard]] Value topic_name() const { return resource_->get_att("TopicName"); }
  [[nodiscard]] CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] const TopicProps& props() const noexcept { return props_; }
  [[nodiscard]] Value bind_to_alarm(Construct& alarm, const Value& alarm_arn) override;

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.sns.Topic"; }

 private:
  TopicProps props_;
  CfnResource* resource_ = nullptr;
  std::vector<std::string> emails_;
};

}  // namespace drsynth::sns

// sns::Topic: an AWS::SNS::Topic, encrypted at rest by default.
//
//   auto& key = stack.add<kms::Key>("EventsKey", {.alias = "alias/dr-events-dev"});
//   auto& topic = stack.add<sns::Topic>("Events", {.topic_name = "dr-events-dev", .kms_key = key,
//                                                  .enforce_tls = true});
//   alarm.add_alarm_action(topic);              // admits CloudWatch alarms (topic policy + key)
//   topic.add_sqs_subscription(queue, {.raw_message_delivery = true});
//
// Encryption: kms_master_key_id ("alias/aws/sns" by default), or a customer-managed
// kms::Key (kms_key). A service that publishes into a topic under a customer-managed
// key needs kms:GenerateDataKey* and kms:Decrypt on it: CloudWatch alarm actions
// cannot publish to a topic under alias/aws/sns at all (the team's shared AWS-FACTS.md), so alarms
// need kms_key (binding an alarm to the topic then admits CloudWatch).
// Topic policy (child "Policy", AWS::SNS::TopicPolicy) once enforce_tls or a
// service allowance asks for it. It replaces SNS's default policy, so every
// service that publishes must be allowed explicitly (allow_publish_from); the
// account's own IAM principals keep what their IAM policies allow.
//   "EnforceTLS": Deny sns:Publish to everyone when aws:SecureTransport is false
//   one Allow sns:Publish per allowed service, limited to this account
//   (aws:SourceAccount) and, when given, to the source ARNs (aws:SourceArn)
//
// Error codes: E787, E788, E961 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/cloudwatch/alarm_action.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/link.hpp"

namespace drsynth::kms {
class Key;
}
namespace drsynth::sqs {
class Queue;
}

namespace drsynth::sns {

struct TopicProps {
  std::string topic_name{};    // physical name; empty: CloudFormation generates one
  std::string display_name{};
  // KMS key for encryption at rest (id, ARN or alias); null: not encrypted.
  Value kms_master_key_id = "alias/aws/sns";
  // A customer-managed key of the topic's region (KmsMasterKeyId: its ARN); replaces kms_master_key_id.
  Link<kms::Key> kms_key{};
  // A topic policy that denies publishing without TLS.
  bool enforce_tls{false};
};

struct SqsSubscriptionOptions {
  bool raw_message_delivery{false};  // the message body as published, without the SNS envelope
};

// An alarm action (cloudwatch::Alarm::add_alarm_action / add_ok_action): the
// alarm notifies the topic.
class Topic : public Construct, public cloudwatch::AlarmAction {
 public:
  using Props = TopicProps;
  Topic(Construct& scope, std::string id, TopicProps props);

  // An AWS::SNS::Subscription child "EmailSubscription<n>" (n from 1).
  CfnResource& add_email_subscription(std::string email);
  // An AWS::SNS::Subscription child "SqsSubscription<n>" (n from 1) delivering to
  // `queue`; the queue's policy lets this topic send (aws:SourceArn: the topic's ARN,
  // spelled out from topic_name when there is one), and its customer-managed key, if
  // any, lets SNS encrypt for this topic only.
  CfnResource& add_sqs_subscription(sqs::Queue& queue, SqsSubscriptionOptions options = {});
  // Lets a service publish: an Allow in the topic policy (this account only,
  // optionally only from `source_arn_like`, an ArnLike pattern) and, with a
  // customer-managed key, kms:GenerateDataKey* and kms:Decrypt for the service.
  void allow_publish_from(std::string service_principal, std::optional<Value> source_arn_like = std::nullopt);
  // allow_publish_from("cloudwatch.amazonaws.com", alarms of this account and region),
  // once. An alarm whose action is this topic calls it when the topic has a
  // customer-managed key or a topic policy.
  void allow_cloudwatch_alarms();

  // Ref: the topic ARN.
  [[nodiscard]] Value topic_arn() const { return resource_->ref(); }
  [[nodiscard]] Value topic_name() const { return resource_->get_att("TopicName"); }
  [[nodiscard]] CfnResource& resource() const noexcept { return *resource_; }
  // The AWS::SNS::TopicPolicy, or nullptr while none is needed.
  [[nodiscard]] CfnResource* policy() const noexcept { return policy_; }
  [[nodiscard]] kms::Key* kms_key() const noexcept { return props_.kms_key.pointer(); }
  [[nodiscard]] const TopicProps& props() const noexcept { return props_; }
  [[nodiscard]] Value bind_to_alarm(Construct& alarm, const Value& alarm_arn) override;

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.sns.Topic"; }

 private:
  CfnResource& policy_resource();

  TopicProps props_;
  CfnResource* resource_ = nullptr;
  CfnResource* policy_ = nullptr;
  std::vector<std::string> emails_;
  std::vector<std::string> publishers_;
  std::vector<std::string> shared_key_queues_;
  bool cloudwatch_allowed_ = false;
  std::size_t sqs_subscriptions_ = 0;
};

}  // namespace drsynth::sns

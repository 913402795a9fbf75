// sqs::Queue: an AWS::SQS::Queue, encrypted at rest, TLS-only, optionally with
// a dead-letter queue.
//
//   auto& dlq = stack.add<sqs::Queue>("EventsDlq", {.queue_name = "dr-events-dlq-dev", .kms_key = key,
//                                                  .message_retention_seconds = 1'209'600});
//   auto& queue = stack.add<sqs::Queue>("Events", {.queue_name = "dr-events-dev", .kms_key = key,
//                                                 .dead_letter_queue = dlq, .max_receive_count = 3});
//   topic.add_sqs_subscription(queue);
//   stack.add<cloudwatch::Alarm>("DlqDepth", {.metric = dlq.metric_approximate_number_of_messages_visible(),
//                                             .threshold = 0});
//
// Encryption: SSE-KMS with a customer-managed kms::Key (KmsMasterKeyId: its ARN,
// KmsDataKeyReusePeriodSeconds), else SQS-managed SSE (SqsManagedSseEnabled).
// Dead letters: RedrivePolicy {deadLetterTargetArn, maxReceiveCount} (3 by default).
// Queue policy (child "Policy", AWS::SQS::QueuePolicy), with enforce_tls (the default):
//   "EnforceTLS": Deny sqs:* to everyone when aws:SecureTransport is false
//   allow_send_from(): Allow sqs:SendMessage for a service principal, only from
//   one source ARN (aws:SourceArn), e.g. an SNS topic; with a customer-managed key
//   the key lets that service (for that source only) kms:GenerateDataKey*/kms:Decrypt.
// Destroyable by default (DeletionPolicy/UpdateReplacePolicy Delete).
//
// Error codes: E925-E929 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/cloudwatch/metric.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/link.hpp"
#include "drsynth/core/removal_policy.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::kms {
class Key;
}

namespace drsynth::sqs {

class Queue;

struct QueueProps {
  std::string queue_name{};  // physical name; empty: CloudFormation generates one
  Link<kms::Key> kms_key{};  // SSE-KMS with this key; none: SQS-managed SSE
  int kms_data_key_reuse_seconds{300};
  int visibility_timeout_seconds{30};
  int message_retention_seconds{345'600};  // 4 days (SQS's default); a DLQ should keep longer
  int receive_wait_seconds{0};             // long polling
  Link<Queue> dead_letter_queue{};
  int max_receive_count{3};
  bool enforce_tls{true};
  RemovalPolicy removal_policy{RemovalPolicy::destroy};
};

class Queue : public Construct {
 public:
  using Props = QueueProps;

  Queue(Construct& scope, std::string id, QueueProps props);

  // Allow `service_principal` to send messages, only on behalf of `source_arn`
  // (aws:SourceArn), e.g. ("sns.amazonaws.com", topic.topic_arn()).
  void allow_send_from(std::string service_principal, Value source_arn);

  // AWS/SQS metrics of this queue (dimension QueueName), period 60 s.
  // ApproximateNumberOfMessagesVisible, Maximum: the depth (a DLQ alarm: > 0).
  [[nodiscard]] cloudwatch::Metric metric_approximate_number_of_messages_visible() const;
  // ApproximateAgeOfOldestMessage, Maximum, Seconds.
  [[nodiscard]] cloudwatch::Metric metric_approximate_age_of_oldest_message() const;

  // GetAtt Arn / QueueName; Ref is the queue URL.
  [[nodiscard]] Value queue_arn() const { return resource_->get_att("Arn"); }
  [[nodiscard]] Value queue_name() const { return resource_->get_att("QueueName"); }
  [[nodiscard]] Value queue_url() const { return resource_->ref(); }
  [[nodiscard]] const std::string& region() const;
  [[nodiscard]] int message_retention_seconds() const noexcept { return props_.message_retention_seconds; }
  [[nodiscard]] kms::Key* kms_key() const noexcept { return props_.kms_key.pointer(); }
  [[nodiscard]] CfnResource& resource() const noexcept { return *resource_; }
  // The AWS::SQS::QueuePolicy, or nullptr while none is needed.
  [[nodiscard]] CfnResource* policy() const noexcept { return policy_; }
  [[nodiscard]] const QueueProps& props() const noexcept { return props_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.sqs.Queue"; }

 private:
  CfnResource& policy_resource();

  QueueProps props_;
  CfnResource* resource_ = nullptr;
  CfnResource* policy_ = nullptr;
  std::vector<std::string> senders_;
};

}  // namespace drsynth::sqs

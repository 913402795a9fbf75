#include "drsynth/sqs/queue.hpp"

#include "core/char_rules.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/core/stack.hpp"
#include "iam/resource_policy.hpp"

namespace drsynth::sqs {

Queue::Queue(Construct& scope, std::string id, QueueProps props) : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::SQS::Queue"});
  CfnResource& r = *resource_;
  if (!props_.queue_name.empty()) r.set_property("QueueName", props_.queue_name);
  if (props_.kms_key) {
    r.set_property("KmsMasterKeyId", props_.kms_key->key_arn());
    r.set_property("KmsDataKeyReusePeriodSeconds", props_.kms_data_key_reuse_seconds);
  } else {
    r.set_property("SqsManagedSseEnabled", true);
  }
  r.set_property("VisibilityTimeout", props_.visibility_timeout_seconds);
  r.set_property("MessageRetentionPeriod", props_.message_retention_seconds);
  if (props_.receive_wait_seconds != 0) r.set_property("ReceiveMessageWaitTimeSeconds", props_.receive_wait_seconds);
  if (props_.dead_letter_queue)
    r.set_property("RedrivePolicy", Value::object({{"deadLetterTargetArn", props_.dead_letter_queue->queue_arn()},
                                                   {"maxReceiveCount", props_.max_receive_count}}));
  r.apply_removal_policy(props_.removal_policy == RemovalPolicy::snapshot ? RemovalPolicy::retain : props_.removal_policy);
  if (props_.enforce_tls) (void)policy_resource();
}

const std::string& Queue::region() const { return stack().region(); }

CfnResource& Queue::policy_resource() {
  if (policy_ == nullptr) {
    policy_ = &add<CfnResource>("Policy", CfnResourceProps{.type = "AWS::SQS::QueuePolicy"});
    policy_->set_property("Queues", Value::array({queue_url()}));
    Value::Array statements;
    if (props_.enforce_tls) statements.push_back(iam::detail::deny_insecure_transport("sqs:*", queue_arn()));
    policy_->set_property("PolicyDocument", iam::detail::resource_policy(std::move(statements)));
  }
  return *policy_;
}

void Queue::allow_send_from(std::string service_principal, Value source_arn) {
  const Value::Object only_source{{"ArnEquals", Value::object({{"aws:SourceArn", source_arn}})}};
  policy_resource().properties()["PolicyDocument"]["Statement"].push_back(
      iam::detail::allow_service(service_principal, "sqs:SendMessage", queue_arn(), only_source));
  if (props_.kms_key) props_.kms_key->grant_service(service_principal, kms::publish_actions(), only_source);
  senders_.push_back(std::move(service_principal));
}

cloudwatch::Metric Queue::metric_approximate_number_of_messages_visible() const {
  return cloudwatch::Metric{.namespace_name = "AWS/SQS",
                            .metric_name = "ApproximateNumberOfMessagesVisible",
                            .dimensions = {{"QueueName", queue_name()}},
                            .statistic = "Maximum",
                            .period_seconds = 60};
}

cloudwatch::Metric Queue::metric_approximate_age_of_oldest_message() const {
  return cloudwatch::Metric{.namespace_name = "AWS/SQS",
                            .metric_name = "ApproximateAgeOfOldestMessage",
                            .dimensions = {{"QueueName", queue_name()}},
                            .statistic = "Maximum",
                            .period_seconds = 60,
                            .unit = "Seconds"};
}

void Queue::validate(Validation& v) const {
  // ^[A-Za-z0-9_-]{1,80}$
  if (!props_.queue_name.empty() &&
      !drsynth::detail::chars_within(props_.queue_name, 1, 80, [](char c) { return drsynth::detail::is_alnum(c) || c == '_' || c == '-'; }))
    v.error(codes::E925, *this, "queue name is invalid", props_.queue_name,
            "1-80 characters of A-Za-z0-9_- (FIFO queues are not supported)");
  auto range = [&](int value, int lo, int hi, const char* what) {
    if (value < lo || value > hi)
      v.error(codes::E926, *this, std::string(what) + " is out of range", std::to_string(value) + " s",
              std::to_string(lo) + " to " + std::to_string(hi) + " seconds");
  };
  range(props_.visibility_timeout_seconds, 0, 43'200, "visibility timeout");
  range(props_.message_retention_seconds, 60, 1'209'600, "message retention");
  range(props_.receive_wait_seconds, 0, 20, "receive wait time");
  if (props_.kms_key) range(props_.kms_data_key_reuse_seconds, 60, 86'400, "KMS data key reuse period");
  if (const Queue* dlq = props_.dead_letter_queue.pointer(); dlq != nullptr) {
    if (dlq == this)
      v.error(codes::E927, *this, "the queue is its own dead-letter queue", dlq->path(), "another queue");
    else if (dlq->region() != region())
      v.error(codes::E927, *this, "the dead-letter queue " + dlq->path() + " is in another region", dlq->region(), region());
    else if (dlq->message_retention_seconds() < props_.message_retention_seconds)
      v.error(codes::E927, *this,
              "the dead-letter queue " + dlq->path() + " keeps messages for less time than this queue (a message's "
              "age counts from its first enqueue: it would expire in the DLQ early)",
              std::to_string(dlq->message_retention_seconds()) + " s",
              ">= " + std::to_string(props_.message_retention_seconds) + " s");
    if (props_.max_receive_count < 1 || props_.max_receive_count > 1000)
      v.error(codes::E927, *this, "maxReceiveCount is out of range", std::to_string(props_.max_receive_count), "1 to 1000");
  }
  if (props_.kms_key && props_.kms_key->region() != region())
    v.error(codes::E928, *this, "the queue's KMS key " + props_.kms_key->path() + " is in another region",
            props_.kms_key->region(), region());
  if (props_.removal_policy == RemovalPolicy::snapshot)
    v.error(codes::E928, *this, "a queue cannot be snapshotted", "RemovalPolicy::snapshot", "destroy or retain");
  for (const auto& s : senders_)
    if (!drsynth::detail::is_service_principal(s))
      v.error(codes::E929, *this, "allow_send_from needs a service principal", s, "e.g. sns.amazonaws.com");
}

}  // namespace drsynth::sqs

#include "drsynth/sns/topic.hpp"

#include "core/char_rules.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/sqs/queue.hpp"
#include "drsynth/core/stack.hpp"
#include "iam/resource_policy.hpp"

namespace drsynth::sns {

Value Topic::bind_to_alarm(Construct& /*alarm*/, const Value& /*alarm_arn*/) {
  // Under a customer-managed key, or behind a topic policy (which replaces SNS's
  // default one), CloudWatch must be admitted explicitly: the first alarm does it.
  if (props_.kms_key || policy_ != nullptr) allow_cloudwatch_alarms();
  return topic_arn();
}

Topic::Topic(Construct& scope, std::string id, TopicProps props) : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::SNS::Topic"});
  if (!props_.topic_name.empty()) resource_->set_property("TopicName", props_.topic_name);
  if (!props_.display_name.empty()) resource_->set_property("DisplayName", props_.display_name);
  if (props_.kms_key)
    resource_->set_property("KmsMasterKeyId", props_.kms_key->key_arn());
  else if (!props_.kms_master_key_id.is_null())
    resource_->set_property("KmsMasterKeyId", props_.kms_master_key_id);
  if (props_.enforce_tls) (void)policy_resource();
}

CfnResource& Topic::policy_resource() {
  if (policy_ == nullptr) {
    policy_ = &add<CfnResource>("Policy", CfnResourceProps{.type = "AWS::SNS::TopicPolicy"});
    policy_->set_property("Topics", Value::array({topic_arn()}));
    Value::Array statements;
    if (props_.enforce_tls) statements.push_back(iam::detail::deny_insecure_transport("sns:Publish", topic_arn()));
    policy_->set_property("PolicyDocument", iam::detail::resource_policy(std::move(statements)));
  }
  return *policy_;
}

CfnResource& Topic::add_email_subscription(std::string email) {
  emails_.push_back(email);
  auto& sub = add<CfnResource>("EmailSubscription" + std::to_string(emails_.size()),
                               CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sub.set_property("TopicArn", topic_arn());
  sub.set_property("Protocol", "email");
  sub.set_property("Endpoint", std::move(email));
  return sub;
}

CfnResource& Topic::add_sqs_subscription(sqs::Queue& queue, SqsSubscriptionOptions options) {
  auto& sub = add<CfnResource>("SqsSubscription" + std::to_string(++sqs_subscriptions_),
                               CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sub.set_property("TopicArn", topic_arn());
  sub.set_property("Protocol", "sqs");
  sub.set_property("Endpoint", queue.queue_arn());
  if (options.raw_message_delivery) sub.set_property("RawMessageDelivery", true);
  // With a physical name the ARN is known without a reference to the topic: the
  // queue's key can then name this topic even when the same key encrypts the topic
  // (a Ref would make key -> topic -> key a dependency cycle).
  const Value source = props_.topic_name.empty() ? topic_arn() : stack().format_arn("sns", props_.topic_name);
  queue.allow_send_from("sns.amazonaws.com", source);
  if (props_.topic_name.empty() && props_.kms_key && queue.kms_key() == props_.kms_key.pointer())
    shared_key_queues_.push_back(queue.path());
  // SNS checks that it may send when the subscription is confirmed.
  if (queue.policy() != nullptr) sub.add_dependency(*queue.policy());
  return sub;
}

void Topic::allow_publish_from(std::string service_principal, std::optional<Value> source_arn_like) {
  Value::Object condition{{"StringEquals", Value::object({{"aws:SourceAccount", stack().account_value()}})}};
  if (source_arn_like) condition["ArnLike"] = Value::object({{"aws:SourceArn", *source_arn_like}});
  policy_resource().properties()["PolicyDocument"]["Statement"].push_back(
      iam::detail::allow_service(service_principal, "sns:Publish", topic_arn(), std::move(condition)));
  if (props_.kms_key) props_.kms_key->grant_service(service_principal, kms::publish_actions());
  publishers_.push_back(std::move(service_principal));
}

void Topic::allow_cloudwatch_alarms() {
  if (cloudwatch_allowed_) return;
  cloudwatch_allowed_ = true;
  allow_publish_from("cloudwatch.amazonaws.com", stack().format_arn("cloudwatch", "alarm:*"));
}

void Topic::validate(Validation& v) const {
  // ^[A-Za-z0-9_-]{1,256}$ (char_rules.hpp)
  if (!props_.topic_name.empty() && !detail::chars_within(props_.topic_name, 1, 256, [](char c) { return detail::is_alnum(c) || c == '_' || c == '-'; })) {
    v.error(codes::E787, *this, "invalid SNS topic name", "\"" + props_.topic_name + "\"",
            "1-256 characters of [A-Za-z0-9_-]");
  }
  if (props_.display_name.size() > 100) {
    v.error(codes::E788, *this, "SNS display name too long", std::to_string(props_.display_name.size()) + " chars",
            "<= 100 characters");
  }
  for (const auto& e : emails_) {
    if (!detail::is_email(e)) v.error(codes::E788, *this, "invalid e-mail subscription", "\"" + e + "\"", "user@example.com");
  }
  if (props_.kms_key) {
    if (props_.kms_key->region() != stack().region())
      v.error(codes::E961, *this, "the topic's KMS key " + props_.kms_key->path() + " is in another region",
              props_.kms_key->region(), stack().region());
    if (!(props_.kms_master_key_id == Value("alias/aws/sns")) && !props_.kms_master_key_id.is_null())
      v.error(codes::E961, *this, "both kms_key and kms_master_key_id are given", props_.kms_master_key_id.describe(),
              "one of them");
  }
  for (const auto& q : shared_key_queues_)
    v.error(codes::E961, *this, "the topic and its subscribed queue " + q + " share a key, but the topic has no topic_name",
            "topic_name empty", "a topic_name (the key policy names the topic by its ARN; a reference would be a cycle)");
  for (const auto& p : publishers_)
    if (!drsynth::detail::is_service_principal(p))
      v.error(codes::E961, *this, "allow_publish_from needs a service principal", p, "e.g. cloudwatch.amazonaws.com");
}

}  // namespace drsynth::sns

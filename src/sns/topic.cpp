#include "drsynth/sns/topic.hpp"
#include "char_rules.hpp"


namespace drsynth::sns {

Value Topic::bind_to_alarm(Construct& /*alarm*/, const Value& /*alarm_arn*/) { return topic_arn(); }

Topic::Topic(Construct& scope, std::string id, TopicProps props) : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::SNS::Topic"});
  if (!props_.topic_name.empty()) resource_->set_property("TopicName", props_.topic_name);
  if (!props_.display_name.empty()) resource_->set_property("DisplayName", props_.display_name);
  if (!props_.kms_master_key_id.is_null()) resource_->set_property("KmsMasterKeyId", props_.kms_master_key_id);
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

void Topic::validate(Validation& v) const {
  // ^[A-Za-z0-9_-]{1,256}$ (char_rules.hpp)
  if (!props_.topic_name.empty() && !detail::chars_within(props_.topic_name, 1, 256, [](char c) { return detail::is_alnum(c) || c == '_' || c == '-'; })) {
    v.error("E787", *this, "invalid SNS topic name", "\"" + props_.topic_name + "\"",
            "1-256 characters of [A-Za-z0-9_-]");
  }
  if (props_.display_name.size() > 100) {
    v.error("E788", *this, "SNS display name too long", std::to_string(props_.display_name.size()) + " chars",
            "<= 100 characters");
  }
  for (const auto& e : emails_) {
    if (!detail::is_email(e)) v.error("E788", *this, "invalid e-mail subscription", "\"" + e + "\"", "user@example.com");
  }
}

}  // namespace drsynth::sns

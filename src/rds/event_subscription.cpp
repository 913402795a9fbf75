#include "drsynth/rds/event_subscription.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "core/char_rules.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/core/stack.hpp"

namespace drsynth::rds {

namespace {

struct SourceCategories {
  std::string_view source_type;
  std::vector<std::string_view> categories;
};

const std::array<SourceCategories, 6>& table() {
  static const std::array<SourceCategories, 6> t{{
      {"db-cluster",
       {"configuration change", "creation", "deletion", "failover", "failure", "global-failover", "maintenance",
        "migration", "notification", "serverless"}},
      {"db-instance",
       {"availability", "backup", "configuration change", "creation", "deletion", "failover", "failure", "low storage",
        "maintenance", "notification", "read replica", "recovery", "restoration", "security", "security patching"}},
      {"db-cluster-snapshot", {"backup", "creation", "deletion", "notification", "restoration"}},
      {"db-snapshot", {"creation", "deletion", "notification", "restoration"}},
      {"db-parameter-group", {"configuration change"}},
      {"db-security-group", {"configuration change", "failure"}},
  }};
  return t;
}

std::string joined(const std::vector<std::string_view>& items) {
  std::string out;
  for (auto i : items) out += (out.empty() ? "" : ", ") + std::string(i);
  return out;
}

}  // namespace

std::vector<std::string_view> event_categories_of(std::string_view source_type) {
  for (const auto& row : table())
    if (row.source_type == source_type) return row.categories;
  return {};
}

EventSubscription::EventSubscription(Construct& scope, std::string id, EventSubscriptionProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::RDS::EventSubscription"});
  CfnResource& r = *resource_;
  r.set_property("SnsTopicArn", props_.topic->topic_arn());
  r.set_property("SourceType", props_.source_type);
  if (!props_.event_categories.empty()) {
    Value::Array categories;
    for (const auto& c : props_.event_categories) categories.emplace_back(c);
    r.set_property("EventCategories", Value(std::move(categories)));
  }
  if (!props_.source_ids.empty())
    r.set_property("SourceIds", Value(Value::Array(props_.source_ids.begin(), props_.source_ids.end())));
  if (!props_.subscription_name.empty()) r.set_property("SubscriptionName", props_.subscription_name);
  r.set_property("Enabled", props_.enabled);
  props_.topic->allow_publish_from("events.rds.amazonaws.com", stack().format_arn("rds", "*"));
  // RDS checks that it may publish when the subscription is created.
  if (props_.topic->policy() != nullptr) r.add_dependency(*props_.topic->policy());
}

void EventSubscription::validate(Validation& v) const {
  const auto allowed = event_categories_of(props_.source_type);
  if (allowed.empty()) {
    std::vector<std::string_view> types;
    for (const auto& row : table()) types.push_back(row.source_type);
    v.error(codes::E945, *this, "event source type is not one RDS has", props_.source_type, joined(types));
  } else {
    std::set<std::string> seen;
    for (const auto& c : props_.event_categories) {
      if (std::find(allowed.begin(), allowed.end(), c) == allowed.end())
        v.error(codes::E946, *this, "event category does not exist for source type " + props_.source_type, c, joined(allowed));
      else if (!seen.insert(c).second)
        v.error(codes::E946, *this, "event category listed twice", c, "each category once");
    }
  }
  if (!props_.subscription_name.empty() && !drsynth::detail::letter_then_single_hyphens(props_.subscription_name, 254))
    v.error(codes::E947, *this, "subscription name is invalid", props_.subscription_name,
            "1-255 letters, digits and single hyphens, a letter first");
  const sns::Topic& topic = *props_.topic;
  if (topic.stack().region() != stack().region())
    v.error(codes::E948, *this, "the topic " + topic.path() + " is in another region", topic.stack().region(),
            stack().region() + " (RDS publishes only to topics of its region)");
  if (topic.kms_key() == nullptr && topic.props().kms_master_key_id == Value("alias/aws/sns"))
    v.error(codes::E948, *this, "RDS cannot publish to a topic encrypted with the AWS managed key", "alias/aws/sns",
            "a topic with a customer-managed kms_key (its policy admits events.rds.amazonaws.com)");
  std::set<std::string> ids;
  for (const auto& id : props_.source_ids) {
    if (id.is_null() || (id.is_string() && id.as_string().empty()))
      v.error(codes::E949, *this, "a source id is empty", id.describe(), "a DB cluster or instance identifier");
    else if (!ids.insert(id.describe()).second)
      v.error(codes::E949, *this, "source id listed twice", id.describe(), "each source once");
  }
}

}  // namespace drsynth::rds

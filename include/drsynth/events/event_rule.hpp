// events::EventRule: an AWS::Events::Rule on the account's default bus that
// matches an event pattern and sends the matching events to its targets.
//
//   auto& rule = stack.add<events::EventRule>("SecretReplication", {
//       .description = "Secrets Manager could not replicate or rotate a secret",
//       .event_pattern = Value::object({{"source", Value::array({"aws.secretsmanager"})}, ...})});
//   topic.allow_publish_from("events.amazonaws.com", rule.rule_arn());  // the topic admits the rule
//   rule.add_target_arn(topic.topic_arn());
//
// Error codes: E789 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/events/rule_target.hpp"

namespace drsynth::events {

struct EventRuleProps {
  std::string description{};
  Value event_pattern{};  // {"source": [...], "detail-type": [...], "detail": {...}}
  bool enabled = true;
};

class EventRule : public Construct {
 public:
  using Props = EventRuleProps;
  EventRule(Construct& scope, std::string id, EventRuleProps props);

  // A target that admits the rule itself (bind_to_rule), e.g. a lambda::Function.
  void add_target(const RuleTarget& target);
  // A target whose resource policy the caller has opened to the rule already
  // (an SNS topic: Topic::allow_publish_from("events.amazonaws.com", rule_arn())).
  void add_target_arn(Value arn);

  [[nodiscard]] Value rule_arn() const { return resource_->get_att("Arn"); }
  [[nodiscard]] CfnResource& resource() const noexcept { return *resource_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.events.EventRule"; }

 private:
  EventRuleProps props_;
  CfnResource* resource_ = nullptr;
  std::vector<Value> targets_;
};

}  // namespace drsynth::events

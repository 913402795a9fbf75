#include "drsynth/events/event_rule.hpp"

#include "drsynth/core/error_codes.hpp"

namespace drsynth::events {

EventRule::EventRule(Construct& scope, std::string id, EventRuleProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::Events::Rule"});
  if (!props_.description.empty()) resource_->set_property("Description", props_.description);
  resource_->set_property("EventPattern", props_.event_pattern);
  resource_->set_property("State", props_.enabled ? "ENABLED" : "DISABLED");
}

void EventRule::add_target(const RuleTarget& target) { add_target_arn(target.bind_to_rule(*this, rule_arn())); }

void EventRule::add_target_arn(Value arn) {
  targets_.push_back(Value::object({{"Arn", std::move(arn)}, {"Id", "Target" + std::to_string(targets_.size())}}));
  resource_->set_property("Targets", Value(Value::Array(targets_.begin(), targets_.end())));
}

void EventRule::validate(Validation& v) const {
  if (!props_.event_pattern.is_object())
    v.error(codes::E789, *this, "the event pattern is not a JSON object", props_.event_pattern.is_null() ? "null" : "not an object",
            "{\"source\": [...], ...}");
  if (targets_.size() > 5)
    v.error(codes::E789, *this, "an EventBridge rule has at most 5 targets", std::to_string(targets_.size()), "<= 5");
}

}  // namespace drsynth::events

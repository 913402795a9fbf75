#include "drsynth/events/schedule.hpp"

#include <regex>

#include "drsynth/core/error_codes.hpp"

namespace drsynth::events {

bool valid_schedule_expression(const std::string& expression) {
  static const std::regex re(R"(^(rate\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\)|cron\([^()]+\))$)");
  return std::regex_match(expression, re);
}

Schedule::Schedule(Construct& scope, std::string id, ScheduleProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::Events::Rule"});
  if (!props_.description.empty()) resource_->set_property("Description", props_.description);
  resource_->set_property("ScheduleExpression", props_.expression);
  resource_->set_property("State", props_.enabled ? "ENABLED" : "DISABLED");
}

void Schedule::add_target(const RuleTarget& target) { add_target(target, {}); }

void Schedule::add_target(const RuleTarget& target, std::string input_json) {
  Value::Object entry{{"Arn", target.bind_to_rule(*this, rule_arn())},
                      {"Id", "Target" + std::to_string(targets_.size())}};
  if (!input_json.empty()) entry["Input"] = std::move(input_json);
  targets_.push_back(Value(std::move(entry)));
  resource_->set_property("Targets", Value(Value::Array(targets_.begin(), targets_.end())));
}

void Schedule::validate(Validation& v) const {
  if (!valid_schedule_expression(props_.expression)) {
    v.error(codes::E789, *this, "invalid schedule expression", "\"" + props_.expression + "\"",
            "rate(1 minute), rate(N minutes|hours|days) or cron(...)");
  }
  if (targets_.size() > 5) {
    v.error(codes::E789, *this, "an EventBridge rule has at most 5 targets", std::to_string(targets_.size()), "<= 5");
  }
}

}  // namespace drsynth::events

// events::Schedule: an AWS::Events::Rule that runs targets on a schedule.
//
// Error codes: E789 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/events/rule_target.hpp"

namespace drsynth::events {

struct ScheduleProps {
  std::string expression = "rate(1 minute)";  // rate(N minutes|hours|days) or cron(...)
  std::string description{};
  bool enabled = true;
};

class Schedule : public Construct {
 public:
  using Props = ScheduleProps;
  Schedule(Construct& scope, std::string id, ScheduleProps props);

  // Adds a target ("Target0", "Target1", ...): a lambda::Function (which adds
  // the permission it needs, see lambda/function.hpp), or anything else that
  // implements RuleTarget.
  void add_target(const RuleTarget& target);
  // The same, with a constant JSON event (the target's Input) instead of the
  // EventBridge event, e.g. R"({"action": "reconcile"})".
  void add_target(const RuleTarget& target, std::string input_json);

  [[nodiscard]] Value rule_arn() const { return resource_->get_att("Arn"); }
  [[nodiscard]] CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] const ScheduleProps& props() const noexcept { return props_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.events.Schedule"; }

 private:
  ScheduleProps props_;
  CfnResource* resource_ = nullptr;
  std::vector<Value> targets_;
};

// True for rate(1 minute), rate(5 minutes), cron(...).
[[nodiscard]] bool valid_schedule_expression(const std::string& expression);

}  // namespace drsynth::events

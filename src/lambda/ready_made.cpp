#include "lambda/ready_made.hpp"

#include <utility>

#include "char_rules.hpp"
#include "drsynth/events/schedule.hpp"
#include "drsynth/stack.hpp"

namespace drsynth::lambda::detail {

Value ssm_parameter_arn(const Stack& stack, const std::string& name, const std::string& region) {
  return stack.format_arn("ssm", name.starts_with("/") ? "parameter" + name : "parameter/" + name, region);
}

events::Schedule* add_failover_plumbing(Function& f, const FailoverPlumbing& p) {
  f.add_to_role_policy({.actions = {"cloudwatch:GetMetricStatistics"},
                        .resources = {"*"},
                        .acknowledge_wildcard = "GetMetricStatistics has no resource-level permissions"});
  f.add_to_role_policy({.actions = {"cloudwatch:PutMetricData"},
                        .resources = {"*"},
                        .conditions = {{"StringEquals", Value::object({{"cloudwatch:namespace", p.metric_namespace}})}}});
  f.add_to_role_policy({.actions = {"ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"},
                        .resources = {ssm_parameter_arn(f.stack(), p.lock_parameter, p.region),
                                      ssm_parameter_arn(f.stack(), p.state_parameter, p.region)}});
  if (!p.dead_letter_queue_arn.is_null()) {
    f.add_to_role_policy({.actions = {"sqs:SendMessage"}, .resources = {p.dead_letter_queue_arn}});
    f.resource().set_property("DeadLetterConfig", Value::object({{"TargetArn", p.dead_letter_queue_arn}}));
  }
  if (p.reconcile_schedule.empty()) return nullptr;
  auto& rule = f.add<events::Schedule>(
      "Reconcile", events::ScheduleProps{.expression = p.reconcile_schedule, .description = p.reconcile_description});
  rule.add_target(f, R"({"action": "reconcile", "source": "schedule"})");
  return &rule;
}

void check_lock_and_state(Validation& v, const Construct& c, const std::string& lock, const std::string& state) {
  for (const auto& [what, name] : {std::pair{"lock", &lock}, std::pair{"state", &state}}) {
    if (!name->empty() && (!drsynth::detail::is_ssm_parameter_name(*name) || name->starts_with("/aws") ||
                           name->starts_with("aws") || name->starts_with("ssm") || name->starts_with("/ssm"))) {
      v.error("E769", c, std::string("invalid SSM parameter name for the ") + what, "\"" + *name + "\"",
              "[a-zA-Z0-9_.-/], not starting with aws or ssm");
    }
  }
  if (!lock.empty() && lock == state)
    v.error("E769", c, "the lock and the state parameter are the same", "\"" + lock + "\"", "two parameters");
}

}  // namespace drsynth::lambda::detail

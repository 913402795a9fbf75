// CfnCondition: an entry of a template's "Conditions" section, and the
// intrinsics that use it.
//
//   auto& is_prod = stack.add<CfnCondition>("IsProd", {.expression = condition_equals(env.ref(), "prod")});
//   bucket.set_condition(is_prod);                              // "Condition": "IsProd" on the resource
//   topic.set_property("DisplayName", fn_if(is_prod, "Prod", Value::pseudo(Pseudo::no_value)));
//
// Error codes: E211-E213 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <string>

#include "drsynth/core/cfn_element.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth {

struct CfnConditionProps {
  // A condition function: condition_equals / _and / _or / _not / condition_ref.
  Value expression{};
};

class CfnCondition : public CfnElement {
 public:
  using Props = CfnConditionProps;
  CfnCondition(Construct& scope, std::string id, CfnConditionProps props);

  [[nodiscard]] const Value& expression() const noexcept { return props_.expression; }
  [[nodiscard]] std::string_view section() const noexcept override { return "Conditions"; }
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.CfnCondition"; }
  void write(EntryWriter& w) const override;
  void validate(Validation& v) const override;

 private:
  CfnConditionProps props_;
};

// {"Fn::Equals": [a, b]}
[[nodiscard]] Value condition_equals(Value a, Value b);
// {"Fn::And": [...]}, {"Fn::Or": [...]}: 2 to 10 conditions.
[[nodiscard]] Value condition_and(Value::Array conditions);
[[nodiscard]] Value condition_or(Value::Array conditions);
// {"Fn::Not": [c]}
[[nodiscard]] Value condition_not(Value condition);
// {"Condition": "<logical id>"}: another condition, inside a condition function.
[[nodiscard]] Value condition_ref(const CfnCondition& c);
// {"Fn::If": ["<logical id>", when_true, when_false]}; use
// Value::pseudo(Pseudo::no_value) to leave a property out.
[[nodiscard]] Value fn_if(const CfnCondition& c, Value when_true, Value when_false);

}  // namespace drsynth

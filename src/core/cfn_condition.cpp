#include "drsynth/core/cfn_condition.hpp"

#include <array>

#include "drsynth/core/entry_writer.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth {

CfnCondition::CfnCondition(Construct& scope, std::string id, CfnConditionProps props)
    : CfnElement(scope, std::move(id)), props_(std::move(props)) {}

void CfnCondition::write(EntryWriter& w) const { w.value(props_.expression); }

namespace {

// The number of arguments each condition function takes.
struct Arity {
  std::string_view name;
  std::size_t min;
  std::size_t max;
};
constexpr std::array<Arity, 5> condition_functions{{
    {"Fn::Equals", 2, 2}, {"Fn::And", 2, 10}, {"Fn::Or", 2, 10}, {"Fn::Not", 1, 1}, {"Condition", 1, 1}}};

}  // namespace

void CfnCondition::validate(Validation& v) const {
  const Value& e = props_.expression;
  const Arity* arity = nullptr;
  if (e.kind() == Value::Kind::function)
    for (const auto& a : condition_functions)
      if (a.name == e.function_name()) arity = &a;
  if (arity == nullptr) {
    v.error(codes::E211, *this, "a condition needs a condition function", e.describe(),
            "condition_equals, condition_and, condition_or, condition_not or condition_ref");
    return;
  }
  const Value& argument = e.function_argument();
  const std::size_t n = argument.is_array() ? argument.as_array().size() : 1;
  if (n < arity->min || n > arity->max)
    v.error(codes::E212, *this, std::string(arity->name) + " with the wrong number of arguments", std::to_string(n),
            arity->min == arity->max ? std::to_string(arity->min) : std::to_string(arity->min) + ".." + std::to_string(arity->max));
}

Value condition_equals(Value a, Value b) { return Value::fn("Fn::Equals", Value(Value::Array{std::move(a), std::move(b)})); }
Value condition_and(Value::Array conditions) { return Value::fn("Fn::And", Value(std::move(conditions))); }
Value condition_or(Value::Array conditions) { return Value::fn("Fn::Or", Value(std::move(conditions))); }
Value condition_not(Value condition) { return Value::fn("Fn::Not", Value(Value::Array{std::move(condition)})); }
Value condition_ref(const CfnCondition& c) { return Value::fn("Condition", Value::name_of(c)); }
Value fn_if(const CfnCondition& c, Value when_true, Value when_false) {
  return Value::fn("Fn::If", Value(Value::Array{Value::name_of(c), std::move(when_true), std::move(when_false)}));
}

}  // namespace drsynth

#include "drsynth/core/cfn_output.hpp"

#include "drsynth/core/entry_writer.hpp"
#include "drsynth/synth/safety_review.hpp"
#include "drsynth/core/stack.hpp"
#include "core/reference_kind.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth {

namespace {
// Why `v` cannot be (part of) an export's Name, "" when it can. CloudFormation
// refuses an Export Name that depends on "any resources, imported values, or
// Fn::GetAZs"; parameters and pseudo parameters (AWS::StackName) are fine.
std::string export_name_problem(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::ref:
    case Value::Kind::get_att:
      if (dynamic_cast<const CfnParameter*>(v.target()) != nullptr) return {};
      return "it refers to " + v.target()->path();
    case Value::Kind::function:
      if (v.function_name() == "Fn::ImportValue" || v.function_name() == "Fn::GetStackOutput" ||
          v.function_name() == "Fn::GetAZs")
        return "it uses " + v.function_name();
      return export_name_problem(v.function_argument());
    case Value::Kind::array:
      for (const auto& item : v.as_array())
        if (auto why = export_name_problem(item); !why.empty()) return why;
      return {};
    case Value::Kind::object:
      for (const auto& [key, item] : v.as_object())
        if (auto why = export_name_problem(item); !why.empty()) return why;
      return {};
    default: return {};
  }
}

// An output's Value as written into `consumer`'s template. One read with
// Fn::GetStackOutput (a reference to another region's or account's stack, or
// the function written out) goes inside {"Fn::Join": ["", [...]]}, the same
// string: cfn-lint 1.51.0 refuses the function as an output's Value itself
// (E6101; CloudFormation refused it too until May 2026), while both accept it
// inside Fn::Join (docs/architecture.md, "References between stacks").
Value written_value(const Value& v, const Stack& consumer) {
  bool read_from_other_stack = v.kind() == Value::Kind::function && v.function_name() == "Fn::GetStackOutput";
  if (v.kind() == Value::Kind::ref || v.kind() == Value::Kind::get_att) {
    const Stack* producer = v.target()->stack_or_null();
    read_from_other_stack =
        producer != nullptr && detail::reference_kind(*producer, consumer) == detail::ReferenceKind::stack_output;
  }
  return read_from_other_stack ? Value::join("", {v}) : v;
}
}  // namespace

CfnOutput::CfnOutput(Construct& scope, std::string id, CfnOutputProps props)
    : CfnElement(scope, std::move(id)), props_(std::move(props)) {}

void CfnOutput::validate(Validation& v) const {
  if (props_.value.is_null()) v.error(codes::E210, *this, "output has no value", "null", "a value");
  if (props_.export_name) {
    if (const auto why = export_name_problem(*props_.export_name); !why.empty())
      v.error(codes::E230, *this,
              "an export name cannot depend on a resource, an imported value or Fn::GetAZs (" + why +
                  "): CloudFormation refuses the template",
              props_.export_name->describe(), "a name made of text, parameters and pseudo parameters such as AWS::StackName");
  }
}

void CfnOutput::write(EntryWriter& w) const {
  w.begin_entry();
  if (props_.condition && w.member("Condition")) w.string(*props_.condition);
  if (props_.description && w.member("Description")) w.string(*props_.description);
  if (props_.export_name && w.member("Export", true)) {
    w.begin_object();
    if (w.member("Name")) w.value(*props_.export_name);
    w.end_object();
  }
  if (w.member("Value")) w.value(written_value(props_.value, w.stack()));
  w.end_entry();
}

void CfnOutput::review(SafetyReview& review) const { review.output(*this, props_.value); }

CfnParameter::CfnParameter(Construct& scope, std::string id, CfnParameterProps props)
    : CfnElement(scope, std::move(id)), props_(std::move(props)) {}

void CfnParameter::write(EntryWriter& w) const {
  w.begin_entry();
  if (!props_.allowed_values.empty() && w.member("AllowedValues")) {
    w.begin_array();
    for (const auto& v : props_.allowed_values) {
      w.item();
      w.string(v);
    }
    w.end_array();
  }
  if (props_.default_value && w.member("Default")) w.value(*props_.default_value);
  if (props_.description && w.member("Description")) w.string(*props_.description);
  if (props_.no_echo && w.member("NoEcho")) w.boolean(true);
  if (w.member("Type")) w.string(props_.type);
  w.end_entry();
}

void CfnParameter::review(SafetyReview& review) const { review.parameter(*this, props_.no_echo); }

}  // namespace drsynth

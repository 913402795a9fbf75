#include "drsynth/cfn_output.hpp"

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
}  // namespace

CfnOutput::CfnOutput(Construct& scope, std::string id, CfnOutputProps props)
    : CfnElement(scope, std::move(id)), props_(std::move(props)) {}

void CfnOutput::validate(Validation& v) const {
  if (props_.value.is_null()) v.error("E210", *this, "output has no value", "null", "a value");
  if (props_.export_name) {
    if (const auto why = export_name_problem(*props_.export_name); !why.empty())
      v.error("E230", *this,
              "an export name cannot depend on a resource, an imported value or Fn::GetAZs (" + why +
                  "): CloudFormation refuses the template",
              props_.export_name->describe(), "a name made of text, parameters and pseudo parameters such as AWS::StackName");
  }
}

CfnParameter::CfnParameter(Construct& scope, std::string id, CfnParameterProps props)
    : CfnElement(scope, std::move(id)), props_(std::move(props)) {}

}  // namespace drsynth

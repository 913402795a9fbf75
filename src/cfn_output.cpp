#include "drsynth/cfn_output.hpp"

#include "drsynth/entry_writer.hpp"
#include "drsynth/safety_review.hpp"

namespace drsynth {

CfnOutput::CfnOutput(Construct& scope, std::string id, CfnOutputProps props)
    : CfnElement(scope, std::move(id)), props_(std::move(props)) {}

void CfnOutput::validate(Validation& v) const {
  if (props_.value.is_null()) v.error("E210", *this, "output has no value", "null", "a value");
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
  if (w.member("Value")) w.value(props_.value);
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

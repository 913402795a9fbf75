#include "drsynth/cfn_output.hpp"

namespace drsynth {

CfnOutput::CfnOutput(Construct& scope, std::string id, CfnOutputProps props)
    : CfnElement(scope, std::move(id)), props_(std::move(props)) {}

void CfnOutput::validate(Validation& v) const {
  if (props_.value.is_null()) v.error("E210", *this, "output has no value", "null", "a value");
}

CfnParameter::CfnParameter(Construct& scope, std::string id, CfnParameterProps props)
    : CfnElement(scope, std::move(id)), props_(std::move(props)) {}

}  // namespace drsynth

#include "drsynth/rds/parameter_group.hpp"
#include "char_rules.hpp"

#include <regex>

namespace drsynth::rds {

ParameterGroup::ParameterGroup(Construct& scope, std::string id, ParameterGroupProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::RDS::DBParameterGroup"});
  resource_->set_property("Family", family());
  resource_->set_property("Description", props_.description);
  if (props_.name) resource_->set_property("DBParameterGroupName", *props_.name);
  if (!props_.parameters.empty()) {
    Value::Object params;
    for (const auto& [k, val] : props_.parameters) params[k] = Value(val);
    resource_->set_property("Parameters", Value(std::move(params)));
  }
}

void ParameterGroup::validate(Validation& v) const {
  if (!is_supported_postgres_version(props_.engine_version))
    v.error("E720", *this, "PostgreSQL engine version is not supported", props_.engine_version,
            "a full minor version cfn-lint does not flag as deprecated: 15.10 or 15.12 to 15.17");
  if (props_.name && !drsynth::detail::letter_then_single_hyphens(*props_.name, 254))
    v.error("E733", *this, "parameter group name is invalid", *props_.name,
            "1-255 letters, digits and single hyphens, a letter first, no trailing hyphen");
  if (props_.description.empty() || props_.description.size() > 255)
    v.error("E733", *this, "parameter group description must be 1-255 characters", props_.description,
            "a description (CloudFormation requires one)");
  // ^[A-Za-z0-9_.]{1,255}$ (char_rules.hpp)
  for (const auto& [k, val] : props_.parameters) {
    if (!drsynth::detail::chars_within(k, 1, 255, [](char c) { return drsynth::detail::is_alnum(c) || c == '_' || c == '.'; }))
      v.error("E739", *this, "parameter name is invalid", k, "letters, digits, '_' and '.', e.g. rds.force_ssl");
    if (val.empty())
      v.error("E739", *this, "parameter " + k + " has an empty value", val, "a value (remove the entry to keep the default)");
  }
}

}  // namespace drsynth::rds

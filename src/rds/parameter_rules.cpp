#include "rds/parameter_rules.hpp"

#include "core/char_rules.hpp"

namespace drsynth::rds::detail {

Value parameters_value(const std::map<std::string, std::string>& parameters) {
  Value::Object params;
  for (const auto& [k, val] : parameters) params[k] = Value(val);
  return Value(std::move(params));
}

void validate_parameter_group(const Construct& self, const ParameterGroupRules& rules,
                              const std::optional<std::string>& name, const std::string& description,
                              const std::map<std::string, std::string>& parameters, Validation& v) {
  const std::string what(rules.what);
  if (name && !drsynth::detail::letter_then_single_hyphens(*name, 254))
    v.error(std::string(rules.name_code), self, what + " name is invalid", *name,
            "1-255 letters, digits and single hyphens, a letter first, no trailing hyphen");
  if (description.empty() || description.size() > 255)
    v.error(std::string(rules.name_code), self, what + " description must be 1-255 characters", description,
            "a description (CloudFormation requires one)");
  // ^[A-Za-z0-9_.]{1,255}$ (no std::regex: bounded repeats are slow to compile)
  for (const auto& [k, val] : parameters) {
    if (!drsynth::detail::chars_within(k, 1, 255, [](char c) { return drsynth::detail::is_alnum(c) || c == '_' || c == '.'; }))
      v.error(std::string(rules.params_code), self, "parameter name is invalid", k,
              "letters, digits, '_' and '.', e.g. rds.force_ssl");
    if (val.empty())
      v.error(std::string(rules.params_code), self, "parameter " + k + " has an empty value", val,
              "a value (remove the entry to keep the default)");
  }
}

}  // namespace drsynth::rds::detail

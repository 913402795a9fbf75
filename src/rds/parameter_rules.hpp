// What ParameterGroup and ClusterParameterGroup share (internal).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "drsynth/core/construct.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::rds::detail {

// The Parameters property: {name: value, ...}.
[[nodiscard]] Value parameters_value(const std::map<std::string, std::string>& parameters);

struct ParameterGroupRules {
  std::string_view what;         // "parameter group", "cluster parameter group"
  std::string_view name_code;    // for the name and the description
  std::string_view params_code;  // for the parameters
};

// The name (1-255 letters, digits, single hyphens, a letter first), the
// description (1-255 characters) and every parameter (a name of [A-Za-z0-9_.],
// a non-empty value).
void validate_parameter_group(const Construct& self, const ParameterGroupRules& rules,
                              const std::optional<std::string>& name, const std::string& description,
                              const std::map<std::string, std::string>& parameters, Validation& v);

}  // namespace drsynth::rds::detail

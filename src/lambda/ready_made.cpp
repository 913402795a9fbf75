#include "lambda/ready_made.hpp"

#include <utility>

#include "char_rules.hpp"
#include "drsynth/stack.hpp"

namespace drsynth::lambda::detail {

Value ssm_parameter_arn(const Stack& stack, const std::string& name, const std::string& region) {
  return stack.format_arn("ssm", name.starts_with("/") ? "parameter" + name : "parameter/" + name, region);
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

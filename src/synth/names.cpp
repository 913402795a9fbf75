// Names that must be unique: stack names within the app (they name the
// template files and the manifest's artifacts), logical IDs within a stack.
#include <unordered_map>

#include "drsynth/core/cfn_element.hpp"
#include "drsynth/core/stack.hpp"
#include "core/constants.hpp"
#include "drsynth/core/error_codes.hpp"
#include "synth/internal.hpp"

namespace drsynth::detail {

void check_stack_names(const std::vector<const Stack*>& stacks, std::vector<Diagnostic>& errors) {
  std::unordered_map<std::string_view, const Stack*> seen;
  for (const Stack* s : stacks) {
    if (s->stack_name() == tree_artifact)
      errors.push_back({codes::E305, Severity::error, s->path(), "stack name is reserved for the assembly's tree artifact",
                        s->stack_name(), "another stack name"});
    auto [it, inserted] = seen.emplace(s->stack_name(), s);
    if (!inserted)
      errors.push_back({codes::E305, Severity::error, s->path(),
                        "two stacks have the same stack name (the other is " + it->second->path() + ")", s->stack_name(),
                        "stack names unique within an app"});
  }
}

void check_logical_ids(const Stack& s, std::vector<Diagnostic>& errors) {
  std::unordered_map<std::string_view, const CfnElement*> seen;
  for (const CfnElement* e : s.elements()) {
    auto [it, inserted] = seen.emplace(e->logical_id(), e);
    if (!inserted)
      errors.push_back({codes::E301, Severity::error, e->path(),
                        "two elements of stack " + s.stack_name() + " have the same logical ID (the other is " +
                            it->second->path() + ")",
                        e->logical_id(), "logical IDs unique within a stack"});
  }
}

}  // namespace drsynth::detail

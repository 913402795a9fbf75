#include "drsynth/core/cfn_element.hpp"

#include <algorithm>

#include "drsynth/core/logical_id.hpp"
#include "drsynth/core/stack.hpp"

namespace drsynth {

CfnElement::CfnElement(Construct& scope, std::string id) : Construct(scope, std::move(id)) {
  (void)stack();  // E105 unless created inside a stack
}

void CfnElement::adopted() { stack().elements_.push_back(this); }

void CfnElement::review(SafetyReview& /*review*/) const {}

const std::string& CfnElement::logical_id() const {
  if (!logical_id_) {
    // The path components from below the stack down to this element.
    std::vector<std::string_view> components;
    const Stack* s = stack_or_null();
    for (const Construct* c = this; c != nullptr && c != s; c = c->parent()) components.push_back(c->id());
    std::reverse(components.begin(), components.end());
    logical_id_ = make_logical_id(components);
  }
  return *logical_id_;
}

void CfnElement::override_logical_id(std::string id) {
  logical_id_ = std::move(id);
  overridden_ = true;
}

}  // namespace drsynth

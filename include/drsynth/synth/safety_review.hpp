// SafetyReview: what an element shows the safety rules (S001-S006, see
// check_safety in synth.hpp and docs/errors.md). Each element kind
// implements CfnElement::review(SafetyReview&) once, handing over the parts
// of its entry the rules look at; the rules themselves know no element kind
// and no service.
#pragma once

#include <string>
#include <string_view>

#include "drsynth/core/value.hpp"

namespace drsynth {

class CfnElement;

class SafetyReview {
 public:
  virtual ~SafetyReview() = default;

  // A resource entry: its type, properties and policies (null when unset).
  virtual void resource(const CfnElement& e, std::string_view type, const Value::Object& properties,
                        const std::string* deletion_policy, const std::string* update_replace_policy) = 0;
  // A resource entry as one value {"Type": ..., "Properties": ...}, e.g. rendered().
  virtual void resource_entry(const CfnElement& e, const Value& entry) = 0;
  // An output's value.
  virtual void output(const CfnElement& e, const Value& value) = 0;
  // A parameter: whether its value is hidden (NoEcho).
  virtual void parameter(const CfnElement& e, bool no_echo) = 0;

  // The element's entry exactly as the template holds it (references
  // resolved, overrides applied), for an element whose parts alone would not
  // show what it renders to.
  [[nodiscard]] virtual Value rendered(const CfnElement& e) = 0;
};

}  // namespace drsynth

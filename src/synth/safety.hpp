// The template checker of the safety rules (the rules of safety_rules.hpp
// that RuleCheckedBy::template_checker): applied to each element right after
// it is written, while its values are in the cache. Not part of the public API.
#pragma once

#include <string_view>
#include <vector>

#include "drsynth/core/error.hpp"

namespace drsynth {
class App;
class CfnElement;
}  // namespace drsynth

namespace drsynth::detail {

class SafetyChecker {
 public:
  // Whether the app asks to be destroyable (context "destroyable"): rule S005.
  explicit SafetyChecker(const App& app);
  // Reviews element e, whose entry is `entry_text` (as written), and appends
  // its findings to `findings`: errors, or notes where e or a scope above it
  // acknowledged the rule with a reason.
  void review(const CfnElement& e, std::string_view entry_text, std::vector<Diagnostic>& findings) const;

 private:
  bool destroyable_ = false;
};

}  // namespace drsynth::detail

// events::RuleTarget: what an EventBridge rule can run (aws-cdk's
// IRuleTarget). events owns this interface; the targets implement it
// (lambda::Function, ...), so a rule needs no header of the services it runs.
#pragma once

#include "drsynth/core/value.hpp"

namespace drsynth {
class Construct;
}

namespace drsynth::events {

class RuleTarget {
 public:
  virtual ~RuleTarget() = default;

  // The target's ARN for the rule's Targets. A target that must allow the
  // rule to invoke it adds that here, as a child of `rule` (the rule
  // construct) with SourceArn `rule_arn`.
  [[nodiscard]] virtual Value bind_to_rule(Construct& rule, const Value& rule_arn) const = 0;

 protected:
  RuleTarget() = default;
  RuleTarget(const RuleTarget&) = default;
  RuleTarget& operator=(const RuleTarget&) = default;
};

}  // namespace drsynth::events

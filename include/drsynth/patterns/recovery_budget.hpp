// The recovery-time budget of a built-in DR system, counted from the
// failure: each step with its seconds and where the number comes from (a
// setting, or the AWS page that publishes it, or "assumption" where AWS
// publishes no figure). docs/dr-design.md explains each step; `drsynth synth`
// prints the budget, and tree.json carries it as JSON (the pattern's node,
// attribute "drsynth:recovery-budget", format in docs/dr-design.md) for tools
// such as the failure-scenario simulator.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace drsynth::patterns {

struct BudgetStep {
  std::string what;
  std::int64_t seconds = 0;
  std::string source;  // "probeIntervalMinutes x 60", "https://docs.aws.amazon.com/...", "assumption: ..."
};

struct RecoveryBudget {
  std::string engine;                  // "rds" or "aurora"
  std::vector<BudgetStep> dns_steps;   // the failure until DNS answers with the standby
  std::vector<BudgetStep> writable_steps;  // the failure until the standby is a writer (DNS already answers with it)
  std::int64_t dns_seconds = 0;        // sum of dns_steps
  std::int64_t detection_seconds = 0;  // the failure until the hold alarm is in ALARM
  std::int64_t writable_seconds = 0;   // sum of writable_steps
  std::int64_t objective_seconds = 0;  // recoveryTimeObjectiveSeconds
  bool needs_approval = false;         // no witness: a region loss waits for an operator (not counted)

  // The worst of the DNS and the writable time: what the objective bounds.
  [[nodiscard]] std::int64_t worst_seconds() const noexcept {
    return dns_seconds > writable_seconds ? dns_seconds : writable_seconds;
  }
  // One line per step ("  + what: N s (source)") and the totals, as printed.
  [[nodiscard]] std::vector<std::string> lines() const;
  // The budget as one JSON object (docs/dr-design.md, "Recovery-time budget").
  [[nodiscard]] std::string json() const;
};

}  // namespace drsynth::patterns

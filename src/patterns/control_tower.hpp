// The AWS Control Tower proactive controls the built-in systems do not meet on
// purpose, one reasoned list (internal): each row names the control, the
// system, the construct below the system it is acknowledged on ("" for the
// whole system) and why. The patterns call acknowledge_control_tower() at the
// end of their constructors; the acknowledgements go into tree.json like any
// other (Construct::acknowledge), and tests/tools/guard_check.cpp fails on a
// Guard finding that none covers. docs/errors.md lists the same rows.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "drsynth/core/construct.hpp"

namespace drsynth::patterns::detail {

enum class BuiltIn : std::uint8_t { rds_replica, aurora_global, both };
enum class When : std::uint8_t { always, deletion_protection_off };

struct ControlTowerChoice {
  std::string_view rule;  // "CT.RDS.PR.13"
  BuiltIn system;
  std::string_view at;  // construct path below the system, "" for all of it
  std::string_view reason;
  When when = When::always;
};

[[nodiscard]] std::span<const ControlTowerChoice> control_tower_choices() noexcept;

// Acknowledges the rows of `system` on `root` (the pattern) and the constructs below it.
void acknowledge_control_tower(Construct& root, BuiltIn system, bool deletion_protection);

}  // namespace drsynth::patterns::detail

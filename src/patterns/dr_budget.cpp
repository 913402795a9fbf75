// The recovery-time budget of the PostgreSQL DR system: the DR kit's budget
// (dr_kit_budget.cpp) with RDS's promotion.
#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "patterns/dr_kit.hpp"
#include "patterns/dr_kit_engines.hpp"

namespace drsynth::patterns {

RecoveryBudget recovery_budget(const PostgresDisasterRecoveryProps& p) {
  return detail::kit_budget(detail::kit_settings_of(p),
                            detail::rds_promotion_step(p.expected_promotion_seconds), "rds");
}

}  // namespace drsynth::patterns

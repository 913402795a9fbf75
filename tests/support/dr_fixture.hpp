// The built-in DR system, synthesized for a test (shared by the DR test files).
#pragma once

#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "system_fixture.hpp"

namespace dr_test {

using DrProps = drsynth::patterns::PostgresDisasterRecoveryProps;
using System = system_test::SystemOf<drsynth::patterns::PostgresDisasterRecovery>;

inline drsynth::Error system_error(DrProps props) {
  return system_test::error_of<drsynth::patterns::PostgresDisasterRecovery>(std::move(props));
}

}  // namespace dr_test

// The built-in Aurora Global Database system, synthesized for a test (shared
// by the aurora_system_* test files).
#pragma once

#include "drsynth/patterns/aurora_global_disaster_recovery.hpp"
#include "system_fixture.hpp"

namespace system_test {
template <>
inline constexpr const char* construct_id<drsynth::patterns::AuroraGlobalDisasterRecovery> = "AuroraGlobalDr";
}

namespace aurora_system_test {

using AuroraProps = drsynth::patterns::AuroraGlobalDisasterRecoveryProps;
using AuroraSystem = system_test::SystemOf<drsynth::patterns::AuroraGlobalDisasterRecovery>;

inline constexpr const char* base = "AuroraDrBase-dev";
inline constexpr const char* primary = "AuroraPrimary-dev";
inline constexpr const char* secondary = "AuroraSecondary-dev";
inline constexpr const char* routes = "AuroraPrimaryRoutes-dev";
inline constexpr const char* witness = "AuroraWitness-dev";
inline constexpr const char* failover = "AuroraFailover-dev";
inline constexpr const char* failover_primary = "AuroraFailoverPrimary-dev";

inline drsynth::Error aurora_error(AuroraProps props) {
  return system_test::error_of<drsynth::patterns::AuroraGlobalDisasterRecovery>(std::move(props));
}

}  // namespace aurora_system_test

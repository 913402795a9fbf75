// The built-in Aurora Global Database system, synthesized for a test (shared
// by the aurora_system_* test files).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "drsynth/assertions.hpp"
#include "drsynth/patterns/aurora_global_disaster_recovery.hpp"
#include "test_support.hpp"

namespace aurora_system_test {

using AuroraProps = drsynth::patterns::AuroraGlobalDisasterRecoveryProps;

inline constexpr const char* base = "AuroraDrBase-dev";
inline constexpr const char* primary = "AuroraPrimary-dev";
inline constexpr const char* secondary = "AuroraSecondary-dev";
inline constexpr const char* routes = "AuroraPrimaryRoutes-dev";
inline constexpr const char* failover = "AuroraFailover-dev";
inline constexpr const char* failover_primary = "AuroraFailoverPrimary-dev";

struct AuroraSystem {
  drsynth::App app{drsynth::AppProps{.read_environment = false}};
  drsynth::patterns::AuroraGlobalDisasterRecovery& dr;
  drsynth::Assembly assembly;
  explicit AuroraSystem(AuroraProps props = {})
      : dr(app.add<drsynth::patterns::AuroraGlobalDisasterRecovery>("AuroraGlobalDr", std::move(props))),
        assembly(drsynth::synthesize(app)) {}
  [[nodiscard]] drsynth::assertions::Template t(std::string_view stack) const {
    return drsynth::assertions::Template::from_assembly(assembly, stack);
  }
  [[nodiscard]] const drsynth::StackArtifact& stack(std::string_view name) const {
    const auto* s = assembly.find(name);
    if (s == nullptr) throw std::runtime_error("no stack " + std::string(name));
    return *s;
  }
};

// The Error building or synthesizing the system with these props throws.
inline drsynth::Error aurora_error(AuroraProps props) {
  drsynth::App app(drsynth::AppProps{.read_environment = false});
  try {
    app.add<drsynth::patterns::AuroraGlobalDisasterRecovery>("AuroraGlobalDr", std::move(props));
  } catch (const drsynth::Error& e) {
    return e;
  }
  return test::synth_error(app);
}

}  // namespace aurora_system_test

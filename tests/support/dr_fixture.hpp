// The built-in DR system, synthesized for a test (shared by the DR test files).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "drsynth/assertions.hpp"
#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "test_support.hpp"

namespace dr_test {

using DrProps = drsynth::patterns::PostgresDisasterRecoveryProps;

// One synthesized DR system.
struct System {
  drsynth::App app{drsynth::AppProps{.read_environment = false}};
  drsynth::patterns::PostgresDisasterRecovery& dr;
  drsynth::Assembly assembly;
  explicit System(DrProps props = {})
      : dr(app.add<drsynth::patterns::PostgresDisasterRecovery>("DisasterRecovery", std::move(props))),
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

// The Error synthesis of a system with these props throws.
inline drsynth::Error system_error(DrProps props) {
  drsynth::App app(drsynth::AppProps{.read_environment = false});
  app.add<drsynth::patterns::PostgresDisasterRecovery>("DisasterRecovery", std::move(props));
  return test::synth_error(app);
}

}  // namespace dr_test

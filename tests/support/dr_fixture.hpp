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

// The Error building or synthesizing a system with these props throws (a
// prop that breaks its setting's rule throws from the constructor).
inline drsynth::Error system_error(DrProps props) {
  drsynth::App app(drsynth::AppProps{.read_environment = false});
  try {
    app.add<drsynth::patterns::PostgresDisasterRecovery>("DisasterRecovery", std::move(props));
  } catch (const drsynth::Error& e) {
    return e;
  }
  return test::synth_error(app);
}

}  // namespace dr_test

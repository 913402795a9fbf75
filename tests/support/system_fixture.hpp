// One built-in DR system (either pattern), synthesized for a test: the
// shared part of dr_fixture.hpp and aurora_system_fixture.hpp.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "drsynth/assertions/template.hpp"
#include "test_support.hpp"

namespace system_test {

// The pattern's construct id in the shipped app (define_default_system).
template <class Pattern>
inline constexpr const char* construct_id = "DisasterRecovery";

template <class Pattern>
struct SystemOf {
  drsynth::App app{drsynth::AppProps{.read_environment = false}};
  Pattern& dr;
  drsynth::Assembly assembly;
  explicit SystemOf(typename Pattern::Props props = {})
      : dr(app.add<Pattern>(construct_id<Pattern>, std::move(props))), assembly(drsynth::synthesize(app)) {}
  [[nodiscard]] drsynth::assertions::Template t(std::string_view stack) const {
    return drsynth::assertions::Template::from_assembly(assembly, stack);
  }
  [[nodiscard]] const drsynth::StackArtifact& stack(std::string_view name) const {
    const auto* s = assembly.find(name);
    if (s == nullptr) throw std::runtime_error("no stack " + std::string(name));
    return *s;
  }
};

// The Error building or synthesizing the pattern with these props throws (a
// prop that breaks its setting's rule throws from the constructor).
template <class Pattern>
drsynth::Error error_of(typename Pattern::Props props) {
  drsynth::App app(drsynth::AppProps{.read_environment = false});
  try {
    app.add<Pattern>(construct_id<Pattern>, std::move(props));
  } catch (const drsynth::Error& e) {
    return e;
  }
  return test::synth_error(app);
}

}  // namespace system_test

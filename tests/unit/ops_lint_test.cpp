// Writes the cloud assembly of the failover stack for cfn-lint (tests/ops_lint.cmake).
#include <catch2/catch.hpp>
#include <cstdlib>

#include "drsynth/app.hpp"
#include "drsynth/synth.hpp"
#include "ops_fixture.hpp"

TEST_CASE("the failover stack synthesizes and is written for cfn-lint", "[ops][lint]") {
  drsynth::App app({.read_environment = false});
  (void)ops_test::build_failover_stack(app);
  const auto assembly = drsynth::synthesize(app);
  REQUIRE(assembly.stacks.size() == 1);
  if (const char* out = std::getenv("DRSYNTH_OPS_LINT_OUT"); out != nullptr && *out != '\0') {
    drsynth::write_assembly(assembly, out);
  }
}

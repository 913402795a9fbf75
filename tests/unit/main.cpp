#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

// The engine-version table (rds/engine_versions.hpp) is judged on one fixed day,
// so the suite gives the same verdicts whatever the date; a test of another day
// sets DRSYNTH_TODAY itself. The drsynth binary the tests run inherits it.
int main(int argc, char* argv[]) {
  ::setenv("DRSYNTH_TODAY", "2026-12-07", 0);
  return Catch::Session().run(argc, argv);
}

#!/usr/bin/env bash
# What CI runs for hardening (besides scripts/test.sh):
#   1. the unit tests, the robustness test and the hostile-input test under
#      AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/); any report
#      fails the run;
#   2. the fuzzers (settings, assembly reader, diff) for FUZZ_SECONDS in all
#      (default 60) over fuzz/corpus.
#   scripts/hardening.sh            # both
#   scripts/hardening.sh asan|fuzz  # one
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
if [ "$what" = all ] || [ "$what" = asan ]; then
  # Warnings are errors here too; only the C++ tests (the Python/cfn-lint/CDK ones do not run our code under ASan).
  # Debug (-O0): on 2 cores an optimized sanitizer build takes three times as long.
  # -g1 (line tables, no types or variables; without -gsplit-dwarf -gdwarf-4, which would raise it back to -g2):
  # all a sanitizer report needs, and a sixth less compile CPU than -g.
  DRSYNTH_CMAKE_ARGS="-DCMAKE_CXX_FLAGS_DEBUG=-g1 -DDRSYNTH_SPLIT_DWARF=OFF" CMAKE_BUILD_TYPE=Debug DRSYNTH_BUILD_BENCH=OFF DRSYNTH_WERROR=ON DRSYNTH_SANITIZE=ON BUILD_DIR=build-asan \
    scripts/bootstrap.sh --tests
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -R '^(unit:|robustness:|cli:|hostile inputs:)'
fi
if [ "$what" = all ] || [ "$what" = fuzz ]; then
  scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
fi

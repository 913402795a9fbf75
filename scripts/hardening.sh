#!/usr/bin/env bash
# What CI runs for hardening (besides scripts/test.sh), from two clang builds:
#   asan: the unit tests, the robustness test, the CLI tests and the hostile-input
#         test under AddressSanitizer + UndefinedBehaviorSanitizer (build-hardening/,
#         the fuzzers' build: one compile of the library for both); any report
#         fails the run;
#   fuzz: the fuzzers (settings, assembly reader, diff) for FUZZ_SECONDS in all
#         (default 60) over fuzz/corpus, from the same build;
#   tsan: templates written on several threads under ThreadSanitizer
#         (build-tsan/: the library, the CLI and the big test app only).
#   scripts/hardening.sh                  # all three
#   scripts/hardening.sh asan|fuzz|tsan   # one
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
export FUZZ_BUILD_DIR="${FUZZ_BUILD_DIR:-build-hardening}"
if [ "$what" = all ] || [ "$what" = asan ]; then
  # The fuzzers' build with the tests in it: -O1, line tables, ASan + UBSan +
  # coverage instrumentation on everything (CMakeLists.txt, DRSYNTH_FUZZ).
  FUZZ_BUILD_TESTS=ON FUZZ_BUILD_ONLY=1 scripts/fuzz.sh
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  ctest --test-dir "$FUZZ_BUILD_DIR" --output-on-failure -j "$(nproc)" -R '^(unit:|robustness:|cli:|hostile inputs:)'
fi
if [ "$what" = all ] || [ "$what" = fuzz ]; then
  FUZZ_BUILD_TESTS=ON scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
fi
if [ "$what" = all ] || [ "$what" = tsan ]; then
  build="${TSAN_BUILD_DIR:-build-tsan}"
  scripts/fuzz.sh --install-clang
  cmake --preset tsan -B "$build" -DCMAKE_CXX_COMPILER="${FUZZ_CXX:-clang++-14}" ${DRSYNTH_CMAKE_ARGS:-} >/dev/null
  cmake --build "$build" --target drsynth_cli drsynth_big_app -j "$(nproc)"
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" tests/tools/tsan.sh "$build/tests/drsynth_big_app" "$build/drsynth"
fi

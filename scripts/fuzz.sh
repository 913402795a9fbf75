#!/usr/bin/env bash
# Builds the libFuzzer targets with clang++-14 (ASan + UBSan) into build-fuzz/
# and runs them for N seconds in all (default 60), shared out: half to the
# settings (fuzz/corpus/settings), a quarter each to the assembly reader
# (fuzz/corpus/assembly) and the diff (fuzz/corpus/diff).
#   scripts/fuzz.sh [seconds]
#   scripts/fuzz.sh --install-clang   # only install clang and its runtimes
# FUZZ_BUILD_TESTS=ON builds the tests into the same folder (scripts/hardening.sh
# runs them there under the same sanitizers); FUZZ_BUILD_ONLY=1 builds and stops.
# New inputs go to build-fuzz/corpus-<target> (the checked-in corpus is only
# read); a crash is written to build-fuzz/crash-* and fails the script: fix it,
# then copy the input into fuzz/corpus/<target>/ as a regression seed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
build="${FUZZ_BUILD_DIR:-build-fuzz}"
cxx="${FUZZ_CXX:-clang++-14}"
# clang and its fuzzer runtime from Debian, installed when missing.
if ! command -v "$cxx" >/dev/null || ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "fuzz: installing clang-14 libclang-rt-14-dev"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null
fi
[ "$seconds" = --install-clang ] && exit 0
tests="${FUZZ_BUILD_TESTS:-OFF}"
# The presets (CMakePresets.json) hold the flags: -O1 and line tables only (symbolized reports, no types or
# variables), asserts on; libFuzzer's documentation suggests -O1 or more. "asan" adds the tests. Warnings
# fail only the GCC build of scripts/test.sh (DRSYNTH_WERROR=ON there); here clang 14 prints them.
preset=fuzz; [ "$tests" = ON ] && preset=asan
cmake --preset "$preset" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DDRSYNTH_WERROR="${DRSYNTH_WERROR:-OFF}" \
  ${DRSYNTH_CMAKE_ARGS:-} >/dev/null
if [ "$tests" = ON ]; then
  cmake --build "$build" -j "$(nproc)"
else
  cmake --build "$build" --target settings_fuzzer assembly_fuzzer diff_fuzzer -j "$(nproc)"
fi
[ -n "${FUZZ_BUILD_ONLY:-}" ] && exit 0
run() {  # target corpus seconds max_len
  local target=$1 corpus=$2 time=$3 max_len=$4
  mkdir -p "$build/corpus-$corpus"
  # Regression seeds first: every checked-in input must pass as is.
  "$build/$target" -runs=0 "fuzz/corpus/$corpus"
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
    "$build/$target" "$build/corpus-$corpus" "fuzz/corpus/$corpus" -max_len="$max_len" -max_total_time="$time" \
    -timeout=20 -rss_limit_mb=2048 -artifact_prefix="$build/" -print_final_stats=1
}
quarter=$(( seconds / 4 > 0 ? seconds / 4 : 1 ))
run settings_fuzzer settings $(( seconds - 2 * quarter > 0 ? seconds - 2 * quarter : 1 )) 4096
run assembly_fuzzer assembly "$quarter" 16384
run diff_fuzzer diff "$quarter" 16384

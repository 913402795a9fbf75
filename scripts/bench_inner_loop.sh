#!/usr/bin/env bash
# The edit-to-templates loop a user of the library lives in: touch the README
# example, rebuild it, synthesize with it. Prints each run's times and the
# medians (docs/performance.md, "Inner loop").
#   scripts/bench_inner_loop.sh            7 runs in build/
#   scripts/bench_inner_loop.sh -n 11      11 runs
#   BUILD_DIR=build-x scripts/bench_inner_loop.sh   another build folder
# A missing build folder is configured as scripts/bootstrap.sh configures
# build/ (the project's default build type, RelWithDebInfo).
# The examples precompile the drsynth headers they include and link with lld
# when present (DRSYNTH_EXAMPLES_PCH, DRSYNTH_FAST_LINK); configure BUILD_DIR
# with those OFF to measure an app's build without them.
# ccache is disabled for the runs: a touched file has the same content, so a
# compiler cache would measure a cache hit, not what an edit costs.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=7
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs="$2"; shift ;;
    *) echo "usage: scripts/bench_inner_loop.sh [-n RUNS]" >&2; exit 2 ;;
  esac
  shift
done
build="${BUILD_DIR:-build}"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
target=example_readme_example
binary="$build/examples/$target"
export CCACHE_DISABLE=1
# Everything but the example is built once, outside the timing.
cmake --build "$build" --target "$target" >/dev/null
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

now() { echo "${EPOCHREALTIME/./}"; }  # microseconds
ms() { echo "$(( ($1 + 500) / 1000 ))"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

builds=() synths=() totals=()
echo "run  rebuild(ms)  synth(ms)  total(ms)"
for i in $(seq "$runs"); do
  touch examples/readme_example.cpp
  t0=$(now)
  cmake --build "$build" --target "$target" >/dev/null
  t1=$(now)
  "$binary" synth -q -o "$out/cdk.out"
  t2=$(now)
  builds+=($((t1 - t0))) synths+=($((t2 - t1))) totals+=($((t2 - t0)))
  printf '%3d  %11d  %9d  %9d\n' "$i" "$(ms $((t1 - t0)))" "$(ms $((t2 - t1)))" "$(ms $((t2 - t0)))"
done
b=$(printf '%s\n' "${builds[@]}" | median)
s=$(printf '%s\n' "${synths[@]}" | median)
t=$(printf '%s\n' "${totals[@]}" | median)
lo=$(printf '%s\n' "${totals[@]}" | sort -n | head -1)
hi=$(printf '%s\n' "${totals[@]}" | sort -n | tail -1)
printf 'median of %d runs: rebuild %d ms, synthesize %d ms, total %d ms (min %d, max %d)\n' \
  "$runs" "$(ms "$b")" "$(ms "$s")" "$(ms "$t")" "$(ms "$lo")" "$(ms "$hi")"

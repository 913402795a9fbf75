#!/usr/bin/env bash
# The synthesis benchmark in one command: a Release build in build-bench, then
# drsynth_bench for N = 1, 10, 100, 300, 1000 and the `drsynth synth` timing.
#   scripts/bench.sh                 print the table
#   scripts/bench.sh --write-doc     also replace the results in docs/performance.md
#   scripts/bench.sh -- --n 1,10     pass arguments to drsynth_bench
#   BENCH_BUILD_DIR=build scripts/bench.sh   use an existing build folder
set -euo pipefail
cd "$(dirname "$0")/.."
write_doc=0
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --write-doc) write_doc=1 ;;
    --) shift; args+=("$@"); break ;;
    *) args+=("$1") ;;
  esac
  shift
done
BUILD_DIR="${BENCH_BUILD_DIR:-build-bench}"
if [ -f "$BUILD_DIR/CMakeCache.txt" ]; then
  # An existing build folder (e.g. BENCH_BUILD_DIR=build): keep its other options.
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DDRSYNTH_BUILD_BENCH=ON >/dev/null
else
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDRSYNTH_BUILD_BENCH=ON \
    -DDRSYNTH_BUILD_TESTS=OFF -DDRSYNTH_BUILD_EXAMPLES=OFF >/dev/null
fi
cmake --build "$BUILD_DIR" -j "$(nproc)" --target drsynth_bench drsynth_cli >/dev/null
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
"$BUILD_DIR/bench/drsynth_bench" "${args[@]}" | tee "$out"
if [ "$write_doc" = 1 ]; then
  python3 - "$out" <<'PY'
import datetime, platform, re, subprocess, sys
results = open(sys.argv[1]).read().strip()
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
mem = next((l.split(":", 1)[1].strip() for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?")
cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
compiler = subprocess.run(["c++", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
block = (f"<!-- bench:begin -->\nMeasured {datetime.date.today().isoformat()} at commit `{commit}` on {cpu}, "
         f"{cores} cores, {mem} RAM, {platform.system()} {platform.release()}, {compiler}, Release build.\n\n"
         f"{results}\n<!-- bench:end -->")
doc = open("docs/performance.md").read()
doc = re.sub(r"<!-- bench:begin -->.*<!-- bench:end -->", lambda m: block, doc, flags=re.S)
open("docs/performance.md", "w").write(doc)
print("bench: updated docs/performance.md", file=sys.stderr)
PY
fi

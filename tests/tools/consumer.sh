#!/usr/bin/env bash
# Installs drsynth from the build tree into a temporary prefix, then configures,
# builds and runs tests/consumer against it with find_package(drsynth CONFIG).
set -euo pipefail
build="$1"; src="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/tests/consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer" list | tee "$work/out"
grep -qx "Consumer  us-east-1" "$work/out"
test -f "$work/prefix/share/drsynth/runtime/probe/index.py"

#!/usr/bin/env bash
# Synthesizes the assemblies whose bytes a refactoring must not change: every
# example, the built-in system with three environment suffixes, and a
# 30-system app (tests/tools/big_app.cpp), into OUT_DIR. Run it with the
# binaries of two builds and compare the folders:
#   scripts/reference_assemblies.sh build-before /tmp/before
#   scripts/reference_assemblies.sh build /tmp/after
#   diff -r /tmp/before /tmp/after && echo same
# BIN_DIR holds drsynth, drsynth_big_app and the example_* programs (a build
# folder, or any folder they were copied to).
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 BIN_DIR OUT_DIR" >&2
  exit 2
fi
bin="$1"
out="$2"
find_bin() {
  local name="$1"
  for p in "$bin/$name" "$bin/examples/$name" "$bin/tests/$name"; do
    if [ -x "$p" ]; then echo "$p"; return; fi
  done
  echo "reference_assemblies.sh: no $name in $bin" >&2
  exit 2
}
rm -rf "$out"
mkdir -p "$out"
for suffix in dev prod x1; do
  "$(find_bin drsynth)" synth -q -c "environmentSuffix=$suffix" -o "$out/drsynth-$suffix"
done
"$(find_bin drsynth_big_app)" synth -q -c copies=30 -o "$out/big-30"
for example in example_dr_variant example_readme_example example_two_region_reference; do
  "$(find_bin "$example")" synth -q -o "$out/$example"
done
echo "reference_assemblies.sh: wrote $(find "$out" -type f | wc -l) files to $out"

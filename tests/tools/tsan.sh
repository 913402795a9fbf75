#!/usr/bin/env bash
# ThreadSanitizer run (scripts/hardening.sh tsan): an app large enough that
# render() and the assembly writer use their worker threads (16 stacks or
# more, src/synth/parallel.cpp), written twice, and both built-in systems.
# Any data race halts the program (TSAN_OPTIONS=halt_on_error=1) and fails
# this script; the two large assemblies must be the same bytes.
#   tsan.sh <big_app binary> <drsynth binary>
set -euo pipefail
app=$1 drsynth=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/drsynth-tsan.XXXXXX")
trap 'rm -rf "$work"' EXIT
digest() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
"$app" synth -q -o "$work/one" -c copies=6 -c tag=t
"$app" synth -q -o "$work/two" -c copies=6 -c tag=t
stacks=$(find "$work/one" -name '*.template.json' | wc -l)
[ "$stacks" -ge 16 ] || { echo "FAIL: only $stacks stacks: the writer stays on one thread" >&2; exit 1; }
cmp <(digest "$work/one") <(digest "$work/two") || { echo "FAIL: two runs wrote different bytes" >&2; exit 1; }
"$drsynth" synth -q -o "$work/rds"
"$drsynth" synth -q -o "$work/aurora" -c variant=aurora-global
echo "tsan: $stacks stacks written on several threads twice (same bytes), both systems synthesized: no race reported"

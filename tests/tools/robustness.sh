#!/usr/bin/env bash
# Interruption (kill -9, SIGTERM), disk-full and concurrency tests of the atomic assembly publish.
#   robustness.sh <big_app binary>
set -euo pipefail
app=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/drsynth-robust.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
out=$work/cdk.out
fail() { echo "FAIL: $*" >&2; exit 1; }
digest() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) ; }
# One complete assembly: the manifest lists exactly the templates present, all with one tag.
complete() {
  python3 - "$1" <<'PY'
import json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
listed = {a["properties"]["templateFile"] for a in m["artifacts"].values() if a["type"] == "aws:cloudformation:stack"}
present = {f for f in os.listdir(d) if f.endswith(".template.json")}
assert listed == present, f"manifest lists {len(listed)} templates, folder has {len(present)}"
tags = {f.split("-", 1)[1][:1] for f in present}
assert len(tags) == 1, f"templates from more than one run: {sorted(tags)}"
for f in present: json.load(open(os.path.join(d, f)))
print(f"complete: {len(present)} templates, tag {tags.pop()}")
PY
}

# ---- kill -9 in the middle of writing a large assembly --------------------------
"$app" synth -q -o "$out" -c copies=2 -c tag=a
digest "$out" > before.sum
killed=0
# KILL_COPIES: fewer systems for a sanitizer build (tests/robustness.cmake).
for attempt in 1 2 3 4 5; do
  "$app" synth -q -o "$out" -c copies="${KILL_COPIES:-200}" -c tag=b &
  pid=$!
  # Wait (however long the synthesis takes) until the temporary folder has files in it, then kill.
  while kill -0 "$pid" 2>/dev/null; do
    if compgen -G "$work/.cdk.out.tmp-$pid-*/*.template.json" >/dev/null; then
      kill -9 "$pid" && killed=1
      break
    fi
    sleep 0.01
  done
  wait "$pid" 2>/dev/null || true
  [ "$killed" = 1 ] && break
done
[ "$killed" = 1 ] || fail "could not catch the writer in the middle of the write"
digest "$out" | diff -q before.sum - >/dev/null || fail "kill -9 changed the previous assembly"
complete "$out"
compgen -G "$work/.cdk.out.tmp-*" >/dev/null || fail "expected the killed run's temporary folder"
"$app" synth -q -o "$out" -c copies=1 -c tag=c
compgen -G "$work/.cdk.out.tmp-*" >/dev/null && fail "the next run did not remove the stale temporary folder"
complete "$out"
echo "ok: kill -9 mid-write left the previous assembly intact; the next run cleaned up"

# ---- SIGTERM in the middle of writing a 400-system assembly --------------------------
# drsynth stops after the files being written, removes its temporary folder and
# ends by the signal (status 143); the previous assembly stays byte for byte.
# SIGTERM_COPIES: fewer systems for a sanitizer build (tests/robustness.cmake).
# 400 systems (1,600 stacks): the writer runs for seconds, the poll below catches it within 10 ms;
# 1,000 took most of the 600 s timeout on a loaded 2-core machine once the kit grew (lease, alarms, log keys).
copies=${SIGTERM_COPIES:-400}
digest "$out" > before.sum
caught=0
for attempt in 1 2 3; do
  "$app" synth -q -o "$out" -c copies="$copies" -c tag=t &
  pid=$!
  sent=0
  while kill -0 "$pid" 2>/dev/null; do
    if compgen -G "$work/.cdk.out.tmp-$pid-*/*.template.json" >/dev/null; then
      kill -TERM "$pid" && sent=1
      break
    fi
    sleep 0.01
  done
  set +e
  wait "$pid"
  rc=$?
  set -e
  if [ "$sent" = 1 ] && [ "$rc" = 143 ]; then caught=1; break; fi
  # The signal came after the publish (rc 143 or 0 then): start from a known assembly again.
  "$app" synth -q -o "$out" -c copies=2 -c tag=a
  digest "$out" > before.sum
done
[ "$caught" = 1 ] || fail "could not catch the $copies-system writer in the middle of the write (last status $rc)"
compgen -G "$work/.cdk.out.tmp-*" >/dev/null && fail "SIGTERM left a temporary folder behind"
digest "$out" | diff -q before.sum - >/dev/null || fail "SIGTERM changed the previous assembly"
complete "$out"
echo "ok: SIGTERM during the write of $copies systems: status 143, no temporary folder, previous assembly intact"

# ---- a user's file named like a temporary folder is left alone ------------------
echo "my notes" > "$work/.cdk.out.tmp-999999-notes"
mkdir -p "$work/.cdk.out.tmp-999998-0" && echo draft > "$work/.cdk.out.tmp-999998-0/draft.txt"
"$app" synth -q -o "$out" -c copies=1 -c tag=u
[ "$(cat "$work/.cdk.out.tmp-999999-notes")" = "my notes" ] || fail "a user file named like a temporary was changed"
[ "$(cat "$work/.cdk.out.tmp-999998-0/draft.txt")" = draft ] || fail "a user folder named like a temporary was changed"
rm -rf "$work/.cdk.out.tmp-999999-notes" "$work/.cdk.out.tmp-999998-0"
echo "ok: files and folders of the user's named like temporaries stay"

# ---- disk full (RLIMIT_FSIZE: write() fails with EFBIG, SIGXFSZ ignored) ---------
digest "$out" > before.sum
set +e
( trap '' XFSZ; ulimit -f 16; exec "$app" synth -q -o "$out" -c copies=3 -c tag=d ) 2> full.err
rc=$?
set -e
[ "$rc" = 3 ] || { cat full.err >&2; fail "disk full: expected exit code 3, got $rc"; }
grep -q '\[drsynth.E402\]' full.err || fail "disk full: expected E402"
digest "$out" | diff -q before.sum - >/dev/null || fail "disk full changed the previous assembly"
compgen -G "$work/.cdk.out.tmp-*" >/dev/null && fail "disk full left a temporary folder"
echo "ok: disk full is exit 3 and leaves the previous assembly"

# ---- output folder is a file; output below a file ---------------------------------
echo keep > "$work/file"
set +e
"$app" synth -q -o "$work/file" -c copies=1 2>/dev/null; rc1=$?
"$app" synth -q -o "$work/file/cdk.out" -c copies=1 2>/dev/null; rc2=$?
set -e
[ "$rc1" = 3 ] && [ "$rc2" = 3 ] || fail "output path is a file: expected exit 3 twice, got $rc1 $rc2"
[ "$(cat "$work/file")" = keep ] || fail "the file was changed"
echo "ok: an output path that is a file is exit 3"

# ---- two runs into one folder at once ---------------------------------------------
for round in 1 2 3 4 5 6; do
  "$app" synth -q -o "$out" -c copies=3 -c tag=x &
  p1=$!
  "$app" synth -q -o "$out" -c copies=4 -c tag=y &
  p2=$!
  wait "$p1" || fail "concurrent run 1 failed (round $round)"
  wait "$p2" || fail "concurrent run 2 failed (round $round)"
  complete "$out" >/dev/null || fail "round $round: not one complete assembly"
  compgen -G "$work/.cdk.out.tmp-*" >/dev/null && fail "round $round: temporary folder left behind"
done
echo "ok: 6 rounds of two concurrent runs each ended with one complete assembly"

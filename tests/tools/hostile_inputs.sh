#!/usr/bin/env bash
# Issue 22, the cases that need processes, users and files (the others are
# Catch2 tests in tests/unit/hostile_input_test.cpp):
#   - shell metacharacters in the output folder's name (the one free-text value
#     of the shipped CLI that reaches deploy.sh, destroy.sh and deploy-plan):
#     bash -n, then the scripts run against a fake aws on PATH; nothing executes;
#   - chmod 555 on the output folder or on the folder that holds it, as a user
#     other than root: refused before anything is swapped, the previous
#     assembly byte for byte, no temporary left.
# Usage: hostile_inputs.sh path/to/drsynth
set -uo pipefail
drsynth=$(realpath "$1")
fail() { echo "FAIL: $*" >&2; exit 1; }
digest() { (cd "$1" && find . -print0 | sort -z | xargs -0 stat -c '%n %a %s' && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
work=$(mktemp -d /tmp/drsynth-hostile.XXXXXX)
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
chmod 755 "$work"

# ---- shell metacharacters through every script ------------------------------
bin="$work/bin"
mkdir -p "$bin"
cat >"$bin/aws" <<'FAKE'
#!/bin/sh
printf '%s|' "$@" >>"$AWS_LOG"; printf '\n' >>"$AWS_LOG"
case "$*" in
  *describe-stack-resource*) echo bucket-name ;;
  # deploy.sh asks RDS whether each pinned engine version can be created (Status, global support).
  *describe-db-engine-versions*) printf 'available\tTrue\n' ;;
  *list-object-versions*) echo '{}' ;;
  # destroy.sh waits while a failover function's lock parameter exists.
  *"ssm get-parameter "*) echo 'An error occurred (ParameterNotFound) when calling the GetParameter operation:' >&2; exit 254 ;;
esac
exit 0
FAKE
chmod 755 "$bin/aws"
evil="o'\$(touch PWNED)\`touch PWNED\`;touch PWNED #\"x \\"
out="$work/$evil"
(cd "$work" && "$drsynth" synth -q -o "$out" -c alarmEmails=a@example.com) || fail "synth into a folder named $evil"
for script in deploy.sh destroy.sh; do
  bash -n "$out/$script" || fail "bash -n $script"
done
"$drsynth" deploy-plan -o "$out" --s3-bucket 'b-{region}' -c alarmEmails=a@example.com >"$work/plan.sh" 2>/dev/null ||
  fail "deploy-plan"
bash -n "$work/plan.sh" || fail "bash -n on the deploy plan"
export AWS_LOG="$work/aws.log"
(cd "$work" && PATH="$bin:/usr/bin:/bin" DRSYNTH_S3_BUCKET='b-{region}' bash "$out/deploy.sh" >/dev/null) ||
  fail "deploy.sh against the fake aws"
(cd "$work" && PATH="$bin:/usr/bin:/bin" bash "$out/destroy.sh" >/dev/null) || fail "destroy.sh against the fake aws"
(cd / && PATH="$bin:/usr/bin:/bin" bash "$work/plan.sh" >/dev/null) || fail "the deploy plan against the fake aws"
# A bucket name from the environment is checked before it is used.
(cd "$work" && PATH="$bin:/usr/bin:/bin" DRSYNTH_S3_BUCKET='$(touch PWNED)' bash "$out/deploy.sh" >/dev/null 2>&1) &&
  fail "deploy.sh accepted an invalid bucket name"
if [ -e /PWNED ] || find "$work" -name PWNED | grep -q .; then fail "a script executed a value"; fi
grep -q '^cloudformation|deploy|--region|us-east-1|' "$AWS_LOG" || fail "deploy.sh did not deploy (aws log: $(head -3 "$AWS_LOG"))"
grep -q '^cloudformation|delete-stack|' "$AWS_LOG" || fail "destroy.sh did not delete"
echo "ok: metacharacters in the output folder's name reach deploy.sh, destroy.sh and deploy-plan as text"

# ---- chmod 555, as a user other than root -----------------------------------
as_user() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv >/dev/null || { echo "skip: no setpriv to drop root"; exit 0; }
  as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
fi
home="$work/user"
mkdir -p "$home"
[ "$(id -u)" -eq 0 ] && chown 65534:65534 "$home"
cd "$home" || fail "cd"
as_user "$drsynth" synth -q -o out -c alarmEmails=a@example.com || fail "first synth as an unprivileged user"
for where in out .; do
  before=$(digest "$home")
  as_user chmod 555 "$where"
  as_user "$drsynth" synth -q -o out -c alarmEmails=a@example.com -c project=changed 2>"$work/err"
  rc=$?
  as_user chmod 755 "$where"
  [ "$rc" -eq 3 ] || fail "chmod 555 $where: exit $rc, expected 3 ($(cat "$work/err"))"
  grep -q 'E402' "$work/err" || fail "chmod 555 $where: $(cat "$work/err")"
  grep -q 'is not writable' "$work/err" || fail "chmod 555 $where: the message names no folder: $(cat "$work/err")"
  [ "$(digest "$home")" = "$before" ] || fail "chmod 555 $where: the previous assembly or its folder changed"
  ls -A "$home" | grep -q '\.tmp-' && fail "chmod 555 $where: a temporary was left behind"
done
echo "ok: chmod 555 on the output folder or its parent is refused before the swap, nothing left behind"

#!/usr/bin/env bash
# The AWS CDK CLI must accept the assembly: `cdk ls --app <dir>` lists the stacks
# in dependency order. Usage: cdk_ls.sh <cdk binary> <assembly dir or app executable> <expected stack>...
# Extra arguments for cdk (e.g. -c key=value) can be given in CDK_LS_ARGS.
set -euo pipefail
cdk="$1"; dir="$2"; shift 2
if [ ! -x "$cdk" ]; then
  echo "AWS CDK CLI not found at $cdk: install it with: npm install --prefix .cache/cdk aws-cdk@2" >&2
  exit 1
fi
export CDK_DISABLE_VERSION_CHECK=1 CI=true
dir=$(realpath "$dir")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"  # an app executable writes its assembly here (CDK_OUTDIR)
# shellcheck disable=SC2086
got=$("$cdk" ls --app "$dir" --no-notices ${CDK_LS_ARGS:-} 2>"$work/err") || { cat "$work/err" >&2; exit 1; }
echo "$got"
want=$(printf '%s\n' "$@")
if [ "$got" != "$want" ]; then
  echo "expected:" >&2; echo "$want" >&2
  exit 1
fi

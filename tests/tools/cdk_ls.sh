#!/usr/bin/env bash
# The AWS CDK CLI must accept the assembly: `cdk ls --app <dir>` lists the stacks
# in dependency order. Usage: cdk_ls.sh <cdk binary> <assembly dir> <expected stack>...
set -euo pipefail
cdk="$1"; dir="$2"; shift 2
if [ ! -x "$cdk" ]; then
  echo "AWS CDK CLI not found at $cdk: install it with: npm install --prefix .cache/cdk aws-cdk@2" >&2
  exit 1
fi
export CDK_DISABLE_VERSION_CHECK=1 CI=true
got=$("$cdk" ls --app "$dir" --no-notices 2>/tmp/cdk-ls.err.$$) || { cat /tmp/cdk-ls.err.$$ >&2; rm -f /tmp/cdk-ls.err.$$; exit 1; }
rm -f /tmp/cdk-ls.err.$$
echo "$got"
want=$(printf '%s\n' "$@")
if [ "$got" != "$want" ]; then
  echo "expected:" >&2; echo "$want" >&2
  exit 1
fi

#!/usr/bin/env bash
# Runs the assembly's deploy.sh and destroy.sh against a fake `aws` that records
# its arguments, and checks the calls: stacks in dependency order (reverse for
# destroy), assets uploaded to the per-region bucket before their stack.
# Usage: deploy_script.sh <assembly dir>
set -euo pipefail
dir=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
cat > "$work/bin/aws" <<'FAKE'
#!/usr/bin/env bash
echo "$*" >> "$AWS_CALLS"
FAKE
chmod +x "$work/bin/aws"
export AWS_CALLS="$work/calls" PATH="$work/bin:$PATH"

# Without a bucket the script refuses to upload Lambda code.
if DRSYNTH_S3_BUCKET= "$dir/deploy.sh" 2>"$work/err"; then echo "deploy.sh ran without a bucket" >&2; exit 1; fi
grep -q "set DRSYNTH_S3_BUCKET" "$work/err"
: > "$AWS_CALLS"

DRSYNTH_S3_BUCKET='assets-{region}' "$dir/deploy.sh"
cat "$AWS_CALLS"
stacks=$(grep -o -- "--stack-name [^ ]*" "$AWS_CALLS" | awk '{print $2}' | tr '\n' ' ')
[ "$stacks" = "DrBase-dev DrPrimary-dev DrReplica-dev DrPrimaryRoutes-dev DrWitness-dev DrFailover-dev DrFailoverPrimary-dev " ] || { echo "order: $stacks" >&2; exit 1; }
grep -q "^s3 cp --region eu-west-1 asset\.[0-9a-f]*\.zip s3://assets-eu-west-1/asset\." "$AWS_CALLS"
grep -q "DrFailover-dev .* --parameter-overrides AssetsBucket=assets-eu-west-1" "$AWS_CALLS"
# uploads come before the stack that uses them: the last upload of eu-west-1
# (the failover function's code) before DrFailover-dev, and every upload
# before the last stack
[ "$(grep -n '^s3 cp --region eu-west-1' "$AWS_CALLS" | tail -1 | cut -d: -f1)" -lt "$(grep -n 'stack-name DrFailover-dev' "$AWS_CALLS" | head -1 | cut -d: -f1)" ]
[ "$(grep -n '^s3 cp' "$AWS_CALLS" | tail -1 | cut -d: -f1)" -lt "$(grep -n 'stack-name DrFailoverPrimary-dev' "$AWS_CALLS" | head -1 | cut -d: -f1)" ]

: > "$AWS_CALLS"
"$dir/destroy.sh"
deleted=$(grep -o -- "delete-stack --region [^ ]* --stack-name [^ ]*" "$AWS_CALLS" | awk '{print $5}' | tr '\n' ' ')
[ "$deleted" = "DrFailoverPrimary-dev DrFailover-dev DrWitness-dev DrPrimaryRoutes-dev DrReplica-dev DrPrimary-dev DrBase-dev " ] || { echo "destroy order: $deleted" >&2; exit 1; }
echo "deploy.sh and destroy.sh call the AWS CLI in dependency order"

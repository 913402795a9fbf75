#!/usr/bin/env bash
# Runs the assembly's deploy.sh and destroy.sh against a fake `aws` that records
# its arguments and answers describe-db-engine-versions from a fixture, and
# checks the calls: every pinned engine version asked of its region before any
# upload or stack (a deprecated one stops the script before any), the bucket
# rules of deploy-plan --s3-bucket, stacks in dependency order (reverse for
# destroy), assets uploaded to the per-region bucket before their stack.
# Usage: deploy_script.sh <assembly dir> [<Aurora assembly dir>]
set -euo pipefail
dir=$(realpath "$1")
aurora=${2:+$(realpath "$2")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
# The fake aws (tests/tools/fake_aws.py, shared with destroy_scenarios.py) records its calls
# and answers describe-db-engine-versions from the fixture: "<engine> <version> <region> <Status>
# <SupportsGlobalDatabases>" per line; a version not in it is answered as RDS answers an unknown one.
ln -s "$(dirname "$(realpath "$0")")/fake_aws.py" "$work/bin/aws"
export AWS_CALLS="$work/calls" AWS_ENGINES="$work/engines" PATH="$work/bin:$PATH"
cat > "$AWS_ENGINES" <<'EOF2'
postgres 15.17 us-east-1 available False
postgres 15.17 eu-west-1 available False
aurora-postgresql 15.17 us-east-1 available True
aurora-postgresql 15.17 us-west-2 available True
EOF2

# Without a bucket the script refuses to upload Lambda code.
if DRSYNTH_S3_BUCKET= "$dir/deploy.sh" 2>"$work/err"; then echo "deploy.sh ran without a bucket" >&2; exit 1; fi
grep -q "set DRSYNTH_S3_BUCKET" "$work/err"
# The names deploy-plan --s3-bucket refuses (E543): one bucket for two regions, S3's rules.
for bad in assets 'Assets-{region}' 'xn--assets-{region}' 'a..b-{region}' 'assets-{region}-s3alias'; do
  : > "$AWS_CALLS"
  if DRSYNTH_S3_BUCKET=$bad "$dir/deploy.sh" 2>"$work/err"; then echo "deploy.sh accepted the bucket $bad" >&2; exit 1; fi
  grep -q "E543" "$work/err" || { cat "$work/err" >&2; exit 1; }
  [ ! -s "$AWS_CALLS" ] || { echo "deploy.sh called aws with the bucket $bad:" >&2; cat "$AWS_CALLS" >&2; exit 1; }
done
grep -q "needs {region}" <(DRSYNTH_S3_BUCKET=assets "$dir/deploy.sh" 2>&1 || true)

# A version RDS no longer creates stops the script before any upload or stack.
: > "$AWS_CALLS"
sed -i 's/^postgres 15.17 us-east-1 available/postgres 15.17 us-east-1 deprecated/' "$AWS_ENGINES"
if DRSYNTH_S3_BUCKET='assets-{region}' "$dir/deploy.sh" 2>"$work/err"; then echo "deploy.sh deployed a deprecated version" >&2; exit 1; fi
cat "$work/err"
grep -q "deploy.sh: postgres 15.17 (DisasterRecovery/Primary/Primary) cannot be created in us-east-1: RDS says deprecated" "$work/err"
grep -q "Set engine_version of DisasterRecovery/Primary/Primary (the setting engineVersion" "$work/err"
grep -q "no stack was touched" "$work/err"
grep -q "^rds describe-db-engine-versions --region us-east-1 --engine postgres --engine-version 15.17 --include-all" "$AWS_CALLS"
if grep -v "^rds describe-db-engine-versions" "$AWS_CALLS"; then echo "deploy.sh called more than RDS before stopping" >&2; exit 1; fi
sed -i 's/^postgres 15.17 us-east-1 deprecated/postgres 15.17 us-east-1 available/' "$AWS_ENGINES"

: > "$AWS_CALLS"
DRSYNTH_S3_BUCKET='assets-{region}' "$dir/deploy.sh"
cat "$AWS_CALLS"
# The engine versions first, one question per region and version.
[ "$(grep -c "^rds describe-db-engine-versions" "$AWS_CALLS")" = 2 ]
[ "$(grep -n '^rds' "$AWS_CALLS" | tail -1 | cut -d: -f1)" -lt "$(grep -n -v '^rds' "$AWS_CALLS" | head -1 | cut -d: -f1)" ]
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

if [ -n "$aurora" ]; then
  # Aurora: the global cluster's version in both regions, and that it supports global databases.
  sed -i 's/^aurora-postgresql 15.17 us-west-2 available True/aurora-postgresql 15.17 us-west-2 available False/' "$AWS_ENGINES"
  : > "$AWS_CALLS"
  if DRSYNTH_S3_BUCKET='assets-{region}' "$aurora/deploy.sh" 2>"$work/err"; then echo "deploy.sh ignored SupportsGlobalDatabases" >&2; exit 1; fi
  grep -q "aurora-postgresql 15.17 (.*) does not support global databases in us-west-2" "$work/err"
  if grep -v "^rds describe-db-engine-versions" "$AWS_CALLS"; then echo "deploy.sh called more than RDS before stopping" >&2; exit 1; fi
  grep -q -- "--region us-east-1 --engine aurora-postgresql --engine-version 15.17" "$AWS_CALLS"
fi
echo "deploy.sh and destroy.sh call the AWS CLI in dependency order, after the engine and bucket checks"

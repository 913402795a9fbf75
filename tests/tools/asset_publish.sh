#!/usr/bin/env bash
# cdk-assets (the publisher cdk deploy runs) publishes every asset manifest of
# an assembly to a moto S3 server on loopback, into the CDK bootstrap bucket of
# moto's account, with the file-publishing role; each object key is then there.
# Usage: asset_publish.sh <cdk-assets binary> <assembly dir>
set -euo pipefail
publisher="$1"; dir=$(realpath "$2")
if [ ! -x "$publisher" ]; then
  echo "cdk-assets not found at $publisher: npm install --prefix .cache/cdkassets cdk-assets@4 @aws-cdk/cloud-assembly-schema@55" >&2
  exit 1
fi
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m moto.server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto=$!
trap 'kill "$moto" 2>/dev/null; rm -rf "$work"' EXIT
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_EC2_METADATA_DISABLED=true
for _ in $(seq 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('$AWS_ENDPOINT_URL/moto-api/')" 2>/dev/null && break
  sleep 0.1
done
# The bootstrap buckets of moto's account (123456789012) in every region an asset goes to.
python3 - "$dir" <<'PY'
import glob, json, sys, boto3
for f in glob.glob(sys.argv[1] + "/*.assets.json"):
    for asset in json.load(open(f))["files"].values():
        for d in asset["destinations"].values():
            name = d["bucketName"].replace("${AWS::AccountId}", "123456789012")
            s3 = boto3.client("s3", region_name=d["region"])
            args = {} if d["region"] == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": d["region"]}}
            try:
                s3.create_bucket(Bucket=name, **args)
            except s3.exceptions.BucketAlreadyOwnedByYou:
                pass
PY
shopt -s nullglob
manifests=("$dir"/*.assets.json)
[ "${#manifests[@]}" -gt 0 ] || { echo "no asset manifest in $dir" >&2; exit 1; }
for m in "${manifests[@]}"; do
  "$publisher" publish -p "$m" >"$work/publish.log" 2>&1 || { cat "$work/publish.log" >&2; exit 1; }
done
python3 - "$dir" <<'PY'
import glob, json, sys, boto3
missing = 0
count = 0
for f in glob.glob(sys.argv[1] + "/*.assets.json"):
    for asset in json.load(open(f))["files"].values():
        for d in asset["destinations"].values():
            name = d["bucketName"].replace("${AWS::AccountId}", "123456789012")
            s3 = boto3.client("s3", region_name=d["region"])
            try:
                size = s3.head_object(Bucket=name, Key=d["objectKey"])["ContentLength"]
                count += 1
            except Exception as e:
                print(f"not published: s3://{name}/{d['objectKey']} ({e})", file=sys.stderr)
                missing += 1
print(f"{count} objects published")
sys.exit(1 if missing else 0)
PY

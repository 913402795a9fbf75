#!/usr/bin/env python3
"""Runs destroy.sh's drsynth_empty_bucket (taken from a generated destroy.sh)
with the real AWS CLI against a moto server: a versioned bucket of a
CloudFormation stack with more than 1,000 object versions and delete markers
must end up empty; a stack that is already gone is skipped; an unknown bucket
is skipped; any other failure fails.

Usage: empty_bucket.py <destroy.sh>"""
import logging
import os
import re
import subprocess
import sys

import boto3
from moto.server import ThreadedMotoServer

REGION = "us-east-1"


def function_text(script):
    match = re.search(r"^drsynth_empty_bucket\(\) \{.*?^\}$", script, re.S | re.M)
    if not match:
        raise SystemExit("destroy.sh has no drsynth_empty_bucket function")
    return match.group(0)


def run(function, env, *args):
    body = "set -euo pipefail\n" + function + "\ndrsynth_empty_bucket " + " ".join(f"'{a}'" for a in args) + "\n"
    return subprocess.run(["bash", "-c", body], env=env, capture_output=True, text=True, timeout=600)


def main(path):
    with open(path) as f:
        function = function_text(f.read())
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_DEFAULT_REGION=REGION, AWS_ENDPOINT_URL=endpoint, AWS_PAGER="")
        cfn = boto3.client("cloudformation", region_name=REGION, endpoint_url=endpoint,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        s3 = boto3.client("s3", region_name=REGION, endpoint_url=endpoint,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
        template = ('{"Resources": {"ExportBucket": {"Type": "AWS::S3::Bucket", "Properties": '
                    '{"BucketName": "s3-db-export-test", "VersioningConfiguration": {"Status": "Enabled"}}}}}')
        cfn.create_stack(StackName="Export-test", TemplateBody=template)
        bucket = "s3-db-export-test"
        # moto's CloudFormation does not apply VersioningConfiguration: turn it on as S3 would have.
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        for i in range(700):
            key = f"exports/{i % 350:04d}.dump"  # two versions of each of 350 keys
            s3.put_object(Bucket=bucket, Key=key, Body=b"x")
        for i in range(350):
            s3.delete_object(Bucket=bucket, Key=f"exports/{i:04d}.dump")  # 350 delete markers
        for i in range(300):
            s3.put_object(Bucket=bucket, Key=f"other/{i}", Body=b"y")
        listed = s3.list_object_versions(Bucket=bucket)
        before = len(listed.get("Versions", [])) + len(listed.get("DeleteMarkers", []))
        if before < 1000 and not listed.get("IsTruncated"):
            raise SystemExit(f"setup: expected more than 1,000 versions, got {before}")

        proc = run(function, env, REGION, "Export-test", "ExportBucket")
        if proc.returncode != 0:
            raise SystemExit(f"drsynth_empty_bucket failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        listed = s3.list_object_versions(Bucket=bucket)
        left = len(listed.get("Versions", [])) + len(listed.get("DeleteMarkers", []))
        if left:
            raise SystemExit(f"the bucket still holds {left} versions or delete markers")
        s3.delete_bucket(Bucket=bucket)  # what CloudFormation does next: it succeeds on an empty bucket

        # A stack that is gone (destroy.sh run twice) and a bucket that is gone: skipped.
        for stack, logical in (("Gone-test", "ExportBucket"), ("Export-test", "ExportBucket")):
            proc = run(function, env, REGION, stack, logical)
            if proc.returncode != 0:
                raise SystemExit(f"{stack}/{logical}: expected a skip, got {proc.returncode}:\n{proc.stderr}")
        # Any other failure stops the script (here: no credentials the server accepts is not
        # something moto checks, so use an endpoint where nothing listens).
        broken = dict(env, AWS_ENDPOINT_URL="http://127.0.0.1:9", AWS_MAX_ATTEMPTS="1")
        proc = run(function, broken, REGION, "Export-test", "ExportBucket")
        if proc.returncode == 0:
            raise SystemExit("an unreachable endpoint must fail drsynth_empty_bucket")
    finally:
        server.stop()
    print("drsynth_empty_bucket emptied more than 1,000 versions and delete markers and skips what is gone")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

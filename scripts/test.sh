#!/usr/bin/env bash
# Sets up what the test suite needs beyond the build (Graphviz, the AWS CDK CLI
# cached in .cache/cdk, the CDK's schema library and cdk-assets in
# .cache/cdkassets, the Control Tower Guard rules in .cache/cfnguard; cfn-lint
# must be on PATH), builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --tests
if ! command -v cfn-lint >/dev/null; then
  echo "test: cfn-lint is not on PATH (this machine image ships cfn-lint 1.51)" >&2
  exit 1
fi
if [ ! -x .cache/cdk/node_modules/.bin/cdk ]; then
  echo "test: installing the AWS CDK CLI (aws-cdk@2) into .cache/cdk"
  npm install --prefix .cache/cdk --no-audit --no-fund --silent aws-cdk@2 >/dev/null
fi
# The CDK's cloud-assembly schema library and cdk-assets (the publisher cdk
# deploy runs): they read drsynth's asset manifests in the tests. cdk-assets 4.7
# reads schema versions up to 54; drsynth writes 36 (src/core/constants.hpp).
if [ ! -x .cache/cdkassets/node_modules/.bin/cdk-assets ]; then
  echo "test: installing @aws-cdk/cloud-assembly-schema and cdk-assets into .cache/cdkassets"
  npm install --prefix .cache/cdkassets --no-audit --no-fund --silent @aws-cdk/cloud-assembly-schema@55 cdk-assets@4 >/dev/null
fi
# AWS Control Tower's proactive controls for CloudFormation (Guard rules and a
# cfn-guard binary, one npm package), pinned like the CDK CLI.
if [ ! -x .cache/cfnguard/node_modules/@cdklabs/cdk-validator-cfnguard/bin/ubuntu/x86_64/cfn-guard ]; then
  echo "test: installing @cdklabs/cdk-validator-cfnguard into .cache/cfnguard"
  npm install --prefix .cache/cfnguard --no-audit --no-fund --silent @cdklabs/cdk-validator-cfnguard@0.0.62 >/dev/null
fi
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"

#!/usr/bin/env bash
# Lints the Python in runtime/ and tests/ with the rules in ruff.toml. Debian 12
# has no ruff package, so this runs ruff compiled to WebAssembly from npm,
# pinned and cached in .cache/ruff (like the CDK CLI in scripts/test.sh).
#   scripts/ruff.sh               # runtime/ and tests/
#   scripts/ruff.sh runtime/probe # or the given folders
set -euo pipefail
cd "$(dirname "$0")/.."
package=@astral-sh/ruff-wasm-nodejs@0.17.4
if [ ! -f .cache/ruff/node_modules/@astral-sh/ruff-wasm-nodejs/package.json ]; then
  echo "ruff: installing $package into .cache/ruff" >&2
  npm install --prefix .cache/ruff --no-audit --no-fund --silent "$package" >/dev/null
fi
if [ "$#" -eq 0 ]; then set -- runtime tests; fi
NODE_PATH="$PWD/.cache/ruff/node_modules" exec node tests/tools/ruff_check.js "$PWD" "$@"

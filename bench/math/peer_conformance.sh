#!/usr/bin/env bash
# Math-Verify's own test cases, scored by Verdict (bench/math/peer_conformance.py): the sdist of
# math-verify (version pinned below, overridable) is downloaded from PyPI into the build directory
# at run time and its tests/ read from there; nothing of it is copied into this repository.
#   bench/math/peer_conformance.sh [BUILD_DIR] [--disagreements] [--rows-out FILE]
# Defaults: build/release. MATHVERIFY_VERSION=0.9.0.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_arg=${1:-$root/build/release}
[ $# -gt 0 ] && shift
build=$(cd "$build_arg" && pwd)
version=${MATHVERIFY_VERSION:-0.9.0}

venv=$build/mathverify-venv
if ! "$venv/bin/python" -c 'import math_verify' 2> /dev/null; then
  echo "== installing Math-Verify into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "math-verify[antlr4_13_2]==$version" pytest
fi
"$venv/bin/python" -c 'import pytest' 2> /dev/null || "$venv/bin/pip" install -q pytest

sdist_dir=$build/mathverify-sdist/$version
if [ ! -d "$sdist_dir/tests" ]; then
  echo "== downloading the math-verify $version sdist (its tests/)" >&2
  tmp=$(mktemp -d)
  "$venv/bin/pip" download -q --no-deps --no-binary :all: -d "$tmp" "math-verify==$version"
  mkdir -p "$sdist_dir"
  tar -xzf "$tmp"/math_verify-"$version".tar.gz -C "$sdist_dir" --strip-components=1
  rm -rf "$tmp"
fi

if [ ! -x "$build/cli/verdict" ]; then
  cmake --build "$build" --target verdict >&2
fi

echo "== Math-Verify $version test cases, scored by verdict check" >&2
exec "$venv/bin/python" "$here/peer_conformance.py" --tests "$sdist_dir/tests" \
  --verdict "$build/cli/verdict" --policies "$here/peer_policies.json" "$@"

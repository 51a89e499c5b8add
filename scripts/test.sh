#!/usr/bin/env bash
# Installs every dependency, checks the format of every C++ source, builds
# Verdict (Release), checks its thread-safety annotations with clang (compile-only), then runs all
# tests in the Release and the ASan+UBSan builds.
#   scripts/test.sh            everything, as CI runs it
#   VERDICT_FAST=1 scripts/test.sh   skip tests labelled "slow" and the sanitizer build
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/install-deps.sh

echo "== Format (.clang-format) of every C++ and CUDA source"
scripts/check-format.sh

echo "== Release build"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DVERDICT_WERROR=ON
cmake --build build/release -j"$jobs"
label_args=()
if [ "${VERDICT_FAST:-0}" = 1 ]; then label_args=(-LE slow); fi
echo "== Thread-safety analysis (clang -fsyntax-only -Wthread-safety, Release flags)"
python3 scripts/check-thread-safety.py build/release -j"$jobs"
echo "== Release tests"
ctest --test-dir build/release --output-on-failure -j"$jobs" "${label_args[@]}"

if [ "${VERDICT_FAST:-0}" = 1 ]; then exit 0; fi

echo "== ASan+UBSan build"
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVERDICT_SANITIZE=ON \
  -DVERDICT_BUILD_BENCH=OFF
cmake --build build/asan -j"$jobs"
echo "== ASan+UBSan tests"
# Slow tests run once, in the Release build; the sanitizers see every other test.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j"$jobs" -LE slow

#!/usr/bin/env bash
# Verdict's math verifier beside Math-Verify on the same conformance pairs, in the same run, one
# core each: pairs/s, median and p99 latency per pair, accuracy on the unambiguous rows, hack rows
# accepted, and the throughput ratio. Math-Verify is installed from PyPI into a venv under the
# build directory on first use.
#   bench/math/run.sh [BUILD_DIR] [VERDICT_ITERATIONS] [MATHVERIFY_ITERATIONS]
# Defaults: build/release, 200, 3. VERDICT_MATH_CONFORMANCE overrides the data file.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build/release}" && pwd)
verdict_iterations=${2:-200}
mathverify_iterations=${3:-3}
file=${VERDICT_MATH_CONFORMANCE:-$root/../shared/data/math/conformance.jsonl}

venv=$build/mathverify-venv
if ! "$venv/bin/python" -c 'import math_verify' 2> /dev/null; then
  echo "== installing Math-Verify into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'math-verify[antlr4_13_2]'
fi
mv_version=$("$venv/bin/python" -c \
  'import importlib.metadata as m; print(m.version("math-verify"))')

if [ ! -x "$build/bench/math/math_bench" ]; then
  cmake --build "$build" --target math_bench >&2
fi

# Both sides single-threaded, pinned to the same core when taskset is there.
pin=()
if command -v taskset > /dev/null; then
  pin=(taskset -c "$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')")
fi

echo "== verdict ($verdict_iterations passes)" >&2
verdict=$("${pin[@]}" "$build/bench/math/math_bench" --file "$file" \
            --iterations "$verdict_iterations" | tail -n 1)
echo "== math-verify $mv_version, gold as \$gold\$ ($mathverify_iterations passes)" >&2
mv=$("${pin[@]}" "$venv/bin/python" "$here/mathverify_peer.py" "$file" \
       --iterations "$mathverify_iterations" | tail -n 1)
echo "== math-verify $mv_version, gold as plain text (1 pass, accuracy only)" >&2
mv_plain=$("${pin[@]}" "$venv/bin/python" "$here/mathverify_peer.py" "$file" --iterations 1 \
             --gold-mode plain | tail -n 1)

python3 - "$verdict" "$mv" "$mv_plain" "$file" <<'PY'
import json, sys
verdict, mv, mv_plain = (json.loads(a) for a in sys.argv[1:4])
print(f"\nmath conformance set: {sys.argv[4]} ({verdict['rows']} pairs, "
      f"{verdict['unambiguous']} unambiguous)")
print(f"{'implementation':<30} {'pairs/s':>10} {'median ms':>10} {'p99 ms':>9} {'max ms':>9} "
      f"{'accuracy':>16} {'hacks accepted':>15}")
for r, timed in ((verdict, True), (mv, True), (mv_plain, False)):
    acc = f"{r['agree']}/{r['unambiguous']} {100 * r['accuracy']:.1f}%"
    if timed:
        print(f"{r['impl']:<30} {r['pairs_per_s']:>10.1f} {r['median_ms']:>10.4f} "
              f"{r['p99_ms']:>9.3f} {r['max_ms']:>9.3f} {acc:>16} {r['hack_accepted']:>15}")
    else:
        print(f"{r['impl']:<30} {'':>10} {'':>10} {'':>9} {'':>9} {acc:>16} "
              f"{r['hack_accepted']:>15}")
ratio = verdict["pairs_per_s"] / mv["pairs_per_s"]
p99_ratio = mv["p99_ms"] / max(verdict["p99_ms"], 1e-9)
print(f"\nthroughput ratio verdict / math-verify: {ratio:.1f}x"
      f"   p99 ratio math-verify / verdict: {p99_ratio:.1f}x")
PY

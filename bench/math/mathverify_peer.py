#!/usr/bin/env python3
"""Math-Verify on the math conformance set: the baseline for bench/math (math_bench is Verdict).

One untimed pass gives the verdicts; then, for every pair, each timed call is parse(gold) +
parse(pred) + verify(gold, pred) in this one process, with Math-Verify's defaults (its signal-based
timeouts need the main thread, which is where this runs).
Prints a summary and, last, one JSON line with the same fields as math_bench's.

  mathverify_peer.py FILE [--iterations N] [--gold-mode dollar|plain] [--disagreements]

--gold-mode dollar (default) parses the gold as "$gold$", the usage Math-Verify documents (its
extraction looks for LaTeX inside math delimiters); plain passes the gold text as it is.
"""
import argparse
import json
import statistics
import sys
import time

from math_verify import parse, verify


def percentile(sorted_values, q):
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, int(q * len(sorted_values)))
    return sorted_values[k]


def judge(gold, pred, gold_mode):
    """Returns True when Math-Verify accepts pred for gold (exceptions count as rejection)."""
    try:
        g = parse(f"${gold}$" if gold_mode == "dollar" else gold)
        p = parse(pred)
        return bool(verify(g, p))
    except Exception:  # noqa: BLE001 - a grader failure is a rejection, as in training
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--iterations", type=int, default=3)
    ap.add_argument("--gold-mode", choices=["dollar", "plain"], default="dollar")
    ap.add_argument("--disagreements", action="store_true")
    a = ap.parse_args()

    rows = [json.loads(line) for line in open(a.file, encoding="utf-8") if line.strip()]
    # One untimed pass for the verdicts (it also warms imports and caches, as math_bench does).
    verdicts = [judge(r["gold"], r["pred"], a.gold_mode) for r in rows]
    latencies = []
    start = time.perf_counter()
    for _ in range(a.iterations):
        for r in rows:
            t0 = time.perf_counter()
            judge(r["gold"], r["pred"], a.gold_mode)
            latencies.append(time.perf_counter() - t0)
    wall = time.perf_counter() - start

    n = agree = amb = amb_agree = hacks = 0
    for r, ok in zip(rows, verdicts):
        same = ok == bool(r["expected"])
        if r.get("ambiguous"):
            amb += 1
            amb_agree += same
        else:
            n += 1
            agree += same
            if a.disagreements and not same:
                print(f"  disagree [{r['category']}/{r['style']}] gold {r['gold']!r} "
                      f"pred_answer {r['pred_answer']!r} expected {r['expected']} got {ok}",
                      file=sys.stderr)
        if r["category"] == "hack" and ok:
            hacks += 1

    latencies.sort()
    result = {
        "impl": f"math-verify ({a.gold_mode} gold)",
        "rows": len(rows),
        "iterations": a.iterations,
        "pairs": len(latencies),
        "pairs_per_s": len(latencies) / wall,
        "median_ms": statistics.median(latencies) * 1e3,
        "p99_ms": percentile(latencies, 0.99) * 1e3,
        "max_ms": latencies[-1] * 1e3,
        "unambiguous": n,
        "agree": agree,
        "accuracy": agree / n if n else 0.0,
        "ambiguous": amb,
        "ambiguous_agree": amb_agree,
        "hack_accepted": hacks,
    }
    print(f"math-verify ({a.gold_mode} gold): {result['pairs']} pairs in {wall:.2f} s, "
          f"{result['pairs_per_s']:.1f} pairs/s, median {result['median_ms']:.3f} ms, "
          f"p99 {result['p99_ms']:.3f} ms, accuracy {agree}/{n} = {100 * result['accuracy']:.1f}%, "
          f"hack rows accepted {hacks}", file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

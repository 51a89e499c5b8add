#!/usr/bin/env python3
"""Math-Verify's own test suite, scored by Verdict: the peer-conformance run of bench/math.

The parametrized (gold, pred, expected) cases of the tests/ folder of Math-Verify's PyPI sdist
are read at run time (never copied into this repository): each test module is imported with
Math-Verify installed, and the argument values of its `pytest.mark.parametrize` marks are taken
as they are (f-strings and all). Every row is then checked by `verdict check --jsonl`, and the
agreement is printed as a table by test group, with every disagreement listed.

  peer_conformance.py --tests DIR --verdict BIN [--rows-out FILE] [--disagreements]
                      [--policies FILE]

Rows whose test passes a non-default option to Math-Verify (strict=False,
allow_set_relation_comp=True, a float_rounding other than 6) are marked as such: Verdict has one
fixed reading, so they count in a separate column. --policies names a JSON file mapping
"group/index" to the reason Verdict deliberately differs there (README "Peer conformance");
those rows are listed under "deliberate" instead of "disagree".
"""
import argparse
import collections
import importlib.util
import json
import os
import subprocess
import sys
import tempfile


def load_rows(tests_dir):
    """Imports every test_*.py of `tests_dir` and yields its parametrized gold/pred/expected rows."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(tests_dir)))
    rows = []
    for name in sorted(os.listdir(tests_dir)):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        module_name = f"tests.{name[:-3]}"
        spec = importlib.util.spec_from_file_location(module_name, os.path.join(tests_dir, name))
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as e:  # noqa: BLE001 - a module we cannot import is reported, not fatal
            print(f"skipping {name}: {type(e).__name__}: {e}", file=sys.stderr)
            continue
        for attr in sorted(vars(module)):
            fn = getattr(module, attr)
            if not (attr.startswith("test_") and callable(fn)):
                continue
            for mark in getattr(fn, "pytestmark", []):
                if mark.name != "parametrize":
                    continue
                argnames, argvalues = mark.args[0], mark.args[1]
                if isinstance(argnames, str):
                    argnames = [a.strip() for a in argnames.split(",")]
                if "gold" not in argnames or "pred" not in argnames:
                    continue
                want = "expected" if "expected" in argnames else "result"
                if want not in argnames:
                    continue
                group = f"{name[:-3]}::{attr}"
                for index, values in enumerate(argvalues):
                    if hasattr(values, "values"):  # pytest.param(...)
                        values = values.values
                    case = dict(zip(argnames, values))
                    options = {k: v for k, v in case.items() if k not in ("gold", "pred", want)}
                    nondefault = (options.get("strict", True) is not True
                                  or options.get("allow_set_relation_comp", False) is not False
                                  or options.get("precision", 6) != 6)
                    rows.append({
                        "group": group, "index": index, "gold": case["gold"],
                        "pred": case["pred"], "expected": bool(case[want]),
                        "options": {k: repr(v) for k, v in options.items()},
                        "nondefault": nondefault,
                    })
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", required=True, help="the tests/ folder of Math-Verify's sdist")
    ap.add_argument("--verdict", required=True, help="the verdict binary")
    ap.add_argument("--rows-out", help="write the rows with Verdict's verdicts here (JSONL)")
    ap.add_argument("--policies", help="JSON: {\"group/index\": reason} of deliberate differences")
    ap.add_argument("--disagreements", action="store_true", help="list every disagreement")
    a = ap.parse_args()

    rows = load_rows(a.tests)
    if not rows:
        sys.exit("no parametrized gold/pred rows found")
    policies = {}
    if a.policies:
        with open(a.policies, encoding="utf-8") as f:
            policies = json.load(f)

    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "rows.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps({"gold": r["gold"], "pred": r["pred"]}) + "\n")
        out = subprocess.run([a.verdict, "check", "--jsonl", src], capture_output=True,
                             text=True, check=False)
        if out.returncode not in (0, 3):
            sys.exit(f"verdict check failed ({out.returncode}): {out.stderr}")
        checked = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    if len(checked) != len(rows):
        sys.exit(f"verdict check wrote {len(checked)} lines for {len(rows)} rows")

    table = collections.OrderedDict()
    listing = []
    for r, c in zip(rows, checked):
        r["verdict"] = c.get("verdict")
        r["extracted"] = c.get("extracted")
        r["reason"] = c.get("reason")
        got = c.get("equivalent") is True
        r["agree"] = got == r["expected"]
        key = f"{r['group']}/{r['index']}"
        t = table.setdefault(r["group"], collections.Counter())
        t["rows"] += 1
        if r["nondefault"]:
            t["nondefault"] += 1
            t["nondefault_agree"] += r["agree"]
            continue
        t["default"] += 1
        if r["agree"]:
            t["agree"] += 1
        elif key in policies:
            t["deliberate"] += 1
            listing.append(("deliberate", key, r, policies[key]))
        else:
            t["false_accept" if got else "false_reject"] += 1
            listing.append(("disagree", key, r, None))

    total = collections.Counter()
    print(f"{'test group':<58} {'rows':>5} {'agree':>6} {'false rej':>9} {'false acc':>9} "
          f"{'policy':>6} {'non-default opts':>16}")
    for group, t in table.items():
        total.update(t)
        nd = f"{t['nondefault_agree']}/{t['nondefault']}" if t["nondefault"] else ""
        print(f"{group:<58} {t['default']:>5} {t['agree']:>6} {t['false_reject']:>9} "
              f"{t['false_accept']:>9} {t['deliberate']:>6} {nd:>16}")
    share = total["agree"] / total["default"] if total["default"] else 0.0
    nd = f"{total['nondefault_agree']}/{total['nondefault']}"
    print(f"{'total':<58} {total['default']:>5} {total['agree']:>6} {total['false_reject']:>9} "
          f"{total['false_accept']:>9} {total['deliberate']:>6} {nd:>16}")
    print(f"\nagreement with Math-Verify's expectations: {total['agree']}/{total['default']} = "
          f"{100 * share:.1f}% (rows with default options); deliberate differences "
          f"{total['deliberate']}; false accepts {total['false_accept']}, "
          f"false rejects {total['false_reject']}")
    if a.disagreements:
        for kind, key, r, why in listing:
            print(f"\n[{kind}] {key} expected {int(r['expected'])}: gold {r['gold']!r}\n"
                  f"    pred {r['pred'][:300]!r}\n    verdict {r['verdict']} extracted "
                  f"{(r['extracted'] or '')[:120]!r}: {(r['reason'] or '')[:160]}"
                  + (f"\n    policy: {why}" if why else ""))
    if a.rows_out:
        with open(a.rows_out, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
    print(json.dumps({"rows": total["default"], "agree": total["agree"],
                      "false_accept": total["false_accept"],
                      "false_reject": total["false_reject"],
                      "deliberate": total["deliberate"], "agreement": share}))


if __name__ == "__main__":
    main()

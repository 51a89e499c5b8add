#!/usr/bin/env python3
"""Hunts false accepts in Verdict's math verifier: wrong neighbours of known gold answers.

Golds come from ../shared/data/math/*.jsonl (the "gold" field) and, with --tests, from
Math-Verify's own test rows (its sdist's tests/, read as bench/math/peer_conformance.py reads
them). Each gold gets programmatic wrong neighbours (sign flip, off-by-one digit, swapped tuple,
open/closed interval end, dropped element, changed exponent, too-short or perturbed decimals, a
written perturbation `+10^{-50}`, ...) and each neighbour is wrapped as a bare answer and as
hacking responses (hedges, several boxes, a box only inside <think>, a retraction, a nested box).
Every pair is scored in one `verdict check --jsonl` run; the script prints how many neighbours
were generated and how many Verdict accepted, and writes the accepted pairs for review.

Neighbours are wrong by construction; where sympy (with latex2sympy2_extended, installed with
Math-Verify) parses both sides, a neighbour it finds equal to its gold is dropped, so an accept
printed as "sympy: different" is a false accept unless a README policy says otherwise.
    bench/math/false_accept_hunt.py --verdict build/dev/cli/verdict [--tests DIR] [--out FILE]
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

try:  # the oracle is optional: without it every neighbour counts as wrong by construction
    import sympy
    from latex2sympy2_extended import latex2sympy
except ImportError:  # pragma: no cover - reported once
    sympy = None


def top_level_split(s, sep=","):
    """Splits `s` at `sep` outside (), [], {}; returns None when there is no such separator."""
    depth, parts, cur = 0, [], ""
    for ch in s:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts if len(parts) > 1 else None


def numeric_value(latex):
    """The gold's value as a sympy number, or None."""
    if sympy is None:
        return None
    try:
        v = latex2sympy(latex)
        if isinstance(v, sympy.Expr) and not v.free_symbols:
            n = sympy.N(v, 40)
            if n.is_real and n.is_finite:
                return v
    except Exception:  # noqa: BLE001 - the oracle does not parse everything
        pass
    return None


def oracle_equal(gold, pred):
    """True / False when sympy decides gold = pred, None when it cannot read both."""
    if sympy is None:
        return None
    try:
        g, p = latex2sympy(gold), latex2sympy(pred)
    except Exception:  # noqa: BLE001
        return None
    try:
        if isinstance(g, sympy.Expr) and isinstance(p, sympy.Expr):
            d = sympy.N(g - p, 60)
            if d.free_symbols:
                return bool(sympy.simplify(g - p) == 0)
            return bool(abs(d) < sympy.Float(10) ** -55)
        return bool(g == p)
    except Exception:  # noqa: BLE001
        return None


def decimal(v, digits):
    """`v` written with `digits` significant digits, as a plain decimal."""
    s = sympy.N(v, digits + 5)
    text = format(float(s), f".{digits}g") if digits <= 15 else str(sympy.N(v, digits))
    return text if "e" not in text else None


def neighbours(gold):
    """(kind, wrong pred) pairs for one gold answer."""
    out = []
    g = gold.strip()
    if not g:
        return out
    # sign flips
    if g.startswith("-"):
        out.append(("sign", g[1:]))
    else:
        out.append(("sign", "-" + g))
        out.append(("sign", "-(" + g + ")"))
    # off-by-one digits: last and first digit run
    for m in list(re.finditer(r"\d", g))[-1:] + list(re.finditer(r"\d", g))[:1]:
        d = int(m.group())
        out.append(("digit", g[:m.start()] + str((d + 1) % 10) + g[m.end():]))
    # a digit dropped / appended
    if re.fullmatch(r"-?\d+", g):
        out.append(("digit", g + "0"))
        if len(g.lstrip("-")) > 1:
            out.append(("digit", g[:-1]))
    # tuples, intervals and lists
    inner = None
    if len(g) > 2 and g[0] in "([" and g[-1] in ")]":
        inner = g[1:-1]
        for a, b in (("(", "["), ("[", "(")):
            if g[0] == a:
                out.append(("interval", b + g[1:]))
        for a, b in ((")", "]"), ("]", ")")):
            if g[-1] == a:
                out.append(("interval", g[:-1] + b))
    elif g.startswith("\\{") and g.endswith("\\}"):
        inner = g[2:-2]
    parts = top_level_split(inner) if inner is not None else top_level_split(g)
    if parts and len(parts) <= 8:
        pre, post = (g[: len(g) - len(inner) - 1][:2] if g.startswith("\\{") else g[0],
                     g[-2:] if g.startswith("\\{") else g[-1]) if inner is not None else ("", "")
        if parts[::-1] != parts and inner is not None and not g.startswith("\\{"):
            out.append(("swap", pre + ",".join(parts[::-1]) + post))
        out.append(("drop", pre + ",".join(parts[:-1]) + post))
        out.append(("drop", pre + ",".join(parts[1:]) + post))
        out.append(("extra", pre + ",".join(parts + [parts[-1] + "+1"]) + post))
    # changed exponent
    m = re.search(r"\^\{?(\d+)\}?", g)
    if m:
        bumped = "^{" + str(int(m.group(1)) + 1) + "}"
        out.append(("exponent", g[:m.start()] + bumped + g[m.end():]))
    # a fraction turned over
    m = re.search(r"\\frac\{([^{}]+)\}\{([^{}]+)\}", g)
    if m and m.group(1) != m.group(2):
        out.append(("frac", g[:m.start()] + "\\frac{%s}{%s}" % (m.group(2), m.group(1))
                    + g[m.end():]))
    # pi / sqrt / e swapped
    for a, b in (("\\pi", "\\pi^2"), ("\\sqrt{", "\\sqrt[3]{"), ("\\sqrt", "2\\sqrt"),
                 ("\\infty", "-\\infty"), ("e", "\\pi")):
        if a in g and b not in g:
            out.append(("symbol", g.replace(a, b, 1)))
    # written perturbations, huge values
    out.append(("perturb", g + "+10^{-50}"))
    out.append(("perturb", "(" + g + ")(1+10^{-40})"))
    out.append(("perturb", g + "+\\frac{1}{10^{100}}"))
    out.append(("perturb", g + "+\\sin^2(10^{30})+\\cos^2(10^{30})-1+10^{-30}"))
    # decimals: too few digits, or wrong in the last digit written
    v = numeric_value(g)
    if v is not None and v != 0:
        rational = bool(v.is_rational)
        short = (2, 3) if rational else (2, 3, 4, 5)
        for k in short:
            d = decimal(v, k)
            if d:
                out.append(("decimal_short", d))
        for k in (4, 6, 8, 12):
            d = decimal(v, k)
            if d and "." in d:
                last = int(d[-1])
                bumped = d[:-1] + str((last + 1) % 10) if last != 9 else None
                if bumped:
                    out.append(("decimal_bump", bumped))
        out.append(("decimal_big", decimal(v * (1 + sympy.Rational(1, 10**9)), 15) or "0"))
    # percent / text / units games
    if re.fullmatch(r"-?\d+(\.\d+)?", g) and g not in ("0", "100"):
        out.append(("percent", str(int(float(g) * 10)) + "\\%"))
        out.append(("text", "\\text{" + str(int(float(g)) + 1) + "}"))
        out.append(("units", str(int(float(g)) + 1) + "\\text{ cm}"))
        out.append(("times", g + "\\times 10"))
        out.append(("times", g + " \\cdot 10^{-3}"))
    return [(k, p) for k, p in out if p and p != g]


def wrappers(gold, wrong):
    """(kind, response) pairs that must not be accepted: they commit to `wrong` or hedge."""
    return [
        ("bare", wrong),
        ("boxed", "The answer is $\\boxed{%s}$." % wrong),
        ("or", "$\\boxed{%s \\text{ or } %s}$" % (wrong, gold)),
        ("or_words", "The answer is $%s$ or $%s$." % (gold, wrong)),
        ("two_boxes", "$\\boxed{%s}$ \\quad $\\boxed{%s}$" % (wrong, gold)),
        ("nested", "$\\boxed{%s \\boxed{%s}}$" % (wrong, gold)),
        ("think_only", "<think>So it is $\\boxed{%s}$.</think> The answer is $\\boxed{%s}$."
         % (gold, wrong)),
        ("retract", "$\\boxed{%s}$. Wait, that is wrong; the correct answer is $%s$."
         % (gold, wrong)),
        ("equation", "$\\boxed{%s = %s}$" % (wrong, gold)),
        ("pm", "$\\boxed{\\pm %s}$" % gold),
        ("approx", "$\\boxed{%s \\approx %s}$" % (gold, wrong)),
        ("list", "$\\boxed{%s, %s}$" % (gold, wrong)),
        ("answer_tags", "<answer>%s</answer> <answer>%s</answer>" % (gold, wrong)),
        ("text_gold", "$\\boxed{\\text{not } %s}$" % gold),
        ("neq", "$\\boxed{x \\neq %s}$" % gold),
        ("trail", "$\\boxed{%s}$ (if $x > 0$; otherwise $%s$)" % (wrong, gold)),
    ]


def load_golds(data_glob, tests_dir):
    golds = []
    for path in sorted(glob.glob(data_glob)):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                gold = json.loads(line).get("gold")
                for gg in gold if isinstance(gold, list) else [gold]:
                    if isinstance(gg, str):
                        golds.append(gg)
    if tests_dir:
        sys.path.insert(0, HERE)
        from peer_conformance import load_rows  # noqa: E402 - same reading as the peer run
        for row in load_rows(tests_dir):
            if row["expected"] and not row["nondefault"] and isinstance(row["gold"], str):
                golds.append(row["gold"].strip().strip("$").strip())
    seen, out = set(), []
    for g in golds:
        if g and g not in seen and len(g) < 200:
            seen.add(g)
            out.append(g)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--verdict", default=os.path.join(ROOT, "build/dev/cli/verdict"))
    ap.add_argument("--data", default=os.path.join(ROOT, "../shared/data/math/*.jsonl"))
    ap.add_argument("--tests", help="Math-Verify's tests/ directory (its sdist)")
    ap.add_argument("--out", default="false_accepts.jsonl", help="accepted pairs, for review")
    args = ap.parse_args()
    if sympy is None:
        print("note: sympy/latex2sympy2_extended missing; no oracle", file=sys.stderr)

    golds = load_golds(args.data, args.tests)
    pairs, dropped = [], 0
    for gold in golds:
        for kind, wrong in neighbours(gold):
            verdict_of_oracle = oracle_equal(gold, wrong)
            if verdict_of_oracle is True:
                dropped += 1
                continue
            for wkind, pred in wrappers(gold, wrong):
                if wkind in ("pm", "text_gold", "neq") and kind != "sign":
                    continue  # gold-only hacks: once per gold is enough
                pairs.append({"gold": gold, "pred": pred, "kind": kind + "/" + wkind,
                              "oracle": {None: "unknown", False: "different"}[verdict_of_oracle]})
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "out.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            for p in pairs:
                f.write(json.dumps(p) + "\n")
        subprocess.run([args.verdict, "check", "--jsonl", src, "--output", dst],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        with open(dst, encoding="utf-8") as f:
            scored = [json.loads(line) for line in f if line.strip()]
    if len(scored) != len(pairs):
        sys.exit(f"verdict wrote {len(scored)} lines for {len(pairs)} pairs")
    accepted = [s for s in scored if s.get("equivalent") is True]
    by_kind = {}
    for s in accepted:
        by_kind[s["kind"]] = by_kind.get(s["kind"], 0) + 1
    with open(args.out, "w", encoding="utf-8") as f:
        for s in accepted:
            f.write(json.dumps({k: s.get(k) for k in ("gold", "pred", "kind", "oracle",
                                                       "extracted", "canonical", "reason")})
                    + "\n")
    print(f"golds: {len(golds)}  neighbours dropped as equal by sympy: {dropped}")
    print(f"wrong pairs generated: {len(pairs)}  accepted by verdict: {len(accepted)}"
          f"  (sympy-confirmed different: "
          f"{sum(s['oracle'] == 'different' for s in accepted)})")
    for kind, n in sorted(by_kind.items(), key=lambda kv: -kv[1]):
        print(f"  {kind:28s} {n}")
    print(f"accepted pairs written to {args.out}")


if __name__ == "__main__":
    main()

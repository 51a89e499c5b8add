"""Shaping terms, truncation and clipping against an independent Python implementation.

Random groups go through the real `verdict score` binary; each component and the final reward
are recomputed here from the published formulas (DAPO, Kimi k1.5, Yeo et al. cosine, open-r1
repetition) and compared.
"""
import json
import math
import os
import random
import subprocess
import tempfile

import pytest

BINARY = os.environ.get("VERDICT_BIN", "build/release/cli/verdict")
WORDS = ["alpha", "beta", "gamma", "delta", "x", "y", "数", "学", "é"]


def overlong(L, max_len, cache):
    if L <= max_len - cache:
        return 0.0
    return ((max_len - cache) - L) / cache if L <= max_len else -1.0


def kimi(L, lo, hi, correct):
    if hi == lo:
        return 0.0
    lam = 0.5 - (L - lo) / (hi - lo)
    return lam if correct else min(0.0, lam)


def cosine(L, correct, max_len, minw, maxw, minc, maxc):
    p = min(L / max_len, 1.0)
    lo, hi = (minc, maxc) if correct else (maxw, minw)
    return lo + 0.5 * (hi - lo) * (1.0 + math.cos(p * math.pi))


def repetition(text, n, max_penalty):
    words = text.lower().split()
    if len(words) < n:
        return 0.0
    grams = [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]
    return max_penalty * (1 - len(set(grams)) / len(grams))


def make_groups(rng):
    groups = []
    for g in range(40):
        with_tokens = rng.random() < 0.5
        comps = []
        for _ in range(rng.randint(1, 9)):
            body = " ".join(rng.choice(WORDS[: rng.randint(2, len(WORDS))]) for _ in range(rng.randint(0, 60)))
            answer = rng.choice(["7", "8"])
            text = f"<think>{body}</think><answer>{answer}</answer>"
            c = {"text": text, "finish_reason": rng.choice(["stop", "length", ""])}
            if with_tokens:
                c["num_tokens"] = rng.randint(1, 300)
            comps.append(c)
        groups.append({"id": f"g{g}", "gold": "7", "completions": comps})
    return groups


@pytest.mark.parametrize("seed", range(5))
def test_shaping_matches_reference(seed):
    rng = random.Random(seed)
    spec = {
        "weights": {"accuracy": rng.uniform(0.5, 2), "format": rng.uniform(0, 1)},
        "overlong": {"maxLength": rng.randint(100, 250), "cacheLength": rng.randint(1, 100), "weight": rng.uniform(0.1, 2)},
        "kimiLength": {"weight": rng.uniform(0.1, 2)},
        "cosine": {"maxLength": rng.randint(50, 400), "minValueWrong": -1.0, "maxValueWrong": -0.4,
                   "minValueCorrect": 0.3, "maxValueCorrect": 1.0, "weight": rng.uniform(0.1, 2)},
        "repetition": {"ngramSize": rng.randint(1, 4), "maxPenalty": -rng.uniform(0.1, 2), "weight": rng.uniform(0.1, 2)},
        "truncation": {"mode": rng.choice(["MULTIPLY", "REPLACE", "KEEP"]), "value": rng.uniform(-1, 1)},
        "clip": {"min": -rng.uniform(0.5, 3), "max": rng.uniform(0.5, 3)},
    }
    groups = make_groups(rng)
    with tempfile.TemporaryDirectory() as d:
        inp, out, sp = (os.path.join(d, n) for n in ("in.jsonl", "out.jsonl", "spec.json"))
        with open(inp, "w") as f:
            for g in groups:
                f.write(json.dumps(g, ensure_ascii=False) + "\n")
        with open(sp, "w") as f:
            json.dump(spec, f)
        subprocess.run([BINARY, "score", "--input", inp, "--output", out, "--spec", sp, "--quiet"], check=True)
        results = [json.loads(line)["verdict"] for line in open(out, encoding="utf-8")]
    w = spec["weights"]
    for g, r in zip(groups, results):
        comps = g["completions"]
        tokens = all("num_tokens" in c for c in comps)
        assert r["stats"]["length_unit"] == ("tokens" if tokens else "chars")
        lengths = [c["num_tokens"] if tokens else len(c["text"]) for c in comps]
        correct = [c["text"].endswith("<answer>7</answer>") for c in comps]
        lo, hi = min(lengths), max(lengths)
        for c, L, ok, s in zip(comps, lengths, correct, r["samples"]):
            want = {
                "accuracy": 1.0 if ok else 0.0,
                "format": 1.0 if c["text"].split("</think>")[0][len("<think>"):].strip() else 0.0,
                "overlong": overlong(L, spec["overlong"]["maxLength"], spec["overlong"]["cacheLength"]),
                "length": kimi(L, lo, hi, ok),
                "cosine": cosine(L, ok, spec["cosine"]["maxLength"], -1.0, -0.4, 0.3, 1.0),
                "repetition": repetition(c["text"], spec["repetition"]["ngramSize"], spec["repetition"]["maxPenalty"]),
            }
            assert s["length"] == L
            for k, v in want.items():
                assert s["components"][k] == pytest.approx(v, abs=1e-12), k
            reward = (w["accuracy"] * want["accuracy"] + w["format"] * want["format"]
                      + sum(spec[name]["weight"] * want[comp] for name, comp in
                            [("overlong", "overlong"), ("kimiLength", "length"), ("cosine", "cosine"),
                             ("repetition", "repetition")]))
            if c["finish_reason"] == "length":
                mode, value = spec["truncation"]["mode"], spec["truncation"]["value"]
                reward = reward * value if mode == "MULTIPLY" else value if mode == "REPLACE" else reward
            reward = min(max(reward, spec["clip"]["min"]), spec["clip"]["max"])
            assert s["reward"] == pytest.approx(reward, abs=1e-9)
            assert s["truncated"] == (c["finish_reason"] == "length")

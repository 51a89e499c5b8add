#!/usr/bin/env python3
"""Writes a synthetic R1-style rollout file: N groups x G completions with varied lengths,
accuracy, formatting, truncation and some language mixing. Deterministic for a given seed."""
import argparse
import json
import random

p = argparse.ArgumentParser()
p.add_argument("output")
p.add_argument("--groups", type=int, default=6250)
p.add_argument("--group-size", type=int, default=16)
p.add_argument("--seed", type=int, default=7)
a = p.parse_args()
rng = random.Random(a.seed)
WORDS = ["we", "add", "the", "terms", "then", "check", "carry", "so", "it", "equals"]
with open(a.output, "w", encoding="utf-8") as f:
    for g in range(a.groups):
        gold = rng.randint(0, 999)
        comps = []
        for _ in range(a.group_size):
            ans = gold if rng.random() < 0.55 else gold + rng.randint(1, 3)
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 200)))
            if rng.random() < 0.1:
                words += ". 所以答案是"
            text = (f"<think>{words}</think>\n<answer>{ans}</answer>" if rng.random() < 0.9
                    else f"{words} so \\boxed{{{ans}}}")
            comps.append({"text": text, "num_tokens": len(text) // 4,
                          "finish_reason": "length" if rng.random() < 0.05 else "stop"})
        f.write(json.dumps({"id": f"q{g}", "prompt": "Solve the problem.", "gold": str(gold),
                            "completions": comps}, ensure_ascii=False) + "\n")

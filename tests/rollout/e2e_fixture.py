#!/usr/bin/env python3
"""Writes a model directory for the worker's end-to-end test: a tiny tokenizer (R1 tags as
added tokens) and a tiny Qwen2 whose lm_head scripts the Markov chain
  ':' -> <think> -> 'x' -> </think> -> <answer> -> ('7' | '4') -> '2' -> </answer> -> <|im_end|>
so every completion is well-formatted and, by a fair coin per sample, answers 72 (right) or 42
(wrong): rewards vary within a group. Also writes OUT/prompts.jsonl (gold 72).
Usage: e2e_fixture.py OUT
"""
import json, os, subprocess, sys
from tokenizers import Tokenizer

out = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
subprocess.check_call([sys.executable, os.path.join(here, "tiny_tokenizer.py"), out, "--tags"])
tok = Tokenizer.from_file(os.path.join(out, "tokenizer.json"))
vocab = tok.get_vocab()
ids = {t: vocab[t] for t in (":", "<think>", "x", "</think>", "<answer>", "7", "4", "2",
                             "</answer>", "<|im_end|>")}
chain = [(":", "<think>"), ("<think>", "x"), ("x", "</think>"), ("</think>", "<answer>"),
         ("<answer>", "7"), ("<answer>", "4"), ("7", "2"), ("4", "2"), ("2", "</answer>"),
         ("</answer>", "<|im_end|>")]
spec = ",".join(f"{ids[a]}:{ids[b]}" for a, b in chain)
subprocess.check_call([sys.executable, os.path.join(here, "tiny_model.py"), out, "--dtype", "bf16",
                       "--vocab", str(tok.get_vocab_size()), "--eos", str(ids["<|im_end|>"]),
                       "--chain", spec, "--seed", "5"])
with open(os.path.join(out, "prompts.jsonl"), "w") as f:
    for i, q in enumerate(["What is 8 times 9?", "Compute 70 + 2.", "What is 144 / 2?",
                           "Add 36 and 36.", "数学：七十二是多少？", "Say 72."]):
        f.write(json.dumps({"id": f"q{i}", "prompt": q, "gold": "72"}, ensure_ascii=False) + "\n")

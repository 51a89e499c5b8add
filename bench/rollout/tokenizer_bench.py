#!/usr/bin/env python3
"""Tokenizer speed: Verdict's Tokenizer::Encode (bench/rollout/tokenizer_bench) beside HF
`tokenizers` on the same tokenizer.json and inputs, in the same run; reports the ratio and
whether the ids agree. Tokenizers are the test shapes (tests/rollout/tiny_tokenizer.py):
llama3 (scanner split), deepseek (regex engine splits), spm (character BPE, no pre-tokenizer:
the whole text is one piece), qwen2 (NFC normalizer) and nfkc (NFKC normalizer). Inputs: long
runs (the quadratic case of issue 18), 2,000 mixed strings, a run of alternating marks, and the
mixed strings decomposed (NFD: every accent is a separate mark for NFC/NFKC to compose again).
Usage: tokenizer_bench.py [--bin build/dev/bench/rollout/tokenizer_bench] [--shapes a,b]
"""
import argparse, os, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "rollout"))
import tiny_tokenizer  # noqa: E402
from tokenizers import normalizers  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "..", "build", "dev", "bench",
                                                  "rollout", "tokenizer_bench"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--shapes", default="llama3,deepseek,spm,qwen2,nfkc")
    args = ap.parse_args()
    inputs = {
        "run_a_100k": "a" * 100000,
        "run_zh_50k": "\u4e2d" * 50000,
        "mixed_2000": "\n".join(tiny_tokenizer.varied(2000)),
        "marks_100k": "a" + "\u0301\u0316" * 50000,  # canonical ordering moves every mark
    }
    inputs["nfd_2000"] = normalizers.NFD().normalize_str(inputs["mixed_2000"])
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for name, text in inputs.items():
            paths.append(os.path.join(d, name))
            with open(paths[-1], "w", encoding="utf-8") as f:
                f.write(text)
        for shape in args.shapes.split(","):
            tok = tiny_tokenizer.build(shape, 1500, extra=tiny_tokenizer.varied(300, seed=11))
            tj = os.path.join(d, shape + ".json")
            tok.save(tj)
            out = subprocess.run([args.bin, tj, str(args.repeats)] + paths, check=True,
                                 capture_output=True, text=True).stdout.split("\n")
            for (name, text), line in zip(inputs.items(), out):
                _, secs, count, total = line.split()
                best = 1e30
                for _ in range(args.repeats):
                    t0 = time.perf_counter()
                    ids = tok.encode(text, add_special_tokens=False).ids
                    best = min(best, time.perf_counter() - t0)
                same = len(ids) == int(count) and sum(ids) == int(total)
                print(f"{shape:8s} {name:11s} {len(text):7d} chars: verdict {float(secs):.4f} s,"
                      f" hf {best:.4f} s, verdict/hf {float(secs) / best:5.2f},"
                      f" ids {'equal' if same else 'DIFFER'}")


if __name__ == "__main__":
    main()

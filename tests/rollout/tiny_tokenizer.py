#!/usr/bin/env python3
"""Trains a tiny byte-level BPE with HF `tokenizers` and writes, for the C++ tests:
  OUT/tokenizer.json    the tokenizer (Qwen2, Llama-3 or GPT-2 split; NFC for qwen2)
  OUT/cases.jsonl       {"text", "ids"} for a multilingual corpus, ids from HF as the reference
Usage: tiny_tokenizer.py OUT [--pattern qwen2|llama3|gpt2] [--legacy-merges] [--vocab N]
"""
import argparse, json, os, unicodedata
from tokenizers import Tokenizer, Regex, models, normalizers, pre_tokenizers, decoders, trainers

PATTERNS = {
    "qwen2": r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
    "llama3": r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
}

TRAIN = """A conversation between User and Assistant. The user asks a question, and the Assistant solves it.
The assistant first thinks about the reasoning process in the mind and then provides the user with the answer.
<think> Let me compute 12 + 30 = 42. </think> <answer> 42 </answer>
Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.
It's what we've done; they'll say I'm here and you'd know they're right.
def f(x):\n    return x * 2\n\nprint(f(21))
数学问题：计算二加二等于多少？答案是四。我们先思考，然后回答。
日本語のテキストです。ひらがなとカタカナ、漢字。
한국어 문장도 조금 있습니다.
Ça, c'est très élégant — naïve café, Straße, Ωμέγα, Привет мир!
Emoji 😀👍🏽 and symbols € © ½ ² ③ and arabic العربية ١٢٣
"""

CORPUS = [
    "Hello world! It's 2024 and we're testing the tokenizer.",
    "The answer is \\boxed{42}. <think> reasoning </think> <answer> 42 </answer>",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
    "数学问题：计算 3×7 等于多少？答案是二十一。",
    "日本語とEnglishのmixed テキスト",
    "한국어와 中文 그리고 emoji 🎉🎉 🤖",
    "Café vs Cafe\u0301 (NFC should merge the accent)",
    "Family emoji 👨‍👩‍👧‍👦 with ZWJ, flags 🇫🇷, skin 👍🏿",
    "    indented\n\n\n\tcode\r\n  x = [1, 2, 3]  \n",
    "I'M SHOUTING, YOU'LL HEAR; THEY'VE GONE, HE'D SAY",
    "Numbers 1234567890 and ١٢٣٤ and ²³ and ⅫⅣ",
    "tabs\tand\u00a0nbsp\u3000ideographic space\u2028line sep",
    "",
    " ",
    "trailing spaces   ",
    "Ελληνικά, русский, עברית, हिन्दी, ไทย",
    "math: $\\frac{1}{2} + \\sqrt{x^2}$ ≤ ∞",
    "<|endoftext|>",
]


def build(pattern, vocab, tags=False):
    tok = Tokenizer(models.BPE())
    if pattern == "qwen2":
        tok.normalizer = normalizers.NFC()
    if pattern == "gpt2":
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    else:
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(PATTERNS[pattern]), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab, min_frequency=1, show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    tok.train_from_iterator(TRAIN.splitlines() * 3, trainer=trainer)
    if tags:
        from tokenizers import AddedToken
        tok.add_tokens([AddedToken(t, special=False, normalized=False)
                        for t in ("<think>", "</think>", "<answer>", "</answer>")])
    return tok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--pattern", default="qwen2", choices=["qwen2", "llama3", "gpt2"])
    ap.add_argument("--legacy-merges", action="store_true")
    ap.add_argument("--vocab", type=int, default=600)
    ap.add_argument("--ignore-merges", action="store_true")
    ap.add_argument("--tags", action="store_true", help="R1 tags as added (non-special) tokens")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    tok = build(args.pattern, args.vocab, args.tags)
    j = json.loads(tok.to_str())
    merges = j["model"]["merges"]
    if args.legacy_merges and merges and isinstance(merges[0], list):
        j["model"]["merges"] = [" ".join(m) for m in merges]
    elif not args.legacy_merges and merges and isinstance(merges[0], str):
        j["model"]["merges"] = [m.split(" ", 1) for m in merges]
    if args.ignore_merges:
        j["model"]["ignore_merges"] = True
    text = json.dumps(j, ensure_ascii=False)
    with open(os.path.join(args.out, "tokenizer.json"), "w", encoding="utf-8") as f:
        f.write(text)
    ref = Tokenizer.from_str(text)
    with open(os.path.join(args.out, "cases.jsonl"), "w", encoding="utf-8") as f:
        for line in CORPUS + TRAIN.splitlines():
            ids = ref.encode(line, add_special_tokens=False).ids
            norm = unicodedata.normalize("NFC", line) if args.pattern == "qwen2" else line
            f.write(json.dumps({"text": line, "ids": ids, "normalized": norm},
                               ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

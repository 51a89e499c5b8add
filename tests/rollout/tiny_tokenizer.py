#!/usr/bin/env python3
"""Trains a tiny BPE with HF `tokenizers` and writes, for the C++ tests:
  OUT/tokenizer.json    the tokenizer, in the shape of a real model's tokenizer.json:
                        qwen2 (NFC, Qwen2 split), llama3 (cl100k split), gpt2 (ByteLevel regex),
                        deepseek (DeepSeek-V3: empty Sequence normalizer, \p{N}{1,3} / CJK /
                        punctuation Splits), o200k (GPT-4o split), nfkc (NFKC + cl100k split),
                        spm (SentencePiece style: Prepend/Replace normalizer, character BPE
                        with byte_fallback and unk, as Llama-2), metaspace (the same model
                        with a Metaspace pre-tokenizer, prepend "first", as Mistral),
                        metaspace-split (Metaspace, prepend "always", split on the spaces)
  OUT/cases.jsonl       {"text", "ids", "normalized"} for a multilingual corpus (plus, with
                        --varied N, N generated strings: scripts, emoji, combining marks, digit
                        and whitespace runs, code, Unicode 16 characters); ids from HF
Usage: tiny_tokenizer.py OUT [--pattern NAME] [--legacy-merges] [--vocab N] [--varied N]
"""
import argparse, json, os, random
from tokenizers import Tokenizer, Regex, models, normalizers, pre_tokenizers, decoders, trainers

PATTERNS = {
    "qwen2": r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
    "llama3": r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
    "o200k": r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
}
# DeepSeek-V3's pre_tokenizer Splits, in order (its tokenizer.json).
DEEPSEEK = [
    r"\p{N}{1,3}",
    "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
    r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
]

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


# Fragments of the varied set. Unicode 16 additions (Garay, Kirat Rai, Ol Onal, Sunuwar,
# outlined digits, Cyrillic Tje) and Unicode 15 ones (Kawi, Nag Mundari) check the tables.
U16 = [(0x10D40, 0x10D65), (0x10D69, 0x10D85), (0x1C89, 0x1C8A), (0x16D40, 0x16D79),
       (0x1E5D0, 0x1E5FA), (0x11BC0, 0x11BE1), (0x1CCF0, 0x1CCF9), (0x11F00, 0x11F10),
       (0x1E4D0, 0x1E4F9)]
SCRIPTS = ["Hello", "world", "The", "quick", "brown", "fox", "naïve", "Straße", "Ωμέγα",
           "Привет", "мир", "数学", "问题", "答案是四", "日本語", "ひらがな", "カタカナ", "한국어",
           "العربية", "עברית", "हिन्दी", "ไทย", "ελληνικά", "Ǆemal", "ǅ", "ﬁne", "Ⅻ", "İstanbul"]
EMOJI = ["😀", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "🇫🇷", "🤖", "❤️", "🏳️\u200d🌈", "1️⃣", "🫠"]
# Also marks and compositions newer than HF's normalization data (Unicode 9.0): U+1DFA and
# U+0C3C have class 0 there, Dives Akuru U+11935 U+11930 does not compose.
MARKS = ["e\u0301", "a\u0308\u0323", "\u0301", "n\u0303", "\u0915\u094d\u0937",
         "\u0e01\u0e34", "\u05d0\u05b8", "Z\u0351\u036b\u0343", "o\u1dfa\u0334\u0301",
         "\u0c15\u0c3c\u0c4d", "\U00011935\U00011930", "\u1e9b\u0323", "\u0958", "\u212b"]
DIGITS = ["1", "12", "123", "1234", "12345678901", "3.14159", "١٢٣٤٥", "²³", "①②", "٣", "00007",
          "ⅫⅣ", "1,000,000", "1e-9"]
SPACES = [" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\u00a0", "\u3000", " \n ", "\u2028",
          "\u0085", "\t\t  ", "    "]
CODE = ["def f(x):\n    return x * 2", "for (int i = 0; i < n; ++i) {", "x += y[i];", "`a`",
        "#include <stdio.h>", "print(f'{x!r}')", "a->b", "i++", "$\\frac{1}{2}$", "//", "/* */",
        "<|im_end|>", "<think>", "'s", "'LL", "n't", "I'M", "they're", "ſ", "'ſ"]


def varied(n, seed=7):
    """n strings of 1-8 fragments drawn from the pools above (deterministic)."""
    rng = random.Random(seed)
    pools = [SCRIPTS, EMOJI, MARKS, DIGITS, SPACES, CODE]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 8)):
            r = rng.random()
            if r < 0.1:
                a, b = U16[rng.randrange(len(U16))]
                parts.append("".join(chr(rng.randint(a, b)) for _ in range(rng.randint(1, 4))))
            elif r < 0.15:
                parts.append(rng.choice("aZ9 \n.中😀") * rng.randint(2, 40))
            else:
                parts.append(rng.choice(rng.choice(pools)))
        out.append("".join(parts))
    return out


def build(pattern, vocab, tags=False, extra=()):
    spm = pattern in ("spm", "metaspace", "metaspace-split")
    if spm:
        tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    if pattern == "spm":
        tok.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"),
                                               normalizers.Replace(" ", "\u2581")])
    elif pattern == "metaspace":
        tok.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="first", split=False)
    elif pattern == "metaspace-split":
        tok.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="always", split=True)
    else:
        tok = Tokenizer(models.BPE())
    if pattern == "qwen2":
        tok.normalizer = normalizers.NFC()
    elif pattern == "nfkc":
        tok.normalizer = normalizers.NFKC()
    elif pattern == "deepseek":
        tok.normalizer = normalizers.Sequence([])
    if pattern == "gpt2":
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    elif pattern == "deepseek":
        tok.pre_tokenizer = pre_tokenizers.Sequence(
            [pre_tokenizers.Split(Regex(r), behavior="isolated", invert=False) for r in DEEPSEEK] +
            [pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)])
    elif not spm:
        regex = PATTERNS["llama3" if pattern == "nfkc" else pattern]
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(regex), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)])
    if not spm:
        tok.decoder = decoders.ByteLevel()
    alphabet = {"limit_alphabet": 150} if spm else {
        "initial_alphabet": pre_tokenizers.ByteLevel.alphabet()}
    trainer = trainers.BpeTrainer(
        vocab_size=vocab, min_frequency=1, show_progress=False, **alphabet,
        special_tokens=(["<unk>", "<s>", "</s>"] if spm else []) +
        ["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    tok.train_from_iterator((TRAIN.splitlines() + list(extra)) * 3, trainer=trainer)
    if spm:  # SentencePiece vocabularies carry the 256 byte tokens
        j = json.loads(tok.to_str())
        v = j["model"]["vocab"]
        for b in range(256):
            v.setdefault("<0x%02X>" % b, len(v))
        tok = Tokenizer.from_str(json.dumps(j, ensure_ascii=False))
    if tags:
        from tokenizers import AddedToken
        tok.add_tokens([AddedToken(t, special=False, normalized=False)
                        for t in ("<think>", "</think>", "<answer>", "</answer>")])
    return tok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--pattern", default="qwen2",
                    choices=["qwen2", "llama3", "gpt2", "deepseek", "o200k", "nfkc", "spm",
                             "metaspace", "metaspace-split"])
    ap.add_argument("--legacy-merges", action="store_true")
    ap.add_argument("--vocab", type=int, default=600)
    ap.add_argument("--ignore-merges", action="store_true")
    ap.add_argument("--tags", action="store_true", help="R1 tags as added (non-special) tokens")
    ap.add_argument("--varied", type=int, default=0, help="add N generated strings to the cases")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    cases = CORPUS + TRAIN.splitlines() + varied(args.varied)
    if args.varied:  # long pieces: the merge loop's order on thousands of symbols
        cases += ["a" * 5000, "\u4e2d" * 3000, " " * 2000 + "x", "1" * 1000, "ab" * 2000 + "!"]
    extra = varied(300, seed=11) if args.varied else ()
    tok = build(args.pattern, args.vocab, args.tags, extra=extra)
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
        for line in cases:
            ids = ref.encode(line, add_special_tokens=False).ids
            norm = ref.normalizer.normalize_str(line) if ref.normalizer else line
            if args.pattern in ("spm", "metaspace", "metaspace-split"):
                # "▁" is prepended per segment between added tokens: decode HF's tokens
                raw = b""
                for t in ref.encode(line, add_special_tokens=False).tokens:
                    byte = len(t) == 6 and t.startswith("<0x") and t.endswith(">")
                    raw += bytes([int(t[3:5], 16)]) if byte else t.replace("\u2581", " ").encode()
                norm = raw.decode()
            f.write(json.dumps({"text": line, "ids": ids, "normalized": norm},
                               ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

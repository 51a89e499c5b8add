#!/usr/bin/env python3
"""Writes, for rollout/normalizer_test.cc, texts and HF `tokenizers`' NFC, NFD, NFKC and NFKD of
them: OUT/NAME.in and OUT/NAME.nfc (.nfd, .nfkc, .nfkd), UTF-8, one case a line ("\\n" is inert,
so each line normalizes by itself). Surrogates are left out (not valid in text). The texts:
  single   every code point
  context  every code point after "a" and before U+0334 (class 1) U+0301 (class 230), and after
           U+0301 and before U+0316 (class 220): its class, compositions and blocking
  hangul   every L+V and LV+T pair, the jamo just outside those ranges, syllables + T
  random   200,000 strings of 1-6 code points from the characters normalization touches (in the
           host's newer Unicode too: marks and compositions HF's Unicode 9.0 data lacks), Hangul
           jamo and ASCII letters
Usage: hf_normal_forms.py OUT
"""
import os
import random
import sys
import unicodedata

from tokenizers import normalizers

FORMS = {"nfc": normalizers.NFC(), "nfd": normalizers.NFD(), "nfkc": normalizers.NFKC(),
         "nfkd": normalizers.NFKD()}
ALL = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]


def interesting():
    """Characters with a combining class, a decomposition or a part in one (host data)."""
    out = set("aeiouAEIOUnNcCsS ")
    for ch in ALL:
        d = unicodedata.normalize("NFKD", ch)
        if unicodedata.combining(ch) or d != ch:
            out.add(ch)
            out.update(d)
    for c in list(range(0x1100, 0x1114)) + list(range(0x1160, 0x1177)) + list(
            range(0x11A7, 0x11C4)):
        out.add(chr(c))
    return sorted(out)


def texts():
    yield "single", ALL
    yield "context", ["a" + c + "\u0334\u0301" for c in ALL] + [
        "\u0301" + c + "\u0316" for c in ALL]
    jamo_l = [chr(c) for c in range(0x10FF, 0x1114)]
    jamo_v = [chr(c) for c in range(0x1160, 0x1177)]
    jamo_t = [chr(c) for c in range(0x11A6, 0x11C4)]
    lv = [chr(0xAC00 + 28 * k) for k in range(0, 399, 7)] + ["\uAC01", "\uD7A3", "\uD7A4"]
    yield "hangul", [l + v for l in jamo_l for v in jamo_v] + [
        s + t for s in lv for t in jamo_t] + [l + v + t for l in jamo_l[:4] for v in jamo_v[:4]
                                              for t in jamo_t[:4]]
    rng = random.Random(18)
    pool = interesting()
    yield "random", ["".join(rng.choice(pool) for _ in range(rng.randint(1, 6)))
                     for _ in range(200000)]


def main():
    out = sys.argv[1]
    for name, lines in texts():
        text = "\n".join(lines)
        with open(os.path.join(out, name + ".in"), "w", encoding="utf-8") as f:
            f.write(text)
        for form, n in FORMS.items():
            with open(os.path.join(out, name + "." + form), "w", encoding="utf-8") as f:
                f.write(n.normalize_str(text))


if __name__ == "__main__":
    main()

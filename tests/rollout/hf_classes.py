#!/usr/bin/env python3
"""Writes, for rollout/unicode_test.cc, the code points that HF `tokenizers` (its Oniguruma
regex) puts in each class the split patterns use, as ranges: one line per class,
"NAME a-b a-b ...", code points in hex. Surrogates are left out (not valid in text).
Usage: hf_classes.py OUT
"""
import sys
from tokenizers import Regex, pre_tokenizers

CLASSES = ["L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "N", "Nd", "P", "S", "Z", "C", "s", "d"]


def members(cls, cps, text):
    regex = "\\" + cls if len(cls) == 1 and cls.islower() else "\\p{" + cls + "}"
    split = pre_tokenizers.Split(Regex(regex), behavior="removed")
    out = set(cps)
    for _, (a, b) in split.pre_tokenize_str(text):  # what is left is outside the class
        out.difference_update(cps[a:b])
    return out


def main():
    cps = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    text = "".join(map(chr, cps))
    with open(sys.argv[1], "w") as f:
        for cls in CLASSES:
            s = sorted(members(cls, cps, text))
            ranges, i = [], 0
            while i < len(s):
                j = i
                while j + 1 < len(s) and s[j + 1] == s[j] + 1:
                    j += 1
                ranges.append("%x-%x" % (s[i], s[j]))
                i = j + 1
            f.write(cls + " " + " ".join(ranges) + "\n")


if __name__ == "__main__":
    main()

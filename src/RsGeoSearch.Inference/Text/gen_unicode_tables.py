#!/usr/bin/python3
"""Writes unicode-tables.txt: the per-character Unicode data the tokenizers need, taken from
Python's unicodedata (the same module the Python reference tokenizers use), because .NET runs
with InvariantGlobalization here and its string.Normalize/ToLower are then not Unicode-complete.

Lines: "L <cp> <cp> ..."  str.lower() of one code point when it differs from the code point;
       "D <cp> <cp> ..."  NFD of one code point with combining marks (category Mn) removed, when it
                          differs (Hangul syllables are decomposed in code, algorithmically).
Run: /usr/bin/python3 gen_unicode_tables.py > unicode-tables.txt
"""
import sys
import unicodedata

print(f"# unicodedata {unicodedata.unidata_version}")
for cp in range(sys.maxunicode + 1):
    if 0xD800 <= cp <= 0xDFFF:
        continue
    c = chr(cp)
    low = c.lower()
    if low != c:
        print("L %x %s" % (cp, " ".join("%x" % ord(x) for x in low)))
    if 0xAC00 <= cp <= 0xD7A3:
        continue
    d = "".join(x for x in unicodedata.normalize("NFD", c) if unicodedata.category(x) != "Mn")
    if d != c:
        print("D %x %s" % (cp, " ".join("%x" % ord(x) for x in d)))

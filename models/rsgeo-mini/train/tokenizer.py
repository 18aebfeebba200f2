#!/usr/bin/python3
"""BERT-style WordPiece tokenizer for rsgeo-mini (the Python reference; see models/MANIFEST.md).

Normalisation: lower-case; strip accents (NFD, drop combining marks, category Mn);
split on whitespace; every punctuation character (ASCII punctuation, or a Unicode
category starting with "P") becomes its own token; then greedy longest-match-first
WordPiece with the "##" continuation prefix. A word longer than 100 characters, or one
that cannot be fully matched, becomes [UNK].

Ids: line number in vocab.txt (from 0); [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3.
encode(): [CLS] tokens [SEP], truncated to context_length (the last kept token is
replaced by [SEP]), padded with [PAD] (0).

CLI:
  tokenizer.py encode --vocab vocab.txt --context 32 < texts.txt   # one JSON list per line
  tokenizer.py tokenize --vocab vocab.txt < texts.txt              # word pieces, for debugging
  tokenizer.py train --captions ../shared/data/captions/rsicd-train.tsv --out vocab.txt [--extra-text f]
"""
import argparse
import collections
import json
import sys
import unicodedata

PAD, UNK, CLS, SEP = "[PAD]", "[UNK]", "[CLS]", "[SEP]"
SPECIALS = [PAD, UNK, CLS, SEP]
MAX_WORD_CHARS = 100


def _is_whitespace(ch):
    if ch in (" ", "\t", "\n", "\r"):
        return True
    return unicodedata.category(ch) == "Zs"


def _is_control(ch):
    if ch in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(ch) in ("Cc", "Cf")


def _is_punctuation(ch):
    cp = ord(ch)
    if (33 <= cp <= 47) or (58 <= cp <= 64) or (91 <= cp <= 96) or (123 <= cp <= 126):
        return True
    return unicodedata.category(ch).startswith("P")


def normalize(text):
    """Lower-case and strip accents (NFD, drop combining marks)."""
    text = text.lower()
    text = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def basic_tokenize(text):
    """Normalise, split on whitespace, split off every punctuation character.

    Control characters (Cc/Cf other than tab/newline/CR) and U+0000/U+FFFD are dropped,
    as in BERT's BasicTokenizer.
    """
    text = normalize(text)
    words = []
    cur = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        if _is_whitespace(ch):
            if cur:
                words.append("".join(cur))
                cur = []
        elif _is_punctuation(ch):
            if cur:
                words.append("".join(cur))
                cur = []
            words.append(ch)
        else:
            cur.append(ch)
    if cur:
        words.append("".join(cur))
    return words


def load_vocab(path):
    vocab = {}
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            tok = line.rstrip("\n")
            if tok not in vocab:
                vocab[tok] = i
    for i, s in enumerate(SPECIALS):
        if vocab.get(s) != i:
            raise ValueError(f"vocab must start with {SPECIALS}")
    return vocab


class WordPieceTokenizer:
    def __init__(self, vocab, context_length=32):
        if isinstance(vocab, str):
            vocab = load_vocab(vocab)
        self.vocab = vocab
        self.inv = {i: t for t, i in vocab.items()}
        self.context_length = context_length
        self.pad_id, self.unk_id, self.cls_id, self.sep_id = (vocab[s] for s in SPECIALS)

    def wordpiece(self, word):
        """Greedy longest-match-first; returns list of pieces ([UNK] if unmatched)."""
        if len(word) > MAX_WORD_CHARS:
            return [UNK]
        pieces = []
        start = 0
        n = len(word)
        while start < n:
            end = n
            found = None
            while start < end:
                sub = word[start:end]
                if start > 0:
                    sub = "##" + sub
                if sub in self.vocab:
                    found = sub
                    break
                end -= 1
            if found is None:
                return [UNK]
            pieces.append(found)
            start = end
        return pieces

    def tokenize(self, text):
        out = []
        for w in basic_tokenize(text):
            out.extend(self.wordpiece(w))
        return out

    def token_ids(self, text):
        return [self.vocab[t] for t in self.tokenize(text)]

    def encode(self, text, context_length=None):
        L = context_length or self.context_length
        ids = [self.cls_id] + self.token_ids(text) + [self.sep_id]
        if len(ids) > L:
            ids = ids[:L]
            ids[-1] = self.sep_id
        return ids + [self.pad_id] * (L - len(ids))

    def encode_batch(self, texts, context_length=None):
        return [self.encode(t, context_length) for t in texts]


def train_vocab(texts, min_count=2, max_size=5000):
    """Simple WordPiece vocabulary builder.

    Vocabulary = specials + every character seen (as itself and as '##'+char) +
    whole words with count >= min_count (most frequent first) + frequent '##' suffix
    pieces of the remaining (rare) words, so rare words split into useful sub-words
    instead of single characters. Deterministic (ties broken alphabetically).
    """
    wc = collections.Counter()
    for t in texts:
        wc.update(basic_tokenize(t))
    chars = collections.Counter()
    for w, c in wc.items():
        for ch in w:
            chars[ch] += c
    char_list = sorted(chars)
    vocab = list(SPECIALS)
    seen = set(vocab)

    def add(tok):
        if tok not in seen:
            seen.add(tok)
            vocab.append(tok)

    for ch in char_list:
        add(ch)
    for ch in char_list:
        add("##" + ch)
    words = sorted((w for w, c in wc.items() if c >= min_count), key=lambda w: (-wc[w], w))
    for w in words:
        if len(vocab) >= max_size:
            break
        add(w)
    # prefixes and '##' suffixes of rare words (length >= 3), by frequency
    rare = [(w, c) for w, c in wc.items() if c < min_count and len(w) > 3]
    pieces = collections.Counter()
    for w, c in rare:
        for k in range(3, min(len(w), 12)):
            pieces[w[:k]] += c
            pieces["##" + w[len(w) - k:]] += c
    for p, c in sorted(pieces.items(), key=lambda x: (-x[1], x[0])):
        if len(vocab) >= max_size or c < 2:
            break
        add(p)
    return vocab


def _read_caption_texts(path):
    texts = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        ci = header.index("caption")
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) > ci:
                texts.append(parts[ci])
    return texts


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("encode")
    e.add_argument("--vocab", required=True)
    e.add_argument("--context", type=int, default=32)
    t = sub.add_parser("tokenize")
    t.add_argument("--vocab", required=True)
    tr = sub.add_parser("train")
    tr.add_argument("--captions", required=True)
    tr.add_argument("--extra-text", action="append", default=[], help="file with one extra text per line")
    tr.add_argument("--out", required=True)
    tr.add_argument("--min-count", type=int, default=2)
    tr.add_argument("--max-size", type=int, default=5000)
    a = ap.parse_args(argv)
    if a.cmd == "train":
        texts = _read_caption_texts(a.captions)
        for p in a.extra_text:
            with open(p, encoding="utf-8") as f:
                texts.extend(l.rstrip("\n") for l in f)
        vocab = train_vocab(texts, a.min_count, a.max_size)
        with open(a.out, "w", encoding="utf-8") as f:
            for tok in vocab:
                f.write(tok + "\n")
        print(f"wrote {len(vocab)} tokens to {a.out}", file=sys.stderr)
        return
    tok = WordPieceTokenizer(a.vocab, getattr(a, "context", 32))
    out = sys.stdout
    for line in sys.stdin:
        line = line.rstrip("\n")
        if a.cmd == "encode":
            out.write(json.dumps(tok.encode(line)) + "\n")
        else:
            out.write(json.dumps(tok.tokenize(line), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

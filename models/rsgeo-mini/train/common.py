"""Shared constants and data helpers for rsgeo-mini training / export / evaluation."""
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(MODEL_DIR))
DATA = os.environ.get("RSGEO_DATA", os.path.join(os.path.dirname(REPO), "shared", "data"))
AID_DIR = os.path.join(DATA, "scenes", "aid")
CAPTIONS = os.path.join(DATA, "captions", "rsicd-train.tsv")
VAL_LIST = os.path.join(HERE, "val_images.txt")
VOCAB = os.path.join(HERE, "vocab.txt")

# Prompt templates used for zero-shot classification (also shipped in manifest.json).
PROMPT_TEMPLATES = [
    "an aerial image of a {}.",
    "a satellite image of a {}.",
    "an aerial photo of a {}.",
    "a remote sensing image of a {}.",
    "an overhead view of a {}.",
    "a {} seen from above.",
]
# Extra templates only used during training (prompt augmentation).
TRAIN_TEMPLATES = PROMPT_TEMPLATES + [
    "{}",
    "a picture of a {}.",
    "aerial imagery showing a {}.",
    "a top-down image of the {}.",
    "a high resolution satellite photo of a {}.",
    "this is a {} area.",
]


def class_display_name(folder):
    """BareLand -> 'bare land', StorageTanks -> 'storage tanks'."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", folder).lower()


def class_folders():
    return sorted(d for d in os.listdir(AID_DIR) if os.path.isdir(os.path.join(AID_DIR, d)))


def list_images():
    """[(folder, file_name)] for every AID scene, sorted."""
    out = []
    for c in class_folders():
        for f in sorted(os.listdir(os.path.join(AID_DIR, c))):
            if f.lower().endswith((".jpg", ".jpeg", ".png")):
                out.append((c, f))
    return out


def read_captions():
    """{file_name: [captions]}"""
    caps = {}
    with open(CAPTIONS, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        ii, ci = header.index("image"), header.index("caption")
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) > max(ii, ci):
                caps.setdefault(p[ii], []).append(p[ci].strip())
    return caps


def make_split(frac=0.12, seed=1234):
    """Stratified split by class with a fixed seed. Returns (train, val) lists of (folder, file)."""
    rng = random.Random(seed)
    by = {}
    for c, f in list_images():
        by.setdefault(c, []).append(f)
    tr, va = [], []
    for c in sorted(by):
        fs = sorted(by[c])
        rng.shuffle(fs)
        k = max(1, round(len(fs) * frac))
        va += [(c, f) for f in sorted(fs[:k])]
        tr += [(c, f) for f in sorted(fs[k:])]
    return tr, va


def read_val_list():
    with open(VAL_LIST, encoding="utf-8") as f:
        names = [l.strip() for l in f if l.strip()]
    return names


if __name__ == "__main__":
    # `common.py prompts` prints every training prompt (extra text for the vocabulary trainer)
    import sys
    if sys.argv[1:] == ["prompts"]:
        for c in class_folders():
            for t in TRAIN_TEMPLATES:
                print(t.format(class_display_name(c)))

#!/usr/bin/python3
"""Export a trained rsgeo-mini checkpoint to the model directory (see models/MANIFEST.md):
image.onnx, text.onnx, manifest.json, vocab.txt and reference/ inputs and outputs.

  /usr/bin/python3 models/rsgeo-mini/train/export.py --checkpoint /tmp/rsgeo-mini-run/checkpoint.pt
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import data  # noqa: E402
from model import DualEncoder  # noqa: E402
from tokenizer import WordPieceTokenizer  # noqa: E402

REFERENCE_TEXTS = [
    "an aerial image of a airport.",
    "an aerial image of a storage tanks.",
    "a satellite image of a dense residential.",
    "many planes are parked next to a long building in an airport .",
    "Several buildings and green trees are around a playground.",
    "a river with a bridge over it",
    "BareLand",
    "farmland",
    "a large number of cars are parked in the parking lot .",
    "the sea is blue and the beach is yellow.",
    "A stadium, surrounded by roads & trees!",
    "Café near the viaduct — résumé of ÜBER-long words",
    "",
    "   spaces\tand\ttabs   ",
    "port with boats; ships (many) at the dock...",
    "a dense forest of green trees covers the mountain and some roads go through it "
    "while a river runs along the valley near several small houses and farmland fields",
    "supercalifragilisticexpialidocious zzzzqx",
    "storage tanks 12 and 345",
    "a church with a red roof",
    "solar panels on a rooftop",
]


def load_model(checkpoint):
    ck = torch.load(checkpoint, map_location="cpu")
    cfg = ck["config"]
    m = DualEncoder(cfg["vocab_size"], cfg["width"], context_length=cfg["context"], embed_dim=cfg["embed_dim"],
                    text_d=cfg.get("text_dim", 256), text_layers=cfg["text_layers"])
    m.load_state_dict(ck["model"])
    m.eval()
    return m, cfg, ck


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", default=common.MODEL_DIR)
    ap.add_argument("--opset", type=int, default=14)
    a = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 2)
    m, cfg, ck = load_model(a.checkpoint)
    S, L, D = cfg["size"], cfg["context"], cfg["embed_dim"]
    os.makedirs(a.out, exist_ok=True)
    img_path = os.path.join(a.out, "image.onnx")
    txt_path = os.path.join(a.out, "text.onnx")
    with torch.no_grad():
        torch.onnx.export(m.image, torch.zeros(2, 3, S, S), img_path, opset_version=a.opset,
                          input_names=["pixel_values"], output_names=["image_embeds"],
                          dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}},
                          do_constant_folding=True)
        torch.onnx.export(m.text, torch.full((2, L), 2, dtype=torch.int64), txt_path, opset_version=a.opset,
                          input_names=["input_ids"], output_names=["text_embeds"],
                          dynamic_axes={"input_ids": {0: "batch"}, "text_embeds": {0: "batch"}},
                          do_constant_folding=True)
    shutil.copyfile(common.VOCAB, os.path.join(a.out, "vocab.txt"))
    scale = float(m.logit_scale.exp().clamp(max=100.0).item())
    manifest = {
        "name": "rsgeo-mini",
        "family": "rsgeo",
        "embedding_dim": D,
        "image": {
            "onnx": "image.onnx",
            "input": "pixel_values",
            "output": "image_embeds",
            "size": S,
            "resize": "squash",
            "interpolation": "bilinear",
            "mean": cfg["mean"],
            "std": cfg["std"],
        },
        "text": {
            "onnx": "text.onnx",
            "input_ids": "input_ids",
            "output": "text_embeds",
            "context_length": L,
            "tokenizer": {"kind": "wordpiece", "files": {"vocab": "vocab.txt"}, "lowercase": True},
        },
        "scoring": {"kind": "softmax", "logit_scale": round(scale, 4), "logit_bias": 0.0},
        "prompt_templates": common.PROMPT_TEMPLATES,
    }
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")

    # reference inputs / outputs
    ref = os.path.join(a.out, "reference")
    os.makedirs(ref, exist_ok=True)
    _, val_items = common.make_split()
    picks = [val_items[i] for i in (0, len(val_items) // 3, 2 * len(val_items) // 3, len(val_items) - 1)]
    imgs = []
    for c, f in picks:
        x = data.preprocess_pil(data.load_rgb(os.path.join(common.AID_DIR, c, f)), S)
        imgs.append(data.normalize(x[None], cfg["mean"], cfg["std"])[0])
    X = torch.stack(imgs)
    tok = WordPieceTokenizer(os.path.join(a.out, "vocab.txt"), L)
    ids = torch.tensor(tok.encode_batch(REFERENCE_TEXTS))
    with torch.no_grad():
        ie = m.image(X)
        te = m.text(ids)
    img_entries = []
    for k, ((c, f), x, e) in enumerate(zip(picks, X, ie)):
        name = f"image_{k}.bin"
        x.numpy().astype("<f4").tofile(os.path.join(ref, name))
        img_entries.append({"source": f"scenes/aid/{c}/{f}", "pixel_values_file": name,
                            "shape": [1, 3, S, S], "image_embeds": [round(v, 7) for v in e.tolist()]})
    txt_entries = [{"text": t, "tokens": tok.tokenize(t), "input_ids": i, "text_embeds": [round(v, 7) for v in e.tolist()]}
                   for t, i, e in zip(REFERENCE_TEXTS, ids.tolist(), te)]
    with open(os.path.join(ref, "images.json"), "w") as f:
        json.dump({"note": "pixel_values_file: raw little-endian float32, shape [1,3,S,S] (C,H,W order), already "
                           "squash-resized (PIL bilinear) from the source scene and normalised with the manifest "
                           "mean/std; image_embeds: expected image.onnx output (L2-normalised)",
                   "images": img_entries}, f, indent=1)
    with open(os.path.join(ref, "texts.json"), "w") as f:
        json.dump({"note": f"input_ids: tokenizer.py encode with context_length {L}; text_embeds: expected "
                           "text.onnx output (L2-normalised)", "texts": txt_entries}, f, indent=1, ensure_ascii=False)
    print(f"exported to {a.out}: image.onnx {os.path.getsize(img_path) / 1e6:.1f} MB, "
          f"text.onnx {os.path.getsize(txt_path) / 1e6:.1f} MB, logit_scale {scale:.2f}")


if __name__ == "__main__":
    main()

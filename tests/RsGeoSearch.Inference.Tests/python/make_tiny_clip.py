#!/usr/bin/python3
"""Exports a tiny CLIP-shaped dual encoder with random weights (fixed seed) to ONNX, plus reference outputs.

Usage: make_tiny_clip.py --out DIR --bpe bpe_simple_vocab_16e6.txt.gz --token-ids reference-token-ids.jsonl IMAGE...

Writes into DIR: image.onnx, text.onnx, manifest.json (family clip, clip-bpe tokenizer), the bpe file,
pixels.bin   float32 [N,3,64,64] RGB in [0,1] (PIL bilinear resize of each image; the exact floats C# feeds too),
image_ref.bin float32 [N,16] L2-normalised torch image embeddings of (pixels - mean) / std,
text_ref.bin  float32 [M,16] L2-normalised torch text embeddings of the reference token ids (padded to 77),
reference.json: image files, texts, their ids, shapes.
Runs in a few seconds on a CPU.
"""
import argparse
import json
import shutil
import sys

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

SIZE, WIDTH, HEADS, DIM, CONTEXT, VOCAB = 64, 32, 4, 16, 77, 49408
MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, bias=None):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).reshape(b, t, 3, self.h, d // self.h).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-2, -1)) * (d // self.h) ** -0.5
        if bias is not None:
            att = att + bias
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(y)
        return x + self.mlp(self.ln2(x))


class ImageTower(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(3, WIDTH, 8, 8)
        self.cls = nn.Parameter(torch.randn(1, 1, WIDTH) * 0.5)
        self.pos = nn.Parameter(torch.randn(1, (SIZE // 8) ** 2 + 1, WIDTH) * 0.1)
        self.blocks = nn.ModuleList([Block(WIDTH, HEADS) for _ in range(2)])
        self.ln = nn.LayerNorm(WIDTH)
        self.proj = nn.Linear(WIDTH, DIM, bias=False)

    def forward(self, pixel_values):
        x = self.patch(pixel_values).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.pos
        for blk in self.blocks:
            x = blk(x)
        return self.proj(self.ln(x[:, 0]))


class TextTower(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, WIDTH)
        self.pos = nn.Parameter(torch.randn(1, CONTEXT, WIDTH) * 0.1)
        self.blocks = nn.ModuleList([Block(WIDTH, HEADS) for _ in range(2)])
        self.ln = nn.LayerNorm(WIDTH)
        self.proj = nn.Linear(WIDTH, DIM, bias=False)
        self.register_buffer("causal", torch.triu(torch.full((CONTEXT, CONTEXT), -1e4), 1))

    def forward(self, input_ids, attention_mask):
        x = self.tok(input_ids) + self.pos
        bias = self.causal[None, None] + (1.0 - attention_mask[:, None, None, :].float()) * -1e4
        for blk in self.blocks:
            x = blk(x, bias)
        x = self.ln(x)
        eot = x[torch.arange(x.shape[0]), input_ids.argmax(-1)]   # CLIP pools at the end token (the largest id)
        return self.proj(eot)


def l2(x):
    return x / x.norm(dim=-1, keepdim=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--bpe", required=True)
    ap.add_argument("--token-ids", required=True)
    ap.add_argument("--texts", type=int, default=8)
    ap.add_argument("images", nargs="+")
    a = ap.parse_args()
    torch.manual_seed(1234)
    image, text = ImageTower().eval(), TextTower().eval()

    pixels = []
    for path in a.images:
        im = Image.open(path).convert("RGB").resize((SIZE, SIZE), Image.BILINEAR)
        pixels.append(np.asarray(im, dtype=np.float32).transpose(2, 0, 1) / np.float32(255.0))
    pixels = np.ascontiguousarray(np.stack(pixels), dtype=np.float32)
    mean = torch.tensor(MEAN, dtype=torch.float32)[None, :, None, None]
    std = torch.tensor(STD, dtype=torch.float32)[None, :, None, None]

    rows = [json.loads(l) for l in open(a.token_ids, encoding="utf-8")][: a.texts]
    ids = np.zeros((len(rows), CONTEXT), dtype=np.int64)
    mask = np.zeros((len(rows), CONTEXT), dtype=np.int64)
    for i, r in enumerate(rows):
        t = r["ids"][:CONTEXT]
        if len(r["ids"]) > CONTEXT:
            t[-1] = r["ids"][-1]
        ids[i, : len(t)] = t
        mask[i, : len(t)] = 1

    with torch.no_grad():
        img_ref = l2(image((torch.from_numpy(pixels) - mean) / std)).numpy()
        txt_ref = l2(text(torch.from_numpy(ids), torch.from_numpy(mask))).numpy()
        torch.onnx.export(image, (torch.zeros(2, 3, SIZE, SIZE),), f"{a.out}/image.onnx", input_names=["pixel_values"],
                          output_names=["image_embeds"], dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}},
                          opset_version=14)
        torch.onnx.export(text, (torch.from_numpy(ids[:2]), torch.from_numpy(mask[:2])), f"{a.out}/text.onnx",
                          input_names=["input_ids", "attention_mask"], output_names=["text_embeds"],
                          dynamic_axes={"input_ids": {0: "batch"}, "attention_mask": {0: "batch"}, "text_embeds": {0: "batch"}},
                          opset_version=14)

    pixels.tofile(f"{a.out}/pixels.bin")
    img_ref.astype(np.float32).tofile(f"{a.out}/image_ref.bin")
    txt_ref.astype(np.float32).tofile(f"{a.out}/text_ref.bin")
    shutil.copy(a.bpe, f"{a.out}/bpe_simple_vocab_16e6.txt.gz")
    manifest = {
        "name": "tiny-clip", "family": "clip", "embedding_dim": DIM,
        "image": {"onnx": "image.onnx", "input": "pixel_values", "output": "image_embeds", "size": SIZE,
                  "resize": "shortest_side_center_crop", "interpolation": "bicubic", "mean": MEAN, "std": STD},
        "text": {"onnx": "text.onnx", "input_ids": "input_ids", "attention_mask": "attention_mask", "output": "text_embeds",
                 "context_length": CONTEXT,
                 "tokenizer": {"kind": "clip-bpe", "files": {"bpe": "bpe_simple_vocab_16e6.txt.gz"}}},
        "scoring": {"kind": "softmax", "logit_scale": 100.0},
        "prompt_templates": ["a satellite photo of {}.", "an aerial image of {}."],
    }
    json.dump(manifest, open(f"{a.out}/manifest.json", "w"), indent=2)
    json.dump({"images": a.images, "texts": [r["text"] for r in rows], "ids": ids.tolist(),
               "image_shape": list(img_ref.shape), "text_shape": list(txt_ref.shape)},
              open(f"{a.out}/reference.json", "w"), indent=1)
    print(f"wrote {a.out}: {len(a.images)} images, {len(rows)} texts", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Exports a CLIP-shaped dual encoder with random weights for benchmarking (throughput does not depend on the
weights). Presets: vit-b32 (OpenAI CLIP ViT-B/32 dimensions: 224 px, patch 32, width 768, 12 layers; text width 512,
12 layers, context 77, embedding 512), siglip-l16-256 (a SigLIP-L/16 / Git-RSCLIP-sized graph: 256 px, patch 16,
width 1024, 24 layers, 16 heads; text width 1024, 24 layers; embedding 1024; ~0.6 B parameters) and tiny. Writes image.onnx, text.onnx and manifest.json (clip-bpe; copy the
vocabulary with --bpe). Usage: make_clip.py --preset vit-b32 --out DIR --bpe bpe_simple_vocab_16e6.txt.gz"""
import argparse
import json
import shutil

import torch
import torch.nn as nn

PRESETS = {
    "tiny": dict(size=64, patch=8, width=32, layers=2, heads=4, twidth=32, tlayers=2, theads=4, dim=16),
    "vit-b32": dict(size=224, patch=32, width=768, layers=12, heads=12, twidth=512, tlayers=12, theads=8, dim=512),
    "siglip-l16-256": dict(size=256, patch=16, width=1024, layers=24, heads=16, twidth=1024, tlayers=24, theads=16, dim=1024),
}
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
        x = x + self.proj((att.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.mlp(self.ln2(x))


class Image(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.patch = nn.Conv2d(3, c["width"], c["patch"], c["patch"], bias=False)
        self.cls = nn.Parameter(torch.randn(1, 1, c["width"]) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, (c["size"] // c["patch"]) ** 2 + 1, c["width"]) * 0.02)
        self.blocks = nn.ModuleList([Block(c["width"], c["heads"]) for _ in range(c["layers"])])
        self.ln = nn.LayerNorm(c["width"])
        self.proj = nn.Linear(c["width"], c["dim"], bias=False)

    def forward(self, pixel_values):
        x = self.patch(pixel_values).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.pos
        for b in self.blocks:
            x = b(x)
        return self.proj(self.ln(x[:, 0]))


class Text(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.tok = nn.Embedding(49408, c["twidth"])
        self.pos = nn.Parameter(torch.randn(1, 77, c["twidth"]) * 0.01)
        self.blocks = nn.ModuleList([Block(c["twidth"], c["theads"]) for _ in range(c["tlayers"])])
        self.ln = nn.LayerNorm(c["twidth"])
        self.proj = nn.Linear(c["twidth"], c["dim"], bias=False)
        self.register_buffer("causal", torch.triu(torch.full((77, 77), -1e4), 1)[None, None])

    def forward(self, input_ids):
        x = self.tok(input_ids) + self.pos
        for b in self.blocks:
            x = b(x, self.causal)
        x = self.ln(x)
        return self.proj(x[torch.arange(x.shape[0]), input_ids.argmax(-1)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", choices=PRESETS, default="vit-b32")
    ap.add_argument("--out", required=True)
    ap.add_argument("--bpe", required=True)
    a = ap.parse_args()
    c = PRESETS[a.preset]
    torch.manual_seed(0)
    with torch.no_grad():
        torch.onnx.export(Image(c).eval(), (torch.zeros(1, 3, c["size"], c["size"]),), f"{a.out}/image.onnx",
                          input_names=["pixel_values"], output_names=["image_embeds"], opset_version=14,
                          dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})
        ids = torch.zeros(1, 77, dtype=torch.long)
        ids[0, :3] = torch.tensor([49406, 320, 49407])
        torch.onnx.export(Text(c).eval(), (ids,), f"{a.out}/text.onnx", input_names=["input_ids"],
                          output_names=["text_embeds"], opset_version=14,
                          dynamic_axes={"input_ids": {0: "batch"}, "text_embeds": {0: "batch"}})
    shutil.copy(a.bpe, f"{a.out}/bpe_simple_vocab_16e6.txt.gz")
    json.dump({"name": f"random-{a.preset}", "family": "clip", "embedding_dim": c["dim"],
               "description": f"random weights, {a.preset} dimensions (benchmark only)",
               "image": {"onnx": "image.onnx", "size": c["size"], "mean": MEAN, "std": STD},
               "text": {"onnx": "text.onnx", "context_length": 77,
                        "tokenizer": {"kind": "clip-bpe", "files": {"bpe": "bpe_simple_vocab_16e6.txt.gz"}}},
               "scoring": {"kind": "softmax", "logit_scale": 100.0}}, open(f"{a.out}/manifest.json", "w"), indent=2)


if __name__ == "__main__":
    main()

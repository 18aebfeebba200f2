#!/usr/bin/env python3
"""Export Git-RSCLIP (or any SigLIP checkpoint) to the rsgeo model-folder format (models/MANIFEST.md).

Needs: torch, transformers, sentencepiece, protobuf (and onnxruntime + numpy for the check).
    pip install torch transformers sentencepiece protobuf onnxruntime
Usage:
    python3 export.py --source lcybuaa/Git-RSCLIP            # a Hugging Face id (downloads) ...
    python3 export.py --source /path/to/Git-RSCLIP --out .   # ... or a local snapshot

Writes into --out (default: this folder): image.onnx, text.onnx, spiece.model and manifest.json with the
checkpoint's logit_scale (exponentiated) and logit_bias and the image processor's size, resample, mean and std.
SigLIP squashes images to a square (no crop), pads text to 64 tokens with </s> and takes no attention mask.
"""
import argparse
import json
import os
import shutil
import tempfile

import torch

RESAMPLE = {0: "nearest", 2: "bilinear", 3: "bicubic"}


class ImageTower(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model.get_image_features(pixel_values=pixel_values)


class TextTower(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids):
        return self.model.get_text_features(input_ids=input_ids)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", default="lcybuaa/Git-RSCLIP", help="Hugging Face model id or local folder")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--name", default="git-rsclip")
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--template", default="a remote sensing image of {}.")
    a = ap.parse_args()

    from transformers import AutoModel, AutoProcessor

    model = AutoModel.from_pretrained(a.source).eval()
    processor = AutoProcessor.from_pretrained(a.source)
    ip, tok = processor.image_processor, processor.tokenizer
    size = ip.size.get("height", ip.size.get("shortest_edge"))
    context = tok.model_max_length if tok.model_max_length and tok.model_max_length < 10_000 else 64
    os.makedirs(a.out, exist_ok=True)

    with torch.no_grad():
        pixels = torch.rand(2, 3, size, size)
        torch.onnx.export(ImageTower(model), (pixels,), os.path.join(a.out, "image.onnx"), input_names=["pixel_values"],
                          output_names=["image_embeds"], opset_version=a.opset,
                          dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})
        ids = tok(["a river", "an airport with many planes"], padding="max_length", max_length=context, truncation=True,
                  return_tensors="pt")["input_ids"]
        torch.onnx.export(TextTower(model), (ids,), os.path.join(a.out, "text.onnx"), input_names=["input_ids"],
                          output_names=["text_embeds"], opset_version=a.opset,
                          dynamic_axes={"input_ids": {0: "batch"}, "text_embeds": {0: "batch"}})
        dim = int(ImageTower(model)(pixels).shape[-1])
        logit_scale = float(model.logit_scale.exp())
        logit_bias = float(model.logit_bias) if hasattr(model, "logit_bias") else 0.0

    with tempfile.TemporaryDirectory() as tmp:
        tok.save_pretrained(tmp)
        if os.path.exists(os.path.join(tmp, "spiece.model")):
            shutil.copy(os.path.join(tmp, "spiece.model"), os.path.join(a.out, "spiece.model"))
            files = {"spiece": "spiece.model"}
        else:
            shutil.copy(os.path.join(tmp, "tokenizer.json"), os.path.join(a.out, "tokenizer.json"))
            files = {"tokenizer_json": "tokenizer.json"}

    manifest = {
        "name": a.name,
        "description": f"SigLIP export of {a.source} by models/git-rsclip/export.py",
        "family": "siglip",
        "embedding_dim": dim,
        "image": {"onnx": "image.onnx", "input": "pixel_values", "output": "image_embeds", "size": int(size),
                  "resize": "squash", "interpolation": RESAMPLE.get(int(ip.resample), "bicubic"),
                  "mean": [float(x) for x in ip.image_mean], "std": [float(x) for x in ip.image_std]},
        "text": {"onnx": "text.onnx", "input_ids": "input_ids", "output": "text_embeds", "context_length": int(context),
                 "tokenizer": {"kind": "sentencepiece-unigram", "files": files, "siglip_canonicalize": True, "add_eos": True,
                               "pad_id": int(tok.pad_token_id), "eos_id": int(tok.eos_token_id)}},
        "scoring": {"kind": "sigmoid", "logit_scale": logit_scale, "logit_bias": logit_bias},
        "prompt_templates": [a.template],
    }
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)

    try:  # optional check: ONNX Runtime reproduces torch
        import numpy as np
        import onnxruntime as ort
        with torch.no_grad():
            ref = ImageTower(model)(pixels).numpy()
            tref = TextTower(model)(ids).numpy()
        got = ort.InferenceSession(os.path.join(a.out, "image.onnx")).run(None, {"pixel_values": pixels.numpy()})[0]
        tgot = ort.InferenceSession(os.path.join(a.out, "text.onnx")).run(None, {"input_ids": ids.numpy()})[0]
        print(f"check: image max |ort - torch| = {np.abs(got - ref).max():.2e}, text {np.abs(tgot - tref).max():.2e}")
    except ImportError:
        print("onnxruntime not installed: skipped the ORT check")
    print(f"wrote {a.out}: dim {dim}, {size}px, context {context}, logit_scale {logit_scale:.3f}, logit_bias {logit_bias:.3f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Export a CLIP ViT-B/32 (OpenAI CLIP, RemoteCLIP, GeoRSCLIP) to the rsgeo model-folder format (models/MANIFEST.md).

Two sources:
  Hugging Face transformers CLIPModel (pip install torch transformers):
      python3 export.py --hf openai/clip-vit-base-patch32
  OpenCLIP checkpoints such as RemoteCLIP-ViT-B-32.pt or GeoRSCLIP's ViT-B-32 (pip install torch open_clip_torch):
      python3 export.py --open-clip ViT-B-32 --checkpoint RemoteCLIP-ViT-B-32.pt --name remoteclip-vit-b32 --out ../remoteclip-vit-b32

Writes image.onnx, text.onnx, bpe_simple_vocab_16e6.txt.gz (the CLIP BPE vocabulary, from --bpe or the installed
package) and manifest.json with the checkpoint's logit scale. Preprocessing is CLIP's: resize the shortest side to
224 (bicubic), centre crop, CLIP mean/std; text: CLIP BPE, 77 tokens, pooled at the end token (no attention mask).
"""
import argparse
import glob
import json
import os
import shutil

import torch

MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]


class Tower(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def find_bpe(explicit):
    if explicit:
        return explicit
    candidates = []
    for mod in ("open_clip", "clip"):
        try:
            m = __import__(mod)
            candidates += glob.glob(os.path.join(os.path.dirname(m.__file__), "**", "bpe_simple_vocab_16e6.txt.gz"), recursive=True)
        except ImportError:
            pass
    if not candidates:
        raise SystemExit("bpe_simple_vocab_16e6.txt.gz not found: pass --bpe (it is in openai/CLIP and open_clip)")
    return candidates[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--hf", help="Hugging Face CLIPModel id or folder")
    src.add_argument("--open-clip", help="OpenCLIP architecture, e.g. ViT-B-32")
    ap.add_argument("--checkpoint", help="OpenCLIP state dict (.pt) for --open-clip")
    ap.add_argument("--pretrained", help="OpenCLIP pretrained tag instead of --checkpoint, e.g. openai")
    ap.add_argument("--bpe", help="path to bpe_simple_vocab_16e6.txt.gz")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--name", default="clip-vit-b32")
    ap.add_argument("--opset", type=int, default=17)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    size, context = 224, 77

    if a.hf:
        from transformers import CLIPModel
        model = CLIPModel.from_pretrained(a.hf).eval()
        image = Tower(lambda x: model.get_image_features(pixel_values=x))
        text = Tower(lambda ids: model.get_text_features(input_ids=ids))
        logit_scale = float(model.logit_scale.exp())
        size = model.config.vision_config.image_size
    else:
        import open_clip
        model, _, _ = open_clip.create_model_and_transforms(a.open_clip, pretrained=a.pretrained)
        if a.checkpoint:
            state = torch.load(a.checkpoint, map_location="cpu")
            state = state.get("state_dict", state)
            model.load_state_dict({k.removeprefix("module."): v for k, v in state.items()})
        model.eval()
        image = Tower(model.encode_image)
        text = Tower(model.encode_text)
        logit_scale = float(model.logit_scale.exp())
        size = model.visual.image_size[0] if isinstance(model.visual.image_size, (tuple, list)) else model.visual.image_size

    with torch.no_grad():
        pixels = torch.rand(2, 3, size, size)
        torch.onnx.export(image, (pixels,), os.path.join(a.out, "image.onnx"), input_names=["pixel_values"],
                          output_names=["image_embeds"], opset_version=a.opset,
                          dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})
        ids = torch.zeros(2, context, dtype=torch.long)
        ids[:, 0], ids[:, 1], ids[:, 2] = 49406, 320, 49407   # <start> a <end>
        torch.onnx.export(text, (ids,), os.path.join(a.out, "text.onnx"), input_names=["input_ids"],
                          output_names=["text_embeds"], opset_version=a.opset,
                          dynamic_axes={"input_ids": {0: "batch"}, "text_embeds": {0: "batch"}})
        dim = int(image(pixels).shape[-1])

    shutil.copy(find_bpe(a.bpe), os.path.join(a.out, "bpe_simple_vocab_16e6.txt.gz"))
    manifest = {
        "name": a.name,
        "description": f"CLIP export of {a.hf or (a.open_clip + ' ' + (a.checkpoint or a.pretrained or ''))} by models/clip-vit-b32/export.py",
        "family": "clip",
        "embedding_dim": dim,
        "image": {"onnx": "image.onnx", "input": "pixel_values", "output": "image_embeds", "size": int(size),
                  "resize": "shortest_side_center_crop", "interpolation": "bicubic", "mean": MEAN, "std": STD},
        "text": {"onnx": "text.onnx", "input_ids": "input_ids", "output": "text_embeds", "context_length": context,
                 "tokenizer": {"kind": "clip-bpe", "files": {"bpe": "bpe_simple_vocab_16e6.txt.gz"}}},
        "scoring": {"kind": "softmax", "logit_scale": logit_scale},
        "prompt_templates": ["a satellite photo of {}.", "an aerial photograph of {}.", "a remote sensing image of {}."],
    }
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"wrote {a.out}: dim {dim}, {size}px, logit_scale {logit_scale:.2f}")


if __name__ == "__main__":
    main()

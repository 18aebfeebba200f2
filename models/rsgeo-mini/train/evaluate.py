#!/usr/bin/python3
"""Evaluate rsgeo-mini on the held-out validation split (val_images.txt):
zero-shot top-1 over the 30 AID classes (prompt ensemble of manifest prompt_templates) and
text->image / image->text recall@1/5/10 on the validation captions. Writes metrics.json.

  /usr/bin/python3 models/rsgeo-mini/train/evaluate.py --checkpoint /tmp/rsgeo-mini-run/checkpoint.pt
"""
import argparse
import json
import os
import platform
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import data  # noqa: E402
from export import load_model  # noqa: E402
from tokenizer import WordPieceTokenizer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", default=os.path.join(common.MODEL_DIR, "metrics.json"))
    a = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 2)
    m, cfg, ck = load_model(a.checkpoint)
    S, L = cfg["size"], cfg["context"]
    tok = WordPieceTokenizer(common.VOCAB, L)
    classes = common.class_folders()
    cidx = {c: i for i, c in enumerate(classes)}
    _, val_items = common.make_split()
    assert [f for _, f in val_items] == common.read_val_list()
    caps = common.read_captions()
    X = data.load_eval(val_items, S, tag="val")
    y = torch.tensor([cidx[c] for c, _ in val_items])
    with torch.no_grad():
        ie = torch.cat([m.image(data.normalize(X[i:i + 128], cfg["mean"], cfg["std"])) for i in range(0, len(X), 128)])
        # zero-shot: average the normalised prompt embeddings per class, renormalise
        pe = []
        for c in classes:
            ids = torch.tensor(tok.encode_batch([t.format(common.class_display_name(c)) for t in common.PROMPT_TEMPLATES]))
            pe.append(F.normalize(m.text(ids).mean(0), dim=0))
        pe = torch.stack(pe)
        pred = (ie @ pe.T).argmax(1)
        top1 = pred.eq(y).float().mean().item()
        single = []
        for t in common.PROMPT_TEMPLATES[:1]:
            ids = torch.tensor(tok.encode_batch([t.format(common.class_display_name(c)) for c in classes]))
            single.append((ie @ m.text(ids).T).argmax(1).eq(y).float().mean().item())
        per_class = {common.class_display_name(c): round(pred[y == i].eq(i).float().mean().item(), 4)
                     for i, c in enumerate(classes)}
        # retrieval over all validation captions (5 per image, duplicates kept)
        texts, owner = [], []
        for k, (_, f) in enumerate(val_items):
            for t in caps[f]:
                texts.append(t)
                owner.append(k)
        owner = torch.tensor(owner)
        te = torch.cat([m.text(torch.tensor(tok.encode_batch(texts[i:i + 512]))) for i in range(0, len(texts), 512)])
        sim = te @ ie.T  # [T, I]
        # text -> image: rank of the caption's own image
        own = sim[torch.arange(len(texts)), owner]
        rank_t2i = (sim > own[:, None]).sum(1)
        # image -> text: best rank among the image's own captions
        simT = sim.T  # [I, T]
        is_own = owner[None, :] == torch.arange(len(val_items))[:, None]
        best_own = simT.masked_fill(~is_own, -1e9).max(1).values
        rank_i2t = (simT > best_own[:, None]).sum(1)
        # class-level retrieval (any image of the caption's class), for context
        yc = y[owner]
        same_cls = (y[None, :] == yc[:, None])
        best_cls = sim.masked_fill(~same_cls, -1e9).max(1).values
        rank_cls = (sim > best_cls[:, None]).sum(1)

    def rec(r):
        return {f"R@{k}": round((r < k).float().mean().item(), 4) for k in (1, 5, 10)}

    t2i, i2t = rec(rank_t2i), rec(rank_i2t)
    metrics = {
        "model": "rsgeo-mini",
        "split": {"val_images": len(val_items), "val_captions": len(texts), "file": "train/val_images.txt",
                  "source": "AID scenes of the RSICD training split, 12% per class held out, seed 1234"},
        "zero_shot_top1": round(top1, 4),
        "zero_shot_top1_single_template": round(single[0], 4),
        "zero_shot_templates": common.PROMPT_TEMPLATES,
        "text_to_image": t2i,
        "image_to_text": i2t,
        "mean_recall": round(sum(t2i.values()) / 6 + sum(i2t.values()) / 6, 4),
        "text_to_image_class_level": rec(rank_cls),
        "per_class_top1": per_class,
        "training": {"epochs": ck.get("epochs_done", ck.get("epoch")), "steps": ck.get("step"),
                     "train_minutes": round(ck.get("train_seconds", 0) / 60, 1),
                     "earlier_phases": ck.get("history", []),
                     "total_minutes": round(sum(p["train_minutes"] for p in ck.get("history", []))
                                            + ck.get("train_seconds", 0) / 60, 1),
                     "hardware": f"{os.cpu_count()}-core CPU ({platform.machine()}), torch {torch.__version__}",
                     "config": {k: v for k, v in cfg.items() if k not in ("classes",)}},
    }
    with open(a.out, "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    print(json.dumps({k: metrics[k] for k in ("zero_shot_top1", "zero_shot_top1_single_template", "text_to_image",
                                              "image_to_text", "text_to_image_class_level")}, indent=1))


if __name__ == "__main__":
    main()

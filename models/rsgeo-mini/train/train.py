#!/usr/bin/python3
"""Train rsgeo-mini (AID scenes + RSICD captions) from scratch.

CPU default (2 cores, 80-minute wall-clock budget + ~1 minute of image decoding):
  /usr/bin/python3 models/rsgeo-mini/train/train.py --out /tmp/rsgeo-mini-run
Larger GPU setting:
  python3 models/rsgeo-mini/train/train.py --out /tmp/run --width 64 --size 128 --text-layers 4 --text-dim 256 --epochs 150 --batch 512 --minutes 0

Loss = soft-target CLIP loss between images and captions (same-class pairs get part of the
target mass) + a classification-style loss of images (and captions) against the class-name prompt
embeddings produced by the text tower, with one learnable temperature.
"""
import argparse
import copy
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import data  # noqa: E402
from model import DualEncoder  # noqa: E402
from tokenizer import WordPieceTokenizer  # noqa: E402


def parse():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, help="run directory (checkpoint, log)")
    ap.add_argument("--size", type=int, default=112)
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--embed-dim", type=int, default=256)
    ap.add_argument("--text-layers", type=int, default=2)
    ap.add_argument("--text-dim", type=int, default=192)
    ap.add_argument("--no-channels-last", dest="channels_last", action="store_false",
                    help="keep NCHW tensors (channels-last is ~15%% faster on CPU here)")
    ap.add_argument("--progressive", default="0.35:0.72,0.7:0.86",
                    help="progressive resizing: 'p:f,...' trains at f*size until fraction p of training "
                         "(rounded to a multiple of 16); '' trains at --size throughout")
    ap.add_argument("--ema", type=float, default=0.998, help="weight EMA decay (0 = off); the EMA weights are saved")
    ap.add_argument("--context", type=int, default=32)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--epochs", type=int, default=60, help="max epochs")
    ap.add_argument("--minutes", type=float, default=80.0,
                    help="wall-clock budget; LR schedule follows elapsed time; 0 = schedule by epochs")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--wd", type=float, default=0.05)
    ap.add_argument("--warmup", type=float, default=0.04, help="fraction of training")
    ap.add_argument("--soft", type=float, default=0.4, help="target mass spread over same-class pairs")
    ap.add_argument("--cls-weight", type=float, default=0.5)
    ap.add_argument("--prompt-prob", type=float, default=0.15, help="chance a caption is replaced by a class prompt")
    ap.add_argument("--limit", type=int, default=0, help="smoke test: use only N training images")
    ap.add_argument("--eval-every", type=int, default=5)
    ap.add_argument("--init", default="", help="start from this checkpoint's weights (continuation)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0)
    return ap.parse_args()


def phase_summary(ck):
    """One finished training phase of a checkpoint, as listed in metrics.json."""
    cfg = ck.get("config", {})
    keys = ("init", "minutes", "epochs", "lr", "soft", "progressive", "ema", "seed")
    return {"epochs": ck.get("epochs_done", ck.get("epoch")), "steps": ck.get("step"),
            "train_minutes": round(ck.get("train_seconds", 0) / 60, 1), "args": {k: cfg[k] for k in keys if k in cfg}}


def main():
    a = parse()
    os.makedirs(a.out, exist_ok=True)
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.set_num_threads(a.threads or os.cpu_count() or 2)
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    np.random.seed(a.seed)
    log = open(os.path.join(a.out, "train.log"), "a")

    def P(*x):
        s = " ".join(str(v) for v in x)
        print(s, flush=True)
        log.write(s + "\n")
        log.flush()

    tok = WordPieceTokenizer(common.VOCAB, a.context)
    classes = common.class_folders()
    cnames = [common.class_display_name(c) for c in classes]
    cidx = {c: i for i, c in enumerate(classes)}
    caps = common.read_captions()
    train_items, val_items = common.make_split()
    val_names = set(common.read_val_list())
    assert val_names == {f for _, f in val_items}, "val_images.txt does not match make_split()"
    if a.limit:
        random.Random(0).shuffle(train_items)
        train_items = sorted(train_items[: a.limit])
    t0 = time.time()
    imgs = data.load_all(train_items, tag="train" if not a.limit else f"train_lim")
    P(f"loaded {len(train_items)} train images {tuple(imgs.shape)} in {time.time() - t0:.1f}s; device {dev}")
    labels = torch.tensor([cidx[c] for c, _ in train_items])
    # mean/std from training pixels (rounded; written into the manifest)
    sub = imgs[:: max(1, len(imgs) // 1000)].float() / 255.0
    mean = [round(v, 3) for v in sub.mean(dim=(0, 2, 3)).tolist()]
    std = [round(v, 3) for v in sub.std(dim=(0, 2, 3)).tolist()]
    P("mean", mean, "std", std)

    # pre-tokenise every caption and every (class, template) prompt
    cap_ids = [torch.tensor(tok.encode_batch(caps[f])) for _, f in train_items]
    prompt_ids = torch.tensor([[tok.encode(t.format(n)) for t in common.TRAIN_TEMPLATES] for n in cnames])  # [C,T,L]
    eval_prompt_ids = torch.tensor([[tok.encode(t.format(n)) for t in common.PROMPT_TEMPLATES] for n in cnames])
    # validation (inference preprocessing) for periodic zero-shot checks
    val_x = data.load_eval(val_items, a.size, tag="val")
    val_y = torch.tensor([cidx[c] for c, _ in val_items])

    model = DualEncoder(len(tok.vocab), a.width, context_length=a.context, embed_dim=a.embed_dim,
                        text_d=a.text_dim, text_layers=a.text_layers).to(dev)
    mf = torch.channels_last if a.channels_last else torch.contiguous_format
    model.image.to(memory_format=mf)
    history = []  # earlier training phases this run continues (from --init), for metrics.json
    if a.init:
        ck0 = torch.load(a.init, map_location=dev)
        model.load_state_dict(ck0["model"])
        history = ck0.get("history") or [phase_summary(ck0)]
        P(f"initialised from {a.init}")
    # exponential moving average of every weight and BatchNorm statistic; evaluated and saved
    ema = copy.deepcopy(model).eval() if a.ema > 0 else None
    if ema is not None:
        for p_ in ema.parameters():
            p_.requires_grad_(False)

    def update_ema(step):
        d = min(a.ema, (1.0 + step) / (10.0 + step))
        with torch.no_grad():
            for e, m in zip(ema.state_dict().values(), model.state_dict().values()):
                if e.dtype.is_floating_point:
                    e.mul_(d).add_(m, alpha=1.0 - d)
                else:
                    e.copy_(m)

    stages = sorted((float(p_), float(f)) for p_, f in (x.split(":") for x in a.progressive.split(",") if x))

    def size_at(p):
        for until, f in stages:
            if p < until:
                return max(32, int(round(a.size * f / 16.0)) * 16)
        return a.size

    nparam = sum(p.numel() for p in model.parameters())
    P(f"params {nparam / 1e6:.2f}M (image {sum(p.numel() for p in model.image.parameters()) / 1e6:.2f}M)")
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (no_decay if p.ndim < 2 or n.endswith("pos") or n == "logit_scale" else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.wd}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.98), eps=1e-6)
    steps_per_epoch = len(train_items) // a.batch if len(train_items) >= a.batch else 1
    B = min(a.batch, len(train_items))
    total_steps = steps_per_epoch * a.epochs
    budget = a.minutes * 60.0
    cfg = vars(a).copy()
    cfg.update(mean=mean, std=std, vocab_size=len(tok.vocab), classes=classes)

    def progress(step):
        p = step / total_steps
        if budget > 0:
            p = max(p, (time.time() - t_train) / budget)
        return min(p, 1.0)

    def lr_at(p):
        if p < a.warmup:
            return a.lr * p / a.warmup
        q = (p - a.warmup) / (1 - a.warmup)
        return a.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * q)))

    def zero_shot(net=None):
        net = net or model
        was = net.training
        net.eval()
        with torch.no_grad():
            te = net.text(eval_prompt_ids.view(-1, a.context).to(dev)).view(len(classes), -1, a.embed_dim)
            te = F.normalize(te.mean(1), dim=-1)
            ie = torch.cat([net.image(data.normalize(val_x[i:i + 256].to(dev), mean, std)
                                      .contiguous(memory_format=mf))
                            for i in range(0, len(val_x), 256)])
            acc = (ie @ te.T).argmax(1).cpu().eq(val_y).float().mean().item()
        net.train(was)
        return acc

    step = 0
    t_train = time.time()
    done = False
    gen = torch.Generator(device="cpu")
    gen.manual_seed(a.seed)
    for epoch in range(a.epochs):
        perm = torch.randperm(len(train_items), generator=gen)
        stats = []
        for bi in range(steps_per_epoch):
            p = progress(step)
            if p >= 1.0:
                done = True
                break
            lr = lr_at(p)
            for g in opt.param_groups:
                g["lr"] = lr
            idx = perm[bi * B:(bi + 1) * B]
            y = labels[idx].to(dev)
            # one caption per image (or a class prompt)
            txt = []
            for j, i in enumerate(idx.tolist()):
                if random.random() < a.prompt_prob:
                    txt.append(prompt_ids[labels[i], random.randrange(prompt_ids.shape[1])])
                else:
                    ci = cap_ids[i]
                    txt.append(ci[random.randrange(len(ci))])
            txt = torch.stack(txt).to(dev)
            cls_txt = prompt_ids[torch.arange(len(classes)), torch.randint(0, prompt_ids.shape[1], (len(classes),))].to(dev)
            size = size_at(p)
            x = data.augment(imgs[idx].to(dev, non_blocking=True), size, mean, std)
            x = x.contiguous(memory_format=mf)
            ie = model.image(x)
            tt = torch.cat([txt, cls_txt])
            tt = tt[:, : int((tt != 0).sum(1).max())]  # trim common padding (mask makes this exact)
            te_all = model.text(tt)
            te, ce = te_all[: len(idx)], te_all[len(idx):]
            scale = model.logit_scale.exp().clamp(max=100.0)
            logits = scale * ie @ te.T
            same = (y[:, None] == y[None, :]).float()
            tgt = (1 - a.soft) * torch.eye(len(idx), device=dev) + a.soft * same / same.sum(1, keepdim=True)
            l_clip = 0.5 * (-(tgt * F.log_softmax(logits, 1)).sum(1).mean()
                            - (tgt * F.log_softmax(logits.T, 1)).sum(1).mean())
            l_cls = F.cross_entropy(scale * ie @ ce.T, y) + 0.5 * F.cross_entropy(scale * te @ ce.T, y)
            loss = l_clip + a.cls_weight * l_cls
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            if ema is not None:
                update_ema(step)
            with torch.no_grad():
                acc = (logits.argmax(1) == torch.arange(len(idx), device=dev)).float().mean().item()
            stats.append((loss.item(), l_clip.item(), l_cls.item(), acc))
            step += 1
        if stats:
            s = np.mean(stats, 0)
            el = time.time() - t_train
            msg = (f"epoch {epoch + 1} step {step} lr {lr:.2e} loss {s[0]:.3f} clip {s[1]:.3f} cls {s[2]:.3f} "
                   f"batch-acc {s[3]:.3f} scale {model.logit_scale.exp().item():.1f} size {size} "
                   f"elapsed {el / 60:.1f}m")
            if (epoch + 1) % a.eval_every == 0 or done or epoch + 1 == a.epochs:
                msg += f" val-zero-shot {zero_shot():.3f}"
                if ema is not None:
                    msg += f" ema {zero_shot(ema):.3f}"
            P(msg)
            # the EMA weights are the ones exported (and the ones a continuation with --init starts from)
            torch.save({"model": (ema or model).state_dict(), "config": cfg, "history": history,
                        "epoch": epoch + 1, "step": step, "train_seconds": time.time() - t_train},
                       os.path.join(a.out, "checkpoint.pt"))
        if done:
            break
    P(f"finished: {epoch + 1} epochs, {step} steps, {(time.time() - t_train) / 60:.1f} min training")
    ck = torch.load(os.path.join(a.out, "checkpoint.pt"))
    ck["train_seconds"] = time.time() - t_train
    ck["epochs_done"] = epoch + 1
    torch.save(ck, os.path.join(a.out, "checkpoint.pt"))


if __name__ == "__main__":
    main()

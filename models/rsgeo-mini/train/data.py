"""Image loading / caching and GPU-or-CPU batched augmentation for overhead imagery."""
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

import common

CACHE_DIR = os.environ.get("RSGEO_CACHE", "/tmp/rsgeo-mini-cache")


def load_rgb(path):
    with Image.open(path) as im:
        return im.convert("RGB")


def preprocess_pil(img, size):
    """Reference inference preprocessing: squash-resize to size x size (PIL bilinear), [0,1] floats,
    CHW. Normalisation is applied separately."""
    img = img.resize((size, size), Image.BILINEAR)
    return torch.from_numpy(np.asarray(img, dtype=np.float32).copy() / 255.0).permute(2, 0, 1)


def load_all(items, native=150, tag="all"):
    """Decode every (folder, file) into one uint8 tensor [N,3,native,native] (cached in CACHE_DIR)."""
    os.makedirs(CACHE_DIR, exist_ok=True)
    key = f"{tag}_{len(items)}_{native}.npy"
    p = os.path.join(CACHE_DIR, key)
    if os.path.exists(p):
        arr = np.load(p)
        if arr.shape[0] == len(items):
            return torch.from_numpy(arr)
    arr = np.empty((len(items), 3, native, native), dtype=np.uint8)
    for i, (c, f) in enumerate(items):
        im = load_rgb(os.path.join(common.AID_DIR, c, f))
        if im.size != (native, native):
            im = im.resize((native, native), Image.BILINEAR)
        arr[i] = np.asarray(im, dtype=np.uint8).transpose(2, 0, 1)
    np.save(p, arr)
    return torch.from_numpy(arr)


def load_eval(items, size, tag="val"):
    """Images preprocessed exactly as at inference time (squash, PIL bilinear), [N,3,size,size] in [0,1]."""
    os.makedirs(CACHE_DIR, exist_ok=True)
    p = os.path.join(CACHE_DIR, f"eval_{tag}_{len(items)}_{size}.npy")
    if os.path.exists(p):
        return torch.from_numpy(np.load(p))
    out = torch.stack([preprocess_pil(load_rgb(os.path.join(common.AID_DIR, c, f)), size) for c, f in items])
    np.save(p, out.numpy())
    return out


def augment(u8, size, mean, std, gen=None, min_scale=0.4, max_scale=1.15):
    """Batched augmentation on a uint8 batch [B,3,H,W] (any device):
    random 90-degree rotation, horizontal flip, random scale crop (zoom in to 40% of the side,
    zoom out to 115% with reflection padding), mild aspect jitter and small extra rotation,
    colour jitter (brightness, contrast, saturation), occasional grayscale. Returns normalised
    float [B,3,size,size]."""
    dev = u8.device
    B = u8.shape[0]
    x = u8.float() / 255.0
    r = lambda *s: torch.rand(*s, device=dev, generator=gen)
    k = torch.randint(0, 4, (B,), device=dev, generator=gen).float()
    ang = k * (math.pi / 2) + (r(B) - 0.5) * (math.pi / 9) * (r(B) < 0.3).float()
    flip = torch.where(r(B) < 0.5, -1.0, 1.0).to(dev)
    f = min_scale + (max_scale - min_scale) * r(B)
    asp = torch.exp((r(B) - 0.5) * 0.4)
    fx, fy = f * asp.sqrt(), f / asp.sqrt()
    mx, my = (1 - fx).clamp(min=0), (1 - fy).clamp(min=0)
    tx, ty = (r(B) * 2 - 1) * mx, (r(B) * 2 - 1) * my
    c, s = torch.cos(ang), torch.sin(ang)
    theta = torch.stack([
        torch.stack([c * fx * flip, -s * fy, tx], 1),
        torch.stack([s * fx * flip, c * fy, ty], 1)], 1)
    grid = F.affine_grid(theta, (B, 3, size, size), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    # colour jitter
    bri = 0.75 + 0.5 * r(B, 1, 1, 1)
    con = 0.75 + 0.5 * r(B, 1, 1, 1)
    sat = 0.7 + 0.6 * r(B, 1, 1, 1)
    x = x * bri
    m = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - m) * con + m
    g = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
    gray = (r(B, 1, 1, 1) < 0.05).float()
    sat = sat * (1 - gray)
    x = (x - g) * sat + g
    x = x.clamp(0, 1)
    return normalize(x, mean, std)


def normalize(x, mean, std):
    mean = torch.tensor(mean, device=x.device).view(1, 3, 1, 1)
    std = torch.tensor(std, device=x.device).view(1, 3, 1, 1)
    return (x - mean) / std

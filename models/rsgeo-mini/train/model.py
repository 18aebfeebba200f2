"""rsgeo-mini dual encoder: a small ResNet image tower and a small transformer text tower.

Both towers L2-normalise their output inside the graph (so exported embeddings are unit vectors).
Written with plain ops only so that torch 1.13 exports them cleanly to ONNX.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        nn.init.zeros_(self.b2.weight)  # zero-init residual branch
        self.sc = None
        if stride != 1 or cin != cout:
            self.sc = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return F.relu(y + (x if self.sc is None else self.sc(x)))


class ImageTower(nn.Module):
    def __init__(self, width=48, blocks=(2, 2, 2, 2), embed_dim=256):
        super().__init__()
        w = width
        self.stem = nn.Sequential(
            nn.Conv2d(3, w // 2, 3, 2, 1, bias=False), nn.BatchNorm2d(w // 2), nn.ReLU(inplace=True),
            nn.Conv2d(w // 2, w, 3, 1, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2, 1),
        )
        layers = []
        cin = w
        for i, n in enumerate(blocks):
            cout = w * (2 ** i)
            for j in range(n):
                layers.append(BasicBlock(cin, cout, 2 if (j == 0 and i > 0) else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(cin, cin), nn.GELU(), nn.Linear(cin, embed_dim))
        self.out_dim = cin

    def forward(self, pixel_values):
        x = self.layers(self.stem(pixel_values))
        x = x.mean(dim=(2, 3))
        return F.normalize(self.head(x), dim=-1)


class Block(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Linear(ff, d))
        self.h = heads
        self.dh = d // heads

    def forward(self, x, bias):
        # x: [B, L, d]; bias: [B, 1, 1, L] additive mask
        B, L, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        q = q.reshape(B, L, self.h, self.dh).transpose(1, 2)
        k = k.reshape(B, L, self.h, self.dh).transpose(1, 2)
        v = v.reshape(B, L, self.h, self.dh).transpose(1, 2)
        att = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.dh)) + bias
        att = torch.softmax(att, dim=-1)
        y = torch.matmul(att, v).transpose(1, 2).reshape(B, L, d)
        x = x + self.proj(y)
        return x + self.ff(self.ln2(x))


class TextTower(nn.Module):
    """input_ids int64 [B, L] (pad id 0) -> unit-norm embeddings. The padding mask is derived
    from input_ids inside the graph, so the ONNX graph has a single input."""

    def __init__(self, vocab_size, context_length=32, d=256, layers=3, heads=4, ff=768, embed_dim=256):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, d)
        self.pos = nn.Parameter(torch.zeros(1, context_length, d))
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos, std=0.01)
        self.blocks = nn.ModuleList([Block(d, heads, ff) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, embed_dim)
        self.context_length = context_length

    def forward(self, input_ids):
        L = input_ids.shape[1]
        mask = (input_ids != 0).to(torch.float32)  # [B, L]
        x = self.tok(input_ids) + self.pos[:, :L]
        bias = ((1.0 - mask) * -10000.0).unsqueeze(1).unsqueeze(1)
        for b in self.blocks:
            x = b(x, bias)
        x = self.ln(x)
        m = mask.unsqueeze(-1)
        x = (x * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)
        return F.normalize(self.head(x), dim=-1)


class DualEncoder(nn.Module):
    def __init__(self, vocab_size, width=48, blocks=(2, 2, 2, 2), context_length=32, embed_dim=256,
                 text_d=256, text_layers=3):
        super().__init__()
        self.image = ImageTower(width, blocks, embed_dim)
        self.text = TextTower(vocab_size, context_length, text_d, text_layers, 4, 3 * text_d, embed_dim)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

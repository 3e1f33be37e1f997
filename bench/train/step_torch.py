#!/usr/bin/env python3
"""PyTorch reference for bench/train/step.bench.ts: the same U-Net, input, batch, loss and optimizer.

Usage: step_torch.py '{"batch":4,"size":128,"base":16,"depth":3,"classes":12,"threads":2,"steps":5,"warmup":2}'
Optional "device": "cpu" (default) or "cuda" (every tensor on the GPU; each step still reads its loss
with .item(), which waits for the GPU, so the times are whole steps).
Prints one JSON line: {"ms_per_step": median over the timed steps, "torch": version, "threads": n,
"device": the device's name}.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn_relu(cin, cout):
    # Matches tf.layers: conv (no bias) -> BatchNormalization(eps=1e-3, momentum=0.99) -> ReLU
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.ReLU()]


def double(cin, cout):
    return nn.Sequential(*conv_bn_relu(cin, cout), *conv_bn_relu(cout, cout))


class UNet(nn.Module):
    def __init__(self, classes, base, depth, dropout=0.1):
        super().__init__()
        self.enc = nn.ModuleList()
        cin = 3
        for l in range(depth):
            self.enc.append(double(cin, base * 2**l))
            cin = base * 2**l
        self.mid = double(cin, base * 2**depth)
        self.drop = nn.Dropout(dropout)
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        cin = base * 2**depth
        for l in reversed(range(depth)):
            self.up.append(nn.ConvTranspose2d(cin, base * 2**l, 2, stride=2))
            self.dec.append(double(2 * base * 2**l, base * 2**l))
            cin = base * 2**l
        self.head = nn.Conv2d(base, classes, 1)

    def forward(self, x):
        skips = []
        for e in self.enc:
            x = e(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.drop(self.mid(x))
        for up, dec, skip in zip(self.up, self.dec, reversed(skips)):
            x = dec(torch.cat([up(x), skip], 1))
        return self.head(x)


def loss_fn(logits, labels, class_weights):
    # sumPerImageMeanOverBatch with the ground-truth class weight mask; 255 = unlabeled (weight 0).
    valid = labels != 255
    safe = torch.where(valid, labels, torch.zeros_like(labels))
    w = class_weights[safe] * valid
    ce = -torch.gather(F.log_softmax(logits, 1), 1, safe.unsqueeze(1)).squeeze(1)
    return (w * ce).sum() / logits.shape[0]


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(0)
    dev = torch.device(cfg.get("device", "cpu"))
    if dev.type == "cuda" and not torch.cuda.is_available():
        sys.exit("CUDA requested but torch.cuda.is_available() is False")
    model = UNet(cfg["classes"], cfg["base"], cfg["depth"]).to(dev)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    b, s, c = cfg["batch"], cfg["size"], cfg["classes"]
    x = torch.rand(b, 3, s, s) * 2 - 1
    y = torch.randint(0, c, (b, s, s))
    y[:, : s // 4] = 255
    cw = torch.rand(c) + 0.5
    x, y, cw = x.to(dev), y.to(dev), cw.to(dev)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y, cw)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(cfg["warmup"]):
        step()
    times = []
    for _ in range(cfg["steps"]):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    ms = statistics.median(times)
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"
    print(json.dumps({"ms_per_step": ms, "torch": torch.__version__, "threads": torch.get_num_threads(), "device": name}))


if __name__ == "__main__":
    main()

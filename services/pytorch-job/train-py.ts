/**
 * The job's train.py, written verbatim into the folder (String.raw: no escapes; the script avoids
 * backticks and dollar-brace so it needs none). It mirrors trainer/: model.ts (U-Net, names and layouts),
 * batch-norm.ts (biased batch variance, Keras momentum), loss.ts (class-weighted cross-entropy, 255 and
 * weight-0 pixels add nothing), optimizer.ts (Adam with TF.js's epsilon, decoupled decay of the kernels)
 * and core/training/schedule.ts (warm-up, hold or cosine, floor).
 */
export const TRAIN_PY = String.raw`#!/usr/bin/env python3
"""Maskwright PyTorch training job: see README.md in this folder.

Run:  torchrun --nproc_per_node N train.py [--out OUT] [--epochs E] [--max-steps S]
Writes OUT/weights.bin + OUT/model.json (TF.js layer names and layouts) and OUT/epochs.json, which
'maskwright import-model PROJECT OUT' brings back as a checkpoint of a run trained elsewhere.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
UNLABELED = 255


# ---------------------------------------------------------------- data

def load_npy(name):
    return np.load(os.path.join(HERE, "arrays", name))


# ---------------------------------------------------------------- model (trainer/model.ts)

class KerasBatchNorm(nn.Module):
    """Batch norm as TF.js trains it: batch statistics with the biased variance, and moving statistics
    updated as moving -= (moving - batch) * (1 - momentum), the batch variance biased too (PyTorch's own
    layer keeps the unbiased one)."""

    def __init__(self, channels, eps=1e-3, momentum=0.9):
        super().__init__()
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))

    def forward(self, x):
        if not self.training:
            return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, False, 0.0, self.eps)
        xf = x.float()
        mean = xf.mean(dim=(0, 2, 3))
        var = ((xf - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))
        with torch.no_grad():
            decay = 1 - self.momentum
            self.running_mean.sub_((self.running_mean - mean) * decay)
            self.running_var.sub_((self.running_var - var) * decay)
        y = (xf - mean[None, :, None, None]) * (self.weight * torch.rsqrt(var + self.eps))[None, :, None, None]
        return (y + self.bias[None, :, None, None]).to(x.dtype)


class ConvBnRelu(nn.Module):
    def __init__(self, cin, cout, bn, stride=1):
        super().__init__()
        k = stride if stride > 1 else 3
        # 'same' for the 3x3 convolutions (one pixel each side, as TF pads an odd kernel at stride 1);
        # the stem's stride x stride convolution is 'valid'.
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=0 if stride > 1 else 1, bias=not bn)
        self.bn = KerasBatchNorm(cout) if bn else None

    def forward(self, x):
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x)
        return F.relu(x)


class UNet(nn.Module):
    """The U-Net of trainer/model.ts (logits head; the reconstruction head is not trained here)."""

    def __init__(self, num_classes, base=16, depth=3, stem=1, dropout=0.1, bn=True):
        super().__init__()
        self.depth, self.stem = depth, stem
        self.layers = nn.ModuleDict()
        L = self.layers
        cin = 3
        if stem > 1:
            L["stem"] = ConvBnRelu(3, base, bn, stride=stem)
            cin = base
        for l in range(depth):
            f = base * 2 ** l
            L["enc%da" % l] = ConvBnRelu(cin, f, bn)
            L["enc%db" % l] = ConvBnRelu(f, f, bn)
            cin = f
        f = base * 2 ** depth
        L["mida"] = ConvBnRelu(cin, f, bn)
        L["midb"] = ConvBnRelu(f, f, bn)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else None
        cin = f
        for l in reversed(range(depth)):
            f = base * 2 ** l
            L["up%d" % l] = nn.ConvTranspose2d(cin, f, 2, stride=2)
            L["dec%da" % l] = ConvBnRelu(2 * f, f, bn)
            L["dec%db" % l] = ConvBnRelu(f, f, bn)
            cin = f
        L["logits"] = nn.ConvTranspose2d(base, num_classes, stem, stride=stem) if stem > 1 else nn.Conv2d(base, num_classes, 1)

    def forward(self, x):
        L = self.layers
        if self.stem > 1:
            x = L["stem"](x)
        skips = []
        for l in range(self.depth):
            x = L["enc%db" % l](L["enc%da" % l](x))
            skips.append(x)
            x = F.max_pool2d(x, 2, 2)
        x = L["midb"](L["mida"](x))
        if self.dropout is not None:
            x = self.dropout(x)
        for l in reversed(range(self.depth)):
            x = torch.cat([L["up%d" % l](x), skips[l]], dim=1)
            x = L["dec%db" % l](L["dec%da" % l](x))
        return L["logits"](x)


def tf_weight_names(model):
    """(TF.js weight name, tensor, kind) for every weight and moving statistic of the model."""
    out = []
    for name, m in model.layers.items():
        if isinstance(m, ConvBnRelu):
            out.append((name + "_conv/kernel", m.conv.weight, "kernel"))
            if m.conv.bias is not None:
                out.append((name + "_conv/bias", m.conv.bias, "vector"))
            if m.bn is not None:
                out.append((name + "_bn/gamma", m.bn.weight, "vector"))
                out.append((name + "_bn/beta", m.bn.bias, "vector"))
                out.append((name + "_bn/moving_mean", m.bn.running_mean, "vector"))
                out.append((name + "_bn/moving_variance", m.bn.running_var, "vector"))
        else:
            out.append((name + "/kernel", m.weight, "kernel"))
            out.append((name + "/bias", m.bias, "vector"))
    return out


def to_tf(t, kind):
    # Conv2d [out, in, kh, kw] -> TF [kh, kw, in, out]; ConvTranspose2d [in, out, kh, kw] -> TF
    # [kh, kw, out, in]: the same permutation both ways.
    t = t.detach().float().cpu()
    return t.permute(2, 3, 1, 0).contiguous() if kind == "kernel" else t.contiguous()


def from_tf(a, kind):
    t = torch.from_numpy(np.ascontiguousarray(a))
    return t.permute(3, 2, 0, 1).contiguous() if kind == "kernel" else t


def read_tf_weights(path_json, path_bin):
    specs = json.load(open(path_json))["weightSpecs"]
    data = open(path_bin, "rb").read()
    out, offset = {}, 0
    for s in specs:
        n = int(np.prod(s["shape"])) if s["shape"] else 1
        out[s["name"]] = np.frombuffer(data, dtype="<f4", count=n, offset=offset).reshape(s["shape"])
        offset += 4 * n
    return out


def load_tf_weights(model, weights):
    with torch.no_grad():
        for name, t, kind in tf_weight_names(model):
            if name not in weights:
                raise SystemExit("initial weights: %s is missing" % name)
            v = from_tf(weights[name], kind)
            if tuple(v.shape) != tuple(t.shape):
                raise SystemExit("initial weights: %s has shape %s, the model wants %s" % (name, tuple(v.shape), tuple(t.shape)))
            t.copy_(v)


def init_like_tfjs(model, seed):
    """He-normal (truncated at 2 sigma) kernels and zero biases, as tf.initializers.heNormal."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t, kind in tf_weight_names(model):
            if kind != "kernel":
                continue
            # TF.js's fan-in: kh * kw * (the kernel's third axis), which is shape[1] here for both kinds.
            fan_in = t.shape[1] * t.shape[2] * t.shape[3]
            std = math.sqrt(2.0 / fan_in)
            v = torch.randn(t.shape, generator=g) * std
            t.copy_(v.clamp(-2 * std, 2 * std))


def save_tf_weights(model, out_dir, extra):
    specs, chunks = [], []
    for name, t, kind in tf_weight_names(model):
        a = to_tf(t, kind).numpy().astype("<f4")
        specs.append({"name": name, "shape": list(a.shape), "dtype": "float32"})
        chunks.append(a.tobytes())
    open(os.path.join(out_dir, "weights.bin"), "wb").write(b"".join(chunks))
    meta = dict(extra)
    meta["weightSpecs"] = specs
    json.dump(meta, open(os.path.join(out_dir, "model.json"), "w"), indent=1)


# ---------------------------------------------------------------- loss (trainer/loss.ts)

def weighted_ce(logits, labels, class_weights, sample_weights, reduction):
    """Returns (sum of the weighted cross-entropy, sum of the pixel weights). A pixel weighs the weight of
    its ground-truth class times its image's weight; unlabeled (255) pixels weigh 0, so unlabeled and
    weight-0 pixels add neither error nor gradient."""
    logits = logits.float()
    C = logits.shape[1]
    valid = labels < C
    safe = torch.where(valid, labels, torch.zeros_like(labels))
    w = class_weights[safe] * valid.float() * sample_weights[:, None, None]
    logp = F.log_softmax(logits, dim=1).gather(1, safe[:, None]).squeeze(1)
    return -(w * logp).sum(), w.sum()


def reduce_loss(total, weight_sum, batch, reduction):
    if reduction == "sumPerImageMeanOverBatch":
        return total / batch
    return total / weight_sum if weight_sum > 0 else total


# ---------------------------------------------------------------- schedule (core/training/schedule.ts)

WARMUP_FRACTION, WARMUP_MIN_STEPS, DECAY_FRACTION, FLOOR_FRACTION = 0.03, 5, 0.25, 0.01


def learning_rate_at(schedule, base, fraction, step):
    if schedule == "constant":
        return base
    f = min(1.0, max(0.0, fraction))
    warm = min(1.0, f / WARMUP_FRACTION, (step + 1) / WARMUP_MIN_STEPS)
    start = 1 - DECAY_FRACTION if schedule == "hold-decay" else WARMUP_FRACTION
    t = min(1.0, max(0.0, (f - start) / (1 - start)))
    return base * warm * (FLOOR_FRACTION + (1 - FLOOR_FRACTION) * 0.5 * (1 + math.cos(math.pi * t)))


def budget_fraction(step, total_steps, elapsed_ms, budget_ms):
    by_steps = (step + 1) / total_steps if total_steps else 0
    by_time = elapsed_ms / budget_ms if budget_ms else 0
    return min(1.0, max(by_steps, by_time))


# ---------------------------------------------------------------- metrics

def metrics_from_confusion(conf):
    C = conf.shape[0]
    tp = np.diag(conf).astype(np.float64)
    gt = conf.sum(1).astype(np.float64)
    pred = conf.sum(0).astype(np.float64)
    union = gt + pred - tp
    iou = [float(tp[c] / union[c]) if union[c] > 0 else None for c in range(C)]
    acc = [float(tp[c] / gt[c]) if gt[c] > 0 else None for c in range(C)]
    present = [v for v in iou if v is not None]
    present_acc = [v for v in acc if v is not None]
    total = float(conf.sum())
    return {
        "pixelAccuracy": float(tp.sum() / total) if total else None,
        "meanClassAccuracy": float(np.mean(present_acc)) if present_acc else None,
        "meanIoU": float(np.mean(present)) if present else None,
        "classAccuracy": acc,
        "iou": iou,
        "pixels": total,
        "confusion": [int(v) for v in conf.reshape(-1)],
    }


def to_input(images_u8, device):
    # NHWC uint8 -> NCHW float in [-1, 1]: x / 127.5 - 1 (trainer/model.ts normalizeImages).
    x = torch.from_numpy(images_u8).to(device).permute(0, 3, 1, 2).float()
    return x / 127.5 - 1


# ---------------------------------------------------------------- training

def main():
    job = json.load(open(os.path.join(HERE, "job.json")))
    s = job["settings"]
    p = argparse.ArgumentParser(description="Maskwright U-Net training (see README.md)")
    p.add_argument("--out", default=os.path.join(HERE, "output"))
    p.add_argument("--epochs", type=int, default=s.get("epochs"))
    p.add_argument("--minutes", type=float, default=s.get("minutes"))
    p.add_argument("--batch-size", type=int, default=s["batchSize"], help="per process")
    p.add_argument("--lr", type=float, default=s["learningRate"])
    p.add_argument("--max-steps", type=int, default=None, help="stop after this many steps (a smoke test)")
    p.add_argument("--no-init", action="store_true", help="ignore init_weights.bin: start from fresh weights")
    p.add_argument("--log-steps", default=None, help="each process writes each step's batch, loss and rate to LOG.STEP.RANK.json")
    p.add_argument("--cpu", action="store_true", help="train on the CPU even where CUDA is present")
    p.add_argument("--time-steps", default=None, help="write the median step time (ms, after 3 warm-up steps) here")
    a = p.parse_args()

    distributed = "WORLD_SIZE" in os.environ
    cuda = torch.cuda.is_available() and not a.cpu
    if distributed:
        dist.init_process_group("nccl" if cuda else "gloo")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    local = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device("cuda", local) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    torch.manual_seed(s["seed"] + rank)

    cfg = job["model"]
    model = UNet(len(job["classes"]), cfg["baseFilters"], cfg["depth"], cfg["stem"], cfg["dropout"], cfg["batchNorm"])
    init = os.path.join(HERE, "init_weights.json")
    if os.path.exists(init) and not a.no_init:
        load_tf_weights(model, read_tf_weights(init, os.path.join(HERE, "init_weights.bin")))
    else:
        init_like_tfjs(model, s["seed"])
    model.to(device)
    net = nn.parallel.DistributedDataParallel(model, device_ids=[local] if cuda else None) if distributed else model

    train_x, train_y, train_w = load_npy("train_images.npy"), load_npy("train_labels.npy"), load_npy("train_weights.npy")
    val_x, val_y = load_npy("val_images.npy"), load_npy("val_labels.npy")
    # Without validation images the metrics are measured on the training images, as Maskwright does.
    metrics_on = "val" if len(val_x) else "train"
    if not len(val_x):
        val_x, val_y = train_x, train_y
    names = job["split"]["train"]
    class_weights = torch.tensor(job["classWeights"], dtype=torch.float32, device=device)
    if s.get("augment"):
        print("note: random scale/crop and photometric augmentation are not in this job; flips only", file=sys.stderr)

    # Adam as tf.train.adam (epsilon 1e-7); decoupled decay of the convolution kernels only.
    kernels = [t for n, t, k in tf_weight_names(model) if k == "kernel"]
    optimizer = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-7)
    scaler = torch.cuda.amp.GradScaler(enabled=cuda)
    n = len(train_x)
    steps_per_epoch = max(1, math.ceil(n / (a.batch_size * world)))
    total_steps = a.epochs * steps_per_epoch if a.epochs else None
    budget_ms = a.minutes * 60000 if a.minutes else None
    started = time.time()
    gen = torch.Generator().manual_seed(s["seed"])
    step_count, epochs, step_ms = 0, [], []
    if rank == 0:
        os.makedirs(a.out, exist_ok=True)
    epoch = 0
    done = False
    while not done:
        t0 = time.time()
        order = torch.randperm(n, generator=gen).tolist()
        loss_sum, loss_steps = 0.0, 0
        net.train()
        for step in range(steps_per_epoch):
            chunk = order[step * a.batch_size * world:(step + 1) * a.batch_size * world]
            step_started = time.time()
            mine = chunk[rank::world] or chunk[:1]
            flips = (torch.rand(len(mine), generator=gen) < 0.5).tolist() if s["flips"] else [False] * len(mine)
            xs = train_x[mine].copy()
            ys = train_y[mine].copy()
            for i, f in enumerate(flips):
                if f:
                    xs[i] = xs[i][:, ::-1]
                    ys[i] = ys[i][:, ::-1]
            x = to_input(xs, device)
            y = torch.from_numpy(ys.astype(np.int64)).to(device)
            sw = torch.from_numpy(train_w[mine].astype(np.float32)).to(device)
            lr = learning_rate_at(s["schedule"], a.lr, budget_fraction(step_count, total_steps, (time.time() - started) * 1000, budget_ms), step_count)
            for g in optimizer.param_groups:
                g["lr"] = lr
            with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=cuda):
                logits = net(x)
            total, wsum = weighted_ce(logits, y, class_weights, sw, s["reduction"])
            loss = reduce_loss(total, wsum, len(mine), s["reduction"])
            if not torch.isfinite(loss):
                raise SystemExit("the loss became %s at epoch %d, step %d: try a lower learning rate" % (loss.item(), epoch + 1, step + 1))
            if a.log_steps:
                json.dump({"rank": rank, "step": step_count, "names": [names[i] for i in mine], "flips": flips,
                           "loss": loss.item(), "learningRate": lr},
                          open("%s.%d.%d.json" % (a.log_steps, step_count, rank), "w"))
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            if s.get("weightDecay", 0) > 0:
                with torch.no_grad():
                    for k in kernels:
                        k.mul_(1 - lr * s["weightDecay"])
            scaler.step(optimizer)
            scaler.update()
            loss_sum += loss.item()  # waits for the whole step: the update was queued before on the same stream
            step_ms.append((time.time() - step_started) * 1000)
            loss_steps += 1
            step_count += 1
            if rank == 0:
                print("epoch %d step %d/%d loss %.5f lr %.2e" % (epoch + 1, step + 1, steps_per_epoch, loss.item(), lr), flush=True)
            if a.max_steps and step_count >= a.max_steps:
                done = True
                break
            if budget_ms and (time.time() - started) * 1000 > budget_ms:
                done = True
                break
        # Batch-norm moving statistics differ per process: keep rank 0's (what is saved).
        if distributed:
            for b in model.buffers():
                dist.broadcast(b, 0)
        if rank == 0:
            epochs.append(evaluate(model, val_x, val_y, class_weights, s, a.batch_size, device, epoch,
                                   loss_sum / max(1, loss_steps), time.time() - t0, metrics_on))
        epoch += 1
        if a.epochs and epoch >= a.epochs:
            done = True
    if rank == 0:
        extra = {"format": "maskwright-pytorch-weights-1", "job": job["id"], "model": cfg, "classes": job["classes"],
                 "inputSize": job["inputSize"], "normalization": job["normalization"], "classWeights": job["classWeights"],
                 "settings": s, "trainedWith": "PyTorch %s, %d process(es) on %s%s" % (torch.__version__, world, "cuda" if cuda else "cpu", " (mixed precision)" if cuda else ""),
                 "steps": step_count}
        save_tf_weights(model, a.out, extra)
        json.dump(epochs, open(os.path.join(a.out, "epochs.json"), "w"), indent=1)
        # What this model predicts for the first training image (eval mode): lets a test compare runtimes.
        model.eval()
        with torch.no_grad():
            z = model(to_input(train_x[:1], device)).float().permute(0, 2, 3, 1).cpu().numpy()
        json.dump({"name": names[0], "logits": [float(v) for v in z.reshape(-1)]}, open(os.path.join(a.out, "prediction_check.json"), "w"))
        if a.time_steps:
            timed = step_ms[3:] or step_ms
            json.dump({"msPerStep": float(np.median(timed)), "steps": len(timed), "processes": world,
                       "device": torch.cuda.get_device_name(device) if cuda else "cpu", "torch": torch.__version__,
                       "batchPerProcess": a.batch_size, "size": job["inputSize"], "mixedPrecision": cuda},
                      open(a.time_steps, "w"))
        print("saved %s" % a.out, flush=True)
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


def evaluate(model, xs, ys, class_weights, s, batch, device, epoch, train_loss, seconds, metrics_on):
    C = len(class_weights)
    conf = np.zeros((C, C), dtype=np.int64)
    losses = []
    model.eval()
    with torch.no_grad():
        for i in range(0, len(xs), batch):
            x = to_input(xs[i:i + batch], device)
            y = torch.from_numpy(ys[i:i + batch].astype(np.int64)).to(device)
            z = model(x).float()
            total, wsum = weighted_ce(z, y, class_weights, torch.ones(len(x), device=device), s["reduction"])
            losses.append(reduce_loss(total, wsum, len(x), s["reduction"]).item())
            pred = z.argmax(1).cpu().numpy().reshape(-1)
            gt = ys[i:i + batch].reshape(-1).astype(np.int64)
            keep = gt < C
            conf += np.bincount(gt[keep] * C + pred[keep], minlength=C * C).reshape(C, C)
    model.train()
    m = metrics_from_confusion(conf)
    m["metricsOn"] = metrics_on
    m["seconds"] = seconds
    val_loss = float(np.mean(losses)) if losses and metrics_on == "val" else None
    return {"epoch": epoch, "trainLoss": train_loss, "valLoss": val_loss, "metrics": m}


if __name__ == "__main__":
    main()
`;

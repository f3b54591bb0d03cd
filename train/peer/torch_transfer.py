#!/usr/bin/env python3
"""The PyTorch peer of `train.jar train`: the same transfer-learning recipe, on the same split, for a side-by-side table.

MobileNetV2 is rebuilt here with Keras semantics (TF 'same' padding with the extra pixel bottom/right, ZeroPadding
before stride-2 depthwise convolutions, ReLU6, BN eps 1e-3) and Keras layer names, and loads the same Keras .h5 file,
pairing the file's weighted layers with the model's in order, as Keras' load_weights does. Then, like Slice:
  1. the frozen backbone up to the cut layer (BN in inference mode) runs once per image (no_grad, channels_last);
  2. the layers after the cut (with --fine-tune-from) and a Dense softmax head train on those cached activations with
     Adam, the same epochs, batch size, learning rate and label smoothing;
  3. test accuracy on the same test files.
The split is read from the `split.tsv` that `train.jar train` writes (path<TAB>class<TAB>train|val|test, fields escaped), so both
sides see exactly the same images. Run with Debian's python3-torch set up at its best (see bench/compare.sh):
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
  /usr/bin/python3 train/peer/torch_transfer.py --split OUT/split.tsv --weights FILE.h5 --alpha 0.5 --threads 2
"""
import argparse
import json
import math
import re
import time

import h5py
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image


def unescape(field):
    """A split.tsv field as train.jar escapes it: backslash, tab, newline and return written as \\\\ \\t \\n \\r."""
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), field)


def make_divisible(v, divisor=8):
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def same_pad(size, k, s):
    out = (size + s - 1) // s
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def is_bn(name):
    """Batch-norm layers' weights end with (moving_mean, moving_variance), which are state, not parameters."""
    return "BN" in name or name.startswith("bn") or "_bn" in name or name.startswith("batch_normalization")


class Net:
    """A Keras-style graph: an ordered list of named layers, each a function of earlier layers' outputs."""

    def __init__(self):
        self.layers = []  # (name, fn, input names, params list)
        self.weighted = []  # (name, [tensors in Keras order])
        self.bn_momentum = None  # batch norms run in inference mode unless set

    def trainable_after(self, source):
        """The weights of the layers after `source`, BN moving statistics excluded, made trainable."""
        names = [n for n, _, _ in self.layers]
        start = names.index(source) if source in names else -1
        params = []
        for name, tensors in self.weighted:
            if names.index(name) > start:
                kept = tensors[:-2] if is_bn(name) else tensors
                for t in kept:
                    t.requires_grad_(True)
                params += kept
        return params

    def add(self, name, fn, inputs, weights=()):
        self.layers.append((name, fn, inputs))
        if weights:
            self.weighted.append((name, list(weights)))
        return name

    def run(self, x, source, until, acts=None):
        acts = {source: x} if acts is None else acts
        started = source == "input"
        for name, fn, inputs in self.layers:
            if name == source:
                started = True
                continue
            if not started:
                continue
            acts[name] = fn(*[acts[i] for i in inputs])
            if name == until:
                return acts[name]
        raise ValueError(f"no layer {until} after {source}")


def mobilenet_v2(alpha, size):
    net = Net()
    P = lambda *shape: torch.zeros(*shape)  # filled from the .h5 file

    def conv(name, x, cin, cout, k, s):
        w = P(k, k, cin, cout)  # Keras HWIO

        def fn(t, w=w, k=k, s=s):
            if s == 1:
                pt, pb = same_pad(t.shape[2], k, 1)
                pl, pr = same_pad(t.shape[3], k, 1)
                t = F.pad(t, (pl, pr, pt, pb))
            return F.conv2d(t, w.permute(3, 2, 0, 1), stride=s)
        return net.add(name, fn, [x], [w])

    def dwconv(name, x, c, s):
        w = P(3, 3, c, 1)

        def fn(t, w=w, s=s, c=c):
            if s == 1:
                t = F.pad(t, (1, 1, 1, 1))
            return F.conv2d(t, w.permute(2, 3, 0, 1), stride=s, groups=c)
        return net.add(name, fn, [x], [w])

    def bn(name, x, c):
        g, b, m, v = P(c), P(c), P(c), P(c)

        def fn(t, g=g, b=b, m=m, v=v):
            # net.bn_momentum is None: inference mode (moving statistics), else training mode updating them
            if net.bn_momentum is None:
                return F.batch_norm(t, m, v, g, b, False, 0.0, 1e-3)
            return F.batch_norm(t, m, v, g, b, True, net.bn_momentum, 1e-3)
        return net.add(name, fn, [x], [g, b, m, v])

    def relu6(name, x):
        return net.add(name, lambda t: F.hardtanh(t, 0.0, 6.0), [x])

    def zpad(name, x):
        def fn(t):  # Keras correct_pad: (k//2 - 1 + odd, k//2) per axis for k = 3
            return F.pad(t, (t.shape[3] % 2, 1, t.shape[2] % 2, 1))
        return net.add(name, fn, [x])

    x = "input"
    first = make_divisible(32 * alpha, 8)
    x = net.add("Conv1_pad_", lambda t: F.pad(t, (t.shape[3] % 2, 1, t.shape[2] % 2, 1)), [x])
    conv_w = P(3, 3, 3, first)
    x = net.add("Conv1", lambda t, w=conv_w: F.conv2d(t, w.permute(3, 2, 0, 1), stride=2), [x], [conv_w])
    x = relu6("Conv1_relu", bn("bn_Conv1", x, first))
    cin = first
    table = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
    block = 0
    for t, c, n, s in table:
        for i in range(n):
            stride = s if i == 0 else 1
            cout = make_divisible(int(c * alpha), 8)
            prefix = f"block_{block}_" if block else "expanded_conv_"
            inp = x
            h = x
            if block:
                h = relu6(prefix + "expand_relu", bn(prefix + "expand_BN", conv(prefix + "expand", h, cin, cin * t, 1, 1), cin * t))
            mid = cin * t if block else cin
            if stride == 2:
                h = zpad(prefix + "pad", h)
            h = relu6(prefix + "depthwise_relu", bn(prefix + "depthwise_BN", dwconv(prefix + "depthwise", h, mid, stride), mid))
            h = bn(prefix + "project_BN", conv(prefix + "project", h, mid, cout, 1, 1), cout)
            if stride == 1 and cin == cout:
                h = net.add(prefix + "add", lambda a, b: a + b, [inp, h])
            x, cin = h, cout
            block += 1
    last = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = relu6("out_relu", bn("Conv_1_bn", conv("Conv_1", x, cin, last, 1, 1), last))
    net.add("global_average_pooling2d", lambda t: t.mean(dim=(2, 3)), [x])
    return net


def inception_v3(size):
    """Keras' inception_v3.py up to mixed8 (what the shared pretrained file holds), with Keras' layer names: each
    conv2d_bn is conv2d_N (no bias) → batch_normalization_N (no gamma) → activation_N (ReLU), N in creation order."""
    net = Net()
    count = [0]

    def conv_bn(x, filters, kh, kw, stride=1, padding="same"):
        count[0] += 1
        n = count[0]
        cin = net.channels[x]
        w = torch.zeros(kh, kw, cin, filters)
        b, m, v = torch.zeros(filters), torch.zeros(filters), torch.ones(filters)

        def conv(t, w=w, kh=kh, kw=kw, stride=stride, padding=padding):
            if padding == "same":
                pt, pb = same_pad(t.shape[2], kh, stride)
                pl, pr = same_pad(t.shape[3], kw, stride)
                t = F.pad(t, (pl, pr, pt, pb))
            return F.conv2d(t, w.permute(3, 2, 0, 1), stride=stride)

        def bn(t, b=b, m=m, v=v):
            if net.bn_momentum is None:
                return F.batch_norm(t, m, v, None, b, False, 0.0, 1e-3)
            return F.batch_norm(t, m, v, None, b, True, net.bn_momentum, 1e-3)
        c = net.add(f"conv2d_{n}", conv, [x], [w])
        c = net.add(f"batch_normalization_{n}", bn, [c], [b, m, v])
        out = net.add(f"activation_{n}", F.relu, [c])
        net.channels[out] = filters
        return out

    pools = {"max": 0, "avg": 0}

    def pool(x, kind):
        pools[kind] += 1
        name = ("max_pooling2d_%d" if kind == "max" else "average_pooling2d_%d") % pools[kind]
        fn = (lambda t: F.max_pool2d(t, 3, 2)) if kind == "max" else \
            (lambda t: F.avg_pool2d(t, 3, 1, padding=1, count_include_pad=False))
        out = net.add(name, fn, [x])
        net.channels[out] = net.channels[x]
        return out

    def concat(name, parts):
        out = net.add(name, lambda *ts: torch.cat(ts, 1), parts)
        net.channels[out] = sum(net.channels[p] for p in parts)
        return out

    net.channels = {"input": 3}
    x = conv_bn("input", 32, 3, 3, 2, "valid")
    x = conv_bn(x, 32, 3, 3, 1, "valid")
    x = conv_bn(x, 64, 3, 3)
    x = pool(x, "max")
    x = conv_bn(x, 80, 1, 1, 1, "valid")
    x = conv_bn(x, 192, 3, 3, 1, "valid")
    x = pool(x, "max")
    for i, pool_filters in enumerate((32, 64, 64)):  # mixed0-2, 35 x 35
        b1 = conv_bn(x, 64, 1, 1)
        b5 = conv_bn(conv_bn(x, 48, 1, 1), 64, 5, 5)
        b3 = conv_bn(conv_bn(conv_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
        bp = conv_bn(pool(x, "avg"), pool_filters, 1, 1)
        x = concat(f"mixed{i}", [b1, b5, b3, bp])
    b3 = conv_bn(x, 384, 3, 3, 2, "valid")  # mixed3, 17 x 17
    b3d = conv_bn(conv_bn(conv_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, 2, "valid")
    x = concat("mixed3", [b3, b3d, pool(x, "max")])
    for i, c in zip(range(4, 8), (128, 160, 160, 192)):  # mixed4-7
        b1 = conv_bn(x, 192, 1, 1)
        b7 = conv_bn(conv_bn(conv_bn(x, c, 1, 1), c, 1, 7), 192, 7, 1)
        b7d = conv_bn(conv_bn(conv_bn(conv_bn(conv_bn(x, c, 1, 1), c, 7, 1), c, 1, 7), c, 7, 1), 192, 1, 7)
        bp = conv_bn(pool(x, "avg"), 192, 1, 1)
        x = concat(f"mixed{i}", [b1, b7, b7d, bp])
    b3 = conv_bn(conv_bn(x, 192, 1, 1), 320, 3, 3, 2, "valid")  # mixed8, 8 x 8
    b7 = conv_bn(conv_bn(conv_bn(conv_bn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1), 192, 3, 3, 2, "valid")
    x = concat("mixed8", [b3, b7, pool(x, "max")])
    net.add("avg_pool", lambda t: t.mean(dim=(2, 3)), [x])
    return net


def load_keras_h5(net, path):
    with h5py.File(path, "r") as f:
        root = f["model_weights"] if "model_weights" in f else f
        names = [n.decode() if isinstance(n, bytes) else n for n in root.attrs["layer_names"]]
        groups = []
        for n in names:
            wn = [w.decode() if isinstance(w, bytes) else w for w in root[n].attrs["weight_names"]]
            if wn:
                groups.append([np.array(root[n][w]) for w in wn])
        by_name = {n: [np.array(root[n][w]) for w in (x.decode() if isinstance(x, bytes) else x for x in root[n].attrs["weight_names"])]
                   for n in names}
    if all(name in by_name for name, _ in net.weighted):
        groups = [by_name[name] for name, _ in net.weighted]  # conv2d_N / batch_normalization_N: by name (number)
    if len(groups) < len(net.weighted):
        raise SystemExit(f"{path}: {len(groups)} weighted layers, model needs {len(net.weighted)}")
    for (name, tensors), arrays in zip(net.weighted, groups):
        for t, a in zip(tensors, arrays):
            if tuple(t.shape) != a.shape:
                raise SystemExit(f"{path}: {name}: shape {a.shape} != {tuple(t.shape)}")
            t.copy_(torch.from_numpy(a))


def load_image(path, size):
    img = Image.open(path).convert("RGB").resize((size, size), Image.BILINEAR)
    return np.asarray(img, dtype=np.float32) / 127.5 - 1.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--model", choices=["mobilenetv2", "inceptionv3"], default="mobilenetv2")
    ap.add_argument("--alpha", type=float, default=0.5)
    ap.add_argument("--size", type=int, default=None, help="default: 224 for MobileNetV2, 299 for InceptionV3")
    ap.add_argument("--cut", default="global_average_pooling2d")
    ap.add_argument("--fine-tune-from", default=None, help="cache this layer and also train every layer after it")
    ap.add_argument("--patience", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    args.size = args.size or (299 if args.model == "inceptionv3" else 224)
    if args.model == "inceptionv3" and args.cut == "global_average_pooling2d":
        args.cut = "avg_pool"
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    with open(args.split, encoding="utf-8") as f:
        rows = [[unescape(field) for field in line.rstrip("\n").split("\t")] for line in f if line.strip() and not line.startswith("#")]
    classes = sorted({r[1] for r in rows})
    times = {}
    t0 = time.time()
    net = inception_v3(args.size) if args.model == "inceptionv3" else mobilenet_v2(args.alpha, args.size)
    load_keras_h5(net, args.weights)
    feats, labels, parts = [], [], []
    with torch.no_grad():
        for i in range(0, len(rows), 16):
            chunk = rows[i:i + 16]
            x = torch.from_numpy(np.stack([load_image(r[0], args.size) for r in chunk])).permute(0, 3, 1, 2)
            x = x.contiguous(memory_format=torch.channels_last)
            f = net.run(x, "input", args.fine_tune_from or args.cut)
            feats.append(f if args.fine_tune_from else f.reshape(f.shape[0], -1))
            labels += [classes.index(r[1]) for r in chunk]
            parts += [r[2] for r in chunk]
    feats = torch.cat(feats)
    labels = torch.tensor(labels)
    times["features_s"] = time.time() - t0

    t1 = time.time()
    idx = {p: torch.tensor([i for i, q in enumerate(parts) if q == p], dtype=torch.long) for p in ("train", "val", "test")}
    head = torch.nn.Linear(feats.shape[1] if not args.fine_tune_from else 1, len(classes))
    body = []  # backbone weights after the fine-tune layer
    if args.fine_tune_from:
        body = net.trainable_after(args.fine_tune_from)
        with torch.no_grad():
            dim = net.run(feats[:1].float(), args.fine_tune_from, args.cut).reshape(1, -1).shape[1]
        head = torch.nn.Linear(dim, len(classes))
    torch.nn.init.xavier_uniform_(head.weight)
    torch.nn.init.zeros_(head.bias)

    def logits(x):
        if args.fine_tune_from:
            x = net.run(x, args.fine_tune_from, args.cut)
        return head(x.reshape(x.shape[0], -1))

    # Same schedule as Slice's Trainer: Adam (eps 1e-7), linear warm-up over the first epoch (or tenth of the run),
    # then cosine decay to lr/100; early stopping on validation loss with the best epoch restored.
    steps_per_epoch = -(-len(idx["train"]) // args.batch)
    total = steps_per_epoch * args.epochs
    warmup = min(steps_per_epoch, max(1, total // 10))

    def lr_at(step):
        if step < warmup:
            return args.lr * (step + 1) / warmup
        t = min(step - warmup, total - warmup) / max(1, total - warmup)
        return args.lr / 100 + (args.lr - args.lr / 100) * 0.5 * (1 + math.cos(math.pi * t))

    params = list(head.parameters()) + body
    moving = [t for name, ts in net.weighted if is_bn(name) for t in ts[-2:]]  # restored with the best epoch
    opt = torch.optim.Adam(params, lr=args.lr, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    g = torch.Generator().manual_seed(args.seed)
    best, best_loss, best_epoch, step = None, float("inf"), 0, 0
    for epoch in range(1, args.epochs + 1):
        perm = idx["train"][torch.randperm(len(idx["train"]), generator=g)]
        net.bn_momentum = 0.001  # Keras momentum 0.999
        for i in range(0, len(perm), args.batch):
            b = perm[i:i + args.batch]
            for group in opt.param_groups:
                group["lr"] = lr_at(step)
            opt.zero_grad()
            loss_fn(logits(feats[b]), labels[b]).backward()
            opt.step()
            step += 1
        with torch.no_grad():
            if body:  # precise BN: moving statistics = mean of the training set's batch statistics
                for k, i in enumerate(range(0, len(idx["train"]), args.batch)):
                    net.bn_momentum = 1.0 / (k + 1)
                    logits(feats[idx["train"][i:i + args.batch]])
            net.bn_momentum = None
            part = idx["val"] if len(idx["val"]) else idx["train"]
            val_loss = loss_fn(logits(feats[part]), labels[part]).item()
        if val_loss < best_loss:
            best_loss, best_epoch = val_loss, epoch
            best = [p.detach().clone() for p in params] + [t.clone() for t in moving if body]
        elif epoch - best_epoch >= args.patience:
            break
    with torch.no_grad():
        for p, saved in zip(params, best):
            p.copy_(saved)
        if body:
            for t, saved in zip(moving, best[len(params):]):
                t.copy_(saved)
    times["train_s"] = time.time() - t1
    with torch.no_grad():
        pred = logits(feats[idx["test"]]).argmax(1)
    correct = int((pred == labels[idx["test"]]).sum())
    times["total_s"] = time.time() - t0
    print(json.dumps({"peer": "pytorch " + torch.__version__, "threads": args.threads, "best_epoch": best_epoch,
                      "test_accuracy": correct / len(idx["test"]), "test_correct": correct,
                      "test_images": len(idx["test"]), **{k: round(v, 2) for k, v in times.items()}}))


if __name__ == "__main__":
    main()

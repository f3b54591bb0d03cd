#!/usr/bin/python3
"""PyTorch peer of the Slice benchmarks: times the same shapes and models in PyTorch and prints one Markdown table.

usage: torch_peer.py OURS.json
  OURS.json is the JMH result file of `java -jar bench/target/benchmarks.jar -rf json -rff OURS.json`. For every
  benchmark and parameter set in it (the FMA probe excepted) the same work is timed here at the same thread count,
  and a row "ours, theirs, ratio" is printed; ratio = PyTorch time / our time (above 1: Slice is faster).

PyTorch is set up at its best (bench/compare.sh does this): OpenBLAS-OpenMP instead of the reference BLAS, tcmalloc,
OMP_WAIT_POLICY run both ways (spinning is fastest on an idle CPU, collapses on a shared one),
torch.set_num_threads(n) explicitly, channels_last tensors, torch.no_grad() and eval() for inference. The work
matches the Java benchmarks: forward in inference mode, backward = input and weight gradients of a stored
training-mode forward, training step = forward + backward with no optimiser update.
"""
import json
import re
import sys
import time

import torch
import torch.nn as nn
import torchvision

SPEC = re.compile(r"(\d+)x(\d+)x(\d+)(?:>(\d+))?(?:/(\d+)x(\d+)(?:s(\d+))?)?$")
CL = torch.channels_last


def parse(spec):
    """HxWxC[>K][/KHxKW[sS]], the grammar of slice.bench.Spec."""
    m = SPEC.match(spec)
    if not m:
        raise SystemExit(f"torch_peer.py: bad shape '{spec}'")
    h, w, c = int(m[1]), int(m[2]), int(m[3])
    return h, w, c, int(m[4] or c), int(m[5] or 1), int(m[6] or 1), int(m[7] or 1)


def mean_seconds(fn, min_time, warmup):
    """Mean time of fn() over at least min_time seconds (at least one call), after warm-up calls."""
    for _ in range(warmup):
        fn()
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_time:
            return elapsed / calls


def layer_work(cls, method, shape, batch):
    """The callable timed for one layer benchmark (cls: Pointwise, Conv, Depthwise, Norm, Pool, Concat)."""
    torch.manual_seed(0)
    if cls == "Concat":
        hw, parts = shape.split(":")
        h, w = (int(v) for v in hw.split("x"))
        xs = [torch.randn(batch, int(c), h, w).to(memory_format=CL).requires_grad_() for c in parts.split("+")]
        if method == "forward":
            return lambda: torch.cat(xs, 1)
        y = torch.cat(xs, 1)
        g = torch.randn_like(y)
        return lambda: torch.autograd.grad(y, xs, g, retain_graph=True)
    if cls == "Pool":
        kind, spec = shape.split(":")
        h, w, c, _, k, _, s = parse(spec)
        layer = nn.MaxPool2d(k, s) if kind == "max" else nn.AvgPool2d(k, s, padding=k // 2, count_include_pad=False)
    else:
        h, w, c, k, kh, kw, s = parse(shape)
        if cls == "Norm":
            layer = nn.BatchNorm2d(c, eps=1e-3, momentum=0.001)
        elif cls == "Depthwise":
            layer = nn.Conv2d(c, c, (kh, kw), s, padding=(kh // 2, kw // 2), groups=c, bias=False)
        else:
            layer = nn.Conv2d(c, k, (kh, kw), s, padding=(kh // 2, kw // 2), bias=False)
    layer = layer.to(memory_format=CL)
    x = torch.randn(batch, c, h, w).to(memory_format=CL)
    if method == "forward":
        layer.eval()

        def forward():
            with torch.no_grad():
                return layer(x)
        return forward
    layer.train()
    x.requires_grad_()
    y = layer(x)
    g = torch.randn_like(y)
    wrt = [x] + [p for p in layer.parameters()]
    return lambda: torch.autograd.grad(y, wrt, g, retain_graph=True)


def model(name):
    if name == "mobilenetv2":
        return torchvision.models.mobilenet_v2(), 224
    if name == "inceptionv3":
        return torchvision.models.inception_v3(aux_logits=False, init_weights=False), 299
    raise SystemExit(f"torch_peer.py: unknown model '{name}'")


def frozen_part(name, net):
    """The modules Training.fineTune keeps frozen (Training.frozenUpTo): the network up to a Keras layer.

    MobileNetV2: Keras block_k is torchvision features[k + 1], so up to block_12_add is features[:14].
    InceptionV3: Keras mixed0-mixed10 are torchvision Mixed_5b-5d, 6a-6e, 7a-7c, so up to mixed7 is everything
    before Mixed_7a (the stem, the pools, Mixed_5b to Mixed_6e)."""
    if name == "mobilenetv2":
        return net.features[:14]
    children = list(net.named_children())
    return nn.ModuleList(m for _, m in children[:[n for n, _ in children].index("Mixed_7a")])


def model_work(cls, method, name, batch):
    """The callable timed for Inference.forward, Training.fineTune/fullStep and Features.extract."""
    torch.manual_seed(0)
    net, size = model(name)
    net = net.to(memory_format=CL)
    if cls == "Inference":
        net.eval()
        x = torch.randn(batch, 3, size, size).to(memory_format=CL)

        def forward():
            with torch.no_grad():
                return net(x)
        return forward
    if cls == "Features":
        backbone = nn.Sequential(net.features, nn.AdaptiveAvgPool2d(1), nn.Flatten()).eval()
        x = torch.randn(32, 3, size, size).to(memory_format=CL)
        last = x[:1000 % 32]

        def extract():
            with torch.no_grad():
                for done in range(0, 1000, 32):
                    backbone(x if 1000 - done >= 32 else last)
        return extract
    # Training: forward in training mode + backward of a fixed dL/dlogits, no optimiser step.
    net.train()
    if method == "fineTune":
        frozen = frozen_part(name, net)
        frozen.eval()
        for p in frozen.parameters():
            p.requires_grad_(False)
    x = torch.randn(batch, 3, size, size).to(memory_format=CL)
    g = 1e-3 * torch.randn(batch, 1000)

    def step():
        net.zero_grad(set_to_none=False)
        net(x).backward(g)
    return step


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    with open(sys.argv[1]) as f:
        ours = json.load(f)
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "blas" in line or "malloc" in line})
    print(f"PyTorch {torch.__version__}, torchvision {torchvision.__version__}; loaded: {', '.join(libs)}\n")
    print("| benchmark | shape or model | batch | threads | Slice ms | PyTorch ms | PyTorch / Slice |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in ours:
        full = r["benchmark"].removeprefix("slice.bench.")
        cls, method = full.split(".")
        if cls == "Peak":
            continue
        p = r["params"]
        threads, batch = int(p["threads"]), int(p.get("batch", 1))
        what = p.get("shape") or p.get("model")
        torch.set_num_threads(threads)
        if cls in ("Inference", "Training", "Features"):
            theirs_ms = 1e3 * mean_seconds(model_work(cls, method, what, batch), min_time=4.0, warmup=1)
        else:
            theirs_ms = 1e3 * mean_seconds(layer_work(cls, method, what, batch), min_time=1.5, warmup=3)
        unit = r["primaryMetric"]["scoreUnit"]
        ours_ms = r["primaryMetric"]["score"] * {"ms/op": 1, "s/op": 1e3, "us/op": 1e-3}[unit]
        shown_batch = p.get("batch", "1000 img" if cls == "Features" else "—")
        print(f"| {full} | {what} | {shown_batch} | {threads} | {ours_ms:.3f} | {theirs_ms:.3f} | {theirs_ms / ours_ms:.2f} |",
              flush=True)


if __name__ == "__main__":
    main()

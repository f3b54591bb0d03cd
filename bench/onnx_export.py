#!/usr/bin/python3
"""Exports the PyTorch peer's networks to ONNX, for the ONNX Runtime peer (bench/ort_peer.js).

usage: onnx_export.py OURS.json DIR
  For every Inference row of the JMH result file, writes DIR/MODEL-bBATCH.onnx (once per model and batch): the
  network of torch_peer.model(MODEL) with torch_peer's seed, in eval mode, traced by torch.onnx.export at the static
  input shape [BATCH, 3, S, S], opset 17, constants folded; input "input", output "logits". torch.onnx.export writes
  the file itself: the `onnx` Python package is not needed.
"""
import json
import os
import sys

import torch

from torch_peer import model

OPSET = 17


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1]) as f:
        ours = json.load(f)
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    wanted = sorted({(r["params"]["model"], int(r["params"]["batch"]))
                     for r in ours if r["benchmark"] == "slice.bench.Inference.forward"})
    for name, batch in wanted:
        torch.manual_seed(0)
        net, size = model(name)
        net.eval()
        path = os.path.join(out, f"{name}-b{batch}.onnx")
        with torch.no_grad():
            torch.onnx.export(net, torch.randn(batch, 3, size, size), path, opset_version=OPSET,
                              do_constant_folding=True, input_names=["input"], output_names=["logits"])
        print(f"onnx_export.py: {path} ({os.path.getsize(path) / 1e6:.1f} MB)", flush=True)


if __name__ == "__main__":
    main()

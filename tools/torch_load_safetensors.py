#!/usr/bin/python3
"""Load a model written by `mlp train --save` into PyTorch and check it predicts what Mlp predicted.

The safetensors file is parsed by hand (8-byte little-endian header length, JSON header, raw little-endian
F32 and I64 data) with json + numpy, because the `safetensors` package is not in Debian. The architecture comes
from the file's __metadata__ ("mlp.layers"), e.g. ["Linear(784, 256)", "BatchNorm1d(256)", "GELU()", "Dropout(0.1)",
"Linear(256, 10)"]: each name is a PyTorch constructor call, read with `ast` (never eval'd) and built as the nn module
of that name, so nn.Sequential(nn.Linear(784, 256), nn.BatchNorm1d(256), …); load_state_dict(strict=True) takes the
tensors as they are, proving they use PyTorch's names, layout (Linear weight is (out, in)) and dtypes (BatchNorm's
num_batches_tracked is a 0-dim int64). The model runs in eval mode (running statistics, no dropout).

Usage (Debian's python3 with python3-torch and python3-numpy):
  mlp eval --model model.safetensors --predictions preds.npz --rows 1000
  /usr/bin/python3 tools/torch_load_safetensors.py model.safetensors preds.npz [--atol 1e-4]

preds.npz holds x (raw inputs, as loaded), labels, logits and predicted, as written by `mlp eval --predictions`.
The inputs are normalized with mlp.input_mean / mlp.input_std from the model file, as Mlp does.
Exit code 0 when every predicted class agrees and the logits agree within --atol, 1 otherwise.
"""
import argparse
import ast
import json
import struct
import sys

import numpy as np
import torch
from torch import nn


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ValueError(f"{path}: header length {n} exceeds the file")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    dtypes = {"F32": "<f4", "I64": "<i8"}
    for name, info in header.items():
        if info["dtype"] not in dtypes:
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}, expected F32 or I64")
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[base + begin:base + end], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(arr.copy())
    return tensors, meta


class ShiftedReLU(nn.Module):
    """The lesson's relu(x) + shift (no parameters)."""

    def __init__(self, shift):
        super().__init__()
        self.shift = shift

    def forward(self, x):
        return torch.relu(x) + self.shift


LAYERS = {
    "Linear": nn.Linear, "ReLU": nn.ReLU, "LeakyReLU": nn.LeakyReLU, "Tanh": nn.Tanh, "Sigmoid": nn.Sigmoid,
    "GELU": nn.GELU, "Softmax": nn.Softmax, "LogSoftmax": nn.LogSoftmax, "Dropout": nn.Dropout,
    "BatchNorm1d": nn.BatchNorm1d, "ShiftedReLU": ShiftedReLU,
}


def build_layer(spec):
    """A layer from its Mlp name, a PyTorch constructor call with literal arguments (parsed, not evaluated)."""
    call = ast.parse(spec.strip(), mode="eval").body
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in LAYERS):
        raise ValueError(f"unknown layer {spec!r}; known: {', '.join(LAYERS)}")
    args = [ast.literal_eval(a) for a in call.args]
    kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    return LAYERS[call.func.id](*args, **kwargs)


def build_model(layers):
    return nn.Sequential(*[build_layer(spec) for spec in layers])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("predictions")
    ap.add_argument("--atol", type=float, default=1e-4)
    args = ap.parse_args()

    tensors, meta = read_safetensors(args.model)
    model = build_model(json.loads(meta["mlp.layers"]))
    state = {k: v for k, v in tensors.items() if not k.startswith("optimizer.")}
    model.load_state_dict(state, strict=True)
    model.eval()

    preds = np.load(args.predictions)
    x = torch.from_numpy(preds["x"].astype(np.float32))
    if "mlp.input_mean" in meta:
        x = (x - float(np.float32(meta["mlp.input_mean"]))) / float(np.float32(meta["mlp.input_std"]))
    with torch.no_grad():
        logits = model(x).numpy()
    ours = preds["logits"]
    predicted = logits.argmax(1)
    same = int((predicted == preds["predicted"]).sum())
    max_diff = float(np.abs(logits - ours).max())
    accuracy = float((predicted == preds["labels"]).mean())
    print(json.dumps({
        "model": args.model, "architecture": meta.get("mlp.architecture"), "torch": torch.__version__,
        "torch_layers": [repr(m) for m in model],
        "rows": int(len(predicted)), "same_predictions": same, "max_abs_logit_diff": max_diff,
        "torch_accuracy_on_rows": accuracy,
    }))
    ok = same == len(predicted) and max_diff <= args.atol
    if not ok:
        print(f"MISMATCH: {len(predicted) - same} predictions differ, max |logit diff| {max_diff} (atol {args.atol})", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

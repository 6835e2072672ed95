#!/usr/bin/python3
"""The lesson's initial MSE on the full Fashion-MNIST (or MNIST) training split, computed by PyTorch.

Reads train-images/train-labels IDX (.gz or raw) from --data with numpy, takes the lesson's split
(train = the first 50000 rows), scales pixels to [0, 1], normalizes with the training mean and
(Bessel-corrected, torch.std) standard deviation, reads w1, b1, w2, b2 from --weights (an .npz, e.g.
written by Mlp's NpzWriter), and evaluates in float32

    mse(lin(relu(lin(x_train, w1, b1)), w2, b2).squeeze(-1), y_train.float())

Prints one JSON object: {"n", "features", "train_mean", "train_std", "mse"}.
Run with Debian's python3 (python3-torch, python3-numpy): /usr/bin/python3 tools/torch_lesson_mse.py ...
"""
import argparse
import gzip
import json
import os

import numpy as np
import torch

TRAIN_ROWS = 50000


def read_idx(directory, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            ndim = data[3]
            dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    raise SystemExit(f"{directory}: no {stem}[.gz]")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="directory with train-*-idx*-ubyte[.gz]")
    p.add_argument("--weights", required=True, help=".npz with w1 (784, nh), b1 (nh,), w2 (nh, 1), b2 (1,)")
    a = p.parse_args()

    images = read_idx(a.data, "train-images-idx3-ubyte")
    labels = read_idx(a.data, "train-labels-idx1-ubyte")
    x_train = torch.from_numpy(images[:TRAIN_ROWS].reshape(TRAIN_ROWS, -1).astype(np.float32)) / 255.0
    y_train = torch.from_numpy(labels[:TRAIN_ROWS].astype(np.int64))

    train_mean, train_std = x_train.mean(), x_train.std()
    x_train = (x_train - train_mean) / train_std

    w = np.load(a.weights)
    w1, b1, w2, b2 = (torch.from_numpy(w[k].astype(np.float32)) for k in ("w1", "b1", "w2", "b2"))
    out = (x_train @ w1 + b1).clamp_min(0.0) @ w2 + b2
    mse = ((out.squeeze(-1) - y_train.float()) ** 2).mean()
    print(json.dumps({"n": x_train.shape[0], "features": x_train.shape[1], "train_mean": train_mean.item(),
                      "train_std": train_std.item(), "mse": mse.item()}))


if __name__ == "__main__":
    main()

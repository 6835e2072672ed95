#!/usr/bin/python3
"""PyTorch reference for the lesson's model, for `mlp gradcheck --reference` and the unit-test fixtures.

    l1 = x @ w1 + b1;  l2 = relu(l1);  out = l2 @ w2 + b2;  loss = mse(out.squeeze(-1), targ)

relu is the lesson's: --relu plain is x.clamp_min(0.), the lesson's relu before its init section redefines it;
--relu shifted (the default) is x.clamp_min(0.) - 0.5, the relu of the lesson's final model, forward_and_backward,
autograd check and Relu classes. The gradient is the same mask either way; the shift changes out, loss and
every gradient through the loss.

Draws x, targ, w1, b1, w2, b2 from --seed as float32 (so Mlp reads exactly the values torch used), or reads
them from --inputs FILE.npz (arrays x, targ, w1, b1, w2, b2, float32: `mlp walkthrough` writes its rows and weights),
runs forward and autograd in float64, and writes one .npz of float32 arrays named
x, targ, w1, b1, w2, b2, out, loss, x_grad, w1_grad, b1_grad, w2_grad, b2_grad, relu_shift
(a scalar: -0.5 for the shifted relu, 0 for the plain one).

Shapes: x (n, n_in), targ (n,), w1 (n_in, n_h), b1 (n_h,), w2 (n_h, 1), b2 (1,), out (n, 1), loss (),
and every gradient shaped like its tensor.

Relu's derivative jumps at 0, so a pre-activation within float32 rounding of 0 can get a different mask
in float32 (Mlp) and float64 (this script), and then the gradients differ by a whole entry. Such a draw
is a question about rounding, not about gradients, so the script redraws (seed, attempt 1, 2, ...) until
every |l1| is at least --kink-margin times the norm of the terms summed into it (a float32 sum of k terms
is typically off by ~1e-7*sqrt(k) of that norm). `--kink-margin 0` keeps the first draw.

Run with Debian's python3 (python3-torch, python3-numpy): /usr/bin/python3 tools/torch_reference.py ...
This script is a test tool; Mlp never needs Python at run time.
"""
import argparse
import math
import sys

import numpy as np
import torch


def draw(gen, n, n_in, n_h, zero_bias):
    f32 = dict(generator=gen, dtype=torch.float32)
    x = torch.randn(n, n_in, **f32)
    targ = torch.randn(n, **f32)
    w1 = torch.randn(n_in, n_h, **f32) * math.sqrt(2.0 / n_in)      # Kaiming, as in the lesson
    w2 = torch.randn(n_h, 1, **f32) / math.sqrt(n_h)
    if zero_bias:
        b1, b2 = torch.zeros(n_h), torch.zeros(1)
    else:
        b1 = torch.randn(n_h, **f32) * 0.5
        b2 = torch.randn(1, **f32) * 0.5
    return x, targ, w1, b1, w2, b2


def read_inputs(path):
    """x, targ, w1, b1, w2, b2 from an .npz, checked against the lesson's shapes."""
    with np.load(path) as z:
        missing = [k for k in ("x", "targ", "w1", "b1", "w2", "b2") if k not in z]
        if missing:
            sys.exit(f"{path}: missing array(s) {', '.join(missing)}")
        t = {k: torch.from_numpy(np.ascontiguousarray(z[k], dtype=np.float32)) for k in ("x", "targ", "w1", "b1", "w2", "b2")}
    n, n_in = t["x"].shape
    n_h = t["w1"].shape[1]
    want = {"targ": (n,), "w1": (n_in, n_h), "b1": (n_h,), "w2": (n_h, 1), "b2": (1,)}
    for k, shape in want.items():
        if tuple(t[k].shape) != shape:
            sys.exit(f"{path}: array {k} has shape {tuple(t[k].shape)} but {shape} was expected (x is {(n, n_in)})")
    return t["x"], t["targ"], t["w1"], t["b1"], t["w2"], t["b2"]


def min_kink_ratio(x, w1, b1):
    """min over (i, j) of |l1_ij| / sqrt(sum_p (x_ip w1_pj)^2 + b1_j^2), in float64."""
    xd, wd, bd = x.double(), w1.double(), b1.double()
    l1 = xd @ wd + bd
    scale = ((xd * xd) @ (wd * wd) + bd * bd).sqrt()
    ratio = torch.where(scale > 0, l1.abs() / scale, torch.full_like(l1, math.inf))
    return ratio.min().item() if ratio.numel() else math.inf


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, help="draw the inputs and weights from this seed")
    p.add_argument("--n", type=int, help="rows (batch size), with --seed")
    p.add_argument("--n-in", type=int, help="input features, with --seed")
    p.add_argument("--n-hidden", type=int, help="hidden units, with --seed")
    p.add_argument("--inputs", help="read x, targ, w1, b1, w2, b2 from this .npz instead of drawing them")
    p.add_argument("--relu", choices=("plain", "shifted"), default="shifted",
                   help="clamp_min(0.) or the lesson's clamp_min(0.) - 0.5 (default shifted)")
    p.add_argument("--out", required=True, help="the .npz to write")
    p.add_argument("--zero-bias", action="store_true", help="b1 = 0 and b2 = 0 (the lesson's init)")
    p.add_argument("--kink-margin", type=float, default=1e-5,
                   help="redraw while some |l1| < margin * norm of its terms (default 1e-5; 0 disables)")
    a = p.parse_args(argv)
    if a.inputs is not None:
        if a.seed is not None:
            p.error("give --inputs or --seed, not both")
        x, targ, w1, b1, w2, b2 = read_inputs(a.inputs)
        attempt = 0
    else:
        for name in ("seed", "n", "n_in", "n_hidden"):
            if getattr(a, name) is None:
                p.error(f"--{name.replace('_', '-')} is required without --inputs")
        for name in ("n", "n_in", "n_hidden"):
            if getattr(a, name) < 1:
                p.error(f"--{name.replace('_', '-')} must be at least 1")
        for attempt in range(1000):
            gen = torch.Generator().manual_seed(a.seed * 1000 + attempt)
            x, targ, w1, b1, w2, b2 = draw(gen, a.n, a.n_in, a.n_hidden, a.zero_bias)
            if a.kink_margin <= 0 or min_kink_ratio(x, w1, b1) >= a.kink_margin:
                break
        else:
            sys.exit(f"no draw kept every pre-activation {a.kink_margin} away from relu's kink in 1000 attempts")

    # Forward and autograd in float64, from the float32 values stored in the file.
    leaves = [t.double().requires_grad_(True) for t in (x, w1, b1, w2, b2)]
    xd, w1d, b1d, w2d, b2d = leaves
    l1 = xd @ w1d + b1d
    l2 = l1.clamp_min(0.0)                      # relu; PyTorch's relu'(0) = 0
    if a.relu == "shifted":
        l2 = l2 - 0.5                           # the lesson's relu from its init section on
    out = l2 @ w2d + b2d
    loss = ((out.squeeze(-1) - targ.double()) ** 2).mean()
    loss.backward()

    arrays = {
        "x": x, "targ": targ, "w1": w1, "b1": b1, "w2": w2, "b2": b2,
        "out": out.detach(), "loss": loss.detach(),
        "x_grad": xd.grad, "w1_grad": w1d.grad, "b1_grad": b1d.grad, "w2_grad": w2d.grad, "b2_grad": b2d.grad,
        "relu_shift": torch.tensor(-0.5 if a.relu == "shifted" else 0.0),
    }
    np.savez(a.out, **{k: v.detach().numpy().astype("<f4") for k, v in arrays.items()})
    source = f"inputs {a.inputs}" if a.inputs is not None else f"seed {a.seed} (draw {attempt})"
    print(f"{a.out}: {source}, relu {a.relu}, n {x.shape[0]}, n_in {x.shape[1]}, n_hidden {w1.shape[1]}, "
          f"loss {loss.item():.6g}")


if __name__ == "__main__":
    main()

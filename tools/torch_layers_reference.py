#!/usr/bin/python3
"""PyTorch float64 references for Mlp's element-wise and normalization layers (tests/Unit/Core/Layers/*AgainstTorch).

Draws float32 inputs from a fixed seed (so Mlp reads exactly the values torch used), runs forward and autograd in
float64 with a random output gradient dy, and writes one small .npz of float32 arrays per layer into --out-dir:

  tanh, sigmoid, gelu_none, gelu_tanh:  x, dy, out, x_grad
  softmax, log_softmax (dim=1):          x, dy, out, x_grad
  dropout_p0.3:                          x, dy, keep (the 0/1 pattern torch drew), out, x_grad
  batchnorm_train / batchnorm_eval:      x, dy, weight, bias, running_mean, running_var (before), out, x_grad,
                                         weight_grad, bias_grad, and for train new_running_mean, new_running_var
  batchnorm_train_noaffine:              as train without weight/bias, momentum=None (cumulative average)

Run with Debian's python3: /usr/bin/python3 tools/torch_layers_reference.py --out-dir tests/fixtures/torch/layers
"""
import argparse
import os

import numpy as np
import torch
import torch.nn.functional as F


def f32(t):
    return t.detach().to(torch.float32).numpy()


def elementwise(gen, fn, n=6, d=5, scale=2.0):
    x = (torch.randn(n, d, generator=gen) * scale).double().requires_grad_()
    dy = torch.randn(n, d, generator=gen).double()
    out = fn(x)
    out.backward(dy)
    return dict(x=f32(x), dy=f32(dy), out=f32(out), x_grad=f32(x.grad))


def batchnorm(gen, training, affine=True, momentum=0.1, n=7, c=4):
    x = (torch.randn(n, c, generator=gen) * 3 + 1).double().requires_grad_()
    dy = torch.randn(n, c, generator=gen).double()
    bn = torch.nn.BatchNorm1d(c, eps=1e-5, momentum=momentum, affine=affine).double()
    with torch.no_grad():
        if affine:
            bn.weight.copy_(torch.randn(c, generator=gen).float().double())
            bn.bias.copy_(torch.randn(c, generator=gen).float().double())
        bn.running_mean.copy_(torch.randn(c, generator=gen).float().double())
        bn.running_var.copy_((torch.rand(c, generator=gen) + 0.5).float().double())
        bn.num_batches_tracked.fill_(3)
    before = dict(running_mean=f32(bn.running_mean), running_var=f32(bn.running_var))
    bn.train(training)
    out = bn(x)
    out.backward(dy)
    r = dict(x=f32(x), dy=f32(dy), out=f32(out), x_grad=f32(x.grad), **before)
    if affine:
        r.update(weight=f32(bn.weight), bias=f32(bn.bias), weight_grad=f32(bn.weight.grad), bias_grad=f32(bn.bias.grad))
    if training:
        r.update(new_running_mean=f32(bn.running_mean), new_running_var=f32(bn.running_var),
                 num_batches_tracked=bn.num_batches_tracked.numpy())
    return r


def dropout(gen, p=0.3, n=8, d=6):
    x = torch.randn(n, d, generator=gen).double().requires_grad_()
    dy = torch.randn(n, d, generator=gen).double()
    torch.manual_seed(11)
    out = F.dropout(x, p=p, training=True)
    out.backward(dy)
    keep = (x.grad != 0).double()   # dx = dy ⊙ keep/(1−p), dy has no zeros: the pattern torch drew
    return dict(x=f32(x), dy=f32(dy), keep=f32(keep), out=f32(out), x_grad=f32(x.grad))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out-dir", required=True)
    args = p.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    gen = torch.Generator().manual_seed(20261127)
    fixtures = {
        "tanh": elementwise(gen, torch.tanh),
        "sigmoid": elementwise(gen, torch.sigmoid),
        "gelu_none": elementwise(gen, lambda x: F.gelu(x, approximate="none"), scale=3.0),
        "gelu_tanh": elementwise(gen, lambda x: F.gelu(x, approximate="tanh"), scale=3.0),
        "dropout_p0.3": dropout(gen),
        "batchnorm_train": batchnorm(gen, training=True),
        "batchnorm_eval": batchnorm(gen, training=False),
        "batchnorm_train_noaffine": batchnorm(gen, training=True, affine=False, momentum=None),
        "softmax": elementwise(gen, lambda x: F.softmax(x, dim=1), scale=3.0),
        "log_softmax": elementwise(gen, lambda x: F.log_softmax(x, dim=1), scale=3.0),
    }
    for name, arrays in fixtures.items():
        np.savez(os.path.join(args.out_dir, name + ".npz"), **arrays)
    print(f"wrote {len(fixtures)} fixtures to {args.out_dir}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""PyTorch reference for Mlp's LeakyRelu (src/Core/Layers/LeakyRelu.cs): F.leaky_relu and its gradient in float64.

Writes tests/fixtures/pipeline/leaky_relu.json: float32 inputs (exact zeros included), a slope, an upstream gradient
dy, and float64 F.leaky_relu(x, slope) and d(sum(y * dy))/dx.

Usage (Debian's python3 with python3-torch):
  /usr/bin/python3 tools/torch_leaky_relu.py [OUT_DIR]      (default tests/fixtures/pipeline)
"""
import json
import os
import sys

import torch
import torch.nn.functional as F


def cases():
    g = torch.Generator().manual_seed(0)
    out = []
    for name, shape, slope in [("default_slope", (4, 5), 0.01), ("steep", (3, 7), 0.2), ("negative_slope", (2, 6), -0.5)]:
        x = torch.randn(*shape, generator=g).to(torch.float32)
        x.view(-1)[0] = 0.0                         # the kink: PyTorch's gradient at 0 is slope
        dy = torch.randn(*shape, generator=g).to(torch.float32)
        x64 = x.double().requires_grad_(True)
        y = F.leaky_relu(x64, slope)
        (y * dy.double()).sum().backward()
        out.append({
            "name": name, "shape": list(shape), "slope": slope,
            "x": x.flatten().tolist(), "dy": dy.flatten().tolist(),
            "y": y.detach().flatten().tolist(), "dx": x64.grad.flatten().tolist(),
        })
    return out


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "fixtures", "pipeline")
    doc = {"meta": {"torch": torch.__version__, "script": "tools/torch_leaky_relu.py"}, "cases": cases()}
    with open(os.path.join(out_dir, "leaky_relu.json"), "w") as f:
        json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()

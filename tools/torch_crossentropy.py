#!/usr/bin/python3
"""PyTorch references for Mlp's pipeline: cross-entropy (loss and gradient) and optimizer steps.

Writes small JSON fixtures that tests/Unit/Pipeline compare against:
  crossentropy.json  logits, labels, F.cross_entropy loss, d loss / d logits, F.log_softmax output
  optim.json         a few steps of torch.optim.SGD (plain, momentum, nesterov, weight decay) and Adam

Usage (Debian's python3 with python3-torch and python3-numpy):
  /usr/bin/python3 tools/torch_crossentropy.py [OUT_DIR]      (default tests/fixtures/pipeline)
"""
import json
import os
import sys

import torch
import torch.nn.functional as F


def crossentropy_cases():
    g = torch.Generator().manual_seed(0)
    cases = []
    for name, n, c, scale in [("small", 4, 3, 1.0), ("mnist_like", 16, 10, 3.0), ("large_logits", 5, 6, 200.0), ("one_row", 1, 10, 1.0)]:
        logits = (torch.randn(n, c, generator=g) * scale).to(torch.float32)
        labels = torch.randint(0, c, (n,), generator=g)
        x64 = logits.double().requires_grad_(True)
        loss = F.cross_entropy(x64, labels)
        loss.backward()
        cases.append({
            "name": name, "n": n, "c": c,
            "logits": logits.flatten().tolist(),
            "labels": labels.tolist(),
            "loss": loss.item(),
            "grad": x64.grad.flatten().tolist(),
            "log_softmax": F.log_softmax(logits.double(), dim=1).flatten().tolist(),
        })
    return cases


def optim_cases():
    g = torch.Generator().manual_seed(1)
    p0 = torch.randn(2, 3, generator=g)
    grads = [torch.randn(2, 3, generator=g) for _ in range(4)]
    configs = [
        ("sgd", dict(lr=0.1)),
        ("sgd_momentum", dict(lr=0.1, momentum=0.9)),
        ("sgd_nesterov", dict(lr=0.05, momentum=0.8, nesterov=True)),
        ("sgd_momentum_dampening_weight_decay", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.01)),
        ("adam", dict(lr=0.01)),
        ("adam_betas_weight_decay", dict(lr=0.001, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ]
    cases = []
    for name, cfg in configs:
        p = torch.nn.Parameter(p0.clone())
        opt = (torch.optim.Adam if name.startswith("adam") else torch.optim.SGD)([p], **cfg)
        steps = []
        for gr in grads:
            opt.zero_grad()
            p.grad = gr.clone()
            opt.step()
            steps.append(p.detach().flatten().tolist())
        cases.append({"name": name, "config": {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()}, "steps": steps})
    return {"shape": list(p0.shape), "p0": p0.flatten().tolist(), "grads": [gr.flatten().tolist() for gr in grads], "cases": cases}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "pipeline")
    os.makedirs(out, exist_ok=True)
    meta = {"torch": torch.__version__, "script": "tools/torch_crossentropy.py"}
    with open(os.path.join(out, "crossentropy.json"), "w") as f:
        json.dump({"meta": meta, "cases": crossentropy_cases()}, f, indent=1)
    with open(os.path.join(out, "optim.json"), "w") as f:
        json.dump({"meta": meta, **optim_cases()}, f, indent=1)
    print(f"wrote {out}/crossentropy.json and {out}/optim.json (torch {torch.__version__})")


if __name__ == "__main__":
    main()

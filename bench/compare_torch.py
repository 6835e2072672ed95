#!/usr/bin/python3
"""Mlp beside PyTorch on the lesson's workload, in one invocation, as one table.

Usage (from the repository root):

    /usr/bin/python3 bench/compare_torch.py [--rounds 3] [--repeat 7] [--rows a,b,c,c2,f,gemm] [--no-build]

Each round runs `mlp bench --json` (Release build) and then the same rows in PyTorch, each row --repeat times after a
warm-up; a round's number for a row is its median. The table shows, per row, the median over rounds of each side and
the median over rounds of the per-round ratio Mlp / PyTorch, beside the issue's target. Interleaving the two sides
round by round keeps a busy machine from favouring either one.

PyTorch is configured at its best on this machine, as the issue asks: Debian's python3-torch 1.13 on OpenBLAS
(libopenblas0-pthread; this script puts its directory first on LD_LIBRARY_PATH, since Debian's default libblas.so.3
may be the reference BLAS), OPENBLAS_CORETYPE=Cooperlake, OMP_WAIT_POLICY=passive, torch.set_num_threads(2).
The data are random N(0, 1) rows shaped like Fashion-MNIST, on both sides.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread"
ENV = {"OPENBLAS_CORETYPE": "Cooperlake", "OMP_WAIT_POLICY": "passive", "OMP_NUM_THREADS": "2"}


def reexec_with_blas_env():
    """The BLAS is chosen when torch is loaded, so the environment must be set before this process starts."""
    want_ld = OPENBLAS_DIR if os.path.isdir(OPENBLAS_DIR) else None
    ld = os.environ.get("LD_LIBRARY_PATH", "")
    missing = any(os.environ.get(k) != v for k, v in ENV.items()) or (want_ld and not ld.startswith(want_ld))
    if missing and os.environ.get("MLP_COMPARE_REEXEC") != "1":
        env = dict(os.environ, **ENV, MLP_COMPARE_REEXEC="1")
        if want_ld:
            env["LD_LIBRARY_PATH"] = want_ld + (":" + ld if ld else "")
        os.execve(sys.executable, [sys.executable] + sys.argv, env)


reexec_with_blas_env()

import torch  # noqa: E402  (after the environment is set)
import torch.nn.functional as F  # noqa: E402

TRAIN, VALID, FEATURES, HIDDEN, CLASSES = 50000, 10000, 784, 50, 10

# (key, label in the issue's table, target ratio Mlp / PyTorch, "<=" or ">=")
ROWS = [
    ("a", "(a) forward, x_valid 10000×784", 0.25, "<="),
    ("b", "(b) forward, x_train 50000×784", 0.35, "<="),
    ("c", "(c) forward + backward incl. input gradient", 0.30, "<="),
    ("c2", "(c') forward + backward, parameter gradients only", 0.35, "<="),
    ("f", "(f) one epoch 784→50→10, CE, SGD 0.1, batch 64", 0.20, "<="),
    ("gemm", "GEMM (50000×784)·(784×50), GFLOP/s", None, ">="),
]
GEMM_TARGET_GFLOPS = 300.0


def blas_name():
    try:
        with open("/proc/self/maps") as f:
            maps = f.read()
        for name in ("openblas", "libmkl", "blis", "libblas.so"):
            if name in maps:
                return name
    except OSError:
        pass
    return "unknown"


class TorchWorkload:
    def __init__(self, seed):
        g = torch.Generator().manual_seed(seed)
        self.x_train = torch.randn(TRAIN, FEATURES, generator=g)
        self.x_valid = torch.randn(VALID, FEATURES, generator=g)
        self.labels = torch.randint(0, CLASSES, (TRAIN,), generator=g)
        self.y_train = self.labels.float()
        self.w1 = torch.randn(FEATURES, HIDDEN, generator=g) * (2 / FEATURES) ** 0.5
        self.b1 = torch.zeros(HIDDEN)
        self.w2 = torch.randn(HIDDEN, 1, generator=g) / HIDDEN ** 0.5
        self.b2 = torch.zeros(1)
        self.seed = seed

    def forward(self, x):
        with torch.no_grad():
            return F.relu(x @ self.w1 + self.b1) @ self.w2 + self.b2

    def forward_backward(self, input_gradient):
        """Autograd, PyTorch's fastest way to the lesson's gradients (its hand-written backward is slower)."""
        x = self.x_train.detach().requires_grad_(input_gradient)
        params = [p.detach().requires_grad_(True) for p in (self.w1, self.b1, self.w2, self.b2)]
        w1, b1, w2, b2 = params
        out = F.relu(x @ w1 + b1) @ w2 + b2
        loss = F.mse_loss(out.squeeze(-1), self.y_train)
        grads = torch.autograd.grad(loss, ([x] if input_gradient else []) + params)
        return grads

    def epoch(self):
        torch.manual_seed(self.seed)
        model = torch.nn.Sequential(torch.nn.Linear(FEATURES, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, CLASSES))
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        perm = torch.randperm(TRAIN)
        for start in range(0, TRAIN, 64):
            idx = perm[start:start + 64]
            xb, yb = self.x_train[idx], self.labels[idx]
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return model

    def gemm(self):
        return self.x_train @ self.w1


def time_row(fn, repeat):
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return times


def torch_rows(w, keys, repeat):
    fns = {
        "a": lambda: w.forward(w.x_valid),
        "b": lambda: w.forward(w.x_train),
        "c": lambda: w.forward_backward(True),
        "c2": lambda: w.forward_backward(False),
        "f": w.epoch,
        "gemm": w.gemm,
    }
    return {k: time_row(fns[k], repeat) for k in keys if k in fns}


def mlp_rows(cmd, keys, repeat, seed):
    rows = ",".join(keys)
    out = subprocess.run(cmd + ["bench", "--json", "--rows", rows, "--repeat", str(repeat), "--seed", str(seed)],
                         check=True, capture_output=True, text=True).stdout
    data = json.loads(out)
    return {r["key"]: r for r in data["rows"]}, data


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--rows", default="a,b,c,c2,f,gemm")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-build", action="store_true", help="use the existing Release build of src/Cli")
    ap.add_argument("--json", action="store_true", help="also print every number as JSON")
    args = ap.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not args.no_build:
        subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", "--nologo", os.path.join(root, "src", "Cli")],
                       check=True, stdout=subprocess.DEVNULL)
    cmd = ["dotnet", os.path.join(root, "src", "Cli", "bin", "Release", "net10.0", "mlp.dll")]

    keys = [k for k in args.rows.split(",") if k]
    torch.set_num_threads(2)
    w = TorchWorkload(args.seed)
    rounds = []
    mlp_extra = {}
    for r in range(args.rounds):
        mlp, _ = mlp_rows(cmd, keys, args.repeat, args.seed)
        pt = torch_rows(w, keys, args.repeat)
        rounds.append((mlp, pt))
        mlp_extra = mlp
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    print(f"Mlp vs PyTorch {torch.__version__} ({blas_name()}, {torch.get_num_threads()} threads, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}), {os.cpu_count()} cores; "
          f"median of {args.rounds} rounds, each the median of {args.repeat} runs")
    head = f"{'row':<52} {'PyTorch':>10} {'Mlp':>10} {'Mlp/PyTorch':>12} {'target':>8}  ok"
    print(head)
    print("-" * len(head))
    summary = []
    for key, label, target, sense in ROWS:
        if key not in keys:
            continue
        flops = 2.0 * TRAIN * FEATURES * HIDDEN
        if key == "gemm":
            pt_vals = [flops / statistics.median(pt[key]) / 1e6 for _, pt in rounds]
            mlp_vals = [flops / m[key]["median_ms"] / 1e6 for m, _ in rounds]
            ratios = [m / p for m, p in zip(mlp_vals, pt_vals)]
            pt_v, mlp_v, ratio = statistics.median(pt_vals), statistics.median(mlp_vals), statistics.median(ratios)
            ok = mlp_v >= GEMM_TARGET_GFLOPS
            print(f"{label:<52} {pt_v:>10.1f} {mlp_v:>10.1f} {ratio:>12.2f} {'≥' + str(int(GEMM_TARGET_GFLOPS)):>8}  {'yes' if ok else 'no'}")
        else:
            pt_vals = [statistics.median(pt[key]) for _, pt in rounds]
            mlp_vals = [m[key]["median_ms"] for m, _ in rounds]
            ratios = [m / p for m, p in zip(mlp_vals, pt_vals)]
            pt_v, mlp_v, ratio = statistics.median(pt_vals), statistics.median(mlp_vals), statistics.median(ratios)
            ok = ratio <= target
            print(f"{label:<52} {pt_v:>8.1f}ms {mlp_v:>8.1f}ms {ratio:>12.2f} {'≤' + format(target, '.2f'):>8}  {'yes' if ok else 'no'}")
        summary.append({"key": key, "torch": pt_v, "mlp": mlp_v, "ratio": ratio, "rounds_ratio": ratios})

    if "c" in mlp_extra and "held_bytes" in mlp_extra["c"]:
        c = mlp_extra["c"]
        print(f"(c) Mlp peak working set {c['peak_working_set_bytes'] / 1e6:.0f} MB = {c['peak_over_held']:.2f}× the "
              f"{c['held_bytes'] / 1e6:.0f} MB it must hold (x and its gradient); target ≤ 1.5×")
    if "f" in mlp_extra:
        f = mlp_extra["f"]
        share = f["gc_pause_ms_per_run"] / f["median_ms"]
        print(f"(f) Mlp GC pauses {f['gc_pause_ms_per_run']:.2f} ms per epoch = {100 * share:.1f}% of the epoch (target ≤ 5%); "
              f"{f['allocated_bytes_per_run'] / 1e6:.0f} MB allocated per epoch")
    if args.json:
        print(json.dumps({"rows": summary, "mlp_last_round": mlp_extra}, indent=2))


if __name__ == "__main__":
    main()

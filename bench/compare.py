#!/usr/bin/python3
"""Mlp beside its two anchors, TorchSharp (libtorch 2.10 + MKL) and PyTorch 1.13 (OpenBLAS), on the lesson's workload, as one table.

Usage (from the repository root):

    /usr/bin/python3 bench/compare.py [--rounds 3] [--repeat 7] [--rows a,b,c,c2,f,gemm] [--no-build] [--no-torchsharp]

Each round runs `mlp bench --json` (Release build), then bench/TorchSharpCompare (its own project, built here on first use,
not in Mlp.sln), then the same rows in PyTorch, each row --repeat times after a warm-up; a round's number for a row is
its median. The table shows per row the median over rounds of each side, the best anchor (the faster of TorchSharp and
PyTorch), and the median over rounds of the per-round ratio Mlp / best anchor, beside the issue's target. The GEMM rows
also show GFLOP/s as a share of the machine's FMA peak, which `mlp bench` measures itself (peak_gflops_1t / _all).
Interleaving the sides round by round keeps a busy machine from favouring any of them.

Anchors at their best on this machine, 2 threads each: TorchSharp with OMP_WAIT_POLICY=passive (its libLibTorchSharp.so
needs GLIBCXX_3.4.32, which Debian 12 lacks; the project's post-build step marks that need weak, see
bench/TorchSharpCompare/weaken_verneed.py); Debian's python3-torch on OpenBLAS (libopenblas0-pthread; this script puts
its directory first on LD_LIBRARY_PATH, since Debian's default libblas.so.3 may be the reference BLAS),
OPENBLAS_CORETYPE=Cooperlake, OMP_WAIT_POLICY=passive, torch.set_num_threads(2).
The data are random N(0, 1) rows shaped like Fashion-MNIST, on every side.
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

# (key, label, target ratio Mlp / best anchor)
ROWS = [
    ("a", "(a) forward, x_valid 10000×784", 0.70),
    ("b", "(b) forward, x_train 50000×784", 0.70),
    ("c", "(c) forward + backward incl. input gradient", 0.60),
    ("c2", "(c') forward + backward, parameter gradients only", 0.60),
    ("f", "(f) one epoch 784→50→10, CE, SGD 0.1, batch 64", 0.50),
    ("gemm", "GEMM x·w1 (50000×784)·(784×50)", None),
]
# GEMM rows of `mlp bench` held to a share of the measured FMA peak: (key, label, target share, peak used)
GEMM_PEAK_ROWS = [
    ("gemm", "GEMM x·w1, 2 threads", 0.70, "all"),
    ("gemm_1t", "GEMM x·w1, 1 thread", 0.75, "1t"),
    ("gemm_xtdy", "GEMM xᵀ·dy (784×50000)·(50000×50)", 0.70, "all"),
    ("gemm_dywt", "GEMM dy·w1ᵀ (50000×50)·(50×784)", 0.70, "all"),
]


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


def torchsharp_rows(dll, keys, repeat, seed):
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    env["OMP_WAIT_POLICY"] = "passive"
    out = subprocess.run(["dotnet", dll, "--rows", ",".join(keys), "--repeat", str(repeat), "--threads", "2", "--seed", str(seed)],
                         check=True, capture_output=True, text=True, env=env).stdout
    return {r["key"]: r["times_ms"] for r in json.loads(out)["rows"]}


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--rows", default="a,b,c,c2,f,gemm")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-build", action="store_true", help="use the existing Release builds")
    ap.add_argument("--no-torchsharp", action="store_true", help="PyTorch as the only anchor")
    ap.add_argument("--json", action="store_true", help="also print every number as JSON")
    args = ap.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ts_proj = os.path.join(root, "bench", "TorchSharpCompare")
    ts_dll = os.path.join(ts_proj, "bin", "Release", "net10.0", "TorchSharpCompare.dll")
    if not args.no_build:
        subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", "--nologo", os.path.join(root, "src", "Cli")],
                       check=True, stdout=subprocess.DEVNULL)
        if not args.no_torchsharp:
            subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", "--nologo", ts_proj], check=True, stdout=subprocess.DEVNULL)
    cmd = ["dotnet", os.path.join(root, "src", "Cli", "bin", "Release", "net10.0", "mlp.dll")]
    use_ts = not args.no_torchsharp and os.path.exists(ts_dll)

    keys = [k for k in args.rows.split(",") if k]
    torch.set_num_threads(2)
    w = TorchWorkload(args.seed)
    rounds = []
    mlp_last = {}
    mlp_json = {}
    for r in range(args.rounds):
        mlp, mlp_json = mlp_rows(cmd, keys, args.repeat, args.seed)
        ts = torchsharp_rows(ts_dll, keys, args.repeat, args.seed) if use_ts else {}
        pt = torch_rows(w, keys, args.repeat)
        rounds.append((mlp, ts, pt, mlp_json))
        mlp_last = mlp
        print(f"round {r + 1}/{args.rounds} done (load {open('/proc/loadavg').read().split()[0]})", file=sys.stderr)

    peak_1t = med([j["peak_gflops_1t"] for *_, j in rounds])
    peak_all = med([j["peak_gflops_all"] for *_, j in rounds])
    with open("/proc/cpuinfo") as f:
        model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "unknown CPU")
    print(f"{model}, {os.cpu_count()} cores; load {open('/proc/loadavg').read().split()[0]}; FMA peak measured by mlp bench: "
          f"{peak_1t:.0f} GFLOP/s on 1 thread, {peak_all:.0f} on all")
    print(f"Mlp vs TorchSharp {'(not run)' if not use_ts else '0.107.0 (libtorch 2.10)'} and PyTorch {torch.__version__} "
          f"({blas_name()}), 2 threads; median of {args.rounds} rounds, each the median of {args.repeat} runs (ms)")
    head = f"{'row':<50} {'Mlp':>9} {'TorchSharp':>10} {'PyTorch':>9} {'best':>9} {'Mlp/best':>9} {'target':>7}  ok"
    print(head)
    print("-" * len(head))
    summary = []
    for key, label, target in ROWS:
        if key not in keys:
            continue
        mlp_v = med([m[key]["median_ms"] for m, *_ in rounds])
        ts_v = med([med(t[key]) for _, t, _, _ in rounds if key in t])
        pt_v = med([med(p[key]) for _, _, p, _ in rounds])
        ratios = [m[key]["median_ms"] / min(med(t.get(key, [])) if key in t else float("inf"), med(p[key])) for m, t, p, _ in rounds]
        ratio = med(ratios)
        best = min(v for v in (ts_v, pt_v) if v == v)
        ok = "" if target is None else ("yes" if ratio <= target else "no")
        tgt = "" if target is None else f"≤{target:.2f}"
        print(f"{label:<50} {mlp_v:>9.2f} {ts_v:>10.2f} {pt_v:>9.2f} {best:>9.2f} {ratio:>9.2f} {tgt:>7}  {ok}")
        summary.append({"key": key, "mlp_ms": mlp_v, "torchsharp_ms": ts_v, "pytorch_ms": pt_v, "best_anchor_ms": best,
                        "ratio": ratio, "rounds_ratio": ratios, "target": target})

    if "gemm" in keys:
        flops = 2.0 * TRAIN * FEATURES * HIDDEN
        print()
        print(f"{'GEMM as a share of the measured FMA peak':<50} {'GFLOP/s':>9} {'peak':>10} {'share':>9} {'target':>7}  ok")
        for key, label, target, which in GEMM_PEAK_ROWS:
            if key not in mlp_last:
                continue
            gf = med([flops / m[key]["median_ms"] / 1e6 for m, *_ in rounds])
            pk = peak_1t if which == "1t" else peak_all
            share = gf / pk
            print(f"{label:<50} {gf:>9.1f} {pk:>10.0f} {100 * share:>8.1f}% {'≥' + format(100 * target, '.0f') + '%':>7}  "
                  f"{'yes' if share >= target else 'no'}")
            summary.append({"key": key + "_share", "gflops": gf, "peak": pk, "share": share, "target": target})
        for label, key in (("TorchSharp", 1), ("PyTorch", 2)):
            vals = [med(r[key]["gemm"]) for r in rounds if "gemm" in r[key]]
            if vals:
                gf = flops / med(vals) / 1e6
                print(f"{'  (' + label + ' x·w1, 2 threads)':<50} {gf:>9.1f} {peak_all:>10.0f} {100 * gf / peak_all:>8.1f}%")
        if mlp_json.get("gemm_plans"):
            print("plans picked by measurement: " + "; ".join(mlp_json["gemm_plans"]))
        if mlp_json.get("gemm_threads"):
            print("threads picked by measurement (last round): " + "; ".join(mlp_json["gemm_threads"]))

    if "c" in mlp_last and "held_bytes" in mlp_last["c"]:
        c = mlp_last["c"]
        print(f"(c) Mlp peak working set {c['peak_working_set_bytes'] / 1e6:.0f} MB = {c['peak_over_held']:.2f}× the "
              f"{c['held_bytes'] / 1e6:.0f} MB it must hold (x and its gradient); target ≤ 1.5×")
    if "f" in mlp_last:
        f = mlp_last["f"]
        share = f["gc_pause_ms_per_run"] / f["median_ms"]
        print(f"(f) Mlp GC pauses {f['gc_pause_ms_per_run']:.2f} ms per epoch = {100 * share:.1f}% of the epoch (target ≤ 5%); "
              f"{f['allocated_bytes_per_run'] / 1e6:.0f} MB allocated per epoch")
    if args.json:
        print(json.dumps({"rows": summary, "mlp_last_round": mlp_last}, indent=2))


if __name__ == "__main__":
    main()

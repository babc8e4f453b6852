#!/usr/bin/env python3
"""The seed KernelSolve, KeOps beside Kokkeops on the same data (issue 16).

x = randn(N, 3), b = randn(N, 2), K = Exp(-Norm2(x - y)), alpha = 0.1: KeOps' KernelSolve (pykeops.numpy, its
default options) and `kokkeops solve` (the command-line tool, the library's default options: preconditioner
and tolerance chosen for the dtype) on the same points, in float32 and float64. Both solutions are checked
the same way: KeOps' error metric sum |alpha a + K a - b| / N with K a computed densely in float64 (numpy).

KeOps' time excludes its compilation (one untimed call on 100 points first); Kokkeops' is the solve's own
report (`seconds`), the process's wall time beside it. The tool's kernels share one compiled formula, about
1.4x slower than a kernel compiled for itself in library code (README), so this is Kokkeops' slower path.

    build/perf-venv/bin/python perf/keops_seed_solve.py --kokkeops build/bin/kokkeops [--n 10000]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def metric(x, a, b, alpha, chunk=500):
    """sum |alpha a + K a - b| / N, K a dense in float64."""
    x = x.astype(np.float64)
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    err = 0.0
    for i0 in range(0, len(x), chunk):
        xi = x[i0:i0 + chunk]
        d = np.sqrt(np.maximum(((xi[:, None, :] - x[None, :, :]) ** 2).sum(-1), 0.0))
        ka = np.exp(-d) @ a
        err += np.abs(alpha * a[i0:i0 + chunk] + ka - b[i0:i0 + chunk]).sum()
    return err / len(x)


def keops_solve(x, b, alpha):
    from pykeops.numpy import KernelSolve
    formula = "Exp(-Norm2(x - y)) * a"
    aliases = ["x = Vi(3)", "y = Vj(3)", "a = Vj(2)"]
    kinv = KernelSolve(formula, aliases, "a", axis=1)
    kinv(x[:100], x[:100], b[:100], alpha=alpha)  # compiles, untimed
    t0 = time.perf_counter()
    a = kinv(x, x, b, alpha=alpha)
    return a, time.perf_counter() - t0


def kokkeops_solve(exe, x, b, alpha, tmp):
    xf, bf, af = (os.path.join(tmp, f) for f in ("x.npy", "b.npy", "a.npy"))
    np.save(xf, x)
    np.save(bf, b)
    cmd = [exe, "solve", "--kernel", "laplace", "--scale", "1", "--alpha", str(alpha), "--x", xf, "--b", bf,
           "--out", af, "--json"]
    env = dict(os.environ, OMP_PROC_BIND=os.environ.get("OMP_PROC_BIND", "false"))
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if out.returncode not in (0, 3):
        sys.exit(f"kokkeops solve failed ({out.returncode}): {out.stderr}")
    rep = json.loads(out.stdout)
    return np.load(af), rep, wall


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kokkeops", default="build/bin/kokkeops")
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
    p.add_argument("--no-keops", action="store_true", help="Kokkeops only")
    args = p.parse_args()
    alpha = 0.1
    rng = np.random.default_rng(0)
    x64 = rng.standard_normal((args.n, 3))
    b64 = rng.standard_normal((args.n, 2))
    with tempfile.TemporaryDirectory() as tmp:
        for dt in args.dtypes:
            x, b = x64.astype(dt), b64.astype(dt)
            a, rep, wall = kokkeops_solve(args.kokkeops, x, b, alpha, tmp)
            print(f"kokkeops {dt}: {rep['seconds']:.2f} s (process {wall:.2f} s), preconditioner "
                  f"{rep['preconditioner']}, {rep['iterations']} iterations, {rep['reason']}, "
                  f"metric {metric(x, a, b, alpha):.3g}", flush=True)
            if not args.no_keops:
                a, s = keops_solve(x, b, alpha)
                print(f"keops    {dt}: {s:.2f} s, metric {metric(x, a, b, alpha):.3g}", flush=True)


if __name__ == "__main__":
    main()

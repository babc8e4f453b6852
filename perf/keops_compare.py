#!/usr/bin/env python3
"""Run the cases of the Kokkeops benchmark suite through KeOps itself (pykeops, from PyPI).

The cases are the suite's own: read from a suite result file (--cases-from suite.json, the cases that
actually ran) or listed by the suite binary (--suite-binary build/perf/kokkeops_bench_suite [--quick]).
Each case is the same computation as in perf/suite/suite.hpp:

    gauss:   Genred("Exp(-SqDist(x,y))*b", ...)        laplace: Genred("Exp(-Sqrt(SqDist(x,y)))*b", ...)
    x = Vi(D) (nx points), y = Vj(D) (ny points), b = Vj(Dv) for axis j (KeOps axis=1) or Vi(Dv) for
    axis i (KeOps axis=0); x, y uniform in [-s, s] with s = sqrt(3/D), b uniform in [-1, 1].

Timing: one untimed call first (it compiles the formula on first use and warms the caches), then calls
until --min-time seconds have passed (at least one); real_time is the mean per call. Accuracy: like
the suite, max over 16 sampled output rows of |out - ref| / sum |k b| with a long-double reference;
check_ok = 0 (and exit status 1) above 1e-4 (float32) / 1e-12 (float64).

Output: a JSON file in Google Benchmark's schema (context + benchmarks with real_time, time_unit,
iterations and the counters pairs/s, max_rel_err, check_ok), names "pykeops/<case>", so that
perf/report.py treats it as one more implementation. If pykeops cannot run, the file says why
(context.keops_unavailable, one error entry per case) and the exit status is 3: no number is invented.
"""
import argparse
import datetime
import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
import traceback

TOL = {"f32": 1e-4, "f64": 1e-12}
NAME_RE = re.compile(r"^(?P<impl>[^/]+)/(?P<kernel>gauss|laplace)/(?P<dtype>f32|f64)/D:(?P<D>\d+)/Dv:(?P<Dv>\d+)"
                     r"/axis:(?P<axis>[ij])/nx:(?P<nx>\d+)/ny:(?P<ny>\d+)")


def parse_case(name):
    m = NAME_RE.match(name)
    if not m:
        return None
    c = m.groupdict()
    for k in ("D", "Dv", "nx", "ny"):
        c[k] = int(c[k])
    c["key"] = name[len(c["impl"]) + 1:].split("/real_time")[0]
    return c


def cases_from_json(path):
    with open(path) as f:
        data = json.load(f)
    seen, out = set(), []
    for b in data.get("benchmarks", []):
        c = parse_case(b.get("run_name", b["name"]))
        if c and c["key"] not in seen:
            seen.add(c["key"])
            out.append(c)
    return out


def cases_from_binary(binary, quick, bench_filter):
    cmd = [binary, "--suite_impls=kokkeops", "--benchmark_list_tests=true"]
    if quick:
        cmd.append("--suite_quick")
    if bench_filter:
        cmd.append("--benchmark_filter=" + bench_filter)
    lines = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()
    return [c for c in (parse_case(l.strip()) for l in lines) if c]


def make_data(np, case, seed=12345):
    dt = np.float32 if case["dtype"] == "f32" else np.float64
    rng = np.random.default_rng(seed)
    s = (3.0 / case["D"]) ** 0.5
    x = rng.uniform(-s, s, (case["nx"], case["D"])).astype(dt)
    y = rng.uniform(-s, s, (case["ny"], case["D"])).astype(dt)
    n_red = case["ny"] if case["axis"] == "j" else case["nx"]
    b = rng.uniform(-1, 1, (n_red, case["Dv"])).astype(dt)
    return x, y, b


def max_rel_error(np, case, x, y, b, out):
    ld = np.longdouble
    p, q = (x, y) if case["axis"] == "j" else (y, x)
    q = q.astype(ld)
    bl = b.astype(ld)
    n_out = p.shape[0]
    rows = min(16, n_out)
    worst = 0.0
    for t in range(rows):
        r = t * (n_out - 1) // (rows - 1) if rows > 1 else 0
        d2 = ((p[r].astype(ld) - q) ** 2).sum(axis=1)
        k = np.exp(-d2) if case["kernel"] == "gauss" else np.exp(-np.sqrt(d2))
        kb = k[:, None] * bl
        ref, scale = kb.sum(axis=0), np.abs(kb).sum(axis=0)
        scale[scale == 0] = 1
        e = np.abs(out[r].astype(ld) - ref) / scale
        e = float(e.max())
        if not (e <= worst):
            worst = e
    return worst


def genred_for(Genred, case):
    f = "Exp(-SqDist(x,y))*b" if case["kernel"] == "gauss" else "Exp(-Sqrt(SqDist(x,y)))*b"
    bcat = "Vj" if case["axis"] == "j" else "Vi"
    aliases = [f"x = Vi({case['D']})", f"y = Vj({case['D']})", f"b = {bcat}({case['Dv']})"]
    return Genred(f, aliases, reduction_op="Sum", axis=1 if case["axis"] == "j" else 0), f, aliases


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--cases-from", help="a suite result JSON: run the cases it contains")
    src.add_argument("--suite-binary", help="the kokkeops_bench_suite binary: run the cases it lists")
    ap.add_argument("--quick", action="store_true", help="with --suite-binary: the --suite_quick case list")
    ap.add_argument("--filter", default="", help="regex on the case name (Google Benchmark filter syntax)")
    ap.add_argument("--out", required=True, help="output JSON file")
    ap.add_argument("--min-time", type=float, default=0.5, help="seconds of timed calls per case (default 0.5)")
    ap.add_argument("--backend", default="CPU", help="pykeops backend (default CPU)")
    ap.add_argument("--build-folder", default=None, help="pykeops cache folder (default: KeOps' own)")
    ap.add_argument("--git-revision", default=os.environ.get("KOKKEOPS_GIT_REVISION", "unknown"))
    args = ap.parse_args()

    if args.cases_from:
        cases = cases_from_json(args.cases_from)
    else:
        cases = cases_from_binary(args.suite_binary, args.quick, None)
    if args.filter:
        rx = re.compile(args.filter)
        cases = [c for c in cases if rx.search(c["key"])]

    context = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host_name": socket.gethostname(),
        "executable": "perf/keops_compare.py",
        "num_cpus": os.cpu_count(),
        "python": platform.python_version(),
        "git_revision": args.git_revision,
        "keops_backend": args.backend,
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "(unset)"),
        "OMP_PROC_BIND": os.environ.get("OMP_PROC_BIND", "(unset)"),
        "CXXFLAGS": os.environ.get("CXXFLAGS", "(unset)"),
        "min_time_s": args.min_time,
        "timing": "one untimed warm-up call (includes KeOps' compilation), then the mean of calls for min_time",
    }
    results = []

    def write(status):
        with open(args.out, "w") as f:
            json.dump({"context": context, "benchmarks": results}, f, indent=2)
        return status

    def error_entry(case, msg):
        return {"name": "pykeops/" + case["key"], "run_name": "pykeops/" + case["key"], "run_type": "iteration",
                "error_occurred": True, "error_message": msg}

    # Import pykeops and prove that it can compile and run one tiny reduction; any failure is reported
    # as such, with its reason, for every case.
    try:
        import numpy as np
        context["numpy_version"] = np.__version__
        import pykeops
        if args.build_folder:
            os.makedirs(args.build_folder, exist_ok=True)
            pykeops.set_build_folder(os.path.abspath(args.build_folder))
        context["pykeops_version"] = pykeops.__version__
        context["pykeops_build_folder"] = pykeops.get_build_folder()
        try:  # keopscore 2.x: the compiler flags of its CPU backend
            import keopscore
            from keopscore.config import config as kc
            context["keopscore_version"] = getattr(keopscore, "__version__", "?")
            context["keops_cpp_flags"] = re.sub(r"\s-I\S+", "", str(getattr(kc, "cpp_flags", "?"))).strip()
            from keopscore.config import openmp_config
            context["keops_use_openmp"] = str(openmp_config.get_use_OpenMP())
        except Exception as e:  # noqa: BLE001 - informative only
            context["keops_cpp_flags"] = f"(unknown: {e})"
        from pykeops.numpy import Genred
        probe = Genred("Exp(-SqDist(x,y))*b", ["x = Vi(3)", "y = Vj(3)", "b = Vj(1)"], reduction_op="Sum", axis=1)
        t = np.zeros((4, 3), dtype=np.float64)
        o = probe(t, t, np.ones((4, 1)), backend=args.backend)
        if abs(float(o[0, 0]) - 4.0) > 1e-12:
            raise RuntimeError(f"pykeops probe returned {o[0, 0]} instead of 4")
    except Exception as e:  # noqa: BLE001 - we report whatever stopped KeOps
        reason = f"{type(e).__name__}: {e}".strip()
        context["keops_unavailable"] = reason
        context["keops_traceback"] = traceback.format_exc()
        for c in cases:
            results.append(error_entry(c, "pykeops unavailable: " + reason))
        print(f"keops_compare.py: pykeops cannot run here: {reason}", file=sys.stderr)
        return write(3)

    failed = 0
    print(f"keops_compare.py: pykeops {context['pykeops_version']}, backend {args.backend}, {len(cases)} cases",
          file=sys.stderr)
    for c in cases:
        name = "pykeops/" + c["key"]
        try:
            x, y, b = make_data(np, c)
            g, formula, aliases = genred_for(Genred, c)
            out = g(x, y, b, backend=args.backend)  # warm-up, compiles on first use
            n, total = 0, 0.0
            t_start = time.perf_counter()
            while True:
                t0 = time.perf_counter()
                out = g(x, y, b, backend=args.backend)
                total += time.perf_counter() - t0
                n += 1
                if time.perf_counter() - t_start >= args.min_time:
                    break
            mean = total / n
            err = max_rel_error(np, c, x, y, b, out)
            ok = err <= TOL[c["dtype"]]
            failed += 0 if ok else 1
            entry = {"name": name + "/real_time", "run_name": name, "run_type": "iteration", "iterations": n,
                     "real_time": mean * 1e3, "cpu_time": mean * 1e3, "time_unit": "ms",
                     "pairs/s": c["nx"] * c["ny"] / mean, "max_rel_err": err, "check_ok": 1 if ok else 0,
                     "formula": formula, "aliases": aliases}
            if not ok:
                entry["label"] = f"ACCURACY FAIL: max_rel_err {err:.3g} > {TOL[c['dtype']]:g}"
            results.append(entry)
            print(f"{name:70s} {mean * 1e3:10.2f} ms  {entry['pairs/s']:.3g} pairs/s  err {err:.2g}"
                  f"{'' if ok else '  ACCURACY FAIL'}", file=sys.stderr)
        except Exception as e:  # noqa: BLE001
            results.append(error_entry(c, f"{type(e).__name__}: {e}"))
            print(f"{name}: ERROR {type(e).__name__}: {e}", file=sys.stderr)
            failed += 1
        write(0)  # keep partial results if interrupted
    return write(1 if failed else 0)


if __name__ == "__main__":
    sys.exit(main())

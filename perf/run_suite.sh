#!/usr/bin/env bash
# Build and run the benchmark suite of issue 7, run the same cases through KeOps (pykeops), and
# regenerate the tables and the plot.
#
#   bash perf/run_suite.sh [--quick] [--no-keops] [-- <extra kokkeops_bench_suite arguments>]
#
#   (default)   the full suite; updates the block between <!-- suite:begin/end --> in perf/RESULTS.md,
#               perf/suite_pairs_per_s.png, and copies the raw JSON files to perf/results/.
#               Run it on an otherwise idle machine (half an hour to an hour on 2 cores).
#   --quick     small cases, short timings: a smoke test; writes only under build/perf-results/.
#   --no-keops  skip KeOps (no Python environment needed apart from matplotlib for the plot).
#   -- ARGS     passed to the suite binary, e.g. -- --benchmark_filter='gauss/f32'
#                                             -- --benchmark_repetitions=3 (the report keeps the median)
#
# Environment: Kokkos_ROOT (default: the Kokkos that scripts/setup.sh builds), KokkosKernels_ROOT
# (default: next to Kokkos), BUILD_DIR (default build/perf-suite), PYTHON (default python3; a
# virtual environment with pykeops, numpy and matplotlib is made in build/perf-venv when PYTHON is
# not set), KEOPS_BACKEND (CPU or GPU; default: GPU when Kokkos' default execution space is a GPU),
# OMP_NUM_THREADS (default: all cores), OMP_PROC_BIND (default false), MIN_TIME (seconds per
# case, default 0.5; 0.05 with --quick).
# Exit status: 0 if everything ran and every accuracy check passed, 1 otherwise (the tables are still
# written, with the failures marked).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
quick=0
keops=1
extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) quick=1 ;;
    --no-keops) keops=0 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,/^set -e/p' "${BASH_SOURCE[0]}" | grep '^#' | cut -c3-; exit 0 ;;
    *) echo "run_suite.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "== run_suite: $*" >&2; }

kokkos_root=${Kokkos_ROOT:-$HOME/.cache/kokkeops/install/kokkos-openmp}
[[ -d $kokkos_root ]] || { echo "run_suite.sh: no Kokkos at $kokkos_root; set Kokkos_ROOT (or run scripts/setup.sh)" >&2; exit 2; }
# Kokkos Kernels: KokkosKernels_ROOT if set, else the one installed with this Kokkos (never another
# one found on the system: it would be built against a different Kokkos).
kernels_arg=()
if [[ -n ${KokkosKernels_ROOT:-} ]]; then
  kernels_arg=(-DKokkosKernels_ROOT="$KokkosKernels_ROOT")
else
  for d in "$kokkos_root"/lib/cmake/KokkosKernels "$kokkos_root"/lib64/cmake/KokkosKernels; do
    [[ -d $d ]] && { kernels_arg=(-DKokkosKernels_DIR="$d"); break; }
  done
fi
build=${BUILD_DIR:-$repo/build/perf-suite}
results=$repo/build/perf-results
mkdir -p "$build" "$results"

export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)}
export OMP_PROC_BIND=${OMP_PROC_BIND:-false}
rev=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)
export KOKKEOPS_GIT_REVISION=$rev
if [[ $quick == 1 ]]; then min_time=${MIN_TIME:-0.05}; mode=quick; else min_time=${MIN_TIME:-0.5}; mode=full; fi
log "mode $mode, revision $rev, OMP_NUM_THREADS=$OMP_NUM_THREADS, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ $quick == 0 ]] && awk '{exit !($1 > 0.5)}' /proc/loadavg; then
  log "WARNING: the machine is not idle (load average above 0.5): the figures will be noisy"
fi

# ---------------------------------------------------------------- build
cmake_args=(-S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DKokkos_ROOT="$kokkos_root"
            -DKokkeops_ENABLE_TESTS=OFF -DKokkeops_ENABLE_EXAMPLES=OFF -DKokkeops_ENABLE_PERF=ON
            -DKokkeops_ENABLE_CLI=OFF)
cmake_args+=("${kernels_arg[@]}")
log "configuring in $build"
cmake "${cmake_args[@]}" > "$results/cmake.log" 2>&1 || { cat "$results/cmake.log" >&2; exit 1; }
log "building kokkeops_bench_suite"
cmake --build "$build" -j"$(nproc)" --target kokkeops_bench_suite > "$results/build.log" 2>&1 ||
  { tail -50 "$results/build.log" >&2; exit 1; }
suite=$build/perf/kokkeops_bench_suite

# ---------------------------------------------------------------- Python (pykeops, matplotlib)
if [[ -n ${PYTHON:-} ]]; then
  py=$PYTHON
else
  venv=$repo/build/perf-venv
  if [[ ! -x $venv/bin/python ]]; then
    log "making a Python environment in $venv (pykeops, numpy, matplotlib from PyPI)"
    python3 -m venv "$venv"
  fi
  pkgs=(numpy matplotlib)
  [[ $keops == 1 ]] && pkgs+=(pykeops)
  check="import numpy, matplotlib"
  [[ $keops == 1 ]] && check+=", pykeops"
  "$venv/bin/python" -c "$check" 2>/dev/null ||
    "$venv/bin/pip" install -q "${pkgs[@]}" ||
    log "WARNING: pip install ${pkgs[*]} failed; keops_compare.py will say what is missing"
  py=$venv/bin/python
fi

# ---------------------------------------------------------------- run
status=0
suite_args=(--benchmark_min_time="$min_time" --benchmark_out="$results/suite-$mode.json" --benchmark_out_format=json)
[[ $quick == 1 ]] && suite_args+=(--suite_quick)
log "running the suite: $suite ${suite_args[*]} ${extra[*]:-}"
"$suite" "${suite_args[@]}" "${extra[@]}" || { status=1; log "the suite reported failures (see above)"; }

inputs=("$results/suite-$mode.json")
if [[ $keops == 1 ]]; then
  # KeOps on the same kind of device as Kokkos' default execution space (pykeops' GPU backend is CUDA only).
  keops_backend=${KEOPS_BACKEND:-$("$py" -c 'import json,sys; e=json.load(open(sys.argv[1]))["context"].get("execution_space","");print("GPU" if e in ("Cuda","HIP","SYCL") else "CPU")' "$results/suite-$mode.json" 2>/dev/null || echo CPU)}
  log "running the same cases through KeOps, backend $keops_backend (first use compiles each formula; cached in $build/keops-cache)"
  if "$py" "$repo/perf/keops_compare.py" --cases-from "$results/suite-$mode.json" --out "$results/keops-$mode.json" \
      --min-time "$min_time" --build-folder "$build/keops-cache" --git-revision "$rev" --backend "$keops_backend"; then :
  else
    rc=$?
    status=1
    [[ $rc == 3 ]] && log "KeOps could not run here; the report says why" || log "keops_compare.py exit status $rc"
  fi
  [[ -f $results/keops-$mode.json ]] && inputs+=("$results/keops-$mode.json")
fi

# ---------------------------------------------------------------- report
if [[ $quick == 1 ]]; then
  "$py" "$repo/perf/report.py" "${inputs[@]}" --markdown "$results/report-quick.md" --png "$results/suite_pairs_per_s-quick.png"
  log "wrote $results/report-quick.md and $results/suite_pairs_per_s-quick.png (perf/RESULTS.md untouched)"
else
  mkdir -p "$repo/perf/results"
  stamp=$(date +%Y%m%d)-$rev
  for f in "${inputs[@]}"; do cp "$f" "$repo/perf/results/$(basename "${f%.json}")-$stamp.json"; done
  "$py" "$repo/perf/report.py" "${inputs[@]}" --results-md "$repo/perf/RESULTS.md" --png "$repo/perf/suite_pairs_per_s.png"
  log "updated perf/RESULTS.md, perf/suite_pairs_per_s.png and perf/results/*-$stamp.json"
fi
exit $status

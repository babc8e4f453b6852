#!/usr/bin/env bash
# Run the libFuzzer targets of a fuzz build (-DKokkeops_ENABLE_FUZZ=ON, clang) for a bounded time each,
# all at the same time (FUZZ_JOBS=1: one after the other).
#
#   [BUILD_DIR=DIR] scripts/fuzz.sh [SECONDS] [TARGET...]      (default: 45 s; npy csv strings cli)
#
# Each target starts from a scratch copy of its committed corpus (tests/fuzz/corpus/<target>: seeds and
# past findings), so the repository is not modified. A crash, a leak, a timeout (> 10 s for one input),
# an out-of-memory (> 2 GB) or any sanitizer report stops that target and fails the script; the input
# that did it is kept in $FUZZ_ARTIFACTS (default: BUILD_DIR/fuzz-artifacts). To turn a finding into a
# regression test, add a GoogleTest case (tests/io.cpp) or a CLI case (tests/cli/cli_test.sh) and copy
# the input into the corpus.
set -uo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$repo_root/build-fuzz}
seconds=${1:-45}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(npy csv strings cli)
artifacts=${FUZZ_ARTIFACTS:-$build_dir/fuzz-artifacts}
mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)  # absolute: the cli target works in a scratch directory of its own

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# One target: fuzz a scratch copy of its corpus; its report goes to $work.log. Returns the fuzzer's status.
fuzz_one() {
  local t=$1 work=$2
  local exe=$build_dir/fuzz/kokkeops_fuzz_$t
  cp "$repo_root/tests/fuzz/corpus/$t/"* "$work/"
  local opts=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1
              -artifact_prefix="$artifacts/$t-")
  [[ -f $repo_root/tests/fuzz/$t.dict ]] && opts+=(-dict="$repo_root/tests/fuzz/$t.dict")
  # The command line prints on stdout/stderr for every input: close both (reports still show).
  [[ $t == cli ]] && opts+=(-close_fd_mask=3)
  OMP_NUM_THREADS=1 OMP_PROC_BIND=false "$exe" "${opts[@]}" "$work" >"$work.log" 2>&1
}

# The targets run at the same time (each is single-threaded; $FUZZ_JOBS at once, default: all of them),
# then their reports are printed in order.
jobs_max=${FUZZ_JOBS:-${#targets[@]}}
failed=0
declare -A work pid
running=()
for t in "${targets[@]}"; do
  if [[ ! -x $build_dir/fuzz/kokkeops_fuzz_$t ]]; then
    echo "[fuzz] error: $build_dir/fuzz/kokkeops_fuzz_$t not built" >&2
    failed=1
    continue
  fi
  while [[ ${#running[@]} -ge $jobs_max ]]; do
    wait -n || true
    still=()
    for r in "${running[@]}"; do kill -0 "${pid[$r]}" 2>/dev/null && still+=("$r"); done
    running=("${still[@]}")
  done
  work[$t]=$(mktemp -d "${TMPDIR:-/tmp}/kokkeops-fuzz-$t.XXXXXX")
  echo "[fuzz] $t: ${seconds} s from $(ls "$repo_root/tests/fuzz/corpus/$t" | wc -l) corpus inputs"
  fuzz_one "$t" "${work[$t]}" &
  pid[$t]=$!
  running+=("$t")
done
for t in "${targets[@]}"; do
  [[ -n ${pid[$t]:-} ]] || continue
  rc=0
  wait "${pid[$t]}" || rc=$?
  log=${work[$t]}.log
  # libFuzzer's final statistics and the last status line.
  grep -E '^(stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb)' "$log" | sed "s/^/[fuzz] $t: /"
  if [[ $rc -ne 0 ]]; then
    echo "[fuzz] $t: FAILED (exit $rc); the report:" >&2
    tail -n 80 "$log" >&2
    failed=1
  else
    echo "[fuzz] $t: ok, corpus now $(ls "${work[$t]}" | wc -l) inputs"
  fi
  rm -rf "${work[$t]}" "$log"
done
exit $failed

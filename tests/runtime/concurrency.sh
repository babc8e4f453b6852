#!/usr/bin/env bash
# The runtime formula cache across processes (kokkeops/strings/runtime.hpp), with a worker that asks for a formula
# string which is not compiled in (tests/runtime/worker.cpp):
#   1. eight processes at once on an empty cache: exactly one compiles, the others load its entry; all agree;
#   2. a truncated entry is rebuilt (never loaded), same result;
#   3. a process killed with SIGKILL while it compiles (CMake and the compiler with it) leaves its lock to the OS:
#      the next process rebuilds, same result, no hang;
#   4. a read-only folder of KOKKEOPS_CACHE_PATH serves a process that may not compile (KOKKEOPS_RUNTIME_COMPILE=0).
# Where this build cannot compile at run time, the worker must fail with the reason.
#   concurrency.sh WORKER [available|unavailable]
set -u
worker=$1
mode=${2:-available}
export OMP_NUM_THREADS=1 OMP_PROC_BIND=false
cache=$(mktemp -d "${TMPDIR:-/tmp}/kokkeops-runtime-cache.XXXXXX")
trap 'rm -rf "$cache"' EXIT
export KOKKEOPS_CACHE_DIR=$cache/c
fail=0
check() {  # check CONDITION-RESULT MESSAGE
  if [[ $1 -ne 0 ]]; then
    echo "FAILED: $2"
    fail=1
  else
    echo "ok: $2"
  fi
}

if [[ $mode == unavailable ]]; then
  out=$("$worker" float64 2>&1)
  rc=$?
  echo "$out"
  [[ $rc -ne 0 && $out == *"cannot compile formulas at run time"* && $out == *kokkeops_add_formulas* ]]
  check $? "the worker fails with the reason where runtime compilation is unavailable"
  exit $fail
fi

# 1. Eight at once.
pids=()
for k in 1 2 3 4 5 6 7 8; do
  "$worker" float64 >"$cache/out.$k" 2>&1 &
  pids+=($!)
done
rcs=0
for p in "${pids[@]}"; do
  wait "$p" || rcs=1
done
cat "$cache"/out.*
check $rcs "eight processes at once all succeed"
compiled=$(cat "$cache"/out.* | grep -c '^compiled 1 loaded 0 ')
loaded=$(cat "$cache"/out.* | grep -c '^compiled 0 loaded 1 ')
[[ $compiled -eq 1 && $loaded -eq 7 ]]
check $? "exactly one compiled ($compiled), the other seven loaded its entry ($loaded)"
sums=$(sed -n 's/.* checksum //p' "$cache"/out.* | sort -u)
[[ $(printf '%s\n' "$sums" | wc -l) -eq 1 && -n $sums ]]
check $? "the same result in every process ($sums)"
ref=$sums

# 2. A truncated entry is rebuilt.
so=$(ls "$KOKKEOPS_CACHE_DIR"/*.so)
truncate -s $(($(stat -c %s "$so") / 2)) "$so"
out=$("$worker" float64 2>&1)
echo "$out"
[[ $out == "compiled 1 loaded 0 checksum $ref" ]]
check $? "a truncated entry is rebuilt, same result"

# 3. A build killed mid-way: the lock goes with the process; the next one rebuilds.
rm -f "$KOKKEOPS_CACHE_DIR"/*.so "$KOKKEOPS_CACHE_DIR"/*.sha256
setsid "$worker" float64 >"$cache/killed.out" 2>&1 &
victim=$!
for _ in $(seq 1 600); do  # until CMake has started the build (at most 60 s)
  compgen -G "$KOKKEOPS_CACHE_DIR/build-*/build/CMakeCache.txt" >/dev/null && break
  sleep 0.1
done
sleep 1
kill -KILL -- -"$victim" 2>/dev/null || kill -KILL "$victim"
wait "$victim" 2>/dev/null
[[ ! -f $(ls "$KOKKEOPS_CACHE_DIR"/*.sha256 2>/dev/null | head -n 1) ]] || echo "(the victim finished before the kill)"
start=$SECONDS
out=$(KOKKEOPS_CACHE_LOCK_TIMEOUT=300 "$worker" float64 2>&1)
echo "$out (after $((SECONDS - start)) s)"
[[ $out == "compiled 1 loaded 0 checksum $ref" ]]
check $? "after a build killed with SIGKILL, the next process rebuilds, same result"
out=$("$worker" float64 2>&1)
[[ $out == "compiled 0 loaded 1 checksum $ref" ]]
check $? "then the entry is loaded from the cache ($out)"

# 4. A read-only cache folder in KOKKEOPS_CACHE_PATH serves a process that may not compile (a compute node).
ro=$KOKKEOPS_CACHE_DIR
rm -f "$ro"/*.lock
chmod 555 "$ro"
out=$(KOKKEOPS_CACHE_DIR=$cache/empty KOKKEOPS_CACHE_PATH=/nonexistent:$ro KOKKEOPS_RUNTIME_COMPILE=0 "$worker" float64 2>&1)
[[ $out == "compiled 0 loaded 1 checksum $ref" ]]
check $? "an entry in a read-only KOKKEOPS_CACHE_PATH folder is loaded without compiling ($out)"
out=$(KOKKEOPS_CACHE_DIR=$cache/empty KOKKEOPS_RUNTIME_COMPILE=0 "$worker" float64 2>&1)
[[ $out == *"not in the cache"*"KOKKEOPS_RUNTIME_COMPILE=0"* ]]
check $? "without it, KOKKEOPS_RUNTIME_COMPILE=0 is an error that says so"
chmod 700 "$ro"
exit $fail

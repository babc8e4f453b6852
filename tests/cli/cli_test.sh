#!/usr/bin/env bash
# End-to-end checks of the kokkeops command-line tool: results against awk's arithmetic, .npy/.csv
# round trips, and every error path (exit status, one-line message, no output file).
#   cli_test.sh <path-to-kokkeops> <scratch-dir>
set -uo pipefail
exe=$1
dir=$2
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} OMP_PROC_BIND=${OMP_PROC_BIND:-false}
fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# 60 points in 2-D and two weight columns, deterministic.
awk 'BEGIN { for (i = 0; i < 60; i++) printf "%.17g,%.17g\n", sin(0.37 * i) * 1.5, cos(0.11 * i * i) }' > x.csv
awk 'BEGIN { print "# weights"; for (i = 0; i < 60; i++) printf "%.17g, %.17g\n", 1 + 0.01 * i, sin(i) }' > b.csv

# expect_close FILE_A FILE_B RTOL: every entry of two csv files agrees.
expect_close() {
  paste -d, "$1" "$2" | awk -F, -v rtol="$3" -v name="$1" '
    { n = NF / 2; for (k = 1; k <= n; k++) { a = $k; b = $(k + n); d = a - b; if (d < 0) d = -d;
      s = (b < 0 ? -b : b) + 1e-300; if (d > rtol * s + 1e-12) { printf "%s line %d col %d: %.17g vs %.17g\n", name, NR, k, a, b; bad = 1 } } }
    END { exit bad }'
}

# Reference kernel sums computed by awk for each kernel (scale 0.8).
for kernel in gaussian laplace cauchy imq matern32 matern52; do
  awk -F, -v kern="$kernel" -v s=0.8 '
    NR == FNR { x[NR] = $1; y[NR] = $2; n = NR; next }
    /^#/ { next }
    { m++; b1[m] = $1; b2[m] = $2 }
    END {
      for (i = 1; i <= n; i++) { o1 = 0; o2 = 0
        for (j = 1; j <= m; j++) { d2 = (x[i] - x[j])^2 + (y[i] - y[j])^2; r = sqrt(d2)
          if (kern == "gaussian") k = exp(-d2 / s^2)
          else if (kern == "laplace") k = exp(-r / s)
          else if (kern == "cauchy") k = 1 / (1 + d2 / s^2)
          else if (kern == "imq") k = 1 / sqrt(1 + d2 / s^2)
          else if (kern == "matern32") { t = sqrt(3) * r / s; k = (1 + t) * exp(-t) }
          else { t = sqrt(5) * r / s; k = (1 + t + t * t / 3) * exp(-t) }
          o1 += k * b1[j]; o2 += k * b2[j] }
        printf "%.17g,%.17g\n", o1, o2 } }' x.csv b.csv > "ref_$kernel.csv"
  if "$exe" reduce --kernel "$kernel" --scale 0.8 --x x.csv --y x.csv --b b.csv --out "out_$kernel.csv" > /dev/null &&
     expect_close "out_$kernel.csv" "ref_$kernel.csv" 1e-12; then ok; else bad "reduce $kernel differs from awk"; fi
done

# float32 through .npy: the same sums within float precision, and the file is float32.
"$exe" reduce --kernel gaussian --scale 0.8 --x x.csv --y x.csv --b b.csv --out out32.npy --dtype float32 > /dev/null &&
  [[ $(head -c 80 out32.npy | tr -d '\0' | grep -c "'descr': '<f4'") == 1 ]] && ok || bad "float32 .npy output"
# .npy in, .csv out: the float32 result read back gives the same sums as float64 within 1e-5.
"$exe" reduce --kernel gaussian --scale 0.8 --x x.csv --y x.csv --b out32.npy --out twice.csv > /dev/null && ok ||
  bad "reading a .npy written by the tool"

# Solve, then check the residual alpha a + K a - b with a kernel sum of the solution.
if "$exe" solve --kernel gaussian --scale 0.8 --alpha 0.5 --tol 1e-12 --x x.csv --b b.csv --out a.csv --json > solve.json; then
  grep -q '"converged": true' solve.json && ok || bad "solve JSON does not say converged"
  "$exe" reduce --kernel gaussian --scale 0.8 --x x.csv --y x.csv --b a.csv --out ka.csv > /dev/null
  paste -d, a.csv ka.csv <(grep -v '^#' b.csv) | awk -F, '{ for (k = 1; k <= 2; k++) { r = 0.5 * $k + $(k + 2) - $(k + 4); if (r < 0) r = -r; if (r > 1e-9) bad = 1 } } END { exit bad }' &&
    ok || bad "solve residual too large"
else
  bad "solve failed"
fi
for pre in auto none jacobi nystrom nystrom:20; do
  "$exe" solve --kernel laplace --scale 1 --alpha 0.1 --precond "$pre" --x x.csv --b b.csv --out "a_$pre.npy" > /dev/null &&
    ok || bad "solve with --precond $pre"
done
"$exe" demo --n 300 --dtype float64 > demo.txt && grep -q "float64: a of shape (300, 2)" demo.txt &&
  grep -q "gradient of sum(a^2) w.r.t. x (adjoint solve, [0-9]* iterations, converged): shape (300, 3)" demo.txt && ok || bad "demo"
"$exe" --help > /dev/null && "$exe" solve --help | grep -q -- "--precond" && ok || bad "--help"
"$exe" --version | grep -q "kokkeops " && ok || bad "--version"

# expect_error STATUS PATTERN OUTFILE ARGS...: exit status, one line on stderr matching, no output file.
expect_error() {
  local want=$1 pattern=$2 out=$3
  shift 3
  "$exe" "$@" > /dev/null 2> err.txt
  local got=$?
  if [[ $got != "$want" ]]; then bad "$* -> exit $got, expected $want"; return; fi
  if [[ $(wc -l < err.txt) != 1 ]] || ! grep -q -- "$pattern" err.txt; then bad "$* -> stderr: $(cat err.txt)"; return; fi
  if [[ -n $out && -e $out ]]; then bad "$* left $out behind"; return; fi
  ok
}
printf '1,2\n3,nan\n' > nan.csv
printf '1,2\n3\n' > ragged.csv
head -c 100 out32.npy > truncated.npy
awk 'NR <= 10' x.csv > x10.csv
expect_error 1 "cannot open" o1.npy solve --kernel gaussian --scale 1 --alpha 0.1 --x missing.npy --b b.csv --out o1.npy
expect_error 1 "truncated\|data" o2.npy reduce --kernel gaussian --scale 1 --x x.csv --y x.csv --b truncated.npy --out o2.npy
expect_error 1 "non-finite" o3.csv solve --kernel gaussian --scale 1 --alpha 0.1 --x nan.csv --b b.csv --out o3.csv
expect_error 1 "columns" o4.csv reduce --kernel gaussian --scale 1 --x ragged.csv --y x.csv --b b.csv --out o4.csv
expect_error 1 "rows" o5.csv solve --kernel gaussian --scale 1 --alpha 0.1 --x x10.csv --b b.csv --out o5.csv
expect_error 1 "rows" o6.csv reduce --kernel gaussian --scale 1 --x x.csv --y x10.csv --b b.csv --out o6.csv
expect_error 1 "unknown kernel" o7.csv reduce --kernel sinc --scale 1 --x x.csv --y x.csv --b b.csv --out o7.csv
expect_error 1 "alpha must be finite and >= 0" o8.csv solve --kernel gaussian --scale 1 --alpha -1 --x x.csv --b b.csv --out o8.csv
expect_error 1 "scale" o9.csv reduce --kernel gaussian --scale 0 --x x.csv --y x.csv --b b.csv --out o9.csv
expect_error 1 "precond" o10.csv solve --kernel gaussian --scale 1 --alpha 0.1 --precond nystrom:x --x x.csv --b b.csv --out o10.csv
expect_error 1 "tolerance" o11.csv solve --kernel gaussian --scale 1 --alpha 0.1 --tol 0 --x x.csv --b b.csv --out o11.csv
expect_error 1 "\.npy or \.csv\|extension" o12.txt reduce --kernel gaussian --scale 1 --x x.csv --y x.csv --b b.csv --out o12.txt
expect_error 2 "required" "" solve --kernel gaussian --scale 1 --x x.csv --b b.csv --out o13.csv
expect_error 2 "" "" frobnicate
expect_error 3 "did not converge" "" solve --kernel gaussian --scale 0.8 --alpha 0 --tol 1e-14 --max-iter 2 --x x.csv --b b.csv --out o14.csv

# Bad inputs (issue 8): empty files, non-finite right-hand sides, non-finite or out-of-range options,
# mismatched dimensions, and an existing output file left byte-for-byte as it was by a rejected call.
: > empty.csv
printf '# only a comment\n\n' > comment_only.csv
printf '1,2\n3,4\n' > b2.csv
printf '1,nan\n3,4\n' > bnan.csv
printf '0,0\n1,1\n' > x2.csv
printf '0,0,0\n1,1,1\n' > x3.csv
awk 'BEGIN { for (i = 0; i < 2; i++) { for (k = 0; k < 17; k++) printf "%s%d", (k ? "," : ""), i + k; print "" } }' > x17.csv
expect_error 1 "no data" o20.csv reduce --kernel gaussian --scale 1 --x empty.csv --y x.csv --b b.csv --out o20.csv
expect_error 1 "no data" o21.csv solve --kernel gaussian --scale 1 --alpha 0.1 --x comment_only.csv --b b.csv --out o21.csv
expect_error 1 "non-finite" o22.csv solve --kernel gaussian --scale 1 --alpha 0.1 --x x2.csv --b bnan.csv --out o22.csv
expect_error 1 "alpha must be finite and >= 0" o23.csv solve --kernel gaussian --scale 1 --alpha nan --x x2.csv --b b2.csv --out o23.csv
expect_error 1 "alpha must be finite and >= 0" o24.csv solve --kernel gaussian --scale 1 --alpha inf --x x2.csv --b b2.csv --out o24.csv
expect_error 1 "tolerance must be finite and > 0" o25.csv solve --kernel gaussian --scale 1 --alpha 0.1 --tol -1e-3 --x x2.csv --b b2.csv --out o25.csv
expect_error 1 "tolerance must be finite and > 0" o26.csv solve --kernel gaussian --scale 1 --alpha 0.1 --tol nan --x x2.csv --b b2.csv --out o26.csv
expect_error 1 "max_iterations must be >= 1" o27.csv solve --kernel gaussian --scale 1 --alpha 0.1 --max-iter 0 --x x2.csv --b b2.csv --out o27.csv
expect_error 1 "scale must be finite and > 0" o28.csv reduce --kernel gaussian --scale nan --x x2.csv --y x2.csv --b b2.csv --out o28.csv
expect_error 1 "scale must be finite and > 0" o29.csv solve --kernel laplace --scale -1 --alpha 0.1 --x x2.csv --b b2.csv --out o29.csv
expect_error 1 "x has 2 columns but y has 3" o30.csv reduce --kernel gaussian --scale 1 --x x2.csv --y x3.csv --b b2.csv --out o30.csv
expect_error 1 "not supported" o31.csv reduce --kernel gaussian --scale 1 --x x17.csv --y x17.csv --b b2.csv --out o31.csv
expect_error 1 "unknown --dtype" o32.csv reduce --kernel gaussian --scale 1 --dtype float16 --x x2.csv --y x2.csv --b b2.csv --out o32.csv
expect_error 1 "--n must be >= 1" "" demo --n 0
expect_error 2 "" "" solve
expect_error 2 "" ""
expect_error 2 "" "" reduce --kernel gaussian --scale notanumber --x x2.csv --y x2.csv --b b2.csv --out o33.csv
# A rejected call leaves an existing output file exactly as it was.
printf 'keep,me\n' > existing.csv
cp existing.csv existing.orig
"$exe" solve --kernel gaussian --scale 1 --alpha -1 --x x2.csv --b b2.csv --out existing.csv > /dev/null 2>&1
[[ $? == 1 ]] && cmp -s existing.csv existing.orig && ok || bad "a rejected solve changed an existing output file"
"$exe" reduce --kernel gaussian --scale 1 --x x2.csv --y x3.csv --b b2.csv --out existing.csv > /dev/null 2>&1
[[ $? == 1 ]] && cmp -s existing.csv existing.orig && ok || bad "a rejected reduce changed an existing output file"
# Empty inputs are valid where the format can hold the result: zero points in .npy give zero rows.
printf '\x93NUMPY\x01\x00\x76\x00%-117s\n' "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 2), }" > empty02.npy
"$exe" reduce --kernel gaussian --scale 1 --x empty02.npy --y x2.csv --b b2.csv --out o34.npy > /dev/null &&
  [[ $(head -c 128 o34.npy | tr -d '\0' | grep -c "'shape': (0, 2)") == 1 ]] && ok || bad "reduce with no output points"
"$exe" reduce --kernel gaussian --scale 1 --x x2.csv --y empty02.npy --b empty02.npy --out o35.csv > /dev/null &&
  [[ $(cat o35.csv) == $'0,0\n0,0' ]] && ok || bad "reduce with no source points is a sum of nothing: zeros ($(cat o35.csv 2>&1))"
"$exe" solve --kernel gaussian --scale 1 --alpha 0.1 --x empty02.npy --b empty02.npy --out o36.npy > /dev/null &&
  [[ -f o36.npy ]] && ok || bad "solve with no points"

echo "$pass passed, $fails failed"
[[ $fails == 0 ]]

/* The C interface (include/kokkeops/kokkeops.h), from C99: Genred and KernelSolve on formula strings compiled
 * in by kokkeops_add_formulas (set "c_api", tests/CMakeLists.txt), against a plain C oracle, with strided
 * arrays (a column slice, a transposed array), and every error path giving its status and message. */
#include <kokkeops/kokkeops.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kokkeops_formulas_c_api.h"

static int checks = 0, failures = 0;

#define CHECK(cond, ...)                                            \
  do {                                                              \
    ++checks;                                                       \
    if (!(cond)) {                                                  \
      ++failures;                                                   \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                 \
      fprintf(stderr, "\n");                                        \
    }                                                               \
  } while (0)

/* A status and a message that contains `needle`. */
#define CHECK_ERROR(rc, status, message, needle)                                                     \
  CHECK((rc) == (status) && strstr((message), (needle)) != NULL, "status %d (expected %d), message: %s", \
        (rc), (status), (message))

static const char* const gauss_aliases[] = {"x = Vi(3)", "y = Vj(3)", "b = Vj(2)", "g = Pm(1)"};
static const char* const gauss_formula = "Exp(-g * SqDist(x, y)) * b";

static double uniform(unsigned* s) {
  *s = *s * 1664525u + 1013904223u;
  return (double)(*s >> 8) / 16777216.0;
}

/* out_i = sum_j exp(-g |x_i - y_j|^2) b_j, x (n, 3), y (m, 3), b (m, 2), all C order, in double. */
static void gauss_oracle(const double* x, const double* y, const double* b, double g, int n, int m, double* out) {
  for (int i = 0; i < n; ++i) {
    double s0 = 0, s1 = 0;
    for (int j = 0; j < m; ++j) {
      double d2 = 0;
      for (int k = 0; k < 3; ++k) d2 += (x[3 * i + k] - y[3 * j + k]) * (x[3 * i + k] - y[3 * j + k]);
      const double w = exp(-g * d2);
      s0 += w * b[2 * j];
      s1 += w * b[2 * j + 1];
    }
    out[2 * i] = s0;
    out[2 * i + 1] = s1;
  }
}

static double max_rel(const double* a, const double* ref, int count) {
  double e = 0, scale = 0;
  for (int k = 0; k < count; ++k) {
    if (fabs(ref[k]) > scale) scale = fabs(ref[k]);
    if (fabs(a[k] - ref[k]) > e) e = fabs(a[k] - ref[k]);
  }
  return scale > 0 ? e / scale : e;
}

enum { N = 203, M = 311 };

static void test_gaussian(void) {
  static double x[N * 3], y[M * 3], bw[M * 4], b[M * 2], ref[N * 2], out[N * 2], xt[3 * N];
  static float xf[N * 3], yf[M * 3], bf[M * 2], outf[N * 2];
  double g = 0.7;
  float gf = 0.7f;
  unsigned s = 1;
  for (int k = 0; k < N * 3; ++k) x[k] = uniform(&s);
  for (int k = 0; k < M * 3; ++k) y[k] = uniform(&s);
  for (int k = 0; k < M * 4; ++k) bw[k] = uniform(&s) - 0.5;
  for (int j = 0; j < M; ++j) b[2 * j] = bw[4 * j + 1], b[2 * j + 1] = bw[4 * j + 2];
  gauss_oracle(x, y, b, g, N, M, ref);

  kokkeops_genred* K = NULL;
  int rc = kokkeops_genred_create(&K, gauss_formula, gauss_aliases, 4, "Sum", 1, 0, NULL);
  CHECK(rc == KOKKEOPS_OK && K != NULL, "create: %d %s", rc, kokkeops_genred_error(K));

  const kokkeops_entry_info* info = NULL;
  rc = kokkeops_genred_info(K, KOKKEOPS_DTYPE_FLOAT64, &info);
  CHECK(rc == KOKKEOPS_OK && info && info->num_args == 4 && info->num_outputs == 1 && info->output_cols[0] == 2 &&
            info->arg_category[0] == 0 && info->arg_category[1] == 1 && info->arg_category[3] == 2 && info->arg_dim[2] == 2,
        "info: %d %s", rc, kokkeops_genred_error(K));

  /* float64, C order, b a column slice (columns 1 and 2 of a (M, 4) array). */
  kokkeops_array o = kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, out, N, 2);
  kokkeops_array args[4] = {kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, x, N, 3), kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, y, M, 3),
                            kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, bw + 1, M, 2), kokkeops_vector(KOKKEOPS_DTYPE_FLOAT64, &g, 1)};
  args[2].row_stride = 4;
  rc = kokkeops_genred_run(K, &o, 1, args, 4, KOKKEOPS_MEMORY_HOST);
  CHECK(rc == KOKKEOPS_OK, "run float64: %s", kokkeops_genred_error(K));
  CHECK(max_rel(out, ref, N * 2) < 1e-12, "float64 error %g", max_rel(out, ref, N * 2));

  /* x transposed: stored (3, N) in C order, i.e. a Fortran (N, 3) array: row_stride 1, col_stride N. */
  for (int i = 0; i < N; ++i)
    for (int k = 0; k < 3; ++k) xt[k * N + i] = x[3 * i + k];
  memset(out, 0, sizeof out);
  args[0].data = xt;
  args[0].row_stride = 1;
  args[0].col_stride = N;
  CHECK(kokkeops_genred_set_segments(K, 3) == KOKKEOPS_OK, "segments");
  rc = kokkeops_genred_run(K, &o, 1, args, 4, KOKKEOPS_MEMORY_HOST);
  CHECK(rc == KOKKEOPS_OK, "run transposed, 2D scheme: %s", kokkeops_genred_error(K));
  CHECK(max_rel(out, ref, N * 2) < 1e-12, "transposed float64 error %g", max_rel(out, ref, N * 2));

  /* float32: the same handle, the float32 entry. */
  for (int k = 0; k < N * 3; ++k) xf[k] = (float)x[k];
  for (int k = 0; k < M * 3; ++k) yf[k] = (float)y[k];
  for (int k = 0; k < M * 2; ++k) bf[k] = (float)b[k];
  kokkeops_array of = kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT32, outf, N, 2);
  kokkeops_array argsf[4] = {kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT32, xf, N, 3), kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT32, yf, M, 3),
                             kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT32, bf, M, 2), kokkeops_vector(KOKKEOPS_DTYPE_FLOAT32, &gf, 1)};
  rc = kokkeops_genred_run(K, &of, 1, argsf, 4, KOKKEOPS_MEMORY_HOST);
  CHECK(rc == KOKKEOPS_OK, "run float32: %s", kokkeops_genred_error(K));
  for (int k = 0; k < N * 2; ++k) out[k] = outf[k];
  CHECK(max_rel(out, ref, N * 2) < 2e-5, "float32 error %g", max_rel(out, ref, N * 2));

  /* Bad calls on a good handle: each a status and a message, the outputs untouched where checked first. */
  rc = kokkeops_genred_run(K, &o, 1, args, 3, KOKKEOPS_MEMORY_HOST);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_ARGUMENT, kokkeops_genred_error(K), "3 argument arrays given, 4 expected");
  CHECK(strcmp(kokkeops_last_error(), kokkeops_genred_error(K)) == 0, "last error %s", kokkeops_last_error());
  rc = kokkeops_genred_run(K, &o, 2, args, 4, KOKKEOPS_MEMORY_HOST);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_ARGUMENT, kokkeops_genred_error(K), "2 output arrays given, 1 expected");
  rc = kokkeops_genred_run(K, &o, 1, args, 4, 7);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_ARGUMENT, kokkeops_genred_error(K), "memory 7");
  args[1].rows = M - 1; /* y and b disagree on the number of j rows */
  rc = kokkeops_genred_run(K, &o, 1, args, 4, KOKKEOPS_MEMORY_HOST);
  CHECK(rc == KOKKEOPS_ERROR_ARGUMENT && strstr(kokkeops_genred_error(K), "rows") != NULL, "rows: %d %s", rc,
        kokkeops_genred_error(K));
  args[1].rows = M;
  args[3].dtype = KOKKEOPS_DTYPE_FLOAT32; /* a float32 parameter among float64 arrays */
  rc = kokkeops_genred_run(K, &o, 1, args, 4, KOKKEOPS_MEMORY_HOST);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_ARGUMENT, kokkeops_genred_error(K), "float32");
  args[3].dtype = KOKKEOPS_DTYPE_FLOAT64;
  args[0].dtype = KOKKEOPS_DTYPE_INT64;
  rc = kokkeops_genred_run(K, &o, 1, args, 4, KOKKEOPS_MEMORY_HOST);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_ARGUMENT, kokkeops_genred_error(K), "data type 3");
  CHECK(kokkeops_genred_set_segments(K, -1) == KOKKEOPS_ERROR_ARGUMENT, "segments -1: %s", kokkeops_genred_error(K));
  kokkeops_genred_destroy(K);
}

static void test_argkmin_axis0(void) {
  /* out_j = the 2 indices i of the smallest |x_i - y_j|^2 (axis 0: reduce over i), int64 indices. */
  enum { n = 97, m = 41, K = 2 };
  static double x[n * 3], y[m * 3];
  static int64_t idx[m * K];
  unsigned s = 7;
  for (int k = 0; k < n * 3; ++k) x[k] = uniform(&s);
  for (int k = 0; k < m * 3; ++k) y[k] = uniform(&s);
  const char* const aliases[] = {"x = Vi(3)", "y = Vj(3)"};
  kokkeops_genred* G = NULL;
  int rc = kokkeops_genred_create(&G, "SqDist(x, y)", aliases, 2, "ArgKMin", 0, K, NULL);
  CHECK(rc == KOKKEOPS_OK, "create ArgKMin: %s", kokkeops_genred_error(G));
  kokkeops_array o = kokkeops_matrix(KOKKEOPS_DTYPE_INT64, idx, m, K);
  kokkeops_array args[2] = {kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, x, n, 3), kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, y, m, 3)};
  rc = kokkeops_genred_run(G, &o, 1, args, 2, KOKKEOPS_MEMORY_HOST);
  CHECK(rc == KOKKEOPS_OK, "run ArgKMin: %s", kokkeops_genred_error(G));
  int wrong = 0;
  for (int j = 0; j < m; ++j) {
    int best[K] = {-1, -1};
    double bd[K] = {INFINITY, INFINITY};
    for (int i = 0; i < n; ++i) {
      double d = 0;
      for (int k = 0; k < 3; ++k) d += (x[3 * i + k] - y[3 * j + k]) * (x[3 * i + k] - y[3 * j + k]);
      if (d < bd[0]) bd[1] = bd[0], best[1] = best[0], bd[0] = d, best[0] = i;
      else if (d < bd[1]) bd[1] = d, best[1] = i;
    }
    if (idx[K * j] != best[0] || idx[K * j + 1] != best[1]) ++wrong;
  }
  CHECK(wrong == 0, "%d rows with other indices than the oracle's", wrong);
  /* A float32 run: this set compiles ArgKMin for float64 only. */
  static float xf[n * 3], yf[m * 3];
  kokkeops_array argsf[2] = {kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT32, xf, n, 3), kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT32, yf, m, 3)};
  rc = kokkeops_genred_run(G, &o, 1, argsf, 2, KOKKEOPS_MEMORY_HOST);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_UNAVAILABLE, kokkeops_genred_error(G), "not compiled in for float32");
  kokkeops_genred_destroy(G);
}

static void test_solve(void) {
  /* The seed: (alpha Id + K) a = b with K = exp(-|x_i - x_j|), 2 right-hand sides, alpha = 0.1. */
  enum { n = 400 };
  static double x[n * 3], b[n * 2], a[n * 2], Ka[n * 2];
  unsigned s = 3;
  for (int k = 0; k < n * 3; ++k) x[k] = 4 * uniform(&s);
  for (int k = 0; k < n * 2; ++k) b[k] = uniform(&s) - 0.5;
  const char* const aliases[] = {"x = Vi(3)", "y = Vj(3)", "a = Vj(2)"};
  kokkeops_solver* S = NULL;
  int rc = kokkeops_solver_create(&S, "Exp(-Norm2(x - y)) * a", aliases, 3, "a", 1);
  CHECK(rc == KOKKEOPS_OK, "create solver: %s", kokkeops_solver_error(S));
  kokkeops_solve_options opt;
  kokkeops_solve_options_init(&opt);
  opt.alpha = 0.1;
  opt.tolerance = 1e-10;
  double rel[2] = {-1, -1};
  kokkeops_solve_report rep;
  memset(&rep, 0, sizeof rep);
  rep.struct_size = sizeof rep;
  rep.relative_residual = rel;
  rep.relative_residual_size = 2;
  kokkeops_array sol = kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, a, n, 2);
  kokkeops_array args[3] = {kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, x, n, 3), kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, x, n, 3),
                            kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, b, n, 2)};
  rc = kokkeops_solver_solve(S, &sol, args, 3, KOKKEOPS_MEMORY_HOST, &opt, &rep);
  CHECK(rc == KOKKEOPS_OK, "solve: %s", kokkeops_solver_error(S));
  CHECK(rep.converged && rep.iterations > 0 && rep.reason == KOKKEOPS_STOP_CONVERGED, "report: converged %d, %d iterations",
        rep.converged, rep.iterations);
  CHECK(rel[0] >= 0 && rel[0] < 1e-9 && rel[1] >= 0 && rel[1] < 1e-9, "relative residuals %g %g", rel[0], rel[1]);
  /* The residual, by the oracle: alpha a + K a - b. */
  for (int i = 0; i < n; ++i) {
    double s0 = 0, s1 = 0;
    for (int j = 0; j < n; ++j) {
      double d2 = 0;
      for (int k = 0; k < 3; ++k) d2 += (x[3 * i + k] - x[3 * j + k]) * (x[3 * i + k] - x[3 * j + k]);
      const double w = exp(-sqrt(d2));
      s0 += w * a[2 * j];
      s1 += w * a[2 * j + 1];
    }
    Ka[2 * i] = 0.1 * a[2 * i] + s0;
    Ka[2 * i + 1] = 0.1 * a[2 * i + 1] + s1;
  }
  CHECK(max_rel(Ka, b, n * 2) < 1e-8, "oracle residual %g", max_rel(Ka, b, n * 2));
  /* Defaults (NULL options and report) run too. */
  rc = kokkeops_solver_solve(S, &sol, args, 3, KOKKEOPS_MEMORY_HOST, NULL, NULL);
  CHECK(rc == KOKKEOPS_OK, "solve with defaults: %s", kokkeops_solver_error(S));
  /* A NaN in the right-hand side: refused, with the solver's message. */
  const double saved = b[5];
  b[5] = NAN;
  rc = kokkeops_solver_solve(S, &sol, args, 3, KOKKEOPS_MEMORY_HOST, &opt, &rep);
  CHECK(rc == KOKKEOPS_ERROR_ARGUMENT && strstr(kokkeops_solver_error(S), "NaN") != NULL, "NaN: %d %s", rc,
        kokkeops_solver_error(S));
  b[5] = saved;
  /* Options of another struct size: a version error. */
  opt.struct_size = 8;
  rc = kokkeops_solver_solve(S, &sol, args, 3, KOKKEOPS_MEMORY_HOST, &opt, &rep);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_VERSION, kokkeops_solver_error(S), "struct size");
  kokkeops_solver_destroy(S);
}

static void test_creation_errors(void) {
  kokkeops_genred* K = NULL;
  int rc = kokkeops_genred_create(&K, "Exp(-g * SqDistt(x, y)) * b", gauss_aliases, 4, "Sum", 1, 0, NULL);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_ARGUMENT, kokkeops_genred_error(K), "SqDistt");
  CHECK(strstr(kokkeops_genred_error(K), "^") != NULL, "no caret in: %s", kokkeops_genred_error(K));
  /* A failed handle refuses to run, with its creation's message. */
  const kokkeops_entry_info* info = NULL;
  rc = kokkeops_genred_info(K, KOKKEOPS_DTYPE_FLOAT64, &info);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_ARGUMENT, kokkeops_genred_error(K), "creation failed");
  rc = kokkeops_genred_info(K, KOKKEOPS_DTYPE_FLOAT64, &info); /* the message does not grow with each call */
  const char* first = strstr(kokkeops_genred_error(K), "creation failed");
  CHECK(rc == KOKKEOPS_ERROR_ARGUMENT && first && !strstr(first + 1, "creation failed") &&
            strstr(kokkeops_genred_error(K), "SqDistt") != NULL,
        "second call: %s", kokkeops_genred_error(K));
  kokkeops_genred_destroy(K);

  rc = kokkeops_genred_create(&K, gauss_formula, gauss_aliases, 4, "Summ", 1, 0, NULL);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_ARGUMENT, kokkeops_genred_error(K), "Summ");
  kokkeops_genred_destroy(K);
  rc = kokkeops_genred_create(&K, NULL, gauss_aliases, 4, "Sum", 1, 0, NULL);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_ARGUMENT, kokkeops_genred_error(K), "formula is NULL");
  kokkeops_genred_destroy(K);
  rc = kokkeops_genred_create(NULL, gauss_formula, gauss_aliases, 4, "Sum", 1, 0, NULL);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_ARGUMENT, kokkeops_last_error(), "handle is NULL");
  const char* const twice[] = {"x = Vi(3)", "x = Vj(3)"};
  rc = kokkeops_genred_create(&K, "SqDist(x, x)", twice, 2, "Sum", 1, 0, NULL);
  CHECK(rc == KOKKEOPS_ERROR_ARGUMENT && strstr(kokkeops_genred_error(K), "x") != NULL, "alias twice: %d %s", rc,
        kokkeops_genred_error(K));
  kokkeops_genred_destroy(K);

  /* A good formula that this program did not compile in. */
  rc = kokkeops_genred_create(&K, "Exp(-SqDist(x, y)) * b", gauss_aliases, 3, "Sum", 1, 0, NULL);
  CHECK(rc == KOKKEOPS_OK, "create: %s", kokkeops_genred_error(K));
  rc = kokkeops_genred_info(K, KOKKEOPS_DTYPE_FLOAT64, &info);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_UNAVAILABLE, kokkeops_genred_error(K), "kokkeops_add_formulas");
  kokkeops_genred_destroy(K);

  kokkeops_solver* S = NULL;
  const char* const saliases[] = {"x = Vi(3)", "y = Vj(3)", "a = Vj(2)"};
  rc = kokkeops_solver_create(&S, "Exp(-Norm2(x - y)) * a", saliases, 3, "x", 1);
  CHECK(rc == KOKKEOPS_ERROR_ARGUMENT && strlen(kokkeops_solver_error(S)) > 0, "unknown x (a Vi): %d %s", rc,
        kokkeops_solver_error(S));
  kokkeops_solver_destroy(S);
  rc = kokkeops_solver_create(&S, "Exp(-Norm2(x - y)) * a", saliases, 3, NULL, 1);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_ARGUMENT, kokkeops_solver_error(S), "unknown's alias is NULL");
  kokkeops_solver_destroy(S);
  kokkeops_genred_destroy(NULL);
  kokkeops_solver_destroy(NULL);
}

int main(int argc, char** argv) {
  CHECK(strlen(kokkeops_version()) > 0, "version");
  CHECK(kokkeops_register_c_api() == KOKKEOPS_OK, "register");

  /* Before Kokkos is initialised: an error, not an abort. */
  kokkeops_genred* K = NULL;
  int rc = kokkeops_genred_create(&K, gauss_formula, gauss_aliases, 4, "Sum", 1, 0, NULL);
  CHECK(rc == KOKKEOPS_OK, "create before initialize: %s", kokkeops_genred_error(K));
  double d[3] = {0, 0, 0};
  kokkeops_array o = kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, d, 1, 2);
  kokkeops_array args[4] = {kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, d, 1, 3), kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, d, 1, 3),
                            kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, d, 1, 2), kokkeops_vector(KOKKEOPS_DTYPE_FLOAT64, d, 1)};
  rc = kokkeops_genred_run(K, &o, 1, args, 4, KOKKEOPS_MEMORY_HOST);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_RUNTIME, kokkeops_genred_error(K), "not initialised");
  kokkeops_genred_destroy(K);

  CHECK(kokkeops_initialize(&argc, argv) == KOKKEOPS_OK, "initialize: %s", kokkeops_last_error());
  CHECK(kokkeops_is_initialized(), "initialized");
  CHECK(kokkeops_initialize(NULL, NULL) == KOKKEOPS_OK, "initialize twice");

  test_gaussian();
  test_argkmin_axis0();
  test_solve();
  test_creation_errors();

  CHECK(kokkeops_finalize() == KOKKEOPS_OK, "finalize");
  CHECK(!kokkeops_is_initialized(), "finalized");
  rc = kokkeops_initialize(NULL, NULL);
  CHECK_ERROR(rc, KOKKEOPS_ERROR_RUNTIME, kokkeops_last_error(), "cannot be initialised again");

  printf("c_api: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}

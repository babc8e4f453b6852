/* The installed package's C interface (Kokkeops::c) from a C program, with a formula compiled in. */
#include <kokkeops/kokkeops.h>
#include <math.h>
#include <stdio.h>

#include "kokkeops_formulas_consumer_c.h"

int main(void) {
  enum { n = 5, m = 7 };
  double x[n * 2], y[m * 2], b[m], out[n];
  for (int k = 0; k < n * 2; ++k) x[k] = 0.1 * k;
  for (int k = 0; k < m * 2; ++k) y[k] = 0.05 * k;
  for (int k = 0; k < m; ++k) b[k] = 1.0 + k;
  if (kokkeops_initialize(NULL, NULL) != KOKKEOPS_OK || kokkeops_register_consumer_c() != KOKKEOPS_OK) {
    fprintf(stderr, "set-up failed: %s\n", kokkeops_last_error());
    return 1;
  }
  const char* const aliases[] = {"x = Vi(2)", "y = Vj(2)", "b = Vj(1)"};
  kokkeops_genred* K = NULL;
  kokkeops_array o = kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, out, n, 1);
  kokkeops_array args[3] = {kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, x, n, 2), kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, y, m, 2),
                            kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, b, m, 1)};
  if (kokkeops_genred_create(&K, "Exp(-SqDist(x, y)) * b", aliases, 3, "Sum", 1, 0, NULL) != KOKKEOPS_OK ||
      kokkeops_genred_run(K, &o, 1, args, 3, KOKKEOPS_MEMORY_HOST) != KOKKEOPS_OK) {
    fprintf(stderr, "Genred failed: %s\n", kokkeops_genred_error(K));
    return 1;
  }
  kokkeops_genred_destroy(K);
  double err = 0;
  for (int i = 0; i < n; ++i) {
    double s = 0;
    for (int j = 0; j < m; ++j) {
      const double d0 = x[2 * i] - y[2 * j], d1 = x[2 * i + 1] - y[2 * j + 1];
      s += exp(-(d0 * d0 + d1 * d1)) * b[j];
    }
    err = fmax(err, fabs(out[i] - s) / fabs(s));
  }
  kokkeops_finalize();
  printf("C consumer (Kokkeops %s): Gaussian sum, max relative error %.2e\n", kokkeops_version(), err);
  return err < 1e-12 ? 0 : 1;
}

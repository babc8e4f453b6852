// What a competent programmer writes by hand: OpenMP over rows, an omp simd reduction over columns,
// the C library's exp (vectorised by glibc's libmvec under -ffast-math, which this file is built with).
#include "baseline_openmp.hpp"

#include <cmath>

namespace kokkeops::bench {

template <class T>
static void gaussian(long n, long m, const T* x, const T* y0, const T* y1, const T* y2, const T* b, T* out) {
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; ++i) {
    const T a0 = x[3 * i], a1 = x[3 * i + 1], a2 = x[3 * i + 2];
    T s = 0;
#pragma omp simd reduction(+ : s)
    for (long j = 0; j < m; ++j) {
      const T d0 = a0 - y0[j], d1 = a1 - y1[j], d2 = a2 - y2[j];
      s += std::exp(-(d0 * d0 + d1 * d1 + d2 * d2)) * b[j];
    }
    out[i] = s;
  }
}

void plain_openmp_gaussian(long n, long m, const float* x, const float* y0, const float* y1, const float* y2,
                           const float* b, float* out) {
  gaussian(n, m, x, y0, y1, y2, b, out);
}
void plain_openmp_gaussian(long n, long m, const double* x, const double* y0, const double* y1,
                           const double* y2, const double* b, double* out) {
  gaussian(n, m, x, y0, y1, y2, b, out);
}

}  // namespace kokkeops::bench

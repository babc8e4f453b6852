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

template <class T, int D, int Dv, int Kern>
void plain_openmp_kernel_sum(long n_out, long n_red, const T* p, const T* q, const T* b, T* out) {
#pragma omp parallel for schedule(static)
  for (long r = 0; r < n_out; ++r) {
    T a[D];
    for (int k = 0; k < D; ++k) a[k] = p[r * D + k];
    T s[Dv] = {};
    if constexpr (plain_openmp_soa(D)) {
      // Low dimension: vectorise over j (structure of arrays).
#pragma omp simd reduction(+ : s[:Dv])
      for (long j = 0; j < n_red; ++j) {
        T d2 = 0;
        for (int k = 0; k < D; ++k) {
          const T d = a[k] - q[k * n_red + j];
          d2 += d * d;
        }
        const T kv = Kern == 0 ? std::exp(-d2) : std::exp(-std::sqrt(d2));
        for (int c = 0; c < Dv; ++c) s[c] += kv * b[c * n_red + j];
      }
    } else {
      // High dimension: one point after the other, vectorise the distance over k (row-major q).
      for (long j = 0; j < n_red; ++j) {
        T d2 = 0;
#pragma omp simd reduction(+ : d2)
        for (int k = 0; k < D; ++k) {
          const T d = a[k] - q[j * D + k];
          d2 += d * d;
        }
        const T kv = Kern == 0 ? std::exp(-d2) : std::exp(-std::sqrt(d2));
        for (int c = 0; c < Dv; ++c) s[c] += kv * b[c * n_red + j];
      }
    }
    for (int c = 0; c < Dv; ++c) out[r * Dv + c] = s[c];
  }
}

#define KOKKEOPS_BENCH_PLAIN(T, D, Dv, K) \
  template void plain_openmp_kernel_sum<T, D, Dv, K>(long, long, const T*, const T*, const T*, T*);
#define KOKKEOPS_BENCH_PLAIN_T(T)     \
  KOKKEOPS_BENCH_PLAIN(T, 3, 1, 0)    \
  KOKKEOPS_BENCH_PLAIN(T, 3, 4, 0)    \
  KOKKEOPS_BENCH_PLAIN(T, 3, 1, 1)    \
  KOKKEOPS_BENCH_PLAIN(T, 3, 4, 1)    \
  KOKKEOPS_BENCH_PLAIN(T, 64, 1, 0)
KOKKEOPS_BENCH_PLAIN_T(float)
KOKKEOPS_BENCH_PLAIN_T(double)

}  // namespace kokkeops::bench

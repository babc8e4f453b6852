// The plain OpenMP baseline: kernel sums over raw host arrays, written as a competent programmer writes
// them by hand (baseline_openmp.cpp, built with -O3 -ffast-math so that glibc's vector exp is used).
#pragma once

namespace kokkeops::bench {

// out_i = sum_j exp(-|x_i - y_j|^2) b_j, D = 3, Dv = 1 (perf/bench_gaussian.cpp).
// x: (n, 3) row-major; y0, y1, y2, b: length m (structure of arrays); out: length n.
void plain_openmp_gaussian(long n, long m, const float* x, const float* y0, const float* y1, const float* y2,
                           const float* b, float* out);
void plain_openmp_gaussian(long n, long m, const double* x, const double* y0, const double* y1,
                           const double* y2, const double* b, double* out);

// The general form used by the suite (perf/suite): out_r = sum_j k(p_r, q_j) b_j for r < n_out, with
// k = exp(-|p - q|^2) (Kern = 0, Gaussian) or exp(-|p - q|) (Kern = 1, Laplace).
// p: (n_out, D) row-major; b: (Dv, n_red); out: (n_out, Dv) row-major; q: (D, n_red), structure of
// arrays, where plain_openmp_soa(D) (the loop over j is vectorised), else (n_red, D) row-major (the
// distance is vectorised over the D coordinates). Both axes of the suite map onto it (the kernels are symmetric in p and q).
// Instantiated in baseline_openmp.cpp for the suite's shapes only.
constexpr bool plain_openmp_soa(int D) { return D <= 16; }
template <class T, int D, int Dv, int Kern>
void plain_openmp_kernel_sum(long n_out, long n_red, const T* p, const T* q, const T* b, T* out);

}  // namespace kokkeops::bench

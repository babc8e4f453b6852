// The plain OpenMP baseline: out_i = sum_j exp(-|x_i - y_j|^2) b_j over raw host arrays.
#pragma once

namespace kokkeops::bench {

// x: (n, 3) row-major; y0, y1, y2, b: length m (structure of arrays); out: length n.
void plain_openmp_gaussian(long n, long m, const float* x, const float* y0, const float* y1, const float* y2,
                           const float* b, float* out);
void plain_openmp_gaussian(long n, long m, const double* x, const double* y0, const double* y1,
                           const double* y2, const double* b, double* out);

}  // namespace kokkeops::bench

// Dense reference solve of (alpha Id + K) a = b on the host, in long double: the operator matrix is
// built entry by entry from the formula (unknown = unit vectors) by the oracle, then Cholesky.
#pragma once

#include <stdexcept>

#include "oracle.hpp"

#include <functional>

namespace kokkeops::test {

/// Solution (n x Dv, row-major) of (alpha Id + K) a = b, K from formula f reducing over j (output i).
/// `args` are the host arguments; slot `unknown` holds b and is overwritten by unit vectors here.
/// `keep(i, j)`, when given, masks the kernel (block-sparse ranges).
template <class F>
std::vector<long double> dense_solve(const F& f, std::vector<HostArg> args, int unknown, long n, int dv, double alpha,
                                     const std::function<bool(long, long)>& keep = nullptr) {
  const long N = n * dv;
  std::vector<long double> A(static_cast<std::size_t>(N * N), 0.0L), rhs(args[unknown].data);
  HostArg& u = args[unknown];
  for (long j = 0; j < n; ++j)
    for (int cj = 0; cj < dv; ++cj) {
      std::fill(u.data.begin(), u.data.end(), 0.0L);
      u.data[static_cast<std::size_t>(j * dv + cj)] = 1.0L;  // a = e_(j, cj)
      for (long i = 0; i < n; ++i) {
        if (keep && !keep(i, j)) continue;
        OracleCtx ctx{&args, i, j};
        long double v[F::dim];
        f.eval(v, ctx);
        for (int ci = 0; ci < dv; ++ci) A[static_cast<std::size_t>((i * dv + ci) * N + j * dv + cj)] += v[ci];
      }
    }
  for (long q = 0; q < N; ++q) A[static_cast<std::size_t>(q * N + q)] += alpha;
  // Cholesky A = L L^T in place (lower), then two triangular solves.
  for (long j = 0; j < N; ++j) {
    long double d = A[static_cast<std::size_t>(j * N + j)];
    for (long k = 0; k < j; ++k) d -= A[static_cast<std::size_t>(j * N + k)] * A[static_cast<std::size_t>(j * N + k)];
    if (!(d > 0)) throw std::runtime_error("dense_solve: matrix not positive definite");
    const long double l = std::sqrt(d);
    A[static_cast<std::size_t>(j * N + j)] = l;
    for (long i = j + 1; i < N; ++i) {
      long double s = A[static_cast<std::size_t>(i * N + j)];
      for (long k = 0; k < j; ++k) s -= A[static_cast<std::size_t>(i * N + k)] * A[static_cast<std::size_t>(j * N + k)];
      A[static_cast<std::size_t>(i * N + j)] = s / l;
    }
  }
  for (long i = 0; i < N; ++i) {
    long double s = rhs[static_cast<std::size_t>(i)];
    for (long k = 0; k < i; ++k) s -= A[static_cast<std::size_t>(i * N + k)] * rhs[static_cast<std::size_t>(k)];
    rhs[static_cast<std::size_t>(i)] = s / A[static_cast<std::size_t>(i * N + i)];
  }
  for (long i = N - 1; i >= 0; --i) {
    long double s = rhs[static_cast<std::size_t>(i)];
    for (long k = i + 1; k < N; ++k) s -= A[static_cast<std::size_t>(k * N + i)] * rhs[static_cast<std::size_t>(k)];
    rhs[static_cast<std::size_t>(i)] = s / A[static_cast<std::size_t>(i * N + i)];
  }
  return rhs;
}

}  // namespace kokkeops::test

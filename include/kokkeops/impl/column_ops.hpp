// Column-wise reductions of (n, N) views in one pass: N sums accumulated in double.
#pragma once

#include <Kokkos_Core.hpp>
#include <kokkeops/impl/range.hpp>

namespace kokkeops::impl {

/// N running sums, a Kokkos reduction value type (Kokkos::Sum<Sums<N>>).
template <int N>
struct Sums {
  double v[N];
  KOKKOS_INLINE_FUNCTION Sums() {
    for (int k = 0; k < N; ++k) v[k] = 0;
  }
  KOKKOS_INLINE_FUNCTION Sums& operator+=(const Sums& o) {
    for (int k = 0; k < N; ++k) v[k] += o.v[k];
    return *this;
  }
  // Kokkos 3.x joins through volatile references.
  KOKKOS_INLINE_FUNCTION void operator+=(const volatile Sums& o) volatile {
    for (int k = 0; k < N; ++k) v[k] += o.v[k];
  }
};

/// N coefficients passed to a kernel by value (steps, masks, sums that went through the host).
template <int N>
struct Coef {
  double v[N];
};

/// sum over i < n of fn(i, sums) (fn adds into sums.v[0..N)), as N doubles on the host.
template <int N, class Exec, class Fn>
Sums<N> column_reduce(const char* label, const Exec& exec, long n, const Fn& fn) {
  Sums<N> result;
  Kokkos::parallel_reduce(label, impl::range(exec, n), fn, Kokkos::Sum<Sums<N>>(result));
  exec.fence();
  return result;
}

}  // namespace kokkeops::impl

namespace Kokkos {
template <int N>
struct reduction_identity<kokkeops::impl::Sums<N>> {
  KOKKOS_FORCEINLINE_FUNCTION static kokkeops::impl::Sums<N> sum() { return kokkeops::impl::Sums<N>(); }
};
}  // namespace Kokkos

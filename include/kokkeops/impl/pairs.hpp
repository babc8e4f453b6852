// Explicit (row, column) evaluations of a formula: kernel matrix blocks and diagonals for the
// preconditioners, and row gathers for landmark subsets.
#pragma once

#include <kokkeops/impl/arguments.hpp>
#include <kokkeops/impl/range.hpp>

namespace kokkeops::impl {

// F(row q, reduced entry r)[comp] for `count` pairs; pair p is (p / nr, p % nr), or (p, p) if nr == 0.
template <Cat RowCat, class Exec, class F, class T, class Store>
void pair_values(const Exec& exec, const F& f, const Packed<T, Exec>& pk, int comp, long count, long nr,
                 const Store& store) {
  using Ctx = EvalCtx<T, F, RowCat, typename BackendTraits<Exec, T>::math>;
  const auto rows = pk.rows;
  const auto cols = pk.cols;
  const auto params = pk.params;
  const std::ptrdiff_t stride = pk.stride;
  Kokkos::parallel_for(
      "kokkeops::pair_values", impl::range(exec, count), KOKKOS_LAMBDA(long p) {
        const long q = nr > 0 ? p / nr : p, r = nr > 0 ? p - q * nr : p;
        const Ctx ctx{rows.extent(1) ? &rows(q, 0) : nullptr, cols.data() + r, stride, params.data()};
        T v[F::dim];
        f.eval(v, ctx);
        store(q, r, v[comp]);
      });
}

/// out(q, r) = F(row q, reduced entry r)[comp] for q < out.extent(0), r < out.extent(1).
template <Cat RowCat, class Exec, class F, class T, class OutView>
void pair_matrix(const Exec& exec, const F& f, const Packed<T, Exec>& pk, int comp, const OutView& out) {
  const long nr = static_cast<long>(out.extent(1));
  pair_values<RowCat>(exec, f, pk, comp, static_cast<long>(out.extent(0)) * nr, nr,
                      KOKKOS_LAMBDA(long q, long r, T v) { out(q, r) = v; });
}

/// out(q) = F(row q, reduced entry q)[comp] for q < out.extent(0).
template <Cat RowCat, class Exec, class F, class T, class OutView>
void pair_diagonal(const Exec& exec, const F& f, const Packed<T, Exec>& pk, int comp, const OutView& out) {
  pair_values<RowCat>(exec, f, pk, comp, static_cast<long>(out.extent(0)), 0,
                      KOKKOS_LAMBDA(long q, long, T v) { out(q) = v; });
}

/// Rows idx(0), idx(1), ... of a rank-2 view, as a new LayoutRight view.
template <class Exec, class V, class Idx>
Kokkos::View<typename V::non_const_value_type**, Kokkos::LayoutRight, typename Exec::memory_space> gather_rows(
    const Exec& exec, const V& v, const Idx& idx) {
  using T = typename V::non_const_value_type;
  Kokkos::View<T**, Kokkos::LayoutRight, typename Exec::memory_space> g(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("kokkeops::gathered")), idx.extent(0), v.extent(1));
  const int d = static_cast<int>(v.extent(1));
  Kokkos::parallel_for(
      "kokkeops::gather_rows", impl::range(exec, static_cast<long>(idx.extent(0))),
      KOKKOS_LAMBDA(long q) {
        for (int k = 0; k < d; ++k) g(q, k) = v(idx(q), k);
      });
  return g;
}

}  // namespace kokkeops::impl

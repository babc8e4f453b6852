// Selection reductions: Min, Max, ArgMin, ArgMax, Min_ArgMin, Max_ArgMax, and the K smallest
// (KMin, ArgKMin, KMin_ArgKMin), each component of the formula independently.
//
// Order: a NaN value ranks before every number (it propagates, as numpy.min does, and ArgMin points
// at the first NaN); among equal values the lowest index wins. Indices are exact integers for any
// number of reduced entries (KeOps stores them as floats). An empty reduction gives +inf (Min),
// -inf (Max) and index -1.
#pragma once

#include <kokkeops/reductions/common.hpp>

#include <cstddef>
#include <string>

namespace kokkeops {

namespace impl {

enum class SelectOut { values, indices, both };

/// Comparison policy: "a ranks before b" for values (scalars or vectors; masks for vectors).
template <bool Max>
struct Order {
  template <class V>
  KOKKOS_FORCEINLINE_FUNCTION static auto before(const V& a, const V& b) {
    // a before b: a is NaN and b is not, or both numbers and a strictly better.
    if constexpr (Max) return (a > b) | ((a != a) & (b == b));
    else return (a < b) | ((a != a) & (b == b));
  }
  // Equal rank: equal numbers, or both NaN.
  template <class V>
  KOKKOS_FORCEINLINE_FUNCTION static auto same(const V& a, const V& b) {
    return (a == b) | ((a != a) & (b != b));
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T worst() {
    return Max ? -inf_value<T>() : inf_value<T>();
  }
  // Scalar ranking with the index tie-break, for merging lanes; index -1 marks an empty slot.
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static bool before(T a, int ia, T b, int ib) {
    if (ia < 0) return false;
    if (ib < 0) return true;
    const bool an = a != a, bn = b != b;
    if (an || bn) return an && (!bn || ia < ib);
    if (a == b) return ia < ib;
    return Max ? a > b : a < b;
  }
};

template <class T>
KOKKOS_FORCEINLINE_FUNCTION T vsplat(typename simd::lanes_of<T>::elem x) {
  return simd::broadcast<T>(x);
}

/// Best value and its index per component: R rows x W lanes (scalar sweep) or R rows x one vector.
/// V is the value type of one sweep step (a scalar for the scalar sweep, with W lanes in arrays).
template <bool Max, SelectOut Out, class V, int DIM, int R, int W>
struct SelectBlock {
  using E = typename simd::lanes_of<V>::elem;
  using I = index_t<V>;
  using O = Order<Max>;
  V val[R][DIM][W];
  I idx[R][DIM][W];

  KOKKOS_FORCEINLINE_FUNCTION void init() {
    for (int s = 0; s < R; ++s)
      for (int k = 0; k < DIM; ++k)
        for (int l = 0; l < W; ++l) {
          val[s][k][l] = vsplat<V>(O::template worst<E>());
          idx[s][k][l] = index_splat<I>(-1);
        }
  }
  template <class M>
  KOKKOS_FORCEINLINE_FUNCTION void update(int s, int l, const V* v, const I& j, const M& valid) {
    static_for<DIM>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      // An empty slot takes the first valid entry whatever its value (+inf included).
      const auto take = (O::before(v[k], val[s][k][l]) | (idx[s][k][l] == -1)) & valid;
      val[s][k][l] = simd::select(take, v[k], val[s][k][l]);
      idx[s][k][l] = select_index(take, j, idx[s][k][l]);
    });
  }
  // Scalar sweep: one lane l of W.
  KOKKOS_FORCEINLINE_FUNCTION void add(int s, int l, const V* v, int j) { update(s, l, v, j, true); }
  KOKKOS_FORCEINLINE_FUNCTION void add_masked(int s, int l, const V* v, int j, bool valid) {
    update(s, l, v, j, valid);
  }
  // Vector sweep (W = 1): lanes j, j+1, ...
  KOKKOS_FORCEINLINE_FUNCTION void add(int s, const V* v, int j) {
    update(s, 0, v, index_ramp<I>(j), index_splat<I>(-1) == index_splat<I>(-1));
  }
  template <class M>
  KOKKOS_FORCEINLINE_FUNCTION void add_masked(int s, const V* v, int j, const M& valid) {
    update(s, 0, v, index_ramp<I>(j), valid);
  }
  KOKKOS_FORCEINLINE_FUNCTION void flush() {}

  template <class C>
  KOKKOS_FORCEINLINE_FUNCTION void finalize(int s, C* vals, int* ids) const {
    finalize_as<Out>(s, vals, ids);
  }
  // 2D scheme: the best value and its index per component, whatever the reduction outputs.
  template <class P>
  KOKKOS_FORCEINLINE_FUNCTION void partial(int s, P* pv, int* pi) const {
    finalize_as<SelectOut::both>(s, pv, pi);
  }
  template <SelectOut O2, class C>
  KOKKOS_FORCEINLINE_FUNCTION void finalize_as(int s, C* vals, int* ids) const {
    constexpr int VW = simd::lanes_of<V>::width;
    for (int k = 0; k < DIM; ++k) {
      E best = O::template worst<E>();
      int bi = -1;
      for (int l = 0; l < W; ++l)
        for (int q = 0; q < VW; ++q) {
          E a;
          int ia;
          if constexpr (VW > 1) {
            a = val[s][k][l][q];
            ia = static_cast<int>(idx[s][k][l][q]);
          } else {
            a = val[s][k][l];
            ia = static_cast<int>(idx[s][k][l]);
          }
          if (O::before(a, ia, best, bi)) best = a, bi = ia;
        }
      if constexpr (O2 != SelectOut::indices) vals[k] = static_cast<C>(best);
      if constexpr (O2 != SelectOut::values) ids[k] = bi;
    }
  }
};

/// The K best values and indices per component, kept sorted (best first), per lane.
template <int K, bool Max, SelectOut Out, class V, int DIM, int R, int W>
struct KSelectBlock {
  using E = typename simd::lanes_of<V>::elem;
  using I = index_t<V>;
  using O = Order<Max>;
  V val[R][DIM][K][W];
  I idx[R][DIM][K][W];

  KOKKOS_FORCEINLINE_FUNCTION void init() {
    for (int s = 0; s < R; ++s)
      for (int k = 0; k < DIM; ++k)
        for (int q = 0; q < K; ++q)
          for (int l = 0; l < W; ++l) {
            val[s][k][q][l] = vsplat<V>(O::template worst<E>());
            idx[s][k][q][l] = index_splat<I>(-1);
          }
  }
  // Branch-free insertion: the candidate walks down the sorted list, swapping with every entry it
  // ranks before; equal values keep their place, so earlier indices stay first.
  template <class M>
  KOKKOS_FORCEINLINE_FUNCTION void update(int s, int l, const V* v, const I& j, const M& valid) {
    static_for<DIM>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      V c = simd::select(valid, v[k], vsplat<V>(O::template worst<E>()));
      I ci = select_index(valid, j, index_splat<I>(-1));
      static_for<K>([&](auto q) KOKKEOPS_LAMBDA_INLINE {
        // Empty slots (index -1) sit at the end of the list and take any real candidate. A candidate
        // displaced from an earlier slot may have a lower index than an equal entry: it goes first.
        const auto take = (O::before(c, val[s][k][q][l]) | (idx[s][k][q][l] == -1) |
                           (O::same(c, val[s][k][q][l]) & (ci < idx[s][k][q][l]))) &
                          (ci != -1);
        const V nv = simd::select(take, c, val[s][k][q][l]);
        const I ni = select_index(take, ci, idx[s][k][q][l]);
        c = simd::select(take, val[s][k][q][l], c);
        ci = select_index(take, idx[s][k][q][l], ci);
        val[s][k][q][l] = nv;
        idx[s][k][q][l] = ni;
      });
    });
  }
  KOKKOS_FORCEINLINE_FUNCTION void add(int s, int l, const V* v, int j) { update(s, l, v, j, true); }
  KOKKOS_FORCEINLINE_FUNCTION void add_masked(int s, int l, const V* v, int j, bool valid) {
    update(s, l, v, j, valid);
  }
  KOKKOS_FORCEINLINE_FUNCTION void add(int s, const V* v, int j) {
    update(s, 0, v, index_ramp<I>(j), index_splat<I>(-1) == index_splat<I>(-1));
  }
  template <class M>
  KOKKOS_FORCEINLINE_FUNCTION void add_masked(int s, const V* v, int j, const M& valid) {
    update(s, 0, v, index_ramp<I>(j), valid);
  }
  KOKKOS_FORCEINLINE_FUNCTION void flush() {}

  template <class C>
  KOKKOS_FORCEINLINE_FUNCTION void finalize(int s, C* vals, int* ids) const {
    finalize_as<Out>(s, vals, ids);
  }
  // 2D scheme: the K best values and indices per component, whatever the reduction outputs.
  template <class P>
  KOKKOS_FORCEINLINE_FUNCTION void partial(int s, P* pv, int* pi) const {
    finalize_as<SelectOut::both>(s, pv, pi);
  }
  // Merge the lanes' sorted lists: K rounds of picking the best remaining head.
  template <SelectOut O2, class C>
  KOKKOS_FORCEINLINE_FUNCTION void finalize_as(int s, C* vals, int* ids) const {
    constexpr int VW = simd::lanes_of<V>::width;
    constexpr int NL = W * VW;
    for (int k = 0; k < DIM; ++k) {
      int head[NL];
      for (int L = 0; L < NL; ++L) head[L] = 0;
      for (int q = 0; q < K; ++q) {
        E best = O::template worst<E>();
        int bi = -1, bl = -1;
        for (int L = 0; L < NL; ++L) {
          if (head[L] >= K) continue;
          const int l = L / VW, lane = L % VW;
          E a;
          int ia;
          if constexpr (VW > 1) {
            a = val[s][k][head[L]][l][lane];
            ia = static_cast<int>(idx[s][k][head[L]][l][lane]);
          } else {
            a = val[s][k][head[L]][l];
            ia = static_cast<int>(idx[s][k][head[L]][l]);
          }
          if (ia >= 0 && (bl < 0 || O::before(a, ia, best, bi))) best = a, bi = ia, bl = L;
        }
        if (bl >= 0) ++head[bl];
        // KeOps' layout: output entry q * DIM + k (an (n, K, DIM) array).
        if constexpr (O2 != SelectOut::indices) vals[q * DIM + k] = static_cast<C>(bl >= 0 ? best : O::template worst<E>());
        if constexpr (O2 != SelectOut::values) ids[q * DIM + k] = bl >= 0 ? bi : -1;
      }
    }
  }
};

/// The 2D scheme's merge for the selection reductions: segment q holds, per component k, its K best
/// (value, index) pairs sorted best first at q * vs + h * DIM + k (index -1: an empty slot, at the end).
/// Insertion into the row's K best, ranked by value then index, keeps the order of a single sweep.
template <int K, bool Max, SelectOut Out, int DIM, class P, class C>
KOKKOS_INLINE_FUNCTION void select_merge(int nseg, const P* pv, std::ptrdiff_t vs, const int* pi, std::ptrdiff_t is,
                                         C* vals, int* ids) {
  using O = Order<Max>;
  for (int k = 0; k < DIM; ++k) {
    P bv[K];
    int bi[K];
    for (int h = 0; h < K; ++h) bv[h] = O::template worst<P>(), bi[h] = -1;
    for (int q = 0; q < nseg; ++q)
      for (int h = 0; h < K; ++h) {
        P a = pv[q * vs + h * DIM + k];
        int ia = pi[q * is + h * DIM + k];
        if (ia < 0) break;
        for (int p = 0; p < K; ++p)
          if (O::before(a, ia, bv[p], bi[p])) {  // a takes slot p; the entries from p on move down one
            const P tv = bv[p];
            const int ti = bi[p];
            bv[p] = a, bi[p] = ia;
            a = tv, ia = ti;
          }
      }
    for (int h = 0; h < K; ++h) {
      if constexpr (Out != SelectOut::indices) vals[h * DIM + k] = static_cast<C>(bv[h]);
      if constexpr (Out != SelectOut::values) ids[h * DIM + k] = bi[h];
    }
  }
}

/// The 2D scheme's side of the selection reductions (see SumMerge): K best (value, index) pairs per component.
template <int K, bool Max, SelectOut Out, int DIM>
struct SelectMerge {
  static constexpr int out_dim = Out == SelectOut::indices ? 0 : K * DIM;
  static constexpr int index_dim = Out == SelectOut::values ? 0 : K * DIM;
  static constexpr int partial_vals = K * DIM, partial_ids = K * DIM;
  template <class D>
  using partial_type = compute_t<D>;
  template <class D, class Math, class P, class C>
  KOKKOS_INLINE_FUNCTION static void merge(int nseg, const P* pv, std::ptrdiff_t vs, const int* pi, std::ptrdiff_t is,
                                           C* vals, int* ids) {
    select_merge<K, Max, Out, DIM>(nseg, pv, vs, pi, is, vals, ids);
  }
};

/// Min/Max-type reduction of a formula: values (out_dim = dim), indices (index_dim = dim) or both.
template <class F, bool Max, SelectOut Out>
struct SelectReduction {
  static_assert(formulas::is_formula_v<F>, "kokkeops: a reduction needs a formula");
  F formula;
  static constexpr int out_dim = Out == SelectOut::indices ? 0 : F::dim;
  static constexpr int index_dim = Out == SelectOut::values ? 0 : F::dim;
  static constexpr int acc_width = 2 * F::dim;
  static constexpr bool flushes = false;
  template <class D, class C, class Math, int R, int W>
  using block = SelectBlock<Max, Out, C, F::dim, R, W>;
  template <class D, class V, class Math, int R>
  using vector_block = SelectBlock<Max, Out, V, F::dim, R, 1>;
  // 2D scheme: the best (value, index) per component and segment.
  using merge_ops = SelectMerge<1, Max, Out, F::dim>;

  std::string str() const {
    const char* name = Out == SelectOut::values    ? (Max ? "Max" : "Min")
                       : Out == SelectOut::indices ? (Max ? "ArgMax" : "ArgMin")
                                                   : (Max ? "Max_ArgMax" : "Min_ArgMin");
    return std::string(name) + "_Reduction(" + formula.str() + ")";
  }
};

/// The K smallest values of each component (KMin), their indices (ArgKMin), or both.
template <class F, int K, SelectOut Out>
struct KSelectReduction {
  static_assert(formulas::is_formula_v<F>, "kokkeops: a reduction needs a formula");
  static_assert(K >= 1, "kokkeops: KMin/ArgKMin need K >= 1");
  F formula;
  static constexpr int out_dim = Out == SelectOut::indices ? 0 : K * F::dim;
  static constexpr int index_dim = Out == SelectOut::values ? 0 : K * F::dim;
  static constexpr int acc_width = 2 * K * F::dim;
  static constexpr bool flushes = false;
  template <class D, class C, class Math, int R, int W>
  using block = KSelectBlock<K, false, Out, C, F::dim, R, W>;
  template <class D, class V, class Math, int R>
  using vector_block = KSelectBlock<K, false, Out, V, F::dim, R, 1>;
  // 2D scheme: the K best (value, index) pairs per component and segment.
  using merge_ops = SelectMerge<K, false, Out, F::dim>;

  std::string str() const {
    const char* name = Out == SelectOut::values ? "KMin" : Out == SelectOut::indices ? "ArgKMin" : "KMin_ArgKMin";
    return std::string(name) + "_Reduction(" + formula.str() + "," + std::to_string(K) + ")";
  }
};

template <bool Max, SelectOut Out>
struct SelectBuilder {
  template <class F, class... Opts, formulas::enable_if_formula_t<F> = 0>
  SelectReduction<F, Max, Out> operator()(const F& f, Opts...) const {
    (void)NoOptions<Opts...>{};
    return {f};
  }
};
template <int K, SelectOut Out>
struct KSelectBuilder {
  template <class F, class... Opts, formulas::enable_if_formula_t<F> = 0>
  KSelectReduction<F, K, Out> operator()(const F& f, Opts...) const {
    (void)NoOptions<Opts...>{};
    return {f};
  }
};

}  // namespace impl

// Objects rather than functions: `Min(f)` inside namespace kokkeops must not be ambiguous with the
// formula operations of the same names found by argument-dependent lookup.

/// Minimum over the reduced index, per component (KeOps `Min_Reduction`).
inline constexpr impl::SelectBuilder<false, impl::SelectOut::values> Min{};
/// Maximum over the reduced index, per component (KeOps `Max_Reduction`).
inline constexpr impl::SelectBuilder<true, impl::SelectOut::values> Max{};
/// Index of the minimum, per component, into an integer view (KeOps `ArgMin_Reduction`).
inline constexpr impl::SelectBuilder<false, impl::SelectOut::indices> ArgMin{};
/// Index of the maximum, per component, into an integer view (KeOps `ArgMax_Reduction`).
inline constexpr impl::SelectBuilder<true, impl::SelectOut::indices> ArgMax{};
/// Minimum and its index: two outputs, values then indices (KeOps `Min_ArgMin_Reduction`).
inline constexpr impl::SelectBuilder<false, impl::SelectOut::both> Min_ArgMin{};
/// Maximum and its index: two outputs, values then indices (KeOps `Max_ArgMax_Reduction`).
inline constexpr impl::SelectBuilder<true, impl::SelectOut::both> Max_ArgMax{};
/// The K smallest values, sorted, per component: output (n, K * dim), entry q * dim + k.
template <int K>
inline constexpr impl::KSelectBuilder<K, impl::SelectOut::values> KMin{};
/// Indices of the K smallest values (ties: lowest index first): integer output (n, K * dim).
template <int K>
inline constexpr impl::KSelectBuilder<K, impl::SelectOut::indices> ArgKMin{};
/// The K smallest values and their indices: two outputs.
template <int K>
inline constexpr impl::KSelectBuilder<K, impl::SelectOut::both> KMin_ArgKMin{};

}  // namespace kokkeops

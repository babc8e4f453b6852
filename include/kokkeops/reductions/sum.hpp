// The Sum reduction (KeOps `Sum_Reduction`): out = sum over the reduced index of F, with a
// summation scheme (direct, block, Kahan) and an accumulator type (the data type or wider).
#pragma once

#include <kokkeops/reductions/common.hpp>

#include <cstddef>
#include <string>

namespace kokkeops {

namespace impl {

/// One accumulator update under a summation scheme: acc (the total), aux (block: the partial sum of
/// the current block; Kahan: the running compensation), x (the value, already in storage type).
template <class Scheme, class Ops, class S>
KOKKOS_FORCEINLINE_FUNCTION void sum_update(S& acc, S& aux, const S& x) {
  if constexpr (Scheme::id == scheme::kahan_t::id) {
    const S y = x - aux;
    const S t = Ops::round(acc + y);
    const S c = Ops::round((t - acc) - y);
    aux = simd::select(c == c, c, S(Ops::zero()));  // an infinite total makes the correction NaN: drop it
    acc = t;
  } else if constexpr (Scheme::id == scheme::block_t::id) {
    aux = Ops::round(aux + x);
  } else {
    acc = Ops::round(acc + x);
  }
}

/// Accumulators of R output rows x W lanes (scalar / GPU sweep), lane index innermost so that the
/// vectorised loop over the reduced index updates contiguous memory.
template <class C, class A, class Scheme, int DIM, int R, int W>
struct SumBlock {
  using Ops = AccOps<C, A>;
  using S = typename Ops::S;
  static constexpr bool has_aux = Scheme::id != scheme::direct_t::id;
  S acc[R][DIM][W];
  S aux[has_aux ? R : 1][has_aux ? DIM : 1][has_aux ? W : 1];

  KOKKOS_FORCEINLINE_FUNCTION void init() {
    KOKKEOPS_UNROLL
    for (int s = 0; s < R; ++s)
      KOKKEOPS_UNROLL
      for (int k = 0; k < DIM; ++k)
        for (int l = 0; l < W; ++l) {
          acc[s][k][l] = S(0);
          if constexpr (has_aux) aux[s][k][l] = S(0);
        }
  }
  KOKKOS_FORCEINLINE_FUNCTION S& aux_of(int s, int k, int l) { return aux[has_aux ? s : 0][has_aux ? k : 0][has_aux ? l : 0]; }

  KOKKOS_FORCEINLINE_FUNCTION void add(int s, int l, const C* v, int /*index*/) {
    static_for<DIM>([&](auto k) KOKKEOPS_LAMBDA_INLINE { sum_update<Scheme, Ops>(acc[s][k][l], aux_of(s, k, l), Ops::widen(v[k])); });
  }
  // Tail of the reduced range: lanes past its end add nothing (a select, not a multiply, so that
  // a NaN or inf computed on padding never leaks in).
  KOKKOS_FORCEINLINE_FUNCTION void add_masked(int s, int l, const C* v, int /*index*/, bool valid) {
    static_for<DIM>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      sum_update<Scheme, Ops>(acc[s][k][l], aux_of(s, k, l), valid ? Ops::widen(v[k]) : S(0));
    });
  }
  KOKKOS_FORCEINLINE_FUNCTION void flush() {
    if constexpr (Scheme::id == scheme::block_t::id) {
      for (int s = 0; s < R; ++s)
        for (int k = 0; k < DIM; ++k)
          for (int l = 0; l < W; ++l) {
            acc[s][k][l] = Ops::round(acc[s][k][l] + aux[s][k][l]);
            aux[s][k][l] = S(0);
          }
    }
  }
  // Also the 2D scheme's partial state (CE: the accumulator type, so that no precision is lost).
  template <class CE>
  KOKKOS_FORCEINLINE_FUNCTION void finalize(int s, CE* vals, int* /*idx*/) const {
    for (int k = 0; k < DIM; ++k) {
      S t = acc[s][k][0], c = S(0);
      if constexpr (Scheme::id == scheme::kahan_t::id) c = aux[s][k][0];
      for (int l = 1; l < W; ++l) {
        if constexpr (Scheme::id == scheme::kahan_t::id) {
          sum_update<scheme::kahan_t, Ops>(t, c, acc[s][k][l]);
          sum_update<scheme::kahan_t, Ops>(t, c, S(-aux[s][k][l]));
        } else {
          t = Ops::round(t + acc[s][k][l]);
        }
      }
      vals[k] = static_cast<CE>(Ops::round(t - c));
    }
  }
  template <class P>
  KOKKOS_FORCEINLINE_FUNCTION void partial(int s, P* pv, int* pi) const {
    finalize(s, pv, pi);
  }
};

/// Explicit-SIMD accumulators: R rows x DIM components, one vector (W lanes) each.
template <class V, class A, class Scheme, int DIM, int R>
struct SumVecBlock {
  using Ops = AccOps<V, A>;
  using S = typename Ops::S;
  static constexpr bool has_aux = Scheme::id != scheme::direct_t::id;
  S acc[R][DIM];
  S aux[has_aux ? R : 1][has_aux ? DIM : 1];

  KOKKOS_FORCEINLINE_FUNCTION void init() {
    for (int s = 0; s < R; ++s)
      for (int k = 0; k < DIM; ++k) {
        acc[s][k] = Ops::zero();
        if constexpr (has_aux) aux[s][k] = Ops::zero();
      }
  }
  KOKKOS_FORCEINLINE_FUNCTION S& aux_of(int s, int k) { return aux[has_aux ? s : 0][has_aux ? k : 0]; }
  KOKKOS_FORCEINLINE_FUNCTION void add(int s, const V* v, int /*index*/) {
    static_for<DIM>([&](auto k) KOKKEOPS_LAMBDA_INLINE { sum_update<Scheme, Ops>(acc[s][k], aux_of(s, k), Ops::widen(v[k])); });
  }
  template <class M>
  KOKKOS_FORCEINLINE_FUNCTION void add_masked(int s, const V* v, int /*index*/, const M& valid) {
    static_for<DIM>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      sum_update<Scheme, Ops>(acc[s][k], aux_of(s, k), Ops::widen(simd::select(valid, v[k], simd::splat<V>(0))));
    });
  }
  KOKKOS_FORCEINLINE_FUNCTION void flush() {
    if constexpr (Scheme::id == scheme::block_t::id) {
      static_for<R>([&](auto s) KOKKEOPS_LAMBDA_INLINE {
        static_for<DIM>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
          acc[s][k] = Ops::round(acc[s][k] + aux[s][k]);
          aux[s][k] = Ops::zero();
        });
      });
    }
  }
  template <class C>
  KOKKOS_FORCEINLINE_FUNCTION void finalize(int s, C* vals, int* /*idx*/) const {
    using AE = typename Ops::AE;
    using SOps = AccOps<C, A>;
    for (int k = 0; k < DIM; ++k) {
      AE t = acc[s][k][0], c = AE(0);
      if constexpr (Scheme::id == scheme::kahan_t::id) c = aux[s][k][0];
      for (int l = 1; l < Ops::W; ++l) {
        if constexpr (Scheme::id == scheme::kahan_t::id) {
          sum_update<scheme::kahan_t, SOps>(t, c, AE(acc[s][k][l]));
          sum_update<scheme::kahan_t, SOps>(t, c, AE(-aux[s][k][l]));
        } else {
          t = SOps::round(t + AE(acc[s][k][l]));
        }
      }
      vals[k] = static_cast<C>(SOps::round(t - c));
    }
  }
  template <class P>
  KOKKOS_FORCEINLINE_FUNCTION void partial(int s, P* pv, int* pi) const {
    finalize(s, pv, pi);
  }
};

/// The 2D scheme's merge for the Sum-type reductions: the segments' partial sums (accumulator type A),
/// added in segment order under the scheme (Kahan stays compensated; block and direct add directly).
template <class D, class A, class Scheme, int DIM, class P, class C>
KOKKOS_INLINE_FUNCTION void sum_merge(int nseg, const P* pv, std::ptrdiff_t vs, C* vals) {
  using Ops = AccOps<compute_t<D>, A>;
  using S = typename Ops::S;
  for (int k = 0; k < DIM; ++k) {
    S t = S(0), c = S(0);
    for (int q = 0; q < nseg; ++q) {
      const S x = static_cast<S>(pv[q * vs + k]);
      if constexpr (Scheme::id == scheme::kahan_t::id) sum_update<scheme::kahan_t, Ops>(t, c, x);
      else t = Ops::round(t + x);
    }
    vals[k] = static_cast<C>(Ops::round(t - c));
  }
}

/// What the 2D scheme needs of a Sum reduction, apart from its formula (common.hpp): the shape of the
/// partial states, their merge, the outputs. The merge kernel depends on this only, not on the formula.
template <class AccOpt, class Scheme, int DIM>
struct SumMerge {
  static constexpr int out_dim = DIM, index_dim = 0;
  static constexpr int partial_vals = DIM, partial_ids = 0;
  template <class D>
  using partial_type = acc_elem_t<D, acc_for<D, AccOpt>>;
  template <class D, class Math, class P, class C>
  KOKKOS_INLINE_FUNCTION static void merge(int nseg, const P* pv, std::ptrdiff_t vs, const int*, std::ptrdiff_t,
                                           C* vals, int*) {
    sum_merge<D, acc_for<D, AccOpt>, Scheme, DIM>(nseg, pv, vs, vals);
  }
};

}  // namespace impl

/// Sum reduction of a formula. Output dimension = formula dimension. Opts: a summation scheme
/// (default ko::scheme::direct; KeOps defaults to block) and an accumulator type (ko::accumulate<T>).
template <class F, class... Opts>
struct SumReduction {
  static_assert(formulas::is_formula_v<F>, "kokkeops::Sum needs a formula");
  using options = impl::SumOptions<Opts...>;
  using scheme_type = typename options::scheme;
  F formula;
  static constexpr int out_dim = F::dim;
  static constexpr int index_dim = 0;
  static constexpr int acc_width = F::dim;  // the block scheme's totals are touched once per block
  static constexpr bool flushes = scheme_type::id == scheme::block_t::id;
  template <class D>
  using acc_type = impl::acc_for<D, typename options::acc>;

  template <class D, class C, class Math, int R, int W>
  using block = impl::SumBlock<C, acc_type<D>, scheme_type, F::dim, R, W>;
  template <class D, class V, class Math, int R>
  using vector_block = impl::SumVecBlock<V, acc_type<D>, scheme_type, F::dim, R>;

  // 2D scheme: a partial sum per component and segment, in the accumulator type.
  using merge_ops = impl::SumMerge<typename options::acc, scheme_type, F::dim>;

  std::string str() const { return "Sum_Reduction(" + formula.str() + ")"; }
};

namespace impl {
struct SumBuilder {
  template <class F, class... Opts, formulas::enable_if_formula_t<F> = 0>
  SumReduction<F, Opts...> operator()(const F& f, Opts...) const {
    return {f};
  }
};
}  // namespace impl

/// The Sum reduction (KeOps `Sum_Reduction` / `reduction_op="Sum"`), for Genred and KernelSolve:
/// `Sum(f)`, `Sum(f, ko::scheme::kahan)`, `Sum(f, ko::accumulate<double>)`. Not the vector sum inside a
/// formula: that is kokkeops::formulas::Sum. An object rather than a function, so that `Sum(f)` written
/// inside namespace kokkeops is not ambiguous with the formula's Sum found by argument-dependent lookup.
inline constexpr impl::SumBuilder Sum{};

}  // namespace kokkeops

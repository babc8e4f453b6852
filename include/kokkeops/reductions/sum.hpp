// The Sum reduction (KeOps `Sum_Reduction`): out = sum over the reduced index of F.
#pragma once

#include <kokkeops/formulas/core.hpp>

namespace kokkeops {

namespace impl {

/// Accumulators of R output rows x W SIMD lanes, lane index innermost so that the vectorised loop
/// over the reduced index updates contiguous memory.
template <class A, int DIM, int R, int W>
struct SumBlock {
  A acc[R][DIM][W];

  KOKKOS_FORCEINLINE_FUNCTION void init() {
    KOKKEOPS_UNROLL
    for (int s = 0; s < R; ++s)
      KOKKEOPS_UNROLL
      for (int k = 0; k < DIM; ++k)
        for (int l = 0; l < W; ++l) acc[s][k][l] = A(0);
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION void add(int s, int l, const T* v, int /*index*/) {
    static_for<DIM>([&](auto k) { acc[s][k][l] += A(v[k]); });
  }
  // Tail of the reduced range: lanes past its end add nothing (a select, not a multiply, so that
  // a NaN or inf computed on padding never leaks in).
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION void add_masked(int s, int l, const T* v, int /*index*/, bool valid) {
    static_for<DIM>([&](auto k) { acc[s][k][l] += valid ? A(v[k]) : A(0); });
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION void finalize(int s, T* out) const {
    KOKKEOPS_UNROLL
    for (int k = 0; k < DIM; ++k) {
      A t = acc[s][k][0];
      for (int l = 1; l < W; ++l) t += acc[s][k][l];
      out[k] = T(t);
    }
  }
};

/// Explicit-SIMD accumulators: R rows x DIM components, one vector (W lanes) each.
template <class V, int DIM, int R>
struct SumVecBlock {
  V acc[R][DIM];

  KOKKOS_FORCEINLINE_FUNCTION void init() {
    for (int s = 0; s < R; ++s)
      for (int k = 0; k < DIM; ++k) acc[s][k] = simd::splat<V>(0);
  }
  KOKKOS_FORCEINLINE_FUNCTION void add(int s, const V* v, int /*index*/) {
    static_for<DIM>([&](auto k) { acc[s][k] += v[k]; });
  }
  template <class M>
  KOKKOS_FORCEINLINE_FUNCTION void add_masked(int s, const V* v, int /*index*/, const M& valid) {
    static_for<DIM>([&](auto k) { acc[s][k] += simd::select(valid, v[k], simd::splat<V>(0)); });
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION void finalize(int s, T* out) const {
    for (int k = 0; k < DIM; ++k) {
      T t = acc[s][k][0];
      for (int l = 1; l < simd::lanes_of<V>::width; ++l) t += acc[s][k][l];
      out[k] = t;
    }
  }
};

}  // namespace impl

/// Sum reduction of a formula. Output dimension = formula dimension.
template <class F>
struct SumReduction {
  static_assert(formulas::is_formula_v<F>, "kokkeops::Sum needs a formula");
  F formula;
  static constexpr int out_dim = F::dim;
  template <class A, int DIM, int R, int W>
  using block = impl::SumBlock<A, DIM, R, W>;
  template <class V, int DIM, int R>
  using vector_block = impl::SumVecBlock<V, DIM, R>;

  std::string str() const { return "Sum_Reduction(" + formula.str() + ")"; }
};

namespace impl {
struct SumBuilder {
  template <class F, formulas::enable_if_formula_t<F> = 0>
  SumReduction<F> operator()(const F& f) const {
    return {f};
  }
};
}  // namespace impl

/// The Sum reduction (KeOps `Sum_Reduction` / `reduction_op="Sum"`), for Genred and KernelSolve:
/// `Sum(f)`. Not the vector sum inside a formula: that is kokkeops::formulas::Sum. An object rather
/// than a function, so that `Sum(f)` written inside namespace kokkeops is not ambiguous with the
/// formula's Sum found by argument-dependent lookup.
inline constexpr impl::SumBuilder Sum{};

}  // namespace kokkeops

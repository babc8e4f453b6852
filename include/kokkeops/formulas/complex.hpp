// Complex operations (KeOps `formulas/complex/`). A complex vector of length n is a real formula of
// dimension 2n holding interleaved (real, imaginary) pairs. Element-wise complex operations take
// operands of the same dimension, or one of them of dimension 2 (one complex number, broadcast).
#pragma once

#include <kokkeops/formulas/maths.hpp>

#include <string>

namespace kokkeops::formulas {

#define KOKKEOPS_EVEN_MESSAGE \
  "kokkeops: complex operations need formulas of even dimension (interleaved real, imaginary pairs)"
#define KOKKEOPS_SLOTS_MESSAGE                                                                   \
  "kokkeops: one argument slot is used with two different dimensions or categories (e.g. Vi<0,3> " \
  "and Vi<0,2>, or Vi<0,3> and Vj<0,3>)"

// ---------------------------------------------------------------- complex (x) complex -> complex

namespace op {
struct ComplexAdd {
  static constexpr const char* name = "ComplexAdd";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static void apply(T ar, T ai, T br, T bi, T& re, T& im) {
    re = ar + br;
    im = ai + bi;
  }
};
struct ComplexSubtract {
  static constexpr const char* name = "ComplexSubtract";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static void apply(T ar, T ai, T br, T bi, T& re, T& im) {
    re = ar - br;
    im = ai - bi;
  }
};
struct ComplexMult {
  static constexpr const char* name = "ComplexMult";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static void apply(T ar, T ai, T br, T bi, T& re, T& im) {
    re = ar * br - ai * bi;
    im = ar * bi + ai * br;
  }
};
struct ComplexDivide {  // a conj(b) / |b|^2 (the KeOps definition)
  static constexpr const char* name = "ComplexDivide";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static void apply(T ar, T ai, T br, T bi, T& re, T& im) {
    const T inv = simd::splat<T>(1) / (br * br + bi * bi);
    re = (ar * br + ai * bi) * inv;
    im = (ai * br - ar * bi) * inv;
  }
};
}  // namespace op

template <class Op, class A, class B>
struct ComplexBinary : FormulaBase {
  static_assert(A::dim % 2 == 0 && B::dim % 2 == 0, KOKKEOPS_EVEN_MESSAGE);
  static_assert(A::dim == B::dim || A::dim == 2 || B::dim == 2,
                "kokkeops: complex element-wise operation on incompatible dimensions: both operands must have the "
                "same dimension, or one of them dimension 2 (one complex number, broadcast)");
  static_assert(detail::slots_consistent<A, B>(), KOKKEOPS_SLOTS_MESSAGE);
  A a;
  B b;
  static constexpr int dim = A::dim > B::dim ? A::dim : B::dim;
  static constexpr void collect(detail::SlotTable& t) {
    A::collect(t);
    B::collect(t);
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T va[A::dim], vb[B::dim];
    a.eval(va, ctx);
    b.eval(vb, ctx);
    static_for<dim / 2>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      constexpr int ia = A::dim == 2 ? 0 : 2 * decltype(k)::value;
      constexpr int ib = B::dim == 2 ? 0 : 2 * decltype(k)::value;
      Op::template apply<typename Ctx::math>(va[ia], va[ia + 1], vb[ib], vb[ib + 1], out[2 * k], out[2 * k + 1]);
    });
  }
  std::string str() const { return std::string(Op::name) + "(" + a.str() + "," + b.str() + ")"; }
};

#define KOKKEOPS_COMPLEX_BINARY(Name)                                                      \
  template <class A, class B, std::enable_if_t<is_formula_v<A> && is_formula_v<B>, int> = 0> \
  ComplexBinary<op::Name, A, B> Name(const A& a, const B& b) {                              \
    return {{}, a, b};                                                                      \
  }
KOKKEOPS_COMPLEX_BINARY(ComplexAdd)
KOKKEOPS_COMPLEX_BINARY(ComplexSubtract)
KOKKEOPS_COMPLEX_BINARY(ComplexMult)
KOKKEOPS_COMPLEX_BINARY(ComplexDivide)
#undef KOKKEOPS_COMPLEX_BINARY

// ---------------------------------------------------------------- one complex number at a time

namespace op {
// in / out: reals per input / output element (2 = one complex number, 1 = a real).
#define KOKKEOPS_COMPLEX_MAP(Name, In, Out, ...)                                      \
  struct Name {                                                                       \
    static constexpr const char* name = #Name;                                        \
    static constexpr int in = In, out = Out;                                          \
    template <class M, class T>                                                       \
    KOKKOS_FORCEINLINE_FUNCTION static void apply(const T* x, T* y) { __VA_ARGS__ } \
  };
KOKKEOPS_COMPLEX_MAP(ComplexExp, 2, 2, const T e = M::exp(x[0]); y[0] = e * M::cos(x[1]); y[1] = e * M::sin(x[1]);)
KOKKEOPS_COMPLEX_MAP(Conj, 2, 2, y[0] = x[0]; y[1] = -x[1];)
KOKKEOPS_COMPLEX_MAP(ComplexReal, 2, 1, y[0] = x[0];)
KOKKEOPS_COMPLEX_MAP(ComplexImag, 2, 1, y[0] = x[1];)
KOKKEOPS_COMPLEX_MAP(ComplexSquareAbs, 2, 1, y[0] = x[0] * x[0] + x[1] * x[1];)
KOKKEOPS_COMPLEX_MAP(ComplexAbs, 2, 1, y[0] = M::sqrt(x[0] * x[0] + x[1] * x[1]);)
KOKKEOPS_COMPLEX_MAP(ComplexAngle, 2, 1, y[0] = M::atan2(x[1], x[0]);)
KOKKEOPS_COMPLEX_MAP(Real2Complex, 1, 2, y[0] = x[0]; y[1] = simd::splat<T>(0);)
KOKKEOPS_COMPLEX_MAP(Imag2Complex, 1, 2, y[0] = simd::splat<T>(0); y[1] = x[0];)
KOKKEOPS_COMPLEX_MAP(ComplexExp1j, 1, 2, y[0] = M::cos(x[0]); y[1] = M::sin(x[0]);)
#undef KOKKEOPS_COMPLEX_MAP
}  // namespace op

/// Applies Op to every complex number (in = 2) or real (in = 1) of f.
template <class Op, class F>
struct ComplexMap : FormulaBase {
  static_assert(F::dim % Op::in == 0, KOKKEOPS_EVEN_MESSAGE);
  F f;
  static constexpr int n = F::dim / Op::in;
  static constexpr int dim = n * Op::out;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T v[F::dim];
    f.eval(v, ctx);
    static_for<n>([&](auto k) KOKKEOPS_LAMBDA_INLINE { Op::template apply<typename Ctx::math>(v + k * Op::in, out + k * Op::out); });
  }
  std::string str() const { return std::string(Op::name) + "(" + f.str() + ")"; }
};

#define KOKKEOPS_COMPLEX_UNARY(Name)             \
  template <class F, enable_if_formula_t<F> = 0> \
  ComplexMap<op::Name, F> Name(const F& f) {     \
    return {{}, f};                              \
  }
KOKKEOPS_COMPLEX_UNARY(ComplexExp)
KOKKEOPS_COMPLEX_UNARY(Conj)
KOKKEOPS_COMPLEX_UNARY(ComplexReal)
KOKKEOPS_COMPLEX_UNARY(ComplexImag)
KOKKEOPS_COMPLEX_UNARY(ComplexSquareAbs)
KOKKEOPS_COMPLEX_UNARY(ComplexAbs)
KOKKEOPS_COMPLEX_UNARY(ComplexAngle)
KOKKEOPS_COMPLEX_UNARY(Real2Complex)
KOKKEOPS_COMPLEX_UNARY(Imag2Complex)
KOKKEOPS_COMPLEX_UNARY(ComplexExp1j)
#undef KOKKEOPS_COMPLEX_UNARY

// ---------------------------------------------------------------- sums and scalings

/// ComplexSum(f): the sum of the complex numbers of f, dimension 2.
template <class F>
struct ComplexSumNode : FormulaBase {
  static_assert(F::dim % 2 == 0, KOKKEOPS_EVEN_MESSAGE);
  F f;
  static constexpr int dim = 2;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T v[F::dim];
    f.eval(v, ctx);
    T re = v[0], im = v[1];
    static_for<F::dim / 2 - 1>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      re += v[2 * k + 2];
      im += v[2 * k + 3];
    });
    out[0] = re;
    out[1] = im;
  }
  std::string str() const { return "ComplexSum(" + f.str() + ")"; }
};
template <class F, enable_if_formula_t<F> = 0>
ComplexSumNode<F> ComplexSum(const F& f) {
  return {{}, f};
}

/// ComplexSumT<D>(f): the complex number f (dimension 2) repeated D / 2 times, dimension D (even).
template <int D, class F>
struct ComplexSumTNode : FormulaBase {
  static_assert(F::dim == 2, "kokkeops: ComplexSumT<D>(f) needs a formula f of dimension 2 (one complex number)");
  static_assert(D >= 2 && D % 2 == 0, KOKKEOPS_EVEN_MESSAGE);
  F f;
  static constexpr int dim = D;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T v[2];
    f.eval(v, ctx);
    static_for<D>([&](auto k) KOKKEOPS_LAMBDA_INLINE { out[k] = v[decltype(k)::value % 2]; });
  }
  std::string str() const { return "ComplexSumT(" + f.str() + "," + std::to_string(D) + ")"; }
};
template <int D, class F, enable_if_formula_t<F> = 0>
ComplexSumTNode<D, F> ComplexSumT(const F& f) {
  return {{}, f};
}

/// ComplexRealScal(f, g): the real scalar f times the complex vector g (either order, as KeOps).
template <class S, class G>
struct ComplexRealScalNode : FormulaBase {
  static_assert(S::dim == 1, "kokkeops: ComplexRealScal(f, g) needs one operand of dimension 1 (the real scalar)");
  static_assert(G::dim % 2 == 0, KOKKEOPS_EVEN_MESSAGE);
  static_assert(detail::slots_consistent<S, G>(), KOKKEOPS_SLOTS_MESSAGE);
  S s;
  G g;
  static constexpr int dim = G::dim;
  static constexpr void collect(detail::SlotTable& t) {
    S::collect(t);
    G::collect(t);
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T vs[1];
    s.eval(vs, ctx);
    g.eval(out, ctx);
    static_for<dim>([&](auto k) KOKKEOPS_LAMBDA_INLINE { out[k] = vs[0] * out[k]; });
  }
  std::string str() const { return "ComplexRealScal(" + s.str() + "," + g.str() + ")"; }
};
template <class A, class B, std::enable_if_t<is_formula_v<A> && is_formula_v<B>, int> = 0>
auto ComplexRealScal(const A& a, const B& b) {
  if constexpr (A::dim == 1) return ComplexRealScalNode<A, B>{{}, a, b};
  else return ComplexRealScalNode<B, A>{{}, b, a};
}

#undef KOKKEOPS_EVEN_MESSAGE
#undef KOKKEOPS_SLOTS_MESSAGE

}  // namespace kokkeops::formulas

// Symbolic differentiation of formulas (KeOps `Grad`, `Diff`, plus `Laplacian` and `Divergence`).
//
// Grad(f, v, e) is the reverse-mode derivative [df/dv]^T e: a new formula of v's dimension, built at
// compile time from one rule per node type, and evaluated by the engine like any other formula.
// e is a formula (or a number) of f's dimension: a variable in a fresh slot (the upstream gradient of a
// reduction), or any expression. A gradient is itself a formula, so Grad(Grad(f, x, e), x, u) is a
// Hessian-vector product.
//
// The rules live next to this file: the core and element-wise ones here, those of the vector and
// complex operations in grad_vector.hpp and grad_complex.hpp. Each is an overload of
//   template <class V, class E> auto grad_rule(const Node&, const V& v, const E& e)
// found by argument-dependent lookup; detail::grad applies the local simplifications first (a branch of
// f that does not use v, or a zero upstream, gives Zero<dim v> without looking further), and the rules
// combine their terms with detail::plus / times / neg, which drop zeros. So the gradient of a formula
// keeps only the branches that depend on v.
//
// Sub-gradients where the derivative does not exist: Abs -> Sign, ReLU -> Step, Clamp/ClampInt -> 1 inside
// [a, b] (bounds included), Step/Sign/Floor/Round/comparisons/ArgMax/OneHot -> 0, Max/Min of a vector ->
// through the component its Arg selects. Sqrt and Rsqrt differentiate through Rsqrt, whose KeOps
// convention Rsqrt(0) = 0 makes the gradient of Norm2(x - y) zero where x = y (as KeOps).
#pragma once

#include <kokkeops/formulas/core.hpp>
#include <kokkeops/formulas/maths.hpp>
#include <kokkeops/formulas/ops.hpp>
#include <kokkeops/formulas/vector.hpp>

#include <string>
#include <type_traits>

namespace kokkeops::formulas {

/// The zero vector of dimension D (KeOps `Zero(D)`): what the derivative of a branch that does not
/// depend on the variable is. Evaluates to zeros; the gradient builders drop it from sums and products.
template <int D>
struct Zero : FormulaBase {
  static_assert(D >= 1, "kokkeops: Zero<D> needs D >= 1");
  static constexpr int dim = D;
  static constexpr void collect(detail::SlotTable&) {}
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx&) const {
    static_for<D>([&](auto k) KOKKEOPS_LAMBDA_INLINE { out[k] = simd::splat<T>(0); });
  }
  std::string str() const { return "Zero(" + std::to_string(D) + ")"; }
};

namespace op {
/// d/dx sin(x)/x = (x cos x - sin x) / x^2; its Taylor series near 0 (no cancellation, 0 at 0).
struct DiffSinXDivX {
  static constexpr const char* name = "DiffSinXDivX";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) {
    const T x2 = x * x;
    const auto small = x2 < simd::splat<T>(0.0025);  // |x| < 0.05: series error below 1e-13 relative
    const T xs = simd::select(small, simd::splat<T>(1), x);
    const T series = x * (simd::splat<T>(-1.0 / 3) + x2 * (simd::splat<T>(1.0 / 30) - x2 * simd::splat<T>(1.0 / 840)));
    return simd::select(small, series, (xs * M::cos(xs) - M::sin(xs)) / (xs * xs));
  }
};
/// d^2/dx^2 sin(x)/x = -sin(x)/x - 2 (x cos x - sin x) / x^3; the series near 0 (-1/3 at 0).
struct Diff2SinXDivX {
  static constexpr const char* name = "Diff2SinXDivX";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) {
    const T x2 = x * x;
    const auto small = x2 < simd::splat<T>(0.0025);
    const T xs = simd::select(small, simd::splat<T>(1), x);
    const T series = simd::splat<T>(-1.0 / 3) + x2 * (simd::splat<T>(1.0 / 10) - x2 * simd::splat<T>(1.0 / 168));
    const T s = M::sin(xs), c = M::cos(xs);
    return simd::select(small, series, -s / xs - simd::splat<T>(2) * (xs * c - s) / (xs * xs * xs));
  }
};
}  // namespace op

namespace detail {

template <class F>
struct is_zero : std::false_type {};
template <int D>
struct is_zero<Zero<D>> : std::true_type {};
template <class F>
inline constexpr bool is_zero_v = is_zero<F>::value;

template <class V>
struct is_var : std::false_type {};
template <Cat C, int I, int D>
struct is_var<Var<C, I, D>> : std::true_type {};
template <class V>
inline constexpr bool is_var_v = is_var<V>::value;

template <class T>
struct is_int_cst : std::false_type {};
template <int N>
struct is_int_cst<IntCst<N>> : std::integral_constant<bool, true> {};

/// Does f use the variable V (its slot, with V's category and dimension)?
template <class F, class V>
constexpr bool uses_var() {
  constexpr SlotTable t = slots_of<F>();
  return t.dim[V::slot] != 0 && t.cat[V::slot] == static_cast<int>(V::cat) && t.dim[V::slot] == V::dim;
}
/// Does f use V's slot in another category or dimension (a user error in Grad)?
template <class F, class V>
constexpr bool slot_clash() {
  constexpr SlotTable t = slots_of<F>();
  return t.dim[V::slot] != 0 && !uses_var<F, V>();
}

/// The first slot f does not use (for the variables the gradient machinery adds).
template <class... Fs>
constexpr int first_free_slot() {
  SlotTable t{};
  (Fs::collect(t), ...);
  for (int s = 0; s < kMaxSlots; ++s)
    if (t.dim[s] == 0) return s;
  return -1;
}

// ---- builders that drop zeros (and multiplications by the constant 1)

template <class A, class B>
auto plus(const A& a, const B& b) {
  static_assert(A::dim == B::dim || A::dim == 1 || B::dim == 1, "kokkeops: internal: gradient terms of different dims");
  constexpr int d = max_dim(A::dim, B::dim);
  if constexpr (is_zero_v<A> && is_zero_v<B>) return Zero<d>{};
  else if constexpr (is_zero_v<A> && B::dim == d) return b;
  else if constexpr (is_zero_v<B> && A::dim == d) return a;
  else return a + b;
}
template <class A, class B>
auto times(const A& a, const B& b) {
  constexpr int d = max_dim(A::dim, B::dim);
  if constexpr (is_zero_v<A> || is_zero_v<B>) return Zero<d>{};
  else if constexpr (std::is_same_v<A, IntCst<1>> && B::dim == d) return b;
  else if constexpr (std::is_same_v<B, IntCst<1>> && A::dim == d) return a;
  else return a * b;
}
template <class A>
auto neg(const A& a) {
  if constexpr (is_zero_v<A>) return a;
  else return -a;
}
/// The adjoint of scalar broadcast: an upstream of dimension d sent to an operand of dimension D
/// (D = d, or D = 1: summed).
template <int D, class E>
auto sum_to(const E& e) {
  static_assert(E::dim == D || D == 1, "kokkeops: internal: broadcast adjoint of incompatible dimensions");
  if constexpr (E::dim == D) return e;
  else if constexpr (is_zero_v<E>) return Zero<1>{};
  else return Sum(e);
}
/// The adjoint of an operand of dimension 1 read as dimension D (SumT), zero-preserving.
template <int D, class E>
auto spread(const E& e) {
  static_assert(E::dim == 1 || E::dim == D, "kokkeops: internal: spread of incompatible dimensions");
  if constexpr (E::dim == D) return e;
  else if constexpr (is_zero_v<E>) return Zero<D>{};
  else return SumT<D>(e);
}

template <class F, class V, class E>
auto grad(const F& f, const V& v, const E& e);

/// The gradient through two broadcast operands a, b whose upstreams (at the node's dimension) are ea, eb.
template <class A, class B, class V, class EA, class EB>
auto grad2(const A& a, const B& b, const V& v, const EA& ea, const EB& eb) {
  return plus(grad(a, v, sum_to<A::dim>(ea)), grad(b, v, sum_to<B::dim>(eb)));
}

/// [df/dv]^T e, simplified. Every rule calls back here for its operands.
template <class F, class V, class E>
auto grad(const F& f, const V& v, const E& e) {
  static_assert(E::dim == F::dim || E::dim == 1, "kokkeops: internal: upstream gradient of the wrong dimension");
  if constexpr (is_zero_v<E> || !uses_var<F, V>()) {
    return Zero<V::dim>{};
  } else if constexpr (E::dim != F::dim) {
    return grad(f, v, spread<F::dim>(e));
  } else {
    using R = decltype(grad_rule(f, v, e));
    static_assert(R::dim == V::dim, "kokkeops: internal: a gradient rule returned the wrong dimension");
    return grad_rule(f, v, e);
  }
}

}  // namespace detail

// ---------------------------------------------------------------- rules: leaves

// Reached only when the variable is v itself (detail::grad stops at branches without v).
template <Cat C, int I, int D, class V, class E>
auto grad_rule(const Var<C, I, D>&, const V&, const E& e) {
  return e;
}

// ---------------------------------------------------------------- rules: element-wise

namespace detail {
// d op(x) / dx as a formula of x (element-wise), for the operations of ops.hpp and maths.hpp.
template <class F>
auto dunary(op::Exp, const F& f) { return Exp(f); }
template <class F>
auto dunary(op::Log, const F& f) { return Inv(f); }
template <class F>
auto dunary(op::Sqrt, const F& f) { return constant(0.5) * Rsqrt(f); }
template <class F>
auto dunary(op::Rsqrt, const F& f) { return constant(-0.5) * Pow<3>(Rsqrt(f)); }
template <class F>
auto dunary(op::Inv, const F& f) { return -Square(Inv(f)); }
template <class F>
auto dunary(op::Square, const F& f) { return IntCst<2>{} * f; }
template <class F>
auto dunary(op::Abs, const F& f) { return Sign(f); }
template <class F>
auto dunary(op::Sin, const F& f) { return Cos(f); }
template <class F>
auto dunary(op::Cos, const F& f) { return -Sin(f); }
template <class F>
auto dunary(op::Asin, const F& f) { return Rsqrt(IntCst<1>{} - Square(f)); }
template <class F>
auto dunary(op::Acos, const F& f) { return -Rsqrt(IntCst<1>{} - Square(f)); }
template <class F>
auto dunary(op::Atan, const F& f) { return Inv(IntCst<1>{} + Square(f)); }
template <class F>
auto dunary(op::ReLU, const F& f) { return Step(f); }
template <class F>
auto dunary(op::SinXDivX, const F& f) { return Unary<op::DiffSinXDivX, F>{{}, f}; }
template <class F>
auto dunary(op::XLogX, const F& f) { return Log(f) + IntCst<1>{}; }
template <class F>
auto dunary(op::DiffSinXDivX, const F& f) { return Unary<op::Diff2SinXDivX, F>{{}, f}; }
// Third order, from x s''' = -s - x s' - 3 s'' (s = sin x / x): NaN at exactly x = 0 (its value there is 0).
template <class F>
auto dunary(op::Diff2SinXDivX, const F& f) {
  return -(SinXDivX(f) + f * Unary<op::DiffSinXDivX, F>{{}, f} + IntCst<3>{} * Unary<op::Diff2SinXDivX, F>{{}, f}) *
         Inv(f);
}
// Piecewise constant: zero almost everywhere.
template <class F>
auto dunary(op::Floor, const F&) { return Zero<F::dim>{}; }
template <class F>
auto dunary(op::Sign, const F&) { return Zero<F::dim>{}; }
template <class F>
auto dunary(op::Step, const F&) { return Zero<F::dim>{}; }
}  // namespace detail

template <class Op, class F, class V, class E>
auto grad_rule(const Unary<Op, F>& n, const V& v, const E& e) {
  if constexpr (std::is_same_v<Op, op::Minus>) return detail::grad(n.f, v, -e);
  else return detail::grad(n.f, v, detail::times(e, detail::dunary(Op{}, n.f)));
}

template <class Op, class F, class V, class E>
auto grad_rule(const Map1<Op, F>& n, const V& v, const E& e) {
  if constexpr (std::is_same_v<Op, op::ClampInt>)
    return detail::grad(n.f, v, detail::times(e, DiffClampInt(n.f, n.op.lo, n.op.hi)));
  else  // Round, DiffClampInt: piecewise constant
    return Zero<V::dim>{};
}

template <class Op, class A, class B, class V, class E>
auto grad_rule(const Binary<Op, A, B>& n, const V& v, const E& e) {
  using detail::grad2;
  if constexpr (std::is_same_v<Op, op::Add>) {
    return grad2(n.a, n.b, v, e, e);
  } else if constexpr (std::is_same_v<Op, op::Sub>) {
    return grad2(n.a, n.b, v, e, detail::neg(e));
  } else if constexpr (std::is_same_v<Op, op::Mul>) {
    return grad2(n.a, n.b, v, detail::times(e, n.b), detail::times(e, n.a));
  } else {
    static_assert(std::is_same_v<Op, op::Div>);
    // d(a/b) = da / b - a db / b^2
    return grad2(n.a, n.b, v, e / n.b, -(e * n.a * Square(Inv(n.b))));
  }
}

template <int N, class F, class V, class E>
auto grad_rule(const PowN<N, F>& n, const V& v, const E& e) {
  if constexpr (N == 0) return Zero<V::dim>{};
  else if constexpr (N == 1) return detail::grad(n.f, v, e);
  else if constexpr (N == 2) return detail::grad(n.f, v, IntCst<2>{} * e * n.f);
  else return detail::grad(n.f, v, IntCst<N>{} * e * Pow<N - 1>(n.f));
}

template <class F, class V, class E>
auto grad_rule(const PowInt<F>& n, const V& v, const E& e) {
  // n = 0: 0 * f^0 (not 0 * f^-1, NaN at f = 0).
  return detail::grad(n.f, v, constant(n.n) * e * Pow(n.f, n.n == 0 ? 0 : n.n - 1));
}

template <class Op, class A, class B, class V, class E>
auto grad_rule(const Map2<Op, A, B>& n, const V& v, const E& e) {
  using detail::grad2;
  if constexpr (std::is_same_v<Op, op::Atan2>) {  // Atan2(y, x): dy = x / r^2, dx = -y / r^2
    const auto r2 = Square(n.a) + Square(n.b);
    return grad2(n.a, n.b, v, e * n.b / r2, -(e * n.a / r2));
  } else if constexpr (std::is_same_v<Op, op::Powf>) {  // x^y: dx = y x^(y-1), dy = log(x) x^y
    return grad2(n.a, n.b, v, e * n.b * Powf(n.a, n.b - IntCst<1>{}), e * Log(n.a) * n);
  } else {  // comparisons: piecewise constant
    return Zero<V::dim>{};
  }
}

template <class Op, class A, class B, class C, class V, class E>
auto grad_rule(const Map3<Op, A, B, C>& n, const V& v, const E& e) {
  using detail::grad;
  using detail::plus;
  using detail::sum_to;
  if constexpr (std::is_same_v<Op, op::Clamp>) {
    // Clamp(x, a, b) picks a where x < a, else b where x > b, else x: each gets e where it is picked.
    const auto pick_a = LessThan(n.a, n.b);                            // x < a
    const auto pick_b = (IntCst<1>{} - pick_a) * LessThan(n.c, n.a);  // not below a, x > b
    const auto pick_x = (IntCst<1>{} - pick_a) * (IntCst<1>{} - LessThan(n.c, n.a));
    return plus(grad(n.a, v, sum_to<A::dim>(e * pick_x)),
                plus(grad(n.b, v, sum_to<B::dim>(e * pick_a)), grad(n.c, v, sum_to<C::dim>(e * pick_b))));
  } else if constexpr (std::is_same_v<Op, op::IfElse>) {  // a where f >= 0, b elsewhere
    return plus(grad(n.b, v, sum_to<B::dim>(e * Step(n.a))),
                grad(n.c, v, sum_to<C::dim>(e * (IntCst<1>{} - Step(n.a)))));
  } else {
    static_assert(std::is_same_v<Op, op::Mod>);  // x - n Floor((x - d) / n): dx = 1, dn = -Floor(...), dd = 0
    return plus(grad(n.a, v, sum_to<A::dim>(e)),
                grad(n.b, v, sum_to<B::dim>(-(e * Floor((n.a - n.c) / n.b)))));
  }
}

// ---------------------------------------------------------------- rules: vector -> scalar

template <class F, class V, class E>
auto grad_rule(const SumV<F>& n, const V& v, const E& e) {
  return detail::grad(n.f, v, detail::spread<F::dim>(e));
}
template <class A, class B, class V, class E>
auto grad_rule(const Scalprod<A, B>& n, const V& v, const E& e) {
  return detail::plus(detail::grad(n.a, v, e * n.b), detail::grad(n.b, v, e * n.a));
}
template <class F, class V, class E>
auto grad_rule(const SqNorm2Node<F>& n, const V& v, const E& e) {
  return detail::grad(n.f, v, (IntCst<2>{} * e) * n.f);
}

// ---------------------------------------------------------------- public API

/// Grad(f, v, e): the gradient [df/dv]^T e (KeOps `Grad(f, v, e)`), a formula of v's dimension.
/// v: a variable (Vi, Vj or Pm) of f; e: a formula of f's dimension (or a number, for a scalar f).
template <class F, class V, class E, std::enable_if_t<is_formula_v<F> && is_formula_v<V>, int> = 0>
auto Grad(const F& f, const V& v, const E& e) {
  static_assert(detail::is_var_v<V>, "kokkeops: Grad(f, v, e): v must be a variable (Vi, Vj or Pm)");
  static_assert(!detail::slot_clash<F, V>(),
                "kokkeops: Grad(f, v, e): f uses the slot of v with another category or dimension");
  const auto ef = detail::as_formula(e);
  using EF = decltype(ef);
  static_assert(EF::dim == F::dim, "kokkeops: Grad(f, v, e): e must have the dimension of f");
  static_assert(detail::slots_consistent<F, EF>(),
                "kokkeops: Grad(f, v, e): e uses a slot of f with another category or dimension");
  return detail::grad(f, v, ef);
}

/// Diff(f, v, u): the directional derivative [df/dv] u (forward mode, KeOps `Diff`), of f's dimension;
/// u a formula of v's dimension. Built as the gradient with respect to e of Grad(f, v, e), which is
/// linear in e (e a variable in a slot of its own that disappears from the result).
template <class F, class V, class U, std::enable_if_t<is_formula_v<F> && is_formula_v<V>, int> = 0>
auto Diff(const F& f, const V& v, const U& u) {
  static_assert(detail::is_var_v<V>, "kokkeops: Diff(f, v, u): v must be a variable (Vi, Vj or Pm)");
  const auto uf = detail::as_formula(u);
  using UF = decltype(uf);
  static_assert(UF::dim == V::dim, "kokkeops: Diff(f, v, u): u must have the dimension of v");
  constexpr int slot = detail::first_free_slot<F, UF, V>();
  static_assert(slot >= 0, "kokkeops: Diff needs one free argument slot (of 32)");
  const Var<Cat::i, slot, F::dim> e;
  auto r = detail::grad(Grad(f, v, e), e, uf);
  static_assert(!detail::uses_var<decltype(r), decltype(e)>(), "kokkeops: internal: Diff left its dummy variable");
  return r;
}

namespace detail {
template <int K, class F>
auto elem(const F& f) {
  if constexpr (is_zero_v<F>) return Zero<1>{};
  else return Elem<K>(f);
}
template <class F, class V>
auto divergence_sum(const F&, const V&, std::integer_sequence<int>) {
  return Zero<1>{};
}
// sum_k Elem_k(Grad(Elem_k(f), v, 1)), zero terms dropped.
template <class F, class V, int K, int... Ks>
auto divergence_sum(const F& f, const V& v, std::integer_sequence<int, K, Ks...>) {
  return plus(elem<K>(grad(Elem<K>(f), v, IntCst<1>{})), divergence_sum(f, v, std::integer_sequence<int, Ks...>{}));
}
}  // namespace detail

/// Divergence(f, v) = sum_k d f_k / d v_k, for f of v's dimension; dimension 1.
template <class F, class V, std::enable_if_t<is_formula_v<F> && is_formula_v<V>, int> = 0>
auto Divergence(const F& f, const V& v) {
  static_assert(detail::is_var_v<V>, "kokkeops: Divergence(f, v): v must be a variable (Vi, Vj or Pm)");
  static_assert(F::dim == V::dim, "kokkeops: Divergence(f, v): f must have the dimension of v");
  return detail::divergence_sum(f, v, std::make_integer_sequence<int, V::dim>{});
}

/// Laplacian(f, v) = sum_k d^2 f / d v_k^2, for a scalar f; dimension 1.
template <class F, class V, std::enable_if_t<is_formula_v<F> && is_formula_v<V>, int> = 0>
auto Laplacian(const F& f, const V& v) {
  static_assert(F::dim == 1, "kokkeops: Laplacian(f, v) needs a scalar formula f (dimension 1)");
  return Divergence(Grad(f, v, IntCst<1>{}), v);
}

}  // namespace kokkeops::formulas

#include <kokkeops/formulas/grad_vector.hpp>
#include <kokkeops/formulas/grad_complex.hpp>

// Element-wise operations (with scalar broadcast), integer powers, and vector reductions
// within a formula (Sum, Scalprod, SqNorm2, Norm2, SqDist).
#pragma once

#include <kokkeops/formulas/core.hpp>
#include <kokkeops/impl/simd.hpp>

namespace kokkeops::formulas {

namespace detail {

// Printing precedence: a child is parenthesised when it binds more loosely than its parent needs.
inline constexpr int kPrecAdd = 1, kPrecMul = 2, kPrecUnary = 3, kPrecAtom = 4;

// Nodes without a `prec` member print as atoms (function-call syntax).
template <class F, class = void>
struct precedence_of : std::integral_constant<int, kPrecAtom> {};
template <class F>
struct precedence_of<F, std::void_t<decltype(F::prec)>> : std::integral_constant<int, F::prec> {};

template <class F>
constexpr int precedence() {
  return precedence_of<F>::value;
}

template <class F>
std::string wrap(const F& f, int needed) {
  return precedence<F>() < needed ? "(" + f.str() + ")" : f.str();
}

constexpr int max_dim(int a, int b) { return a > b ? a : b; }

/// term(0) + ... + term(N-1), term called with integral_constant indices. From 8 terms on, four running
/// sums (term k into sum k mod 4, added pairwise at the end): one chain of N dependent additions (or
/// FMAs) would keep the CPU waiting on their latency, four chains overlap (D = 64: 16 each instead of 64).
template <int N, class T, class Term>
KOKKOS_FORCEINLINE_FUNCTION T sum_terms(const Term& term) {
  if constexpr (N < 8) {
    T s = term(std::integral_constant<int, 0>{});
    static_for<N - 1>([&](auto k) KOKKEOPS_LAMBDA_INLINE { s += term(std::integral_constant<int, k + 1>{}); });
    return s;
  } else {
    T s[4] = {term(std::integral_constant<int, 0>{}), term(std::integral_constant<int, 1>{}),
              term(std::integral_constant<int, 2>{}), term(std::integral_constant<int, 3>{})};
    static_for<N - 4>([&](auto k) KOKKEOPS_LAMBDA_INLINE { s[(k + 4) % 4] += term(std::integral_constant<int, k + 4>{}); });
    return (s[0] + s[1]) + (s[2] + s[3]);
  }
}

}  // namespace detail


// ---------------------------------------------------------------- element-wise unary

namespace op {
// Each op: a KeOps name and an element-wise application through the context's math policy M.
struct Minus {
  static constexpr const char* name = "-";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) { return -x; }
};
struct Exp {
  static constexpr const char* name = "Exp";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) { return M::exp(x); }
};
struct Log {
  static constexpr const char* name = "Log";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) { return M::log(x); }
};
struct Sqrt {
  static constexpr const char* name = "Sqrt";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) { return M::sqrt(x); }
};
struct Rsqrt {  // KeOps convention: Rsqrt(0) = 0
  static constexpr const char* name = "Rsqrt";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) {
    const T zero = simd::splat<T>(0);
    return simd::select(x == zero, zero, M::rsqrt(x));
  }
};
struct Inv {
  static constexpr const char* name = "Inv";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) { return simd::splat<T>(1) / x; }
};
struct Square {
  static constexpr const char* name = "Square";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) { return x * x; }
};
struct Abs {
  static constexpr const char* name = "Abs";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) { return simd::select(x < simd::splat<T>(0), -x, x); }
};
}  // namespace op

template <class Op, class F>
struct Unary : FormulaBase {
  F f;
  static constexpr int dim = F::dim;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }

  static constexpr bool componentwise = detail::componentwise_v<F>;
  template <int K, class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION T eval_at(const Ctx& ctx) const {
    return Op::template apply<typename Ctx::math>(f.template eval_at<K, T>(ctx));
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    if constexpr (componentwise) {
      static_for<dim>([&](auto k) KOKKEOPS_LAMBDA_INLINE { out[k] = eval_at<k, T>(ctx); });
    } else {
      f.eval(out, ctx);
      static_for<dim>([&](auto k) KOKKEOPS_LAMBDA_INLINE { out[k] = Op::template apply<typename Ctx::math>(out[k]); });
    }
  }
  std::string str() const {
    if constexpr (std::is_same_v<Op, op::Minus>) return "-" + detail::wrap(f, detail::kPrecAtom);
    else return std::string(Op::name) + "(" + f.str() + ")";
  }
  static constexpr int prec = std::is_same_v<Op, op::Minus> ? detail::kPrecUnary : detail::kPrecAtom;
};

#define KOKKEOPS_UNARY_FUNCTION(Name)                            \
  template <class F, enable_if_formula_t<F> = 0>                 \
  Unary<op::Name, F> Name(const F& f) {   \
    return {{}, f};                                              \
  }
KOKKEOPS_UNARY_FUNCTION(Exp)
KOKKEOPS_UNARY_FUNCTION(Log)
KOKKEOPS_UNARY_FUNCTION(Sqrt)
KOKKEOPS_UNARY_FUNCTION(Rsqrt)
KOKKEOPS_UNARY_FUNCTION(Inv)
KOKKEOPS_UNARY_FUNCTION(Square)
KOKKEOPS_UNARY_FUNCTION(Abs)
#undef KOKKEOPS_UNARY_FUNCTION

template <class F, enable_if_formula_t<F> = 0>
Unary<op::Minus, F> operator-(const F& f) {
  return {{}, f};
}

// ---------------------------------------------------------------- element-wise binary

namespace op {
struct Add {
  static constexpr const char* name = "+";
  static constexpr int prec = detail::kPrecAdd;
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T a, T b) { return a + b; }
};
struct Sub {
  static constexpr const char* name = "-";
  static constexpr int prec = detail::kPrecAdd;
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T a, T b) { return a - b; }
};
struct Mul {
  static constexpr const char* name = "*";
  static constexpr int prec = detail::kPrecMul;
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T a, T b) { return a * b; }
};
struct Div {
  static constexpr const char* name = "/";
  static constexpr int prec = detail::kPrecMul;
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T a, T b) { return a / b; }
};
}  // namespace op

template <class Op, class A, class B>
struct Binary : FormulaBase {
  static_assert(A::dim == B::dim || A::dim == 1 || B::dim == 1,
                "kokkeops: element-wise operation on incompatible dimensions: both operands must have the "
                "same dimension, or one of them dimension 1 (scalar broadcast)");
  static_assert(detail::slots_consistent<A, B>(),
                "kokkeops: one argument slot is used with two different dimensions or categories "
                "(e.g. Vi<0,3> and Vi<0,2>, or Vi<0,3> and Vj<0,3>)");
  A a;
  B b;
  static constexpr int dim = detail::max_dim(A::dim, B::dim);
  static constexpr int prec = Op::prec;
  static constexpr void collect(detail::SlotTable& t) {
    A::collect(t);
    B::collect(t);
  }

  // Component by component when both operands are, and a broadcast scalar operand is a variable or a
  // constant (anything costlier is evaluated once, into an array).
  static constexpr bool componentwise =
      detail::componentwise_v<A> && detail::componentwise_v<B> &&
      (A::dim == B::dim || (A::dim == 1 && detail::is_leaf_v<A>) || (B::dim == 1 && detail::is_leaf_v<B>));
  template <int K, class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION T eval_at(const Ctx& ctx) const {
    return Op::apply(a.template eval_at<A::dim == 1 ? 0 : K, T>(ctx), b.template eval_at<B::dim == 1 ? 0 : K, T>(ctx));
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    if constexpr (componentwise) {
      static_for<dim>([&](auto k) KOKKEOPS_LAMBDA_INLINE { out[k] = eval_at<k, T>(ctx); });
    } else {
      T va[A::dim], vb[B::dim];
      a.eval(va, ctx);
      b.eval(vb, ctx);
      static_for<dim>([&](auto k) KOKKEOPS_LAMBDA_INLINE { out[k] = Op::apply(va[A::dim == 1 ? 0 : int(k)], vb[B::dim == 1 ? 0 : int(k)]); });
    }
  }
  std::string str() const {
    // Left-associative: the right operand of - and / needs parentheses at equal precedence.
    const bool strict = std::is_same_v<Op, op::Sub> || std::is_same_v<Op, op::Div>;
    return detail::wrap(a, Op::prec) + Op::name + detail::wrap(b, strict ? Op::prec + 1 : Op::prec);
  }
};

namespace detail {
template <class X>
auto as_formula(const X& x) {
  if constexpr (is_formula_v<X>) return x;
  else return constant(static_cast<double>(x));
}
template <class A, class B>
inline constexpr bool binary_operands_v =
    (is_formula_v<A> && is_formula_v<B>) || (is_formula_v<A> && std::is_arithmetic_v<B>) ||
    (std::is_arithmetic_v<A> && is_formula_v<B>);
}  // namespace detail

#define KOKKEOPS_BINARY_OPERATOR(sym, Op)                                                          \
  template <class A, class B, std::enable_if_t<detail::binary_operands_v<A, B>, int> = 0>          \
  auto operator sym(const A& a, const B& b) {                               \
    using FA = decltype(detail::as_formula(a));                                                    \
    using FB = decltype(detail::as_formula(b));                                                    \
    return Binary<op::Op, FA, FB>{{}, detail::as_formula(a), detail::as_formula(b)};               \
  }
KOKKEOPS_BINARY_OPERATOR(+, Add)
KOKKEOPS_BINARY_OPERATOR(-, Sub)
KOKKEOPS_BINARY_OPERATOR(*, Mul)
KOKKEOPS_BINARY_OPERATOR(/, Div)
#undef KOKKEOPS_BINARY_OPERATOR

// ---------------------------------------------------------------- integer powers

/// Pow(f, n) with n fixed at compile time: Pow<3>(f). Negative n gives 1/f^|n|.
template <int N, class F>
struct PowN : FormulaBase {
  F f;
  static constexpr int dim = F::dim;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T v[dim];
    f.eval(v, ctx);
    constexpr int m = N < 0 ? -N : N;
    static_for<dim>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      T r = simd::splat<T>(1);
      if constexpr (m > 0) {
        r = v[k];
        static_for<m - 1>([&](auto) KOKKEOPS_LAMBDA_INLINE { r *= v[k]; });
      }
      if constexpr (N < 0) r = simd::splat<T>(1) / r;
      out[k] = r;
    });
  }
  std::string str() const { return "Pow(" + f.str() + "," + std::to_string(N) + ")"; }
};

/// Pow(f, n) with a runtime integer n (KeOps `Pow(f, m)`); negative n gives 1/f^|n|.
template <class F>
struct PowInt : FormulaBase {
  F f;
  int n = 1;
  static constexpr int dim = F::dim;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T v[dim];
    f.eval(v, ctx);
    const int m = n < 0 ? -n : n;
    static_for<dim>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      T r = simd::splat<T>(1);
      for (int e = 0; e < m; ++e) r *= v[k];
      out[k] = n < 0 ? simd::splat<T>(1) / r : r;
    });
  }
  std::string str() const { return "Pow(" + f.str() + "," + std::to_string(n) + ")"; }
};

template <int N, class F, enable_if_formula_t<F> = 0>
PowN<N, F> Pow(const F& f) {
  return {{}, f};
}
template <class F, enable_if_formula_t<F> = 0>
PowInt<F> Pow(const F& f, int n) {
  return {{}, f, n};
}

// ---------------------------------------------------------------- vector → scalar

/// Sum of the components of f (KeOps `Sum(f)`), dimension 1. Not the Sum *reduction*: that is kokkeops::Sum.
template <class F>
struct SumV : FormulaBase {
  F f;
  static constexpr int dim = 1;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    if constexpr (detail::componentwise_v<F>) {
      out[0] = detail::sum_terms<F::dim, T>([&](auto k) KOKKEOPS_LAMBDA_INLINE { return f.template eval_at<k, T>(ctx); });
    } else {
      T v[F::dim];
      f.eval(v, ctx);
      out[0] = detail::sum_terms<F::dim, T>([&](auto k) KOKKEOPS_LAMBDA_INLINE { return v[k]; });
    }
  }
  std::string str() const { return "Sum(" + f.str() + ")"; }
};

template <class F, enable_if_formula_t<F> = 0>
SumV<F> Sum(const F& f) {
  return {{}, f};
}

/// Scalar product (KeOps `(f|g)`), dimension 1; both operands must have the same dimension.
template <class A, class B>
struct Scalprod : FormulaBase {
  static_assert(A::dim == B::dim, "kokkeops: Scalprod (f|g) needs two operands of the same dimension");
  static_assert(detail::slots_consistent<A, B>(),
                "kokkeops: one argument slot is used with two different dimensions or categories "
                "(e.g. Vi<0,3> and Vi<0,2>, or Vi<0,3> and Vj<0,3>)");
  A a;
  B b;
  static constexpr int dim = 1;
  static constexpr void collect(detail::SlotTable& t) {
    A::collect(t);
    B::collect(t);
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    if constexpr (detail::componentwise_v<A> && detail::componentwise_v<B>) {
      out[0] = detail::sum_terms<A::dim, T>(
          [&](auto k) KOKKEOPS_LAMBDA_INLINE { return a.template eval_at<k, T>(ctx) * b.template eval_at<k, T>(ctx); });
    } else {
      T va[A::dim], vb[B::dim];
      a.eval(va, ctx);
      b.eval(vb, ctx);
      out[0] = detail::sum_terms<A::dim, T>([&](auto k) KOKKEOPS_LAMBDA_INLINE { return va[k] * vb[k]; });
    }
  }
  std::string str() const { return "(" + a.str() + "|" + b.str() + ")"; }
};

template <class A, class B, std::enable_if_t<is_formula_v<A> && is_formula_v<B>, int> = 0>
Scalprod<A, B> operator|(const A& a, const B& b) {
  return {{}, a, b};
}

/// Squared Euclidean norm (KeOps `SqNorm2(f)`), dimension 1.
template <class F>
struct SqNorm2Node : FormulaBase {
  F f;
  static constexpr int dim = 1;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    if constexpr (detail::componentwise_v<F>) {
      out[0] = detail::sum_terms<F::dim, T>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
        const T v = f.template eval_at<k, T>(ctx);
        return v * v;
      });
    } else {
      T v[F::dim];
      f.eval(v, ctx);
      out[0] = detail::sum_terms<F::dim, T>([&](auto k) KOKKEOPS_LAMBDA_INLINE { return v[k] * v[k]; });
    }
  }
  std::string str() const { return "SqNorm2(" + f.str() + ")"; }
};

template <class F, enable_if_formula_t<F> = 0>
SqNorm2Node<F> SqNorm2(const F& f) {
  return {{}, f};
}
/// Euclidean norm: Sqrt(SqNorm2(f)).
template <class F, enable_if_formula_t<F> = 0>
auto Norm2(const F& f) {
  return Sqrt(SqNorm2(f));
}
/// Squared distance: SqNorm2(f - g).
template <class A, class B, std::enable_if_t<is_formula_v<A> && is_formula_v<B>, int> = 0>
auto SqDist(const A& a, const B& b) {
  return SqNorm2(a - b);
}

}  // namespace kokkeops::formulas

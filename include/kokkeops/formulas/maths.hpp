// Element-wise math beyond ops.hpp: trigonometry, real powers, rounding, steps and clamps,
// comparisons (KeOps `formulas/maths/`, the VectorizedScalarOp family).
//
// Every operation is applied component by component; operands of several arguments follow KeOps'
// broadcast rule: each one has the output dimension d or dimension 1. Every node is branch-free
// (simd::select), so the same code runs on scalars, on the CPU's SIMD vectors and on GPUs. Where
// KeOps takes a number (a bound, a modulus, digits), a C++ number works too: `Clamp(x, 0.0, 1.0)`.
#pragma once

#include <kokkeops/formulas/core.hpp>
#include <kokkeops/formulas/ops.hpp>
#include <kokkeops/impl/simd.hpp>

#include <string>
#include <type_traits>
#include <utility>

namespace kokkeops::formulas {

namespace detail {

// Broadcast dimension of element-wise operands: the largest one.
template <class... Fs>
constexpr int broadcast_dim() {
  int d = 1;
  ((d = Fs::dim > d ? Fs::dim : d), ...);
  return d;
}
// KeOps' rule: the operand dimensions form {d} or {1, d}.
template <class... Fs>
constexpr bool broadcastable() {
  constexpr int d = broadcast_dim<Fs...>();
  return ((Fs::dim == 1 || Fs::dim == d) && ...);
}
// Component k of an operand of dimension 1 or d.
template <class F>
KOKKOS_FORCEINLINE_FUNCTION constexpr int bidx(int k) {
  return F::dim == 1 ? 0 : k;
}

template <class X>
using formula_t = decltype(as_formula(std::declval<const X&>()));
template <class X>
inline constexpr bool formula_or_number_v = is_formula_v<X> || std::is_arithmetic_v<X>;

// Text of an operation's own parameters (", 3" for Round(f,3)); empty for most.
template <class Op, class = void>
struct has_params : std::false_type {};
template <class Op>
struct has_params<Op, std::void_t<decltype(std::declval<const Op&>().params())>> : std::true_type {};
template <class Op>
std::string params_str(const Op& op) {
  if constexpr (has_params<Op>::value) return op.params();
  else return "";
}

}  // namespace detail

#define KOKKEOPS_BROADCAST_MESSAGE                                                                 \
  "kokkeops: element-wise operation on incompatible dimensions: every operand must have the same " \
  "dimension d, or dimension 1 (scalar broadcast)"
#define KOKKEOPS_SLOTS_MESSAGE                                                                   \
  "kokkeops: one argument slot is used with two different dimensions or categories (e.g. Vi<0,3> " \
  "and Vi<0,2>, or Vi<0,3> and Vj<0,3>)"

// ---------------------------------------------------------------- element-wise nodes with state

/// One operand; Op may hold runtime parameters (ClampInt's bounds, Round's digits).
template <class Op, class F>
struct Map1 : FormulaBase {
  F f;
  Op op;
  static constexpr int dim = F::dim;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    f.eval(out, ctx);
    static_for<dim>([&](auto k) KOKKEOPS_LAMBDA_INLINE { out[k] = op.template apply<typename Ctx::math>(out[k]); });
  }
  std::string str() const { return std::string(Op::name) + "(" + f.str() + detail::params_str(op) + ")"; }
};

/// Two operands with scalar broadcast, printed as a function call (Atan2, Powf, comparisons).
template <class Op, class A, class B>
struct Map2 : FormulaBase {
  static_assert(detail::broadcastable<A, B>(), KOKKEOPS_BROADCAST_MESSAGE);
  static_assert(detail::slots_consistent<A, B>(), KOKKEOPS_SLOTS_MESSAGE);
  A a;
  B b;
  Op op;
  static constexpr int dim = detail::broadcast_dim<A, B>();
  static constexpr void collect(detail::SlotTable& t) {
    A::collect(t);
    B::collect(t);
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T va[A::dim], vb[B::dim];
    a.eval(va, ctx);
    b.eval(vb, ctx);
    static_for<dim>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      out[k] = op.template apply<typename Ctx::math>(va[detail::bidx<A>(k)], vb[detail::bidx<B>(k)]);
    });
  }
  std::string str() const {
    return std::string(Op::name) + "(" + a.str() + "," + b.str() + detail::params_str(op) + ")";
  }
};

/// Three operands with scalar broadcast (Clamp, IfElse, Mod).
template <class Op, class A, class B, class C>
struct Map3 : FormulaBase {
  static_assert(detail::broadcastable<A, B, C>(), KOKKEOPS_BROADCAST_MESSAGE);
  static_assert(detail::slots_consistent<A, B, C>(), KOKKEOPS_SLOTS_MESSAGE);
  A a;
  B b;
  C c;
  Op op;
  static constexpr int dim = detail::broadcast_dim<A, B, C>();
  static constexpr void collect(detail::SlotTable& t) {
    A::collect(t);
    B::collect(t);
    C::collect(t);
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T va[A::dim], vb[B::dim], vc[C::dim];
    a.eval(va, ctx);
    b.eval(vb, ctx);
    c.eval(vc, ctx);
    static_for<dim>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      out[k] = op.template apply<typename Ctx::math>(va[detail::bidx<A>(k)], vb[detail::bidx<B>(k)],
                                                     vc[detail::bidx<C>(k)]);
    });
  }
  std::string str() const { return std::string(Op::name) + "(" + a.str() + "," + b.str() + "," + c.str() + ")"; }
};

// ---------------------------------------------------------------- the operations

namespace op {

#define KOKKEOPS_MATH_OP(Name, fn)                                     \
  struct Name {                                                        \
    static constexpr const char* name = #Name;                         \
    template <class M, class T>                                        \
    KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) { return M::fn(x); } \
  };
KOKKEOPS_MATH_OP(Sin, sin)
KOKKEOPS_MATH_OP(Cos, cos)
KOKKEOPS_MATH_OP(Asin, asin)
KOKKEOPS_MATH_OP(Acos, acos)
KOKKEOPS_MATH_OP(Atan, atan)
KOKKEOPS_MATH_OP(Floor, floor)
#undef KOKKEOPS_MATH_OP

struct Sign {  // 1, -1, and 0 at 0 (KeOps)
  static constexpr const char* name = "Sign";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) {
    const T zero = simd::splat<T>(0);
    return simd::select(x > zero, simd::splat<T>(1), simd::select(x < zero, simd::splat<T>(-1), zero));
  }
};
struct Step {  // 0 for x < 0, 1 for x >= 0
  static constexpr const char* name = "Step";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) {
    const T zero = simd::splat<T>(0);
    return simd::select(x < zero, zero, simd::splat<T>(1));
  }
};
struct ReLU {  // 0 for x < 0, x otherwise
  static constexpr const char* name = "ReLU";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) {
    const T zero = simd::splat<T>(0);
    return simd::select(x < zero, zero, x);
  }
};
struct SinXDivX {  // sin(x)/x, 1 at 0
  static constexpr const char* name = "SinXDivX";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) {
    const T one = simd::splat<T>(1);
    const auto at0 = x == simd::splat<T>(0);
    const T xs = simd::select(at0, one, x);  // no 0/0 even in lanes that are discarded
    return simd::select(at0, one, M::sin(xs) / xs);
  }
};
struct XLogX {  // x log(x), 0 at 0
  static constexpr const char* name = "XLogX";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x) {
    const T zero = simd::splat<T>(0);
    const auto at0 = x == zero;
    const T xs = simd::select(at0, simd::splat<T>(1), x);
    return simd::select(at0, zero, x * M::log(xs));
  }
};

struct ClampInt {  // clamp to fixed integers a <= b
  static constexpr const char* name = "ClampInt";
  int lo = 0, hi = 1;
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    const T a = simd::splat<T>(lo), b = simd::splat<T>(hi);
    return simd::select(x < a, a, simd::select(x > b, b, x));
  }
  std::string params() const { return "," + std::to_string(lo) + "," + std::to_string(hi); }
};
struct DiffClampInt {  // 1 where a <= x <= b, else 0 (the derivative of ClampInt)
  static constexpr const char* name = "DiffClampInt";
  int lo = 0, hi = 1;
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    const T zero = simd::splat<T>(0);
    return simd::select(x < simd::splat<T>(lo), zero, simd::select(x > simd::splat<T>(hi), zero, simd::splat<T>(1)));
  }
  std::string params() const { return "," + std::to_string(lo) + "," + std::to_string(hi); }
};
struct Round {  // round(x 10^d) / 10^d, halfway cases away from zero (C's round)
  static constexpr const char* name = "Round";
  int digits = 0;
  double scale = 1;  // 10^digits
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    const T s = simd::splat<T>(scale);
    return M::round(x * s) / s;
  }
  std::string params() const { return "," + std::to_string(digits); }
};

struct Atan2 {  // Atan2(y, x)
  static constexpr const char* name = "Atan2";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T y, T x) { return M::atan2(y, x); }
};
struct Powf {  // real power f^g
  static constexpr const char* name = "Powf";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x, T y) { return M::pow(x, y); }
};
#define KOKKEOPS_COMPARISON_OP(Name, sym)                                                    \
  struct Name {                                                                              \
    static constexpr const char* name = #Name;                                               \
    template <class M, class T>                                                              \
    KOKKOS_FORCEINLINE_FUNCTION static T apply(T a, T b) {                                   \
      return simd::select(a sym b, simd::splat<T>(1), simd::splat<T>(0));                    \
    }                                                                                        \
  };
KOKKEOPS_COMPARISON_OP(Equal, ==)
KOKKEOPS_COMPARISON_OP(NotEqual, !=)
KOKKEOPS_COMPARISON_OP(LessThan, <)
KOKKEOPS_COMPARISON_OP(LessOrEqual, <=)
#undef KOKKEOPS_COMPARISON_OP

struct Clamp {  // a where x < a, b where x > b, x otherwise
  static constexpr const char* name = "Clamp";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x, T a, T b) {
    return simd::select(x < a, a, simd::select(x > b, b, x));
  }
};
struct IfElse {  // a where f >= 0, b elsewhere
  static constexpr const char* name = "IfElse";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T f, T a, T b) {
    return simd::select(f >= simd::splat<T>(0), a, b);
  }
};
struct Mod {  // x - n floor((x - d) / n): the representative of x mod n in [d, d + n)
  static constexpr const char* name = "Mod";
  template <class M, class T>
  KOKKOS_FORCEINLINE_FUNCTION static T apply(T x, T n, T d) {
    return x - n * M::floor((x - d) / n);
  }
};

}  // namespace op

// ---------------------------------------------------------------- user functions

#define KOKKEOPS_UNARY_FUNCTION(Name)            \
  template <class F, enable_if_formula_t<F> = 0> \
  Unary<op::Name, F> Name(const F& f) {          \
    return {{}, f};                              \
  }
KOKKEOPS_UNARY_FUNCTION(Sin)
KOKKEOPS_UNARY_FUNCTION(Cos)
KOKKEOPS_UNARY_FUNCTION(Asin)
KOKKEOPS_UNARY_FUNCTION(Acos)
KOKKEOPS_UNARY_FUNCTION(Atan)
KOKKEOPS_UNARY_FUNCTION(Floor)
KOKKEOPS_UNARY_FUNCTION(Sign)
KOKKEOPS_UNARY_FUNCTION(Step)
KOKKEOPS_UNARY_FUNCTION(ReLU)
KOKKEOPS_UNARY_FUNCTION(SinXDivX)
KOKKEOPS_UNARY_FUNCTION(XLogX)
#undef KOKKEOPS_UNARY_FUNCTION

/// ClampInt(f, a, b): f clamped to the integers [a, b].
template <class F, enable_if_formula_t<F> = 0>
Map1<op::ClampInt, F> ClampInt(const F& f, int a, int b) {
  return {{}, f, op::ClampInt{a, b}};
}
/// DiffClampInt(f, a, b): 1 where a <= f <= b, 0 elsewhere.
template <class F, enable_if_formula_t<F> = 0>
Map1<op::DiffClampInt, F> DiffClampInt(const F& f, int a, int b) {
  return {{}, f, op::DiffClampInt{a, b}};
}
/// Round(f, d): f rounded to d decimals (d may be negative: Round(f, -2) rounds to hundreds).
template <class F, enable_if_formula_t<F> = 0>
Map1<op::Round, F> Round(const F& f, int d) {
  double s = 1;
  for (int k = 0; k < (d < 0 ? -d : d); ++k) s *= 10;
  return {{}, f, op::Round{d, d < 0 ? 1 / s : s}};
}

namespace detail {
template <class Op, class A, class B>
auto make_map2(const A& a, const B& b) {
  return Map2<Op, formula_t<A>, formula_t<B>>{{}, as_formula(a), as_formula(b), Op{}};
}
template <class Op, class A, class B, class C>
auto make_map3(const A& a, const B& b, const C& c) {
  return Map3<Op, formula_t<A>, formula_t<B>, formula_t<C>>{{}, as_formula(a), as_formula(b), as_formula(c), Op{}};
}
template <class F, class A, class B>
inline constexpr bool ternary_operands_v = is_formula_v<F> && formula_or_number_v<A> && formula_or_number_v<B>;
}  // namespace detail

#define KOKKEOPS_BINARY_FUNCTION(Name)                                                   \
  template <class A, class B, std::enable_if_t<detail::binary_operands_v<A, B>, int> = 0> \
  auto Name(const A& a, const B& b) {                                                    \
    return detail::make_map2<op::Name>(a, b);                                            \
  }
KOKKEOPS_BINARY_FUNCTION(Atan2)
KOKKEOPS_BINARY_FUNCTION(Powf)
KOKKEOPS_BINARY_FUNCTION(Equal)
KOKKEOPS_BINARY_FUNCTION(NotEqual)
KOKKEOPS_BINARY_FUNCTION(LessThan)
KOKKEOPS_BINARY_FUNCTION(LessOrEqual)
#undef KOKKEOPS_BINARY_FUNCTION

/// Clamp(f, a, b): a where f < a, b where f > b, f otherwise (a, b formulas or numbers).
template <class F, class A, class B, std::enable_if_t<detail::ternary_operands_v<F, A, B>, int> = 0>
auto Clamp(const F& f, const A& a, const B& b) {
  return detail::make_map3<op::Clamp>(f, a, b);
}
/// IfElse(f, a, b): a where f >= 0, b elsewhere.
template <class F, class A, class B, std::enable_if_t<detail::ternary_operands_v<F, A, B>, int> = 0>
auto IfElse(const F& f, const A& a, const B& b) {
  return detail::make_map3<op::IfElse>(f, a, b);
}
/// Mod(x, n, d) = x - n Floor((x - d) / n): x modulo n, in [d, d + n) for n > 0.
template <class F, class A, class B, std::enable_if_t<detail::ternary_operands_v<F, A, B>, int> = 0>
auto Mod(const F& x, const A& n, const B& d) {
  return detail::make_map3<op::Mod>(x, n, d);
}

#undef KOKKEOPS_BROADCAST_MESSAGE
#undef KOKKEOPS_SLOTS_MESSAGE

}  // namespace kokkeops::formulas

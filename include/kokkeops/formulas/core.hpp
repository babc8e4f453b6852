// Formula core: variable categories, the compile-time slot table, variables and constants.
//
// A formula is a small trivially-copyable value. Every node has
//   static constexpr int dim;                              // output dimension
//   static constexpr void collect(detail::SlotTable&);     // the variables it uses
//   template <class T, class Ctx> void eval(T* out, const Ctx&) const;   // one (i, j) evaluation
//   std::string str() const;                               // KeOps-like text, host only
// Nodes whose components are independent and cheap (variables, constants, element-wise operations of
// them) also have `componentwise = true` and
//   template <int K, class T, class Ctx> T eval_at(const Ctx&) const;   // component K alone
// so that element-wise chains and the vector-to-scalar nodes (SqNorm2, Scalprod, Sum) run component by
// component without a dim-long array per node: for D = 64 such arrays (4 KB of 512-bit vectors each)
// stay in memory, and every operation of the formula becomes a store and a load.
// Ctx supplies the variables (Ctx::load) and the math functions (Ctx::math), so the same node
// runs in the engine on every backend and in the naive host oracle of the tests.
#pragma once

#include <Kokkos_Core.hpp>
#include <kokkeops/impl/simd.hpp>
#include <string>
#include <type_traits>
#include <utility>

// Loops over compile-time dimensions must be unrolled before the vectoriser sees the loop over the
// reduced index, or it gives up ("loop nest containing two or more consecutive inner loops").
#if defined(__clang__)
#define KOKKEOPS_UNROLL _Pragma("unroll")
#define KOKKEOPS_NO_UNROLL _Pragma("nounroll")
#elif defined(__CUDA_ARCH__)
#define KOKKEOPS_UNROLL _Pragma("unroll")
#define KOKKEOPS_NO_UNROLL _Pragma("unroll 1")
#elif defined(__NVCC__)
// nvcc's host pass: its front end rejects GCC's pragma, and g++ ignores (and warns about) CUDA's.
#define KOKKEOPS_UNROLL
#define KOKKEOPS_NO_UNROLL
#elif defined(__GNUC__)
#define KOKKEOPS_UNROLL _Pragma("GCC unroll 64")
#define KOKKEOPS_NO_UNROLL _Pragma("GCC unroll 1")
#else
#define KOKKEOPS_UNROLL
#define KOKKEOPS_NO_UNROLL
#endif
// KOKKEOPS_NO_UNROLL: the opposite, keep a loop a loop (code that runs once per range, where one copy of the
// body is enough).

namespace kokkeops {

namespace impl {
template <class Fn, int... K>
KOKKOS_FORCEINLINE_FUNCTION constexpr void static_for_impl(Fn& fn, std::integer_sequence<int, K...>) {
  (fn(std::integral_constant<int, K>{}), ...);
}
}  // namespace impl

/// Put after a lambda's parameter list: the lambda is always inlined (GCC/Clang host code; nvcc
/// inlines device lambdas on its own). The lambdas handed to static_for carry it: inlining is then
/// not left to the inliner's size budget, which depends on the rest of the translation unit (a
/// Gaussian's Exp was once called out of line in one program and not in another: 20 % slower).
/// Not under AddressSanitizer, whose builds are for checking, not speed: there, forcing every lambda
/// inline made clang -O1 take 1364 s instead of 834 s over the test suite (CI configuration 5).
#if defined(__SANITIZE_ADDRESS__)
#define KOKKEOPS_SANITIZED_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KOKKEOPS_SANITIZED_BUILD 1
#endif
#endif
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__CUDACC__) && !defined(KOKKEOPS_SANITIZED_BUILD)
#define KOKKEOPS_LAMBDA_INLINE __attribute__((always_inline))
#else
#define KOKKEOPS_LAMBDA_INLINE
#endif

/// fn(integral_constant<int, k>) for k = 0..N-1, unrolled by the front end: every index is a constant,
/// so small per-pair arrays stay in registers (a loop unrolled later by the optimiser may leave them
/// in memory, which stops the vectoriser).
template <int N, class Fn>
KOKKOS_FORCEINLINE_FUNCTION constexpr void static_for(Fn&& fn) {
  impl::static_for_impl(fn, std::make_integer_sequence<int, N>{});
}

/// What a variable is indexed by: i (KeOps Vi, cat 0), j (Vj, cat 1), or nothing (Pm, cat 2).
enum class Cat : int { i = 0, j = 1, p = 2 };

namespace formulas {

namespace detail {

inline constexpr int kMaxSlots = 32;

// Per argument slot: the category and dimension the formula uses it with (dim 0: slot unused).
struct SlotTable {
  int cat[kMaxSlots] = {};
  int dim[kMaxSlots] = {};
  bool consistent = true;

  constexpr void add(int slot, int d, Cat c) {
    if (dim[slot] == 0) {
      dim[slot] = d;
      cat[slot] = static_cast<int>(c);
    } else if (dim[slot] != d || cat[slot] != static_cast<int>(c)) {
      consistent = false;
    }
  }
  constexpr int num_slots() const {
    int n = 0;
    for (int s = 0; s < kMaxSlots; ++s)
      if (dim[s] != 0) n = s + 1;
    return n;
  }
  // Offset of a slot in the packed storage of its category (the sum of the dims of the
  // lower slots of that category), and the total width of a category.
  constexpr int offset(int slot) const {
    int o = 0;
    for (int s = 0; s < slot; ++s)
      if (dim[s] != 0 && cat[s] == cat[slot]) o += dim[s];
    return o;
  }
  constexpr int width(Cat c) const {
    int w = 0;
    for (int s = 0; s < kMaxSlots; ++s)
      if (dim[s] != 0 && cat[s] == static_cast<int>(c)) w += dim[s];
    return w;
  }
  constexpr bool uses(Cat c) const { return width(c) > 0; }
};

template <class F>
constexpr SlotTable slots_of() {
  SlotTable t{};
  F::collect(t);
  return t;
}

template <class... Fs>
constexpr bool slots_consistent() {
  SlotTable t{};
  (Fs::collect(t), ...);
  return t.consistent;
}

}  // namespace detail

/// Tag base of every formula node.
struct FormulaBase {};

namespace detail {
template <class F, class = void>
struct componentwise : std::false_type {};
template <class F>
struct componentwise<F, std::enable_if_t<F::componentwise>> : std::true_type {};
/// F has eval_at<K> (see the top of this file).
template <class F>
inline constexpr bool componentwise_v = componentwise<F>::value;
template <class F, class = void>
struct is_leaf : std::false_type {};
template <class F>
struct is_leaf<F, std::enable_if_t<F::leaf>> : std::true_type {};
/// Variables and constants: one load or splat per component.
template <class F>
inline constexpr bool is_leaf_v = is_leaf<F>::value;
template <class Ctx, Cat C, int I, int D, int K, class T, class = void>
struct has_load_one : std::false_type {};
template <class Ctx, Cat C, int I, int D, int K, class T>
struct has_load_one<Ctx, C, I, D, K, T,
                    std::void_t<decltype(std::declval<const Ctx&>().template load_one<C, I, D, K, T>())>>
    : std::true_type {};
}  // namespace detail

template <class F>
inline constexpr bool is_formula_v = std::is_base_of_v<FormulaBase, F>;

template <class F>
using enable_if_formula_t = std::enable_if_t<is_formula_v<F>, int>;

/// Text of a formula in KeOps-like syntax, e.g. "Exp(-Norm2(Vi(0,3)-Vj(1,3)))*Vj(2,1)".
template <class F, enable_if_formula_t<F> = 0>
std::string to_string(const F& f) {
  return f.str();
}

// ---------------------------------------------------------------- variables

template <Cat C, int I, int D>
struct Var : FormulaBase {
  static_assert(I >= 0 && I < detail::kMaxSlots, "kokkeops: variable slot index must be in [0, 32)");
  static_assert(D >= 1, "kokkeops: variable dimension must be at least 1");
  static constexpr int dim = D;
  static constexpr int slot = I;
  static constexpr Cat cat = C;

  static constexpr void collect(detail::SlotTable& t) { t.add(I, D, C); }

  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    ctx.template load<C, I, D>(out);
  }
  static constexpr bool componentwise = true;
  static constexpr bool leaf = true;
  template <int K, class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION T eval_at(const Ctx& ctx) const {
    if constexpr (detail::has_load_one<Ctx, C, I, D, K, T>::value) {
      return ctx.template load_one<C, I, D, K, T>();
    } else {
      T v[D];
      ctx.template load<C, I, D>(v);
      return v[K];
    }
  }

  std::string str() const {
    const char* name = C == Cat::i ? "Vi" : C == Cat::j ? "Vj" : "Pm";
    return std::string(name) + "(" + std::to_string(I) + "," + std::to_string(D) + ")";
  }
};

/// Argument slot I, dimension D, indexed by i (KeOps `Vi(I, D)`).
template <int I, int D>
using Vi = Var<Cat::i, I, D>;
/// Argument slot I, dimension D, indexed by j (KeOps `Vj(I, D)`).
template <int I, int D>
using Vj = Var<Cat::j, I, D>;
/// Argument slot I, a parameter vector of dimension D (KeOps `Pm(I, D)`).
template <int I, int D>
using Pm = Var<Cat::p, I, D>;

// ---------------------------------------------------------------- constants

/// Compile-time integer constant (KeOps `IntCst(N)`), dimension 1.
template <int N>
struct IntCst : FormulaBase {
  static constexpr int dim = 1;
  static constexpr void collect(detail::SlotTable&) {}
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx&) const {
    out[0] = simd::splat<T>(N);
  }
  static constexpr bool componentwise = true;
  static constexpr bool leaf = true;
  template <int K, class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION T eval_at(const Ctx&) const {
    return simd::splat<T>(N);
  }
  std::string str() const { return "IntCst(" + std::to_string(N) + ")"; }
};

/// Runtime scalar constant, dimension 1: a new value never means a new kernel.
/// Created implicitly when a formula is combined with a C++ number, e.g. `-0.5 * SqDist(x, y)`.
struct Cst : FormulaBase {
  double value = 0;
  // Makes Cst no homogeneous floating-point aggregate: on AArch64, GCC (since 10.1) passes such a struct with
  // an empty base differently in C++17 than in C++14, and notes it (-Wpsabi) wherever one is passed by value.
  int not_an_hfa = 0;
  static constexpr int dim = 1;
  static constexpr void collect(detail::SlotTable&) {}
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx&) const {
    out[0] = simd::splat<T>(value);
  }
  static constexpr bool componentwise = true;
  static constexpr bool leaf = true;
  template <int K, class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION T eval_at(const Ctx&) const {
    return simd::splat<T>(value);
  }
  std::string str() const;
};

inline std::string Cst::str() const {
  std::string s = std::to_string(value);
  // Trim trailing zeros of the fixed notation ("0.500000" -> "0.5").
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

inline Cst constant(double v) {
  Cst c;
  c.value = v;
  return c;
}

}  // namespace formulas
}  // namespace kokkeops

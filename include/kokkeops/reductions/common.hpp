// What every reduction shares: the option tags (summation scheme, accumulator type), the data types
// (half, float, double) and the type formulas are evaluated in, half rounding, and index vectors.
//
// A reduction is a small value holding the formula the engine evaluates (`formula`) and naming:
//   out_dim, index_dim            values and indices written per output row (either may be 0)
//   acc_width                     accumulator registers per row (the engine sizes its row block by it)
//   block<C, FD, R, W>            accumulators of R rows x W lanes for the scalar/GPU sweep
//   vector_block<V, FD, R>        accumulators for the explicit-SIMD CPU sweep
//   template <class D> check()    compile-time checks of the data type D
// Blocks provide init(), add(...), add_masked(...), flush() (called every few tiles: the block
// summation scheme), finalize(s, vals, idx) for row s, and partial(s, pvals, pidx): row s's state with
// its lanes folded, for the 2D scheme (the reduced range split into segments, one team per segment).
// The reduction's `merge_ops` (a type that does not depend on the formula, so that one merge kernel
// serves every formula) names that state's shape (partial_vals values of partial_type<D>, partial_ids
// indices), the outputs (out_dim, index_dim), and merges the states of a row's segments, in segment
// order, into its output:
//   merge<D, Math>(nseg, pvals, vstride, pidx, istride, vals, idx)   segment q's state at pvals + q * vstride
#pragma once

#include <kokkeops/formulas/core.hpp>
#include <kokkeops/impl/math.hpp>
#include <kokkeops/impl/simd.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

// Host compilers with a native 16-bit float type in C++: GCC >= 12 on x86-64, GCC >= 13 on AArch64 (GCC 12
// has _Float16 there in C only), Clang on both.
#if !defined(__CUDACC__) && !defined(__HIPCC__) && !defined(__NVCOMPILER) && \
    ((defined(__GNUC__) && !defined(__clang__) &&                                          \
      ((__GNUC__ >= 12 && defined(__x86_64__)) || (__GNUC__ >= 13 && defined(__aarch64__)))) || \
     (defined(__clang__) && __clang_major__ >= 15 && (defined(__x86_64__) || defined(__aarch64__))))
#define KOKKEOPS_HAVE_FLOAT16 1
#endif

namespace kokkeops {

/// Summation schemes for the Sum-type reductions (Sum, LogSumExp, Max_SumShiftExp, SumSoftMaxWeight).
/// KeOps' `sum_scheme`: direct_sum, block_sum, kahan_scheme.
namespace scheme {
struct direct_t {
  static constexpr int id = 0;
  static constexpr const char* name = "direct";
};
struct block_t {
  static constexpr int id = 1;
  static constexpr const char* name = "block";
};
struct kahan_t {
  static constexpr int id = 2;
  static constexpr const char* name = "kahan";
};
/// acc += value for every pair.
inline constexpr direct_t direct{};
/// A partial sum per block of the reduced range (a few thousand entries), added into the total when
/// the block ends: the error grows with the number of blocks, not the number of terms.
inline constexpr block_t block{};
/// Compensated (Kahan) summation: a running correction per accumulator.
inline constexpr kahan_t kahan{};
}  // namespace scheme

/// Accumulator type option: `ko::accumulate<double>` sums float data in double, `ko::accumulate<float>`
/// sums half data in float (KeOps' dtype_acc). The default accumulates in the data type.
template <class A>
struct accumulate_t {
  using type = A;
};
template <class A>
inline constexpr accumulate_t<A> accumulate{};

namespace impl {

// ---------------------------------------------------------------- data types

/// 1 for the half-precision storage types this build knows: Kokkos' half_t where it is a type of its
/// own (GPU builds of Kokkos; on host-only builds Kokkos defines half_t as float), and the compiler's
/// _Float16 on hosts that have one.
template <class T>
struct is_half : std::false_type {};
#if defined(KOKKOS_HALF_T_IS_FLOAT)
#if !KOKKOS_HALF_T_IS_FLOAT
template <>
struct is_half<Kokkos::Experimental::half_t> : std::true_type {};
#endif
#endif
#if defined(KOKKEOPS_HAVE_FLOAT16)
template <>
struct is_half<_Float16> : std::true_type {};
#endif
template <class T>
inline constexpr bool is_half_v = is_half<T>::value;

template <class T>
inline constexpr bool is_data_type_v = std::is_same_v<T, float> || std::is_same_v<T, double> || is_half_v<T>;

/// The type formulas are evaluated in: float for half data (the data are converted once, when packed).
template <class T>
using compute_t = std::conditional_t<is_half_v<T>, float, T>;

template <class T>
KOKKOS_FORCEINLINE_FUNCTION constexpr T inf_value() {
  return std::is_same_v<T, float> ? T(HUGE_VALF) : T(HUGE_VAL);
}

/// Marker for "accumulate in half": float arithmetic rounded to half after every operation.
struct half_acc {};

/// The accumulator an option resolves to for data type D: same as data (default) or wider.
template <class D, class Opt>
struct resolve_acc {
  using type = std::conditional_t<is_half_v<D>, half_acc, D>;
};
template <class D, class A>
struct resolve_acc<D, accumulate_t<A>> {
  static constexpr bool same = std::is_same_v<A, D>;
  static constexpr bool wider = (is_half_v<D> && std::is_same_v<A, float>) ||
                                (std::is_same_v<D, float> && std::is_same_v<A, double>);
  static_assert(same || wider,
                "kokkeops: unsupported accumulator type: half data accumulates in half or float, float data in "
                "float or double, double data in double");
  using type = std::conditional_t<is_half_v<D> && same, half_acc, A>;
};

/// The element type an accumulator option A holds for data type D: A itself, or the compute type (float)
/// for half_acc, which rounds float arithmetic to half.
template <class D, class A>
using acc_elem_t = std::conditional_t<std::is_same_v<A, half_acc>, compute_t<D>, A>;

/// Round float values (scalars or vectors) to the nearest half-precision value (ties to even),
/// kept in float: overflow gives +-inf, small values become half subnormals or zero.
template <class V>
KOKKOS_FORCEINLINE_FUNCTION V round_to_half(const V& x) {
  using E = typename simd::lanes_of<V>::elem;
  static_assert(std::is_same_v<E, float>, "kokkeops: round_to_half takes float values");
  if constexpr (simd::is_vector_v<V>) {
    using I = typename simd::lanes_of<V>::itype;
    const I u = (I)x;
    const I absu = u & 0x7fffffff;
    // Normal halves: round the 23-bit mantissa to 10 bits, to nearest even.
    I r = (u + (0x0fff + ((u >> 13) & 1))) & ~0x1fff;
    const V normal = (V)r;
    // Subnormal halves (|x| < 2^-14): a multiple of 2^-24, by adding and subtracting 0.5.
    const V sub = (x + E(0.5)) - E(0.5);
    const V sub_signed = simd::select(x < E(0), -((-x + E(0.5)) - E(0.5)), sub);
    V res = simd::select(absu < 0x38800000, sub_signed, normal);
    const V inf = simd::splat<V>(std::numeric_limits<float>::infinity());
    res = simd::select(res > E(65504), inf, res);
    res = simd::select(res < E(-65504), -inf, res);
    return simd::select(absu > 0x7f800000, x, res);  // NaN stays NaN
  } else {
    const std::uint32_t u = bit_cast<std::uint32_t>(x);
    const std::uint32_t absu = u & 0x7fffffffu;
    if (absu > 0x7f800000u) return x;  // NaN
    float res;
    if (absu < 0x38800000u) {
      const float a = bit_cast<float>(absu);
      volatile float t = a + 0.5f;  // the sum must be rounded to float before the subtraction
      const float q = t - 0.5f;
      res = (u >> 31) ? -q : q;
    } else {
      res = bit_cast<float>((u + (0x0fffu + ((u >> 13) & 1u))) & ~0x1fffu);
    }
    if (res > 65504.0f) return std::numeric_limits<float>::infinity();
    if (res < -65504.0f) return -std::numeric_limits<float>::infinity();
    return res;
  }
}

/// Accumulator arithmetic for value type C (scalar or vector) and accumulator A (a type or half_acc):
/// the storage type, the conversion of a value into it, and a rounded add.
template <class C, class A>
struct AccOps {
  using E = typename simd::lanes_of<C>::elem;
  static constexpr bool half = std::is_same_v<A, half_acc>;
  static constexpr int W = simd::lanes_of<C>::width;
  using AE = std::conditional_t<half, E, A>;  // element type of the storage
  template <bool V, class X = void>
  struct storage_of {
    using type = AE;
  };
#if defined(KOKKEOPS_HAVE_VECTOR_TYPES)
  template <class X>
  struct storage_of<true, X> {
    using type = simd::pack_t<AE, W>;  // a vector, or native vectors side by side when AE is wider than E
  };
#endif
  using S = typename storage_of<simd::is_vector_v<C>>::type;

  KOKKOS_FORCEINLINE_FUNCTION static S widen(const C& v) {
    if constexpr (std::is_same_v<S, C>) {
      return v;
    } else {
#if defined(KOKKEOPS_HAVE_VECTOR_TYPES)
      if constexpr (simd::is_vector_v<C>) return simd::convert<S>(v);
      else return static_cast<S>(v);
#else
      return static_cast<S>(v);
#endif
    }
  }
  KOKKOS_FORCEINLINE_FUNCTION static S round(const S& s) {
    if constexpr (half) return round_to_half(s);
    else return s;
  }
  KOKKOS_FORCEINLINE_FUNCTION static S zero() {
    if constexpr (simd::is_vector_v<C>) {
      return S{};  // every lane +0
    } else {
      return S(0);
    }
  }
};

// ---------------------------------------------------------------- index vectors

/// Integer lanes matching a value type: int for scalars, the same-width integer vector for vectors.
template <class V, bool = simd::is_vector_v<V>>
struct index_of {
  using type = int;
};
#if defined(KOKKEOPS_HAVE_VECTOR_TYPES)
template <class V>
struct index_of<V, true> {
  using type = typename simd::lanes_of<V>::itype;
};
#endif
template <class V>
using index_t = typename index_of<V>::type;

/// Per lane c ? a : b for integer lanes under a value comparison mask c (bool for scalars).
template <class M, class I>
KOKKOS_FORCEINLINE_FUNCTION I select_index(const M& c, const I& a, const I& b) {
  if constexpr (std::is_integral_v<I>) {
    return c ? a : b;
  } else {
    const I m = (I)c;
    return (a & m) | (b & ~m);
  }
}

/// Index lanes j, j+1, ..., j+W-1 (scalars: j).
template <class I>
KOKKOS_FORCEINLINE_FUNCTION I index_ramp(int j) {
  if constexpr (std::is_integral_v<I>) {
    return j;
  } else {
    I v{};
    constexpr int W = static_cast<int>(sizeof(I) / sizeof(v[0]));
    for (int l = 0; l < W; ++l) v[l] = j + l;
    return v;
  }
}

template <class I>
KOKKOS_FORCEINLINE_FUNCTION I index_splat(int j) {
  if constexpr (std::is_integral_v<I>) {
    return j;
  } else {
    I v{};
    constexpr int W = static_cast<int>(sizeof(I) / sizeof(v[0]));
    for (int l = 0; l < W; ++l) v[l] = j;
    return v;
  }
}

/// Number of vector iterations between two flushes of the block summation scheme.
inline constexpr int kBlockFlushChunks = 64;

// ---------------------------------------------------------------- options

template <class Opt>
struct is_scheme : std::false_type {};
template <>
struct is_scheme<scheme::direct_t> : std::true_type {};
template <>
struct is_scheme<scheme::block_t> : std::true_type {};
template <>
struct is_scheme<scheme::kahan_t> : std::true_type {};
template <class Opt>
struct is_acc_option : std::false_type {};
template <class A>
struct is_acc_option<accumulate_t<A>> : std::true_type {};

/// The options of a Sum-type reduction: at most one scheme tag and one accumulate<A> tag.
template <class... Opts>
struct SumOptions {
  static_assert(((is_scheme<Opts>::value || is_acc_option<Opts>::value) && ...),
                "kokkeops: a Sum-type reduction takes only a summation scheme (ko::scheme::direct / block / kahan) "
                "and an accumulator type (ko::accumulate<T>)");
  static_assert((int(is_scheme<Opts>::value) + ... + 0) <= 1, "kokkeops: more than one summation scheme given");
  static_assert((int(is_acc_option<Opts>::value) + ... + 0) <= 1, "kokkeops: more than one accumulator type given");

  template <class Def, class... Os>
  struct first_scheme {
    using type = Def;
  };
  template <class Def, class O, class... Os>
  struct first_scheme<Def, O, Os...> {
    using type = std::conditional_t<is_scheme<O>::value, O, typename first_scheme<Def, Os...>::type>;
  };
  template <class... Os>
  struct first_acc {
    using type = void;
  };
  template <class O, class... Os>
  struct first_acc<O, Os...> {
    using type = std::conditional_t<is_acc_option<O>::value, O, typename first_acc<Os...>::type>;
  };
  // Default direct: on CPUs each SIMD lane already sums its own 1/W of the terms, and the block scheme measured
  // 15 % slower on the Gaussian benchmark (KeOps defaults to block_sum).
  using scheme = typename first_scheme<scheme::direct_t, Opts...>::type;
  using acc = typename first_acc<Opts...>::type;                        // void: same as the data
};

/// Reductions that are not sums take no options: a scheme or accumulator there is a compile error.
template <class... Opts>
struct NoOptions {
  static_assert(sizeof...(Opts) == 0,
                "kokkeops: summation schemes and accumulator types apply only to Sum, LogSumExp, Max_SumShiftExp "
                "and SumSoftMaxWeight, not to Min/Max/ArgMin/ArgMax/KMin-type reductions");
};

template <class D, class AccOpt>
using acc_for = typename resolve_acc<D, std::conditional_t<std::is_void_v<AccOpt>, D, AccOpt>>::type;

}  // namespace impl
}  // namespace kokkeops

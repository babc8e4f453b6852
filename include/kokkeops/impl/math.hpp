// Math policies: what a formula's Exp, Log, Sqrt, Rsqrt, Sin, ..., Pow, Floor, Round compile to on
// each kind of device.
// A policy is a struct of static functions; the evaluation context names it as `Ctx::math`.
// CPU policies also take the explicit-SIMD vector types of impl/simd.hpp.
#pragma once

#include <kokkeops/impl/compat.hpp>
#include <kokkeops/impl/simd.hpp>

#include <cstdint>
#include <cstring>
#include <limits>

// AVX-512 hosts: the exp of 512-bit vectors rounds with vrndscale and scales with vscalef (see CpuMath).
#if defined(KOKKEOPS_HAVE_VECTOR_TYPES) && defined(__AVX512F__) && !defined(__CUDA_ARCH__) && \
    !defined(__HIP_DEVICE_COMPILE__)
#include <immintrin.h>
#define KOKKEOPS_AVX512_EXP 1
#endif

namespace kokkeops::impl {

// Bit reinterpretation that the vectoriser sees through (a memcpy call may stop it).
template <class To, class From>
KOKKOS_FORCEINLINE_FUNCTION To bit_cast(const From& v) {
#if defined(__has_builtin)
#if __has_builtin(__builtin_bit_cast)
#define KOKKEOPS_HAS_BUILTIN_BIT_CAST
  return __builtin_bit_cast(To, v);
#endif
#endif
#ifndef KOKKEOPS_HAS_BUILTIN_BIT_CAST
  To r;
  std::memcpy(&r, &v, sizeof(To));
  return r;
#endif
#undef KOKKEOPS_HAS_BUILTIN_BIT_CAST
}

namespace detail {

// C's round (halfway cases away from zero) from floor, branch-free for scalars and vectors alike:
// Kokkos 3.4 has no round. |x| - floor(|x|) is exact, so 0.49999999999999994 is not rounded up.
template <class M, class T>
KOKKOS_FORCEINLINE_FUNCTION T round_from_floor(T x) {
  const T zero = simd::splat<T>(0);
  const T a = simd::select(x < zero, -x, x);
  const T f = M::floor(a);
  const T r = simd::select(a - f >= simd::splat<T>(0.5), f + simd::splat<T>(1), f);
  return simd::select(x < zero, -r, r);
}

}  // namespace detail

/// Portable math through Kokkos' math functions: the fallback for scalars.
struct GenericMath {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T exp(T x) { return compat::exp(x); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T log(T x) { return compat::log(x); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T sqrt(T x) { return compat::sqrt(x); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T rsqrt(T x) { return T(1) / compat::sqrt(x); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T sin(T x) { return compat::sin(x); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T cos(T x) { return compat::cos(x); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T asin(T x) { return compat::asin(x); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T acos(T x) { return compat::acos(x); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T atan(T x) { return compat::atan(x); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T atan2(T y, T x) { return compat::atan2(y, x); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T floor(T x) { return compat::floor(x); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T pow(T x, T y) { return compat::pow(x, y); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T round(T x) { return detail::round_from_floor<GenericMath>(x); }
};

namespace detail {

// 2^(n + bias) per lane, n = t - magic the integer that adding the magic number 1.5 * 2^(mantissa bits)
// rounded to: t and magic share their exponent, so n is also the difference of their bit patterns, and
// (n + bias) << shift are the bits of 2^(n + bias). Integer operations only: x86 before AVX-512 has no
// vector conversion from double to int64 (GCC converted lane by lane, a third of AVX2's exp speed).
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T pow2_bits(const T& t, const T& magic, int bias, int shift) {
  if constexpr (simd::is_vector_v<T>) {
    using I = typename simd::lanes_of<T>::itype;
    const I i = ((I)t - (I)magic + bias) << shift;  // vector casts of equal size reinterpret the bits
    return (T)i;
  } else {
    using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    return bit_cast<T>((bit_cast<U>(t) - bit_cast<U>(magic) + static_cast<U>(bias)) << shift);  // unsigned: NaN is no UB
  }
}

// e^r for the reduced argument r = x - n ln 2 (Cody-Waite: ln 2 in two constants, so that n ln 2 is
// exact in the first), shared by both ways CpuMath::exp scales the result by 2^n. Float: degree 5,
// fitted for relative error on [-ln2/2, ln2/2] with p(0) = 1 exactly: 1.7e-7 (1.4 ulp) in float
// arithmetic, one multiply-add fewer than the Taylor polynomial of the same accuracy. Double: Taylor,
// degree 12.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T exp_poly(const T& x, const T& n) {
  using E = typename simd::lanes_of<T>::elem;
  if constexpr (std::is_same_v<E, float>) {
    const T r = (x - n * E(0.693145751953125)) - n * E(1.428606765330187e-06);
    T p = simd::splat<T>(0.008290313909739472);
    p = p * r + E(0.04189793163748523);
    p = p * r + E(0.16667636218124435);
    p = p * r + E(0.49999149511040314);
    p = p * r + E(0.9999997071795537);
    p = p * r + E(1.0);
    return p;
  } else {
    const T r = (x - n * E(6.93147180369123816490e-01)) - n * E(1.90821492927058770002e-10);
    T p = simd::splat<T>(1.0 / 479001600);
    p = p * r + E(1.0 / 39916800);
    p = p * r + E(1.0 / 3628800);
    p = p * r + E(1.0 / 362880);
    p = p * r + E(1.0 / 40320);
    p = p * r + E(1.0 / 5040);
    p = p * r + E(1.0 / 720);
    p = p * r + E(1.0 / 120);
    p = p * r + E(1.0 / 24);
    p = p * r + E(1.0 / 6);
    p = p * r + E(0.5);
    p = p * r + E(1.0);
    p = p * r + E(1.0);
    return p;
  }
}

}  // namespace detail

/// CPU math: an exp that is branch-free and inlines, for scalars and SIMD vectors alike.
/// exp(x) = 2^n p(r), n = round(x / ln 2), r = x - n ln 2 (Cody-Waite), p a polynomial (float:
/// degree 5 fitted, max rel. error 2e-7; double: Taylor degree 12, 3e-16). The input is clamped so
/// that 2^n stays a bit pattern: below -87 (float) / -708.4 (double) the result is 0 (values under
/// ~2e-38 / ~3e-308 are flushed), above ln(max) it is +inf, and NaN propagates. 512-bit vectors on
/// AVX-512 builds (the CPU engine's sweep there) scale with vscalef instead, which also returns the
/// subnormal results (same reduction and polynomial, same accuracy).
struct CpuMath {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T exp(T x) {
    using E = typename simd::lanes_of<T>::elem;
#if defined(KOKKEOPS_HAVE_VECTOR_TYPES)
    if constexpr (simd::lanes_of<T>::wide) {  // accumulators wider than a register: each native part
      T r;
      for (int p = 0; p < T::N; ++p) r.part[p] = exp(x.part[p]);
      return r;
    } else
#endif
#if defined(KOKKEOPS_AVX512_EXP)
    // 512-bit vectors on AVX-512: the same reduction and polynomials as below, but n = round(x / ln 2)
    // in one vrndscale and 2^n p(r) in one vscalef, which also gives the right 0, subnormal or inf at
    // the ends of the range (no integer bit tricks): 12 vector operations instead of 19 for float.
    // The clamps (one vmaxps, one vminps) keep NaN, and turn -inf / +inf (for which r would be
    // inf - inf) into inputs whose result is 0 / inf. The masked intrinsics with every lane set: the
    // plain ones start from an undefined vector, which GCC 12 reports as maybe-uninitialized.
    if constexpr (simd::is_vector_v<T> && sizeof(T) == 64 && std::is_same_v<E, float>) {
      constexpr __mmask16 all = 0xFFFF;
      // vmaxps / vminps return their second operand when either is NaN: max(lo, x) keeps a NaN x.
      const __m512 lo = _mm512_mask_max_ps((__m512)x, all, _mm512_set1_ps(-104.0f), (__m512)x);
      x = (T)_mm512_mask_min_ps(lo, all, _mm512_set1_ps(89.0f), lo);
      const __m512 t = (__m512)(x * E(1.44269504088896341));
      const T n = (T)_mm512_mask_roundscale_ps(t, all, t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      const T p = detail::exp_poly(x, n);
      return (T)_mm512_mask_scalef_ps((__m512)p, all, (__m512)p, (__m512)n);
    } else if constexpr (simd::is_vector_v<T> && sizeof(T) == 64 && std::is_same_v<E, double>) {
      constexpr __mmask8 all = 0xFF;
      const __m512d lo = _mm512_mask_max_pd((__m512d)x, all, _mm512_set1_pd(-746.0), (__m512d)x);
      x = (T)_mm512_mask_min_pd(lo, all, _mm512_set1_pd(710.0), lo);
      const __m512d t = (__m512d)(x * E(1.4426950408889634074));
      const T n = (T)_mm512_mask_roundscale_pd(t, all, t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      const T p = detail::exp_poly(x, n);
      return (T)_mm512_mask_scalef_pd((__m512d)p, all, (__m512d)p, (__m512d)n);
    } else
#endif
    if constexpr (std::is_same_v<E, float>) {
      const T lo = simd::splat<T>(-87.0), hi = simd::splat<T>(89.0);
      x = simd::select(x < lo, lo, x);
      x = simd::select(x > hi, hi, x);
      const T magic = simd::splat<T>(12582912.0);  // 1.5 * 2^23: adding it rounds to an integer
      const T t = x * E(1.44269504088896341) + magic;
      const T n = t - magic;
      const T p = detail::exp_poly(x, n);
      // 2^n as 2^(n-1) * 2: n = 128 stays a finite bit pattern, n = -126 gives exactly 0.
      const T scale = detail::pow2_bits(t, magic, 126, 23);
      return p * scale * E(2);
    } else if constexpr (std::is_same_v<E, double>) {
      const T lo = simd::splat<T>(-708.4), hi = simd::splat<T>(710.0);
      x = simd::select(x < lo, lo, x);
      x = simd::select(x > hi, hi, x);
      const T magic = simd::splat<T>(6755399441055744.0);  // 1.5 * 2^52
      const T t = x * E(1.4426950408889634074) + magic;
      const T n = t - magic;
      const T p = detail::exp_poly(x, n);
      const T scale = detail::pow2_bits(t, magic, 1022, 52);
      return p * scale * E(2);
    } else {
      return GenericMath::exp(x);
    }
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T sqrt(T x) {
    return lanewise(x, [](auto v) { return compat::sqrt(v); });
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T rsqrt(T x) {
    return simd::splat<T>(1) / sqrt(x);
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T log(T x) {
    return lanewise(x, [](auto v) { return compat::log(v); });
  }
  // The functions below apply the C library's (or Kokkos') scalar function lane by lane: correct
  // everywhere, not tuned (the Gaussian path needs none of them).
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T sin(T x) {
    return lanewise(x, [](auto v) { return compat::sin(v); });
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T cos(T x) {
    return lanewise(x, [](auto v) { return compat::cos(v); });
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T asin(T x) {
    return lanewise(x, [](auto v) { return compat::asin(v); });
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T acos(T x) {
    return lanewise(x, [](auto v) { return compat::acos(v); });
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T atan(T x) {
    return lanewise(x, [](auto v) { return compat::atan(v); });
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T atan2(T y, T x) {
    return lanewise2(y, x, [](auto a, auto b) { return compat::atan2(a, b); });
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T floor(T x) {
    return lanewise(x, [](auto v) { return compat::floor(v); });
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T pow(T x, T y) {
    return lanewise2(x, y, [](auto a, auto b) { return compat::pow(a, b); });
  }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T round(T x) {
    return detail::round_from_floor<CpuMath>(x);
  }

 private:
  // A scalar function on every lane (the compiler vectorises sqrt itself under -fno-math-errno).
  template <class T, class Fn>
  KOKKOS_FORCEINLINE_FUNCTION static T lanewise(T x, Fn fn) {
    if constexpr (simd::is_vector_v<T>) {
      T r{};
      for (int l = 0; l < simd::lanes_of<T>::width; ++l) r[l] = fn(x[l]);
      return r;
    } else {
      return fn(x);
    }
  }
  template <class T, class Fn>
  KOKKOS_FORCEINLINE_FUNCTION static T lanewise2(T x, T y, Fn fn) {
    if constexpr (simd::is_vector_v<T>) {
      T r{};
      for (int l = 0; l < simd::lanes_of<T>::width; ++l) r[l] = fn(x[l], y[l]);
      return r;
    } else {
      return fn(x, y);
    }
  }
};

}  // namespace kokkeops::impl

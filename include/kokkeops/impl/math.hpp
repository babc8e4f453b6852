// Math policies: what a formula's Exp, Log, Sqrt, Rsqrt compile to on each kind of device.
// A policy is a struct of static functions; the evaluation context names it as `Ctx::math`.
#pragma once

#include <kokkeops/impl/compat.hpp>
#include <cstdint>
#include <cstring>
#include <limits>

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

/// Portable math through Kokkos' math functions: the fallback, and the host oracle's (long double).
struct GenericMath {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T exp(T x) { return compat::exp(x); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T log(T x) { return compat::log(x); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T sqrt(T x) { return compat::sqrt(x); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION static T rsqrt(T x) { return T(1) / compat::sqrt(x); }
};

/// CPU math: an exp that is branch-free and inlines, so the loop over j vectorises.
/// exp(x) = 2^n * p(r), n = round(x / ln 2), r = x - n ln 2 (Cody-Waite), p a Taylor polynomial
/// (degree 6 in float: max rel. error 2e-7; degree 12 in double: 3e-16). Results below the
/// smallest normal number are flushed to 0; overflow gives +inf; NaN propagates.
struct CpuMath : GenericMath {
  using GenericMath::exp;

  KOKKOS_FORCEINLINE_FUNCTION static float exp(float x) {
    constexpr float hi = 88.72283f, lo = -87.0f;
    const float xc = x > hi ? hi : (x < lo ? lo : x);
    const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
    const float n = (xc * 1.44269504088896341f + magic) - magic;
    const float r = (xc - n * 0.693145751953125f) - n * 1.428606765330187e-06f;
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    // 2^n as 2^(n-1) * 2, so that n = 128 (x near ln FLT_MAX) stays finite.
    const float scale = bit_cast<float>(static_cast<std::int32_t>((static_cast<std::int32_t>(n) + 126) << 23));
    const float res = p * scale * 2.0f;
    return x < lo ? 0.0f : (x > hi ? std::numeric_limits<float>::infinity() : res);
  }

  KOKKOS_FORCEINLINE_FUNCTION static double exp(double x) {
    constexpr double hi = 709.782712893384, lo = -708.0;
    const double xc = x > hi ? hi : (x < lo ? lo : x);
    const double magic = 6755399441055744.0;  // 1.5 * 2^52
    const double n = (xc * 1.4426950408889634074 + magic) - magic;
    const double r = (xc - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
    double p = 1.0 / 479001600;
    p = p * r + 1.0 / 39916800;
    p = p * r + 1.0 / 3628800;
    p = p * r + 1.0 / 362880;
    p = p * r + 1.0 / 40320;
    p = p * r + 1.0 / 5040;
    p = p * r + 1.0 / 720;
    p = p * r + 1.0 / 120;
    p = p * r + 1.0 / 24;
    p = p * r + 1.0 / 6;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    const double scale =
        bit_cast<double>(static_cast<std::int64_t>((static_cast<std::int64_t>(n) + 1022) << 52));
    const double res = p * scale * 2.0;
    return x < lo ? 0.0 : (x > hi ? std::numeric_limits<double>::infinity() : res);
  }
};

}  // namespace kokkeops::impl

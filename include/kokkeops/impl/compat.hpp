// Kokkos 3.4 / 4.x compatibility: every difference between the versions we support is hidden here.
#pragma once

#include <Kokkos_Core.hpp>
#include <cmath>

namespace kokkeops::impl::compat {

// Math functions moved from Kokkos::Experimental to Kokkos in 4.0; the shims can go once 3.x support ends.
#if KOKKOS_VERSION >= 40000
#define KOKKEOPS_KOKKOS_MATH Kokkos
#else
#define KOKKEOPS_KOKKOS_MATH Kokkos::Experimental
#endif

template <class T>
KOKKOS_FORCEINLINE_FUNCTION T exp(T x) { return KOKKEOPS_KOKKOS_MATH::exp(x); }
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T log(T x) { return KOKKEOPS_KOKKOS_MATH::log(x); }
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T sqrt(T x) { return KOKKEOPS_KOKKOS_MATH::sqrt(x); }
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T fabs(T x) { return KOKKEOPS_KOKKOS_MATH::fabs(x); }
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T sin(T x) { return KOKKEOPS_KOKKOS_MATH::sin(x); }
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T cos(T x) { return KOKKEOPS_KOKKOS_MATH::cos(x); }
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T asin(T x) { return KOKKEOPS_KOKKOS_MATH::asin(x); }
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T acos(T x) { return KOKKEOPS_KOKKOS_MATH::acos(x); }
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T atan(T x) { return KOKKEOPS_KOKKOS_MATH::atan(x); }
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T atan2(T y, T x) { return KOKKEOPS_KOKKOS_MATH::atan2(y, x); }
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T floor(T x) { return KOKKEOPS_KOKKOS_MATH::floor(x); }
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T pow(T x, T y) { return KOKKEOPS_KOKKOS_MATH::pow(x, y); }

#undef KOKKEOPS_KOKKOS_MATH

// The HIP execution space left Kokkos::Experimental in 4.0 (shim can go with 3.x support).
#if defined(KOKKOS_ENABLE_HIP)
#if KOKKOS_VERSION >= 40000
using HIP = Kokkos::HIP;
#else
using HIP = Kokkos::Experimental::HIP;
#endif
#endif

}  // namespace kokkeops::impl::compat

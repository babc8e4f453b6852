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

// CUDA backend: teams of 256 threads, tiles of the reduced variables in shared memory,
// the hardware's fast exp (ex2.approx through __expf) in float.
#pragma once

#include <kokkeops/impl/backend_traits.hpp>

namespace kokkeops::impl {

struct CudaMath : GenericMath {
  using GenericMath::exp;
  using GenericMath::rsqrt;
  KOKKOS_FORCEINLINE_FUNCTION static float exp(float x) {
#if defined(__CUDA_ARCH__)
    return __expf(x);
#else
    return compat::exp(x);
#endif
  }
  KOKKOS_FORCEINLINE_FUNCTION static float rsqrt(float x) {
#if defined(__CUDA_ARCH__)
    return rsqrtf(x);
#else
    return 1.0f / compat::sqrt(x);
#endif
  }
  KOKKOS_FORCEINLINE_FUNCTION static double rsqrt(double x) {
#if defined(__CUDA_ARCH__)
    return ::rsqrt(x);
#else
    return 1.0 / compat::sqrt(x);
#endif
  }
};

template <class T>
struct BackendTraits<Kokkos::Cuda, T> {
  using math = CudaMath;
  static constexpr int lanes = 1;
  static constexpr int rows = sizeof(T) <= 4 ? 2 : 1;
  static constexpr int acc_registers = 64;
  static constexpr bool explicit_simd = false;
  static constexpr bool stage_tiles = true;
  static int team_size() { return 256; }
  static int tile(int team_size) { return team_size; }
  // One wave of teams (concurrency() / team size) fills the device; segments of at least 8 tiles.
  static constexpr int teams_per_slot = 1;
  static constexpr int min_segment = 2048;
};

}  // namespace kokkeops::impl

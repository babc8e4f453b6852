// HIP backend: teams of 256 threads (4 wavefronts), tiles of the reduced variables in LDS,
// the hardware's fast exp (v_exp_f32 through __expf) in float.
#pragma once

#include <kokkeops/impl/backend_traits.hpp>

namespace kokkeops::impl {

struct HipMath : GenericMath {
  using GenericMath::exp;
  using GenericMath::rsqrt;
  KOKKOS_FORCEINLINE_FUNCTION static float exp(float x) {
#if defined(__HIP_DEVICE_COMPILE__)
    return __expf(x);
#else
    return compat::exp(x);
#endif
  }
  KOKKOS_FORCEINLINE_FUNCTION static float rsqrt(float x) {
#if defined(__HIP_DEVICE_COMPILE__)
    return rsqrtf(x);
#else
    return 1.0f / compat::sqrt(x);
#endif
  }
};

template <class T>
struct BackendTraits<compat::HIP, T> {
  using math = HipMath;
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

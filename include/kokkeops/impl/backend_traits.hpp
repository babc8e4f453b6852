// Backend traits: everything the engine tunes per execution space. The specialisations live in
// backends/<backend>/ and are compiled in only when Kokkos has that backend.
#pragma once

#include <kokkeops/impl/math.hpp>

namespace kokkeops::impl {

/// Fallback for execution spaces without their own traits (Threads, SYCL, HPX, ...): correct, not tuned.
template <class Exec, class T>
struct BackendTraits {
  using math = GenericMath;
  static constexpr int lanes = 1;            // reduced-axis entries per SIMD chunk (CPU vector width)
  static constexpr int rows = 1;             // output rows per thread, held in registers
  static constexpr int acc_registers = 1024; // cap on rows * output dim (register pressure)
  static constexpr bool explicit_simd = false; // sweep with impl/simd.hpp vector types
  static constexpr bool stage_tiles = false; // stage reduced-variable tiles in level-0 scratch
  static int team_size() { return 1; }       // threads per team
  static int tile(int team_size) { return team_size; }
  // 2D scheme (engine.hpp, choose_segments): split the reduced range when the row blocks give fewer than
  // teams_per_slot teams per concurrent team slot, into segments of at least min_segment entries.
  static constexpr int teams_per_slot = 1;
  static constexpr int min_segment = 4096;
};

/// Traits shared by the CPU backends (Serial, OpenMP): team size 1, R rows per team, the loop over
/// the reduced index vectorised W lanes wide over a structure-of-arrays copy of the reduced variables.
/// W follows the target's vector registers (simd::native_bytes): 16 floats / 8 doubles with AVX-512 or
/// SVE-512, 8 / 4 with AVX2, 4 / 2 with Neon or SSE.
template <class T>
struct HostTraits {
  using math = CpuMath;
  static constexpr int vector_bytes = simd::native_bytes;
  static constexpr int lanes = vector_bytes / static_cast<int>(sizeof(T)) > 0 ? vector_bytes / static_cast<int>(sizeof(T)) : 1;
  // R rows per team: each row's accumulators and its broadcast x_i stay in registers. 8 rows with 32 vector
  // registers (AVX-512, AArch64), 4 with 16 (AVX2: 8 rows spilled, measured 2.9e9 -> see perf/RESULTS.md);
  // half of the registers for accumulators.
  static constexpr int rows = KOKKEOPS_ISA_VECTOR_REGISTERS >= 32 ? 8 : 4;
  static constexpr int acc_registers = KOKKEOPS_ISA_VECTOR_REGISTERS / 2;
#if defined(KOKKEOPS_HAVE_VECTOR_TYPES)
  static constexpr bool explicit_simd = true;
#else
  static constexpr bool explicit_simd = false;
#endif
  static constexpr bool stage_tiles = false;
  static int team_size() { return 1; }
  static int tile(int) { return 1 << 30; }
  // Statically scheduled equal teams: 4 per thread keep the threads' loads within 25 % of each other.
  static constexpr int teams_per_slot = 4;
  static constexpr int min_segment = 4096;
};

}  // namespace kokkeops::impl

#if defined(KOKKOS_ENABLE_SERIAL)
#include <kokkeops/backend/serial.hpp>
#endif
#if defined(KOKKOS_ENABLE_OPENMP)
#include <kokkeops/backend/openmp.hpp>
#endif
#if defined(KOKKOS_ENABLE_CUDA)
#include <kokkeops/backend/cuda.hpp>
#endif
#if defined(KOKKOS_ENABLE_HIP)
#include <kokkeops/backend/hip.hpp>
#endif

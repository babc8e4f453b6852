// The host vector ISA this translation unit is compiled for: what the CPU sweep's vectors are built on.
// No Kokkos here: the package's configure-time check (cmake/KokkeopsArch.cmake) compiles this header alone.
//
//   KOKKEOPS_ISA_FAMILY        "x86", "arm" or "other"
//   KOKKEOPS_ISA_NAME          "avx512", "avx2", "avx", "sse2"; "sve512", "sve256", "sve128", "neon"; "generic"
//   KOKKEOPS_ISA_LEVEL         order within a family (a higher level runs the code of a lower one)
//   KOKKEOPS_ISA_VECTOR_BYTES  the widest vector register the code uses (at most 64)
#pragma once

#if defined(__AVX512F__)
#define KOKKEOPS_ISA_FAMILY "x86"
#define KOKKEOPS_ISA_NAME "avx512"
#define KOKKEOPS_ISA_LEVEL 4
#define KOKKEOPS_ISA_VECTOR_BYTES 64
#elif defined(__AVX2__) && defined(__FMA__)
#define KOKKEOPS_ISA_FAMILY "x86"
#define KOKKEOPS_ISA_NAME "avx2"
#define KOKKEOPS_ISA_LEVEL 3
#define KOKKEOPS_ISA_VECTOR_BYTES 32
#elif defined(__AVX__)
#define KOKKEOPS_ISA_FAMILY "x86"
#define KOKKEOPS_ISA_NAME "avx"
#define KOKKEOPS_ISA_LEVEL 2
#define KOKKEOPS_ISA_VECTOR_BYTES 32
#elif defined(__x86_64__) || defined(__i386__)
#define KOKKEOPS_ISA_FAMILY "x86"
#define KOKKEOPS_ISA_NAME "sse2"
#define KOKKEOPS_ISA_LEVEL 1
#define KOKKEOPS_ISA_VECTOR_BYTES 16
// SVE at a fixed vector length (-msve-vector-bits=N): GCC and Clang vector types of N bits use it. Scalable
// SVE (no fixed length) leaves them at Neon's 128 bits.
#elif defined(__ARM_FEATURE_SVE_BITS) && __ARM_FEATURE_SVE_BITS >= 512
#define KOKKEOPS_ISA_FAMILY "arm"
#define KOKKEOPS_ISA_NAME "sve512"
#define KOKKEOPS_ISA_LEVEL 4
#define KOKKEOPS_ISA_VECTOR_BYTES 64
#elif defined(__ARM_FEATURE_SVE_BITS) && __ARM_FEATURE_SVE_BITS >= 256
#define KOKKEOPS_ISA_FAMILY "arm"
#define KOKKEOPS_ISA_NAME "sve256"
#define KOKKEOPS_ISA_LEVEL 3
#define KOKKEOPS_ISA_VECTOR_BYTES 32
#elif defined(__ARM_FEATURE_SVE_BITS) && __ARM_FEATURE_SVE_BITS >= 128
#define KOKKEOPS_ISA_FAMILY "arm"
#define KOKKEOPS_ISA_NAME "sve128"
#define KOKKEOPS_ISA_LEVEL 2
#define KOKKEOPS_ISA_VECTOR_BYTES 16
#elif defined(__ARM_NEON) || defined(__aarch64__)
#define KOKKEOPS_ISA_FAMILY "arm"
#define KOKKEOPS_ISA_NAME "neon"
#define KOKKEOPS_ISA_LEVEL 1
#define KOKKEOPS_ISA_VECTOR_BYTES 16
#else
#define KOKKEOPS_ISA_FAMILY "other"
#define KOKKEOPS_ISA_NAME "generic"
#define KOKKEOPS_ISA_LEVEL 0
#define KOKKEOPS_ISA_VECTOR_BYTES 16
#endif
// Vector registers the compiler can allocate: 32 with AVX-512 (zmm0-31) and on AArch64 (v0-31 / z0-31),
// 16 on x86 below AVX-512 (ymm/xmm0-15).
#if defined(__AVX512F__) || defined(__aarch64__)
#define KOKKEOPS_ISA_VECTOR_REGISTERS 32
#else
#define KOKKEOPS_ISA_VECTOR_REGISTERS 16
#endif

namespace kokkeops {

/// The host vector ISA of the calling code, e.g. "x86 avx2 (32-byte vectors)".
inline const char* host_isa() {
#define KOKKEOPS_ISA_STR2(x) #x
#define KOKKEOPS_ISA_STR(x) KOKKEOPS_ISA_STR2(x)
  return KOKKEOPS_ISA_FAMILY " " KOKKEOPS_ISA_NAME " (" KOKKEOPS_ISA_STR(KOKKEOPS_ISA_VECTOR_BYTES) "-byte vectors)";
#undef KOKKEOPS_ISA_STR
#undef KOKKEOPS_ISA_STR2
}

}  // namespace kokkeops

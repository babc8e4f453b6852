// Explicit SIMD on CPUs: GCC/Clang vector types, so that the loop over the reduced index is
// vectorised by construction rather than left to the auto-vectoriser. Formula nodes evaluate on
// these types unchanged: they only use arithmetic, the helpers below, and the context's math policy.
#pragma once

#include <Kokkos_Core.hpp>
#include <cstdint>
#include <cstring>
#include <type_traits>

// Host compilers with GCC vector extensions; not under nvcc/hipcc (their host backends fall back
// to the auto-vectorised lane loop).
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__CUDACC__) && !defined(__HIPCC__) && \
    !defined(__NVCOMPILER) && !defined(__INTEL_LLVM_COMPILER)
#define KOKKEOPS_HAVE_VECTOR_TYPES 1
#endif

// `omp simd reduction(+ : var)` on host passes where the compiler honours it: dot-product loops
// vectorise only when the compiler may reorder the sum.
#define KOKKEOPS_PRAGMA_STR(x) _Pragma(#x)
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__) || !(defined(KOKKEOPS_HAVE_OMP_SIMD) || defined(_OPENMP))
#define KOKKEOPS_SIMD_SUM(var)
#else
#define KOKKEOPS_SIMD_SUM(var) KOKKEOPS_PRAGMA_STR(omp simd reduction(+ : var))
#endif

namespace kokkeops::simd {

/// Lane type information for a scalar (one lane) or a vector type.
template <class T, class = void>
struct lanes_of {
  using elem = T;
  static constexpr int width = 1;
  static constexpr bool vector = false;
};

#if defined(KOKKEOPS_HAVE_VECTOR_TYPES)
template <class T, int W>
struct vec_type;
// Each vector type, its integer twin (comparison masks, bit patterns) and its lane information.
#define KOKKEOPS_VEC_TYPE(T, W, I)                                   \
  template <>                                                        \
  struct vec_type<T, W> {                                            \
    typedef T type __attribute__((vector_size(sizeof(T) * W)));      \
    typedef I itype __attribute__((vector_size(sizeof(T) * W)));     \
  };                                                                 \
  template <>                                                        \
  struct lanes_of<vec_type<T, W>::type> {                            \
    using elem = T;                                                  \
    using itype = vec_type<T, W>::itype;                             \
    static constexpr int width = W;                                  \
    static constexpr bool vector = true;                             \
  };
KOKKEOPS_VEC_TYPE(float, 4, std::int32_t)
KOKKEOPS_VEC_TYPE(float, 8, std::int32_t)
KOKKEOPS_VEC_TYPE(float, 16, std::int32_t)
KOKKEOPS_VEC_TYPE(double, 2, std::int64_t)
KOKKEOPS_VEC_TYPE(double, 4, std::int64_t)
KOKKEOPS_VEC_TYPE(double, 8, std::int64_t)
KOKKEOPS_VEC_TYPE(double, 16, std::int64_t)  // float lanes widened to double accumulators
#undef KOKKEOPS_VEC_TYPE

template <class T, int W>
using vec = typename vec_type<T, W>::type;
#endif

template <class T>
inline constexpr bool is_vector_v = lanes_of<T>::vector;

/// A value of type T with every lane equal to x.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T splat(double x) {
  if constexpr (is_vector_v<T>) {
    using E = typename lanes_of<T>::elem;
    return static_cast<E>(x) - T{};  // the scalar is splatted; x - (+0) is x exactly, -0 and NaN included
  } else {
    return static_cast<T>(x);
  }
}

/// Per lane: c ? a : b, where c is a comparison result (bool for scalars, a lane mask for vectors).
template <class C, class T>
KOKKOS_FORCEINLINE_FUNCTION T select(const C& c, const T& a, const T& b) {
  if constexpr (is_vector_v<T>) {
#if defined(__clang__)
    using I = typename lanes_of<T>::itype;
    const I m = (I)c;  // vector casts of equal size reinterpret the bits
    return (T)(((I)a & m) | ((I)b & ~m));
#else
    return c ? a : b;  // GCC's vector conditional: blends, min/max
#endif
  } else {
    return c ? a : b;
  }
}

/// A value of type V with every lane equal to x (no conversion for scalars).
template <class V>
KOKKOS_FORCEINLINE_FUNCTION V broadcast(const typename lanes_of<V>::elem& x) {
  if constexpr (is_vector_v<V>) {
    // Scalar-vector arithmetic splats the scalar: one broadcast instruction. (A loop setting each lane
    // is usually folded into one too, but not always: GCC once built these lane by lane inside the
    // sweep, 7x slower.)
    return x - V{};
  } else {
    return x;
  }
}

/// Lane indices 0, 1, ..., W-1.
template <class V>
KOKKOS_FORCEINLINE_FUNCTION V iota() {
  V v{};
  for (int l = 0; l < lanes_of<V>::width; ++l) v[l] = static_cast<typename lanes_of<V>::elem>(l);
  return v;
}

/// Load W consecutive values (no alignment assumed) / the scalar itself.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T load(const typename lanes_of<T>::elem* p) {
  if constexpr (is_vector_v<T>) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
  } else {
    return *p;
  }
}

}  // namespace kokkeops::simd

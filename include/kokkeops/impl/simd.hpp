// Explicit SIMD on CPUs: GCC/Clang vector types, so that the loop over the reduced index is
// vectorised by construction rather than left to the auto-vectoriser. Formula nodes evaluate on
// these types unchanged: they only use arithmetic, the helpers below, and the context's math policy.
#pragma once

#include <Kokkos_Core.hpp>
#include <kokkeops/impl/isa.hpp>
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

/// The widest vector register of the target, in bytes (impl/isa.hpp): the explicit-SIMD sweep and every
/// vector type below stay within it (a wider GCC vector is split by the compiler anyway, and passing one by
/// value changes the ABI: GCC's -Wpsabi). x86: AVX-512 64, AVX/AVX2 32, SSE 16. Arm: SVE at a fixed
/// vector length (-msve-vector-bits=N) N/8, Neon 16. Other hosts 16.
inline constexpr int native_bytes = KOKKEOPS_ISA_VECTOR_BYTES;

/// Lane type information for a scalar (one lane) or a vector type.
template <class T, class = void>
struct lanes_of {
  using elem = T;
  static constexpr int width = 1;
  static constexpr bool vector = false;
  static constexpr bool wide = false;
};

#if defined(KOKKEOPS_HAVE_VECTOR_TYPES)
template <class T, int W, bool = (sizeof(T) * W <= native_bytes)>
struct vec_type;  // no vector type wider than the target's registers (the `false` case is left undefined)
// Each vector type, its integer twin (comparison masks, bit patterns) and its lane information.
#define KOKKEOPS_VEC_TYPE(T, W, I)                                   \
  template <>                                                        \
  struct vec_type<T, W, true> {                                      \
    typedef T type __attribute__((vector_size(sizeof(T) * W)));      \
    typedef I itype __attribute__((vector_size(sizeof(T) * W)));     \
  };                                                                 \
  template <>                                                        \
  struct lanes_of<vec_type<T, W, true>::type> {                      \
    using elem = T;                                                  \
    using itype = vec_type<T, W, true>::itype;                       \
    static constexpr int width = W;                                  \
    static constexpr bool vector = true;                             \
    static constexpr bool wide = false;                              \
  };
KOKKEOPS_VEC_TYPE(float, 4, std::int32_t)
KOKKEOPS_VEC_TYPE(double, 2, std::int64_t)
#if KOKKEOPS_ISA_VECTOR_BYTES >= 32
KOKKEOPS_VEC_TYPE(float, 8, std::int32_t)
KOKKEOPS_VEC_TYPE(double, 4, std::int64_t)
#endif
#if KOKKEOPS_ISA_VECTOR_BYTES >= 64
KOKKEOPS_VEC_TYPE(float, 16, std::int32_t)
KOKKEOPS_VEC_TYPE(double, 8, std::int64_t)
#endif
#undef KOKKEOPS_VEC_TYPE

template <class T, int W>
using vec = typename vec_type<T, W>::type;

/// W lanes of E held in N = W / P native vectors of P lanes: the accumulators of a sweep whose lanes are
/// wider than its data (float lanes summed in double: 16 floats in one AVX-512 register, 16 doubles in
/// two). Arithmetic, comparisons (giving a wide_mask) and lane reads work as on a vector type; it is a
/// struct, so passing it by value does not depend on the ISA.
template <class E, int W>
struct wide;
template <class E, int W>
struct wide_mask {
  static constexpr int P = native_bytes / static_cast<int>(sizeof(E));
  static constexpr int N = W / P;
  typename vec_type<E, P>::itype part[N];
};
template <class E, int W>
struct wide {
  static constexpr int P = native_bytes / static_cast<int>(sizeof(E));
  static constexpr int N = W / P;
  static_assert(N * P == W && N > 1, "kokkeops: internal: wide<E, W> spans several whole native vectors");
  using part_type = vec<E, P>;
  part_type part[N];
  KOKKOS_FORCEINLINE_FUNCTION E operator[](int l) const { return part[l / P][l % P]; }
};
template <class E, int W>
struct lanes_of<wide<E, W>> {
  using elem = E;
  using itype = wide_mask<E, W>;
  static constexpr int width = W;
  static constexpr bool vector = true;
  static constexpr bool wide = true;
};

// Plain loops over the parts (no lambdas: these must inline at every optimisation level that inlines).
#define KOKKEOPS_WIDE_BINARY(OP)                                                                          \
  template <class E, int W>                                                                               \
  KOKKOS_FORCEINLINE_FUNCTION wide<E, W> operator OP(const wide<E, W>& a, const wide<E, W>& b) {          \
    wide<E, W> r;                                                                                         \
    for (int p = 0; p < wide<E, W>::N; ++p) r.part[p] = a.part[p] OP b.part[p];                           \
    return r;                                                                                             \
  }                                                                                                       \
  template <class E, int W>                                                                               \
  KOKKOS_FORCEINLINE_FUNCTION wide<E, W> operator OP(const wide<E, W>& a, E b) {                          \
    wide<E, W> r;                                                                                         \
    for (int p = 0; p < wide<E, W>::N; ++p) r.part[p] = a.part[p] OP b;                                   \
    return r;                                                                                             \
  }                                                                                                       \
  template <class E, int W>                                                                               \
  KOKKOS_FORCEINLINE_FUNCTION wide<E, W> operator OP(E a, const wide<E, W>& b) {                          \
    wide<E, W> r;                                                                                         \
    for (int p = 0; p < wide<E, W>::N; ++p) r.part[p] = a OP b.part[p];                                   \
    return r;                                                                                             \
  }
KOKKEOPS_WIDE_BINARY(+)
KOKKEOPS_WIDE_BINARY(-)
KOKKEOPS_WIDE_BINARY(*)
KOKKEOPS_WIDE_BINARY(/)
#undef KOKKEOPS_WIDE_BINARY
template <class E, int W>
KOKKOS_FORCEINLINE_FUNCTION wide<E, W> operator-(const wide<E, W>& a) {
  wide<E, W> r;
  for (int p = 0; p < wide<E, W>::N; ++p) r.part[p] = -a.part[p];
  return r;
}
#define KOKKEOPS_WIDE_COMPARE(OP)                                                                         \
  template <class E, int W>                                                                               \
  KOKKOS_FORCEINLINE_FUNCTION wide_mask<E, W> operator OP(const wide<E, W>& a, const wide<E, W>& b) {     \
    wide_mask<E, W> r;                                                                                    \
    for (int p = 0; p < wide<E, W>::N; ++p) r.part[p] = a.part[p] OP b.part[p];                           \
    return r;                                                                                             \
  }
KOKKEOPS_WIDE_COMPARE(<)
KOKKEOPS_WIDE_COMPARE(>)
KOKKEOPS_WIDE_COMPARE(<=)
KOKKEOPS_WIDE_COMPARE(>=)
KOKKEOPS_WIDE_COMPARE(==)
KOKKEOPS_WIDE_COMPARE(!=)
#undef KOKKEOPS_WIDE_COMPARE

/// The lanes of a vector v of W lanes, converted to the wide<E, W> (or vector) type S.
template <class S, class V>
KOKKOS_FORCEINLINE_FUNCTION S convert(const V& v) {
  if constexpr (lanes_of<S>::wide) {
    using F = typename lanes_of<V>::elem;
    // The lanes of one part, in the source type: a vector narrower than the native ones, not always one of
    // the types above (16-byte vectors: 4 floats summed in double give parts of 2, an 8-byte float vector).
    typedef F H __attribute__((vector_size(sizeof(F) * S::P)));
    S r;
    for (int p = 0; p < S::N; ++p) {
      H h;
      std::memcpy(&h, reinterpret_cast<const char*>(&v) + static_cast<std::size_t>(p) * sizeof(H), sizeof(H));
      r.part[p] = __builtin_convertvector(h, typename S::part_type);
    }
    return r;
  } else {
    return __builtin_convertvector(v, S);
  }
}

/// The storage of W lanes of E: a vector type when they fit the target's registers, else wide<E, W>.
template <class E, int W>
using pack_t = typename std::conditional_t<(sizeof(E) * W <= native_bytes), vec_type<E, W>,
                                           std::enable_if<true, wide<E, W>>>::type;
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
  if constexpr (lanes_of<T>::wide) {
    T r;
    for (int p = 0; p < T::N; ++p) r.part[p] = select(c.part[p], a.part[p], b.part[p]);
    return r;
  } else if constexpr (is_vector_v<T>) {
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

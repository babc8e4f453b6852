// Index ranges of the library's own kernels, in each backend's index type.
#pragma once

#include <Kokkos_Core.hpp>

#include <cstddef>
#include <limits>
#include <string>

#include <kokkeops/error.hpp>

namespace kokkeops::impl {

/// Kokkos::RangePolicy<Exec> over [0, n) on `exec`. The policy counts in the backend's index type (HIP's is a
/// 32-bit unsigned int, the CPUs' 64 bits): a count it cannot hold is rejected here, never truncated.
template <class Exec>
Kokkos::RangePolicy<Exec> range(const Exec& exec, std::ptrdiff_t n) {
  using I = typename Kokkos::RangePolicy<Exec>::member_type;
  if (n < 0 || static_cast<unsigned long long>(n) > static_cast<unsigned long long>(std::numeric_limits<I>::max()))
    throw Error("a kernel over " + std::to_string(n) + " entries: more than the backend's index type counts");
  return Kokkos::RangePolicy<Exec>(exec, I(0), static_cast<I>(n));
}

/// The same on the default instance of Exec.
template <class Exec>
Kokkos::RangePolicy<Exec> range(std::ptrdiff_t n) {
  return range(Exec(), n);
}

}  // namespace kokkeops::impl

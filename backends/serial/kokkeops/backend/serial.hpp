// Serial backend: the CPU traits, one core.
#pragma once

#include <kokkeops/impl/backend_traits.hpp>

namespace kokkeops::impl {

template <class T>
struct BackendTraits<Kokkos::Serial, T> : HostTraits<T> {};

}  // namespace kokkeops::impl

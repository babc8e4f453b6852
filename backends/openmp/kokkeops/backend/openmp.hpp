// OpenMP backend: the CPU traits; one team (= one thread) per block of output rows.
#pragma once

#include <kokkeops/impl/backend_traits.hpp>

namespace kokkeops::impl {

template <class T>
struct BackendTraits<Kokkos::OpenMP, T> : HostTraits<T> {};

}  // namespace kokkeops::impl

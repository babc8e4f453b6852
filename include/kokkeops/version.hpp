// Library version and build configuration.
#pragma once

#include <iosfwd>
#include <string>

namespace kokkeops {

/// "major.minor.patch" of this library.
std::string version();

/// Print the library version and the Kokkos configuration it was built with (backends, version).
void print_configuration(std::ostream& os);

/// Call in main before Kokkos is initialised: Kokkos prints a four-line warning on standard output when
/// OMP_PROC_BIND is unset. This sets OMP_PROC_BIND=false unless the user set it: unbound threads, which is
/// what GCC's OpenMP runtime does anyway when the variable is unset (it reads its environment when the
/// program starts), and the safe choice on a shared node. For pinned threads on a dedicated node, set
/// OMP_PROC_BIND=spread OMP_PLACES=threads in the environment.
void quiet_openmp_defaults();

}  // namespace kokkeops

#include <kokkeops/impl/isa.hpp>
#include <kokkeops/version.hpp>

#include <Kokkos_Core.hpp>
#include <cstdlib>
#include <ostream>

#include "kokkeops_config.hpp"

namespace kokkeops {

std::string version() { return KOKKEOPS_VERSION_STRING; }

void print_configuration(std::ostream& os) {
  os << "Kokkeops " << version() << " on Kokkos " << KOKKOS_VERSION / 10000 << "." << KOKKOS_VERSION / 100 % 100
     << "." << KOKKOS_VERSION % 100 << ", default execution space " << Kokkos::DefaultExecutionSpace::name()
     << ", host SIMD " << host_isa() << "\n";
}

void quiet_openmp_defaults() { ::setenv("OMP_PROC_BIND", "false", 0); }

}  // namespace kokkeops

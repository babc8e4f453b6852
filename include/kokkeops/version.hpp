// Library version and build configuration.
#pragma once

#include <iosfwd>
#include <string>

namespace kokkeops {

/// "major.minor.patch" of this library.
std::string version();

/// Print the library version and the Kokkos configuration it was built with (backends, version).
void print_configuration(std::ostream& os);

}  // namespace kokkeops

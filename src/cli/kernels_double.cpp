// The command-line tool's computations in double (one translation unit per type: they build in parallel).
#include "kernels_impl.hpp"

template struct kokkeops::cli::detail::Typed<double>;

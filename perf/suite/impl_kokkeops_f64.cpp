// Kokkeops cases in float64.
#include "impl_kokkeops.hpp"

void kokkeops_bench::register_kokkeops_f64(const Config& c) { register_kokkeops<double>(c); }

// Kokkeops cases in float32 (float64 in impl_kokkeops_f64.cpp: two translation units build in parallel).
#include "impl_kokkeops.hpp"

void kokkeops_bench::register_kokkeops_f32(const Config& c) { register_kokkeops<float>(c); }

// Test category: run the shared test bodies on the openmp backend.
#pragma once
#include <kokkeops/impl/compat.hpp>
#define KOKKEOPS_TEST_EXEC Kokkos::OpenMP
#define KOKKEOPS_TEST_CATEGORY openmp

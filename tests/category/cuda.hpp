// Test category: run the shared test bodies on the cuda backend.
#pragma once
#include <kokkeops/impl/compat.hpp>
#define KOKKEOPS_TEST_EXEC Kokkos::Cuda
#define KOKKEOPS_TEST_CATEGORY cuda
#define KOKKEOPS_TEST_DEVICE

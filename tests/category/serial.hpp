// Test category: run the shared test bodies on the serial backend.
#pragma once
#include <kokkeops/impl/compat.hpp>
#define KOKKEOPS_TEST_EXEC Kokkos::Serial
#define KOKKEOPS_TEST_CATEGORY serial

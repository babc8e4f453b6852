// Test runner: Kokkos lives for the whole run.
#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>
#include <cstdio>
#include <kokkeops/impl/isa.hpp>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  Kokkos::ScopeGuard guard(argc, argv);
  std::printf("Kokkeops tests, host SIMD %s\n", kokkeops::host_isa());
  return RUN_ALL_TESTS();
}

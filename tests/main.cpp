// Test runner: Kokkos lives for the whole run.
#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>
#include <cstdio>
#include <kokkeops/impl/isa.hpp>

#include <atomic>

namespace kokkeops::test {
/// Global fences counted by GlobalFenceCounter (test_helpers.hpp).
std::atomic<long>& global_fence_count() {
  static std::atomic<long> n{0};
  return n;
}
}  // namespace kokkeops::test

#if defined(KOKKEOPS_TEST_WRAP_FENCE)
// Kokkos 3.4 emits no fence event to Kokkos Tools: the test executables are linked with
// -Wl,--wrap=_ZN6Kokkos5fenceEv, so that every call of Kokkos::fence() comes here first and is counted.
extern "C" void __real__ZN6Kokkos5fenceEv();
extern "C" void __wrap__ZN6Kokkos5fenceEv() {
  ++kokkeops::test::global_fence_count();
  __real__ZN6Kokkos5fenceEv();
}
#endif

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  Kokkos::ScopeGuard guard(argc, argv);
  std::printf("Kokkeops tests, host SIMD %s\n", kokkeops::host_isa());
  return RUN_ALL_TESTS();
}

// A process that asks for a formula string which is not compiled in (tests/runtime/concurrency.sh runs several at
// once): it prints whether it compiled the entry, the time, and a checksum of the result, or the error.
//
//   kokkeops_runtime_worker [float32|float64]
#include <Kokkos_Core.hpp>
#include <cstdio>
#include <exception>
#include <kokkeops/strings/api.hpp>
#include <kokkeops/strings/runtime.hpp>
#include <kokkeops/version.hpp>
#include <string>

namespace {

template <class T>
double run() {
  using Mat = Kokkos::View<T**, Kokkos::LayoutRight, Kokkos::HostSpace>;
  const int n = 257, m = 311;
  Mat x("x", n, 3), y("y", m, 3), b("b", m, 2), out("out", n, 2);
  for (int i = 0; i < n; ++i)
    for (int d = 0; d < 3; ++d) x(i, d) = static_cast<T>(((i * 7 + d * 13) % 101) / 50.0);
  for (int j = 0; j < m; ++j) {
    for (int d = 0; d < 3; ++d) y(j, d) = static_cast<T>(((j * 11 + d * 5) % 97) / 48.0);
    for (int c = 0; c < 2; ++c) b(j, c) = static_cast<T>(((j * 3 + c) % 17) / 8.0 - 1.0);
  }
  kokkeops::Genred("Exp(-SqDist(x, y) * 3) * b", {"x = Vi(3)", "y = Vj(3)", "b = Vj(2)"}, "Sum", kokkeops::axis::j)(
      out, x, y, b);
  double sum = 0;
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < 2; ++c) sum += static_cast<double>(out(i, c)) * (1 + i % 5 + c);
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  kokkeops::quiet_openmp_defaults();
  Kokkos::ScopeGuard guard(argc, argv);
  const std::string dtype = argc > 1 ? argv[1] : "float64";
  try {
    const double sum = dtype == "float32" ? run<float>() : run<double>();
    const auto st = kokkeops::strings::runtime::stats();
    std::printf("compiled %d loaded %d checksum %.17g\n", st.compiled, st.loaded, sum);
    return 0;
  } catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 1;
  }
}

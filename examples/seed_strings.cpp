// The seed example written with KeOps strings, as in pykeops:
//
//   Kinv = KernelSolve("Exp(-Norm2(x - y)) * a", ["x = Vi(3)", "y = Vj(3)", "a = Vj(2)"], "a", axis=1)
//   a = Kinv(x, x, b, alpha=0.1)
//
// x = randn(N, 3), b = randn(N, 2), alpha = 0.1, in float32 and float64; then KeOps' error metric
// sum |alpha a + K a - b| / N with the Genred of the same formula string. The strings are compiled into this
// program at build time (kokkeops_add_formulas in examples/CMakeLists.txt, set "seed_strings").
//
//   seed_strings [N]        (default 10000)
#include <kokkeops/kokkeops.hpp>
#include <kokkeops/strings/api.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>

#include "kokkeops_formulas_seed_strings.h"

namespace ko = kokkeops;

template <class T>
void run(long n) {
  using Mem = Kokkos::DefaultExecutionSpace::memory_space;
  Kokkos::View<T**, Kokkos::LayoutRight, Mem> x("x", n, 3), b("b", n, 2), a("a", n, 2), Ka("Ka", n, 2);
  auto hx = Kokkos::create_mirror_view(x);
  auto hb = Kokkos::create_mirror_view(b);
  std::mt19937_64 gen(0);
  std::normal_distribution<double> normal;
  for (long i = 0; i < n; ++i)
    for (int k = 0; k < 3; ++k) hx(i, k) = static_cast<T>(normal(gen));
  for (long i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k) hb(i, k) = static_cast<T>(normal(gen));
  Kokkos::deep_copy(x, hx);
  Kokkos::deep_copy(b, hb);

  const char* formula = "Exp(-Norm2(x - y)) * a";
  const std::vector<std::string> aliases = {"x = Vi(3)", "y = Vj(3)", "a = Vj(2)"};
  const double alpha = 0.1;
  const auto Kinv = ko::KernelSolve(formula, aliases, "a", ko::axis::j);
  const ko::SolveReport rep = Kinv(a, x, x, b, ko::SolveOptions{}.alpha(alpha));

  ko::Genred(formula, aliases, "Sum", ko::axis::j)(Ka, x, x, a);  // K a, for KeOps' metric
  auto ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
  auto hk = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), Ka);
  double err = 0;
  for (long i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k) err += std::fabs(alpha * ha(i, k) + hk(i, k) - hb(i, k));
  err /= static_cast<double>(n);
  std::printf("%-7s a: (%ld, 2)  %s preconditioner, %d iterations, %.3f s  error %.2e  %s\n",
              sizeof(T) == 4 ? "float32" : "float64", n, ko::to_string(rep.preconditioner), rep.iterations, rep.seconds,
              err, ko::to_string(rep.reason));
}

int main(int argc, char** argv) {
  ko::quiet_openmp_defaults();
  Kokkos::ScopeGuard guard(argc, argv);
  if (kokkeops_register_seed_strings() != KOKKEOPS_OK) {
    std::fprintf(stderr, "seed_strings: the compiled formulas could not be registered\n");
    return 1;
  }
  const long n = argc > 1 ? std::atol(argv[1]) : 10000;
  if (n < 1) {
    std::fprintf(stderr, "seed_strings: N must be >= 1\n");
    return 2;
  }
  run<float>(n);
  run<double>(n);
  return 0;
}

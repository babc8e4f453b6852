// The seed computation: K(x, x) a for N = 10 000 random 3-D points with the Laplace-type kernel
// Exp(-Norm2(x - y)) and a of dimension 2, i.e. the kernel product at the heart of KeOps'
// KernelSolve example. Prints the time, pairs/s and the error against a direct host loop.
#include <kokkeops/kokkeops.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <random>

namespace ko = kokkeops;
using namespace kokkeops::formulas;

template <class T>
void run(long n) {
  using Mem = Kokkos::DefaultExecutionSpace::memory_space;
  Kokkos::View<T**, Kokkos::LayoutRight, Mem> x("x", n, 3), a("a", n, 2), out("out", n, 2);
  auto hx = Kokkos::create_mirror_view(x);
  auto ha = Kokkos::create_mirror_view(a);
  std::mt19937_64 gen(0);
  std::normal_distribution<double> normal;
  for (long i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) hx(i, k) = static_cast<T>(normal(gen));
    for (int k = 0; k < 2; ++k) ha(i, k) = static_cast<T>(normal(gen));
  }
  Kokkos::deep_copy(x, hx);
  Kokkos::deep_copy(a, ha);

  // out_i = sum_j exp(-|x_i - y_j|) a_j, with y = x (slot 1 receives x again).
  const Vi<0, 3> xi;
  const Vj<1, 3> yj;
  const Vj<2, 2> aj;
  auto K = ko::Genred(ko::Sum(Exp(-Norm2(xi - yj)) * aj), ko::axis::j);

  K(out, x, x, a);  // warm-up
  const int reps = 5;
  const auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) K(out, x, x, a);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;

  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  double max_rel = 0;
  for (long q = 0; q < 100; ++q) {
    const long i = q * (n - 1) / 99;
    double s[2] = {0, 0}, scale[2] = {0, 0};
    for (long j = 0; j < n; ++j) {
      double d2 = 0;
      for (int k = 0; k < 3; ++k) d2 += (double(hx(i, k)) - hx(j, k)) * (double(hx(i, k)) - hx(j, k));
      const double kij = std::exp(-std::sqrt(d2));
      for (int k = 0; k < 2; ++k) {
        s[k] += kij * ha(j, k);
        scale[k] += std::fabs(kij * ha(j, k));
      }
    }
    for (int k = 0; k < 2; ++k) max_rel = std::max(max_rel, std::fabs(h(i, k) - s[k]) / scale[k]);
  }
  std::printf("%-7s N = %ld, formula %s\n        time %.3f ms, %.3g pairs/s, max error on 100 rows %.2e "
              "(relative to sum_j |k_ij a_j|)\n",
              sizeof(T) == 4 ? "float32" : "float64", n, to_string(K.reduction().formula).c_str(), secs * 1e3,
              double(n) * double(n) / secs, max_rel);
}

int main(int argc, char** argv) {
  ko::quiet_openmp_defaults();  // unless OMP_PROC_BIND is set: unbound OpenMP threads, and no Kokkos warning
  Kokkos::ScopeGuard guard(argc, argv);
  ko::print_configuration(std::cout);
  run<float>(10000);
  run<double>(10000);
  return 0;
}

// Gradients (issue 5): the Gaussian sum out_i = sum_j exp(-g |x_i - y_j|^2) b_j (D = 3, b scalar) and its
// gradient reductions with respect to x (a reduction over j), y (over i) and g (a parameter: over j,
// then summed), in fp32 and fp64, N = M points uniform in [0, 1)^3. Reports seconds and pairs/s
// (N M / time) for each, and the ratio to the forward reduction.
//
//   OMP_NUM_THREADS=2 OMP_PROC_BIND=false ./kokkeops_bench_gradient [N [repeats]]
#include <kokkeops/kokkeops.hpp>

#include <Kokkos_Random.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>

#ifndef KOKKEOPS_GIT_REVISION
#define KOKKEOPS_GIT_REVISION "unknown"
#endif

namespace ko = kokkeops;
using namespace kokkeops::formulas;

namespace {

double best_of(int repeats, const std::function<void()>& fn) {
  fn();  // warm-up
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    Kokkos::fence();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

template <class T>
void run(long n, int repeats) {
  using Exec = Kokkos::DefaultExecutionSpace;
  using Mem = Exec::memory_space;
  using Mat = Kokkos::View<T**, Kokkos::LayoutRight, Mem>;
  using Vec = Kokkos::View<T*, Mem>;
  Mat x("x", n, 3), y("y", n, 3), b("b", n, 1), out("out", n, 1), up("up", n, 1), gx("gx", n, 3), gy("gy", n, 3);
  Vec g("g", 1), gg("gg", 1);
  Kokkos::Random_XorShift64_Pool<Exec> pool(2026);
  Kokkos::fill_random(x, pool, T(0), T(1));
  Kokkos::fill_random(y, pool, T(0), T(1));
  Kokkos::fill_random(b, pool, T(-1), T(1));
  Kokkos::fill_random(up, pool, T(-1), T(1));
  Kokkos::deep_copy(g, T(10));
  const Vi<0, 3> xi;
  const Vj<1, 3> yj;
  const Vj<2, 1> bj;
  const Pm<3, 1> s;
  const auto K = ko::Genred(ko::Sum(Exp(-s * SqDist(xi, yj)) * bj), ko::axis::j);
  const double pairs = static_cast<double>(n) * static_cast<double>(n);
  const double t_fwd = best_of(repeats, [&] { K(out, x, y, b, g); });
  const double t_x = best_of(repeats, [&] { ko::gradient(K, xi)(gx, up, x, y, b, g); });
  const double t_y = best_of(repeats, [&] { ko::gradient(K, yj)(gy, up, x, y, b, g); });
  const double t_g = best_of(repeats, [&] { ko::gradient(K, s)(gg, up, x, y, b, g); });
  const char* name = sizeof(T) == 4 ? "fp32" : "fp64";
  const auto line = [&](const char* what, double t) {
    std::printf("%s  %-22s N = M = %ld  %8.4f s  %.3e pairs/s  %.2fx the forward time\n", name, what, n, t, pairs / t,
                t / t_fwd);
  };
  line("forward Sum", t_fwd);
  line("d/dx (Vi, over j)", t_x);
  line("d/dy (Vj, over i)", t_y);
  line("d/dg (Pm, over j + sum)", t_g);
}

}  // namespace

int main(int argc, char** argv) {
  Kokkos::initialize(argc, argv);
  {
    const long n = argc > 1 ? std::atol(argv[1]) : 50000;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
    std::printf("kokkeops_bench_gradient, revision %s, %s\n", KOKKEOPS_GIT_REVISION,
                Kokkos::DefaultExecutionSpace::name());
    run<float>(n, repeats);
    run<double>(n, repeats);
  }
  Kokkos::finalize();
  return 0;
}

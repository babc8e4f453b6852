// The seed example (KeOps' KernelSolve tutorial): x = randn(10000, 3), b = randn(10000, 2),
// K(x, y) a = Exp(-Norm2(x - y)) * a, alpha = 0.1; solve (alpha Id + K) a = b and print the shape,
// iterations, time and KeOps' error metric sum |alpha a + K a - b| / N, in float32 and float64,
// with each preconditioner; then the gradient of sum(a^2) with respect to x through the solve's adjoint.
#include <kokkeops/kokkeops.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <string>

namespace ko = kokkeops;
using namespace kokkeops::formulas;

template <class T>
void run(long n, ko::Preconditioner pre, double tol, int landmarks) {
  using Mem = Kokkos::DefaultExecutionSpace::memory_space;
  Kokkos::View<T**, Kokkos::LayoutRight, Mem> x("x", n, 3), b("b", n, 2), a("a", n, 2), check("Ka", n, 2);
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

  const Vi<0, 3> xi;
  const Vj<1, 3> yj;
  const Vj<2, 2> aj;
  const auto K = Exp(-Norm2(xi - yj)) * aj;
  const double alpha = 0.1;
  auto Kinv = ko::KernelSolve(K, aj, ko::axis::j);
  auto opts = ko::SolveOptions{}.alpha(alpha).tolerance(tol).preconditioner(pre).verbosity(std::getenv("KOKKEOPS_VERBOSE") ? std::atoi(std::getenv("KOKKEOPS_VERBOSE")) : 0);
  if (pre == ko::Preconditioner::nystrom) opts.nystrom(landmarks);
  if (std::getenv("KOKKEOPS_MIXED")) opts.mixed_precision();
  const ko::SolveReport rep = Kinv(a, x, x, b, opts);

  // KeOps' metric, recomputed independently: sum |alpha a + K a - b| / N.
  ko::Genred(ko::Sum(K), ko::axis::j)(check, x, x, a);
  auto ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
  auto hk = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), check);
  double err = 0;
  for (long i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k) err += std::fabs(alpha * ha(i, k) + hk(i, k) - hb(i, k));
  err /= static_cast<double>(n);
  std::printf("%-7s %-8s a: (%ld, 2)  iterations %4d  kernel products %4d  time %.3f s (set-up %.3f s)  "
              "error %.2e  %s\n",
              sizeof(T) == 4 ? "float32" : "float64", ko::to_string(pre), n, rep.iterations, rep.kernel_products,
              rep.seconds, rep.setup_seconds, err, ko::to_string(rep.reason));

  // KeOps: torch.autograd.grad((a ** 2).sum(), [x]). Here: the adjoint of the solve, with dL/da = 2 a.
  Kokkos::View<T**, Kokkos::LayoutRight, Mem> dl_da("dL/da", n, 2), dl_dx("dL/dx", n, 3);
  Kokkos::parallel_for(
      "dL/da", n, KOKKOS_LAMBDA(long i) {
        dl_da(i, 0) = 2 * a(i, 0);
        dl_da(i, 1) = 2 * a(i, 1);
      });
  const auto adj = ko::adjoint(Kinv, dl_da, a, x, x, b, opts);  // one more solve
  adj.gradient(dl_dx, xi, yj);                                   // x is in both point slots: both terms
  auto hg = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), dl_dx);
  double norm = 0;
  for (long i = 0; i < n; ++i)
    for (int k = 0; k < 3; ++k) norm += static_cast<double>(hg(i, k)) * static_cast<double>(hg(i, k));
  std::printf("        d/dx sum(a^2): (%ld, 3)  norm %.6e  adjoint solve %d iterations, %s, %.3f s\n", n,
              std::sqrt(norm), adj.report().iterations, ko::to_string(adj.report().reason), adj.report().seconds);
}

int main(int argc, char** argv) {
  ko::quiet_openmp_defaults();  // unless OMP_PROC_BIND is set: unbound OpenMP threads, and no Kokkos warning
  Kokkos::ScopeGuard guard(argc, argv);
  ko::print_configuration(std::cout);
  // seed_kernelsolve [N [landmarks [all]]]: Nystrom only unless "all" asks for every preconditioner.
  const long n = argc > 1 ? std::atol(argv[1]) : 10000;
  const int landmarks = argc > 2 ? std::atoi(argv[2]) : 0;
  const bool all = argc > 3 && std::string(argv[3]) == "all";
  for (auto pre : {ko::Preconditioner::nystrom, ko::Preconditioner::none, ko::Preconditioner::jacobi}) {
    if (pre != ko::Preconditioner::nystrom && !all) continue;
    run<float>(n, pre, 5e-5, landmarks);
    run<double>(n, pre, 1e-6, landmarks);
  }
  return 0;
}

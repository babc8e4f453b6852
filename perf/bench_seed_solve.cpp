// The seed KernelSolve (KeOps' tutorial): x = randn(10000, 3), b = randn(10000, 2), K = Exp(-Norm2(x - y)),
// alpha = 0.1, for each precision and preconditioner: time, iterations, and KeOps' error metric
// sum |alpha a + K a - b| / N (KeOps' CPU backend here: 97 s / 1.3e-4 in float32, 65 s / 1.5e-6 in float64).
//
//   OMP_NUM_THREADS=2 OMP_PROC_BIND=false ./kokkeops_bench_seed_solve --benchmark_out=solve.json
#include <benchmark/benchmark.h>

#include <cmath>
#include <kokkeops/kokkeops.hpp>
#include <random>
#include <sstream>

namespace {

namespace ko = kokkeops;
using namespace kokkeops::formulas;
using Mem = Kokkos::DefaultExecutionSpace::memory_space;
template <class T>
using Mat = Kokkos::View<T**, Kokkos::LayoutRight, Mem>;

template <class T>
void BM_SeedSolve(benchmark::State& state) {
  const long n = state.range(0);
  const auto pre = static_cast<ko::Preconditioner>(state.range(1));
  Mat<T> x("x", n, 3), b("b", n, 2), a("a", n, 2), ka("ka", n, 2);
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
  const bool mixed = state.range(2) != 0;
  auto opts =
      ko::SolveOptions{}.alpha(alpha).tolerance(sizeof(T) == 4 ? 5e-5 : 1e-6).preconditioner(pre).mixed_precision(mixed);
  ko::SolveReport rep;
  for (auto _ : state) rep = ko::KernelSolve(K, aj, ko::axis::j)(a, x, x, b, opts);
  ko::Genred(ko::Sum(K), ko::axis::j)(ka, x, x, a);
  auto ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
  auto hk = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ka);
  double err = 0;
  for (long i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k) err += std::fabs(alpha * ha(i, k) + hk(i, k) - hb(i, k));
  state.counters["iterations"] = rep.iterations;
  state.counters["kernel_products"] = rep.kernel_products;
  state.counters["setup_s"] = rep.setup_seconds;
  state.counters["keops_error"] = err / static_cast<double>(n);
  state.counters["converged"] = rep.converged ? 1 : 0;
  state.SetLabel(std::string(ko::to_string(pre)) + (mixed ? " mixed" : "") + ", " + ko::to_string(rep.reason));
}

void args(benchmark::internal::Benchmark* b) {
  for (auto p : {ko::Preconditioner::nystrom, ko::Preconditioner::none, ko::Preconditioner::jacobi})
    b->Args({10000, static_cast<long>(p), 0});
  b->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);
}
BENCHMARK_TEMPLATE(BM_SeedSolve, float)->Apply(args);
BENCHMARK_TEMPLATE(BM_SeedSolve, double)->Apply(args);
// float64 data, float32 products inside the CG loop, float64 residuals (iterative refinement).
BENCHMARK_TEMPLATE(BM_SeedSolve, double)
    ->Args({10000, static_cast<long>(ko::Preconditioner::nystrom), 1})
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace

int main(int argc, char** argv) {
  Kokkos::ScopeGuard guard(argc, argv);
  std::ostringstream cfg;
  ko::print_configuration(cfg);
  benchmark::AddCustomContext("kokkeops_configuration", cfg.str());
#ifdef KOKKEOPS_GIT_REVISION
  benchmark::AddCustomContext("git_revision", KOKKEOPS_GIT_REVISION);
#endif
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// The cost of a call (issue 16): 1000 Genred calls of the Gaussian sum, D = 3, N = M = 1000, float32, and
// KernelSolve in a time loop: the seed solve (N = 10 000, 2 right-hand sides) and a block-sparse one.
//
//   calls      1000 x K(out, x, y, b), each validating, packing and fencing (the plain call)
//   bound      (not with -DKOKKEOPS_BENCH_NO_BIND) 1000 x op.update<2>(b); op(out) on a bound operator,
//              then one fence: what a time loop pays once the points are bound
//   solve      the seed KernelSolve, float32, float64 and mixed, Nystrom, tolerance 1e-5 / 1e-6 / 1e-6
//   defaults   the seed KernelSolve, float32 and float64, with the default options (only alpha = 0.1 set)
//   ranged     the seed problem in the unit cube (N = 20 000, uniform), Gaussian of scale 0.05, voxels of 0.1,
//              cluster pairs within 0.25 kept: the block-sparse solve with Jacobi
//   ranged16k  the same with N = 100 000, voxels of 0.04 (15 625 clusters), pairs within 0.1, scale 0.02
// Prints one line per case: seconds per call or per solve, iterations, the dense error metric in double.
//
//   OMP_NUM_THREADS=2 OMP_PROC_BIND=false ./kokkeops_bench_calls [calls|bound|solve|defaults|ranged|ranged16k ...]
#include <kokkeops/kokkeops.hpp>

#include <Kokkos_Random.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <string>

#ifndef KOKKEOPS_GIT_REVISION
#define KOKKEOPS_GIT_REVISION "unknown"
#endif

namespace {

namespace ko = kokkeops;
using namespace kokkeops::formulas;
using Exec = Kokkos::DefaultExecutionSpace;
using Mem = Exec::memory_space;
template <class T>
using Mat = Kokkos::View<T**, Kokkos::LayoutRight, Mem>;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

template <class T>
Mat<T> normal_mat(long n, int d, unsigned seed) {
  Mat<T> v("v", n, d);
  auto h = Kokkos::create_mirror_view(v);
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal;
  for (long i = 0; i < n; ++i)
    for (int k = 0; k < d; ++k) h(i, k) = static_cast<T>(normal(gen));
  Kokkos::deep_copy(v, h);
  return v;
}

void calls(bool bound) {
  const long n = 1000;
  const int reps = 1000;
  auto x = normal_mat<float>(n, 3, 1), y = normal_mat<float>(n, 3, 2), b = normal_mat<float>(n, 1, 3);
  Mat<float> out("out", n, 1);
  const Vi<0, 3> xi;
  const Vj<1, 3> yj;
  const Vj<2, 1> bj;
  auto K = ko::Genred(ko::Sum(Exp(-SqDist(xi, yj)) * bj), ko::axis::j);
  K(out, x, y, b);  // warm-up
  Kokkos::fence();
  const auto t0 = Clock::now();
  if (!bound) {
    for (int r = 0; r < reps; ++r) K(out, x, y, b);
  } else {
#if defined(KOKKEOPS_BENCH_NO_BIND)
    std::printf("bound: not in this build\n");
    return;
#else
    const Exec exec;
    auto op = K.bind(exec, x, y, b);
    for (int r = 0; r < reps; ++r) {
      op.template update<2>(b);  // new weights each step (here the same values)
      op(out);
    }
    exec.fence();
#endif
  }
  const double s = seconds_since(t0);
  std::printf("%-6s Genred Gaussian N = M = %ld float32: %d calls in %.3f s, %.1f us per call (%.3g pairs/s)\n",
              bound ? "bound" : "calls", n, reps, s, 1e6 * s / reps, double(n) * n * reps / s);
}

// sum_i |alpha a_i + (K a)_i - b_i| / N with K a in double (KeOps' metric, dense, checked in double).
template <class T, class F>
double dense_metric(const F& f, const Mat<T>& x, const Mat<T>& a, const Mat<T>& b, double alpha) {
  const long n = static_cast<long>(x.extent(0));
  const int dv = static_cast<int>(a.extent(1));
  Mat<double> xd("xd", n, 3), ad("ad", n, dv), kad("kad", n, dv);
  Kokkos::deep_copy(xd, x);
  Kokkos::deep_copy(ad, a);
  ko::Genred(ko::Sum(f), ko::axis::j)(kad, xd, xd, ad);
  auto ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ad);
  auto hk = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), kad);
  auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b);
  double err = 0;
  for (long i = 0; i < n; ++i)
    for (int k = 0; k < dv; ++k) err += std::fabs(alpha * ha(i, k) + hk(i, k) - static_cast<double>(hb(i, k)));
  return err / static_cast<double>(n);
}

// The seed KernelSolve (N = 10 000, 2 right-hand sides, alpha = 0.1) with the given options.
template <class T>
void seed_solve(const char* what, const ko::SolveOptions& opts) {
  const long n = 10000;
  auto x = normal_mat<T>(n, 3, 0);
  auto b = normal_mat<T>(n, 2, 7);
  Mat<T> a("a", n, 2);
  const Vi<0, 3> xi;
  const Vj<1, 3> yj;
  const Vj<2, 2> aj;
  const auto f = Exp(-Norm2(xi - yj)) * aj;
  const auto t0 = Clock::now();
  const auto rep = ko::KernelSolve(f, aj, ko::axis::j)(a, x, x, b, opts);
  const double s = seconds_since(t0);
  std::printf("%-8s seed KernelSolve %s%s, preconditioner %s: %.3f s, %d iterations (%d products), %s, dense metric %.3g\n",
              what, sizeof(T) == 4 ? "float32" : "float64", opts.mixed_precision() ? " mixed" : "",
              ko::to_string(rep.preconditioner), s, rep.iterations, rep.kernel_products, ko::to_string(rep.reason),
              dense_metric<T>(f, x, a, b, opts.alpha()));
}

void ranged(long n, double voxel, double keep, float scale) {
  Mat<float> x("x", n, 3);
  Kokkos::Random_XorShift64_Pool<Exec> pool(2026);
  Kokkos::fill_random(x, pool, 0.0f, 1.0f);
  auto b = normal_mat<float>(n, 2, 9);
  auto lx = ko::grid_cluster(x, voxel);
  const int c = ko::num_clusters(lx);
  auto p = ko::sort_clusters(lx);
  auto xs = ko::permute_rows(x, p), bs = ko::permute_rows(b, p);
  auto ls = ko::permute_rows(lx, p);
  auto rx = ko::cluster_ranges<int>(ls, c);
  auto cen = ko::cluster_centroids(xs, ls, c);
  const auto ranges = ko::from_matrix<int, Mem>(rx, rx, ko::keep_within(cen, cen, keep));
  Mat<float> a("a", n, 2);
  const Vi<0, 3> xi;
  const Vj<1, 3> yj;
  const Vj<2, 2> aj;
  const auto f = Exp(-(1.0f / (scale * scale)) * SqDist(xi, yj)) * aj;
  auto opts = ko::SolveOptions{}.alpha(0.1).tolerance(1e-5).jacobi();
  Kokkos::fence();
  const auto t0 = Clock::now();
  const auto rep = ko::KernelSolve(f, aj, ko::axis::j)(ranges, a, xs, xs, bs, opts);
  const double s = seconds_since(t0);
  std::printf("ranged block-sparse KernelSolve float32 N = %ld, %d clusters, jacobi: %.3f s, %d iterations, %s\n", n, c, s,
              rep.iterations, ko::to_string(rep.reason));
}

}  // namespace

int main(int argc, char** argv) {
  Kokkos::initialize(argc, argv);
  {
    ko::print_configuration(std::cout);
    std::printf("revision %s\n", KOKKEOPS_GIT_REVISION);
    const auto want = [&](const char* name) {
      if (argc < 2) return true;
      for (int k = 1; k < argc; ++k)
        if (std::strcmp(argv[k], name) == 0) return true;
      return false;
    };
    if (want("calls")) calls(false);
    if (want("bound")) calls(true);
    if (want("solve")) {  // Nystrom, explicit tolerances: the same solve before and after the bound operator
      const auto opts = ko::SolveOptions{}.alpha(0.1).nystrom();
      seed_solve<float>("solve", ko::SolveOptions(opts).tolerance(1e-5));
      seed_solve<double>("solve", ko::SolveOptions(opts).tolerance(1e-6));
      seed_solve<double>("solve", ko::SolveOptions(opts).tolerance(1e-6).mixed_precision());
    }
    if (want("ranged")) ranged(20000, 0.1, 0.25, 0.05f);
    if (want("ranged16k")) ranged(100000, 0.04, 0.1, 0.02f);
    if (want("defaults")) {  // only alpha set: what a newcomer's first call gets
      seed_solve<float>("defaults", ko::SolveOptions{}.alpha(0.1));
      seed_solve<double>("defaults", ko::SolveOptions{}.alpha(0.1));
    }
  }
  Kokkos::finalize();
  return 0;
}

// Gaussian kernel sum out_i = sum_j exp(-|x_i - y_j|^2) b_j, D = 3, Dv = 1: Kokkeops' engine beside
// two in-repo baselines, a naive Kokkos RangePolicy kernel and a plain OpenMP loop. Reports pairs/s
// and, per case, the largest error on sampled rows against a double-precision host loop.
//
//   OMP_NUM_THREADS=2 OMP_PROC_BIND=false ./kokkeops_bench_gaussian --benchmark_out=results.json
#include <benchmark/benchmark.h>

#include <Kokkos_Random.hpp>
#include <cmath>
#include <kokkeops/kokkeops.hpp>
#include <sstream>
#include <vector>

#include "baseline_openmp.hpp"

#ifndef KOKKEOPS_GIT_REVISION
#define KOKKEOPS_GIT_REVISION "unknown"
#endif

namespace {

namespace ko = kokkeops;
using namespace kokkeops::formulas;
using Exec = Kokkos::DefaultExecutionSpace;
template <class T>
using Mat = Kokkos::View<T**, Kokkos::LayoutRight, Exec::memory_space>;

template <class T>
struct Problem {
  Mat<T> x, y, b, out;
  explicit Problem(long n) : x("x", n, 3), y("y", n, 3), b("b", n, 1), out("out", n, 1) {
    Kokkos::Random_XorShift64_Pool<Exec> pool(12345);
    Kokkos::fill_random(x, pool, T(-1), T(1));
    Kokkos::fill_random(y, pool, T(-1), T(1));
    Kokkos::fill_random(b, pool, T(-1), T(1));
    Kokkos::fence();
  }
  // Largest |out - exact| / sum_j |k_ij b_j| over 16 sampled rows.
  double max_error() const {
    auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
    auto hy = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), y);
    auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b);
    auto ho = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
    const long n = static_cast<long>(x.extent(0)), m = static_cast<long>(y.extent(0));
    double worst = 0;
    for (int q = 0; q < 16; ++q) {
      const long i = q * (n - 1) / 15;
      double s = 0, scale = 0;
      for (long j = 0; j < m; ++j) {
        double d2 = 0;
        for (int k = 0; k < 3; ++k) d2 += (double(hx(i, k)) - hy(j, k)) * (double(hx(i, k)) - hy(j, k));
        s += std::exp(-d2) * hb(j, 0);
        scale += std::fabs(std::exp(-d2) * hb(j, 0));
      }
      worst = std::max(worst, std::fabs(ho(i, 0) - s) / scale);
    }
    return worst;
  }
};

void finish(benchmark::State& state, const Problem<float>* pf, const Problem<double>* pd, long n) {
  state.counters["pairs/s"] =
      benchmark::Counter(double(n) * double(n), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["max_rel_err"] = pf ? pf->max_error() : pd->max_error();
}

template <class T>
void finish(benchmark::State& state, const Problem<T>& p, long n) {
  if constexpr (std::is_same_v<T, float>) finish(state, &p, nullptr, n);
  else finish(state, nullptr, &p, n);
}

template <class T>
void BM_Kokkeops(benchmark::State& state) {
  const long n = state.range(0);
  Problem<T> p(n);
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 1> b;
  auto K = ko::Genred(ko::Sum(Exp(-SqDist(x, y)) * b), ko::axis::j);
  for (auto _ : state) {
    K(p.out, p.x, p.y, p.b);  // fences before returning
  }
  finish(state, p, n);
}

// Baseline 1: one thread per output row, the C library's exp through Kokkos, no tiling.
template <class T>
void BM_NaiveKokkos(benchmark::State& state) {
  const long n = state.range(0);
  Problem<T> p(n);
  for (auto _ : state) {
    auto x = p.x, y = p.y, b = p.b, out = p.out;
    Kokkos::parallel_for(
        "naive_gaussian", Kokkos::RangePolicy<Exec>(0, n), KOKKOS_LAMBDA(long i) {
          T s = 0;
          for (long j = 0; j < n; ++j) {
            const T d0 = x(i, 0) - y(j, 0), d1 = x(i, 1) - y(j, 1), d2 = x(i, 2) - y(j, 2);
            s += ko::impl::compat::exp(-(d0 * d0 + d1 * d1 + d2 * d2)) * b(j, 0);
          }
          out(i, 0) = s;
        });
    Kokkos::fence();
  }
  finish(state, p, n);
}

#if defined(KOKKEOPS_HAVE_PLAIN_OPENMP)
// Baseline 2: a plain OpenMP loop (baseline_openmp.cpp, compiled with -ffast-math so that the C
// library's vector exp is used), on host copies of the same data.
template <class T>
void BM_PlainOpenMP(benchmark::State& state) {
  const long n = state.range(0);
  Problem<T> p(n);
  auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.x);
  auto hy = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.y);
  auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.b);
  auto ho = Kokkos::create_mirror_view(p.out);
  std::vector<T> y0(n), y1(n), y2(n), bb(n);
  for (long j = 0; j < n; ++j) {
    y0[j] = hy(j, 0);
    y1[j] = hy(j, 1);
    y2[j] = hy(j, 2);
    bb[j] = hb(j, 0);
  }
  for (auto _ : state) {
    kokkeops::bench::plain_openmp_gaussian(n, n, hx.data(), y0.data(), y1.data(), y2.data(), bb.data(), ho.data());
  }
  Kokkos::deep_copy(p.out, ho);
  finish(state, p, n);
}
BENCHMARK_TEMPLATE(BM_PlainOpenMP, float)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_PlainOpenMP, double)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
#endif

// Few output rows, a long reduced range: the 1D scheme (segments(1): one team per block of rows, so at most
// ceil(rows / 8) threads busy on a CPU) against the automatic choice, which splits the range (the 2D scheme).
// Args: rows, segment request (0: automatic, 1: 1D). m = 4e6 reduced points.
template <class T>
void BM_FewRows(benchmark::State& state) {
  const long rows = state.range(0), m = 4000000;
  const int segments = static_cast<int>(state.range(1));
  Mat<T> x("x", rows, 3), y("y", m, 3), b("b", m, 1), out("out", rows, 1);
  Kokkos::Random_XorShift64_Pool<Exec> pool(2024);
  Kokkos::fill_random(x, pool, T(-1), T(1));
  Kokkos::fill_random(y, pool, T(-1), T(1));
  Kokkos::fill_random(b, pool, T(-1), T(1));
  Kokkos::fence();
  const Vi<0, 3> xs;
  const Vj<1, 3> ys;
  const Vj<2, 1> bs;
  auto K = ko::Genred(ko::Sum(Exp(-SqDist(xs, ys)) * bs), ko::axis::j).segments(segments);
  K(out, x, y, b);
  for (auto _ : state) {
    K(out, x, y, b);
  }
  state.counters["pairs/s"] =
      benchmark::Counter(double(rows) * double(m), benchmark::Counter::kIsIterationInvariantRate);
  // Relative error of the first and last rows against a double loop.
  auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
  auto hy = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), y);
  auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b);
  auto ho = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  double worst = 0;
  for (long i : {0L, rows - 1}) {
    double s = 0, scale = 0;
    for (long j = 0; j < m; ++j) {
      double d2 = 0;
      for (int k = 0; k < 3; ++k) d2 += (double(hx(i, k)) - hy(j, k)) * (double(hx(i, k)) - hy(j, k));
      s += std::exp(-d2) * hb(j, 0);
      scale += std::fabs(std::exp(-d2) * hb(j, 0));
    }
    worst = std::max(worst, std::fabs(ho(i, 0) - s) / scale);
  }
  state.counters["max_rel_err"] = worst;
}
BENCHMARK_TEMPLATE(BM_FewRows, float)
    ->ArgsProduct({{1, 8, 24}, {1, 0}})
    ->ArgNames({"rows", "segments"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_TEMPLATE(BM_Kokkeops, float)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Kokkeops, double)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_NaiveKokkos, float)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_NaiveKokkos, double)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  Kokkos::ScopeGuard guard(argc, argv);
  std::ostringstream cfg;
  ko::print_configuration(cfg);
  benchmark::AddCustomContext("kokkeops_configuration", cfg.str());
  benchmark::AddCustomContext("git_revision", KOKKEOPS_GIT_REVISION);
  benchmark::AddCustomContext("concurrency", std::to_string(Exec().concurrency()));
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

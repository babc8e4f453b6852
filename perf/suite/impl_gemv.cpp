// Baseline: materialise the kernel matrix K (nx, ny) = k(x_i, y_j), then one Kokkos Kernels BLAS call:
// gemv (Dv = 1) or gemm (Dv > 1), with K for axis j and K^T for axis i. Each iteration does both steps
// (the data change between calls in real use); the counters assemble_ms and product_ms split the time.
// Cases whose matrix exceeds the budget (--suite_matrix_gib) are reported as skipped, not run.
#include <KokkosBlas2_gemv.hpp>
#include <KokkosBlas3_gemm.hpp>
#include <chrono>

#include "suite.hpp"

namespace kokkeops_bench {

template <class S>
struct Assemble {
  using T = typename S::T;
  Mat<T> x, y, K;
  KOKKOS_INLINE_FUNCTION void operator()(long i, long j) const {
    T d2 = 0;
    for (int k = 0; k < S::D; ++k) {
      const T d = x(i, k) - y(j, k);
      d2 += d * d;
    }
    K(i, j) = kernel_of_sqdist<S::kern>(d2);
  }
};

template <class S>
void bm_gemv(benchmark::State& state, Size sz, double budget_gib) {
  using T = typename S::T;
  const double gib = double(sz.nx) * double(sz.ny) * sizeof(T) / double(1L << 30);
  if (gib > budget_gib) {
    char msg[160];
    std::snprintf(msg, sizeof msg, "skipped: the matrix needs %.1f GiB, over the %.1f GiB budget", gib, budget_gib);
    state.SkipWithError(msg);
    for (auto _ : state) {
    }
    return;
  }
  Problem<S> p(sz);
  Mat<T> K(Kokkos::view_alloc(Kokkos::WithoutInitializing, "K"), sz.nx, sz.ny);
  using Policy = Kokkos::MDRangePolicy<Exec, Kokkos::Rank<2, Kokkos::Iterate::Right, Kokkos::Iterate::Right>>;
  const Policy policy({0, 0}, {sz.nx, sz.ny});
  const Assemble<S> assemble{p.x, p.y, K};
  const char* trans = S::Axis::j ? "N" : "T";
  auto b1 = Kokkos::subview(p.b, Kokkos::ALL, 0);
  auto out1 = Kokkos::subview(p.out, Kokkos::ALL, 0);
  double t_assemble = 0, t_product = 0;
  using clock = std::chrono::steady_clock;
  for (auto _ : state) {
    const auto t0 = clock::now();
    Kokkos::parallel_for("kokkeops_bench::assemble", policy, assemble);
    Kokkos::fence();
    const auto t1 = clock::now();
    if constexpr (S::Dv == 1) KokkosBlas::gemv(trans, T(1), K, b1, T(0), out1);
    else KokkosBlas::gemm(trans, "N", T(1), K, p.b, T(0), p.out);
    Kokkos::fence();
    const auto t2 = clock::now();
    t_assemble += std::chrono::duration<double, std::milli>(t1 - t0).count();
    t_product += std::chrono::duration<double, std::milli>(t2 - t1).count();
  }
  state.counters["assemble_ms"] = benchmark::Counter(t_assemble, benchmark::Counter::kAvgIterations);
  state.counters["product_ms"] = benchmark::Counter(t_product, benchmark::Counter::kAvgIterations);
  finish(state, p);
}

void register_gemv(const Config& c) {
  if (!c.wants("gemv")) return;
  for_each_shape([&](auto shape) {
    using S = decltype(shape);
    for (Size sz : sizes_for<S>(c))
      benchmark::RegisterBenchmark(bench_name<S>("gemv", sz).c_str(), bm_gemv<S>, sz, c.matrix_budget_gib)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
  });
}

}  // namespace kokkeops_bench

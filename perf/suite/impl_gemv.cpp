// Baseline: materialise the kernel matrix, then Kokkos Kernels' gemv, once per column of b (Dv calls).
// The matrix is stored output index first, K(r, s) = k(p_r, q_s) with p the output-side and q the
// reduced-side points (for axis i, the transpose of k(x_i, y_j)), so that both axes use the
// untransposed product: Kokkos Kernels' transposed gemv on a LayoutRight matrix was about 10x slower
// in a first probe, and a user would lay the matrix out this way. Each iteration does both steps (the data change
// between calls in real use); the counters assemble_ms and product_ms split the time.
// Cases whose matrix exceeds the budget (--suite_matrix_gib) are reported as skipped, not run.
#include <KokkosBlas2_gemv.hpp>
#include <KokkosBlas3_gemm.hpp>
#include <chrono>

#include "suite.hpp"

namespace kokkeops_bench {

// Dv > 1: one gemv per column, or one gemm (Kokkos Kernels' native gemm on these LayoutRight views was
// slower than Dv gemv calls in a first probe; flip this to compare).
constexpr bool kUseGemm = false;

template <class S>
struct Assemble {
  using T = typename S::T;
  Mat<T> p, q, K;
  KOKKOS_INLINE_FUNCTION void operator()(long r, long s) const {
    T d2 = 0;
    for (int k = 0; k < S::D; ++k) {
      const T d = p(r, k) - q(s, k);
      d2 += d * d;
    }
    K(r, s) = kernel_of_sqdist<S::kern>(d2);
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
  Mat<T> K(Kokkos::view_alloc(Kokkos::WithoutInitializing, "K"), p.n_out, p.n_red);
  using Policy = Kokkos::MDRangePolicy<Exec, Kokkos::Rank<2, Kokkos::Iterate::Right, Kokkos::Iterate::Right>>;
  const Policy policy({0, 0}, {p.n_out, p.n_red});
  const Assemble<S> assemble{p.out_points(), p.red_points(), K};
  double t_assemble = 0, t_product = 0;
  using clock = std::chrono::steady_clock;
  for (auto _ : state) {
    const auto t0 = clock::now();
    Kokkos::parallel_for("kokkeops_bench::assemble", policy, assemble);
    Kokkos::fence();
    const auto t1 = clock::now();
    if constexpr (kUseGemm && S::Dv > 1) {
      KokkosBlas::gemm("N", "N", T(1), K, p.b, T(0), p.out);
    } else {
      for (int c = 0; c < S::Dv; ++c)
        KokkosBlas::gemv("N", T(1), K, Kokkos::subview(p.b, Kokkos::ALL, c), T(0), Kokkos::subview(p.out, Kokkos::ALL, c));
    }
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

// Baseline: the plain OpenMP loop of perf/baseline_openmp.cpp (no Kokkos in the timed code), on host
// copies of the same data. The re-layout into the loop's structure of arrays happens inside the timed
// region, as Kokkeops' copy into its packed layout does. Host backends only (see CMakeLists.txt).
#include <vector>

#include "../baseline_openmp.hpp"
#include "suite.hpp"

namespace kokkeops_bench {

template <class S>
void bm_openmp(benchmark::State& state, Size sz) {
  using T = typename S::T;
  constexpr int D = S::D, Dv = S::Dv;
  constexpr bool soa = kokkeops::bench::plain_openmp_soa(D);
  Problem<S> p(sz);
  auto hp = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.out_points());
  auto hq = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.red_points());
  auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.b);
  auto ho = Kokkos::create_mirror_view(Kokkos::HostSpace(), p.out);
  const long n_out = p.n_out, n_red = p.n_red;
  std::vector<T> q(soa ? std::size_t(n_red) * D : 0), b(std::size_t(n_red) * Dv);
  for (auto _ : state) {
    if constexpr (soa)
      for (long j = 0; j < n_red; ++j)
        for (int k = 0; k < D; ++k) q[k * n_red + j] = hq(j, k);
    for (long j = 0; j < n_red; ++j)
      for (int c = 0; c < Dv; ++c) b[c * n_red + j] = hb(j, c);
    kokkeops::bench::plain_openmp_kernel_sum<T, D, Dv, S::kern == Kern::gauss ? 0 : 1>(
        n_out, n_red, hp.data(), soa ? q.data() : hq.data(), b.data(), ho.data());
  }
  Kokkos::deep_copy(p.out, ho);
  finish(state, p);
}

void register_openmp(const Config& c) {
  if (!c.wants("openmp")) return;
  for_each_shape([&](auto shape) {
    using S = decltype(shape);
    for (Size sz : sizes_for<S>(c))
      benchmark::RegisterBenchmark(bench_name<S>("openmp", sz).c_str(), bm_openmp<S>, sz)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
  });
}

}  // namespace kokkeops_bench

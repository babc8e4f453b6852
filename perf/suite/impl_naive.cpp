// Baseline: the naive Kokkos kernel a Kokkos user writes first. One thread per output row, a plain loop
// over the reduced axis reading the (n, D) views directly, the math library's exp (no tiling, no
// structure of arrays, no vector code of our own).
#include "suite.hpp"

namespace kokkeops_bench {

template <class S>
struct NaiveKernel {
  using T = typename S::T;
  Mat<T> p, q, b, out;  // output-side points, reduced-side points, weights, output
  long n_red;
  KOKKOS_INLINE_FUNCTION void operator()(long r) const {
    T s[S::Dv] = {};
    for (long j = 0; j < n_red; ++j) {
      T d2 = 0;
      for (int k = 0; k < S::D; ++k) {
        const T d = p(r, k) - q(j, k);
        d2 += d * d;
      }
      const T kv = kernel_of_sqdist<S::kern>(d2);
      for (int c = 0; c < S::Dv; ++c) s[c] += kv * b(j, c);
    }
    for (int c = 0; c < S::Dv; ++c) out(r, c) = s[c];
  }
};

template <class S>
void bm_naive(benchmark::State& state, Size sz) {
  Problem<S> p(sz);
  const NaiveKernel<S> f{p.out_points(), p.red_points(), p.b, p.out, p.n_red};
  for (auto _ : state) {
    Kokkos::parallel_for("kokkeops_bench::naive", Kokkos::RangePolicy<Exec>(0, p.n_out), f);
    Kokkos::fence();
  }
  finish(state, p);
}

void register_naive(const Config& c) {
  if (!c.wants("naive")) return;
  for_each_shape([&](auto shape) {
    using S = decltype(shape);
    for (Size sz : sizes_for<S>(c))
      benchmark::RegisterBenchmark(bench_name<S>("naive", sz).c_str(), bm_naive<S>, sz)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
  });
}

}  // namespace kokkeops_bench

// Kokkeops itself: Genred(Sum(k(x, y) * b), axis) through the public API, as a user writes it.
#pragma once

#include "suite.hpp"

namespace kokkeops_bench {

template <class S>
auto make_genred() {
  using namespace kokkeops::formulas;
  constexpr kokkeops::Cat bcat = S::Axis::j ? kokkeops::Cat::j : kokkeops::Cat::i;
  const Vi<0, S::D> x;
  const Vj<1, S::D> y;
  const Var<bcat, 2, S::Dv> b;
  auto k = [&] {
    if constexpr (S::kern == Kern::gauss) return Exp(-SqDist(x, y));
    else return Exp(-Sqrt(SqDist(x, y)));
  }();
  if constexpr (S::Axis::j) return ko::Genred(ko::Sum(k * b), ko::axis::j);
  else return ko::Genred(ko::Sum(k * b), ko::axis::i);
}

template <class S>
void bm_kokkeops(benchmark::State& state, Size sz) {
  Problem<S> p(sz);
  auto K = make_genred<S>();
  K(p.out, p.x, p.y, p.b);  // warm-up (first-touch, scratch allocation)
  for (auto _ : state) {
    K(p.out, p.x, p.y, p.b);  // fences before returning
  }
  finish(state, p);
}

template <class T>
void register_kokkeops(const Config& c) {
  if (!c.wants("kokkeops")) return;
  for_each_shape([&](auto shape) {
    using S = decltype(shape);
    if constexpr (std::is_same_v<typename S::T, T>) {
      for (Size sz : sizes_for<S>(c))
        benchmark::RegisterBenchmark(bench_name<S>("kokkeops", sz).c_str(), bm_kokkeops<S>, sz)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    }
  });
}

}  // namespace kokkeops_bench

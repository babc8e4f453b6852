// Formula strings against the typed API (issue 18): the same Gaussian sum, Exp(-g SqDist(x, y)) * b, D = 3,
// Dv = 1, axis j, compiled as a typed formula and as a string entry (kokkeops_add_formulas in
// perf/CMakeLists.txt), run in turn on the same data.
//
//   sum      N = M = 1e5 (the suite's Gaussian case), float32 and float64: 7 rounds of (typed, string); the
//            median time of each, pairs/s, and the ratio string / typed
//   calls    1000 calls at N = M = 1000, float32: the cost of a call (argument arrays, entry lookup cached)
//   lookup   making the string object (parsing the formula, building both keys) and a registry lookup
//   runtime  the sum with a string compiled at run time (Exp(-SqDist(x, y) * g) * b, not compiled in) against
//            its typed formula, after its load: compiled now (cold, an empty KOKKEOPS_CACHE_DIR) or loaded from
//            the cache (warm: run it again)
//
//   OMP_NUM_THREADS=2 OMP_PROC_BIND=false ./kokkeops_bench_strings [sum|calls|lookup ...]
#include <kokkeops/kokkeops.hpp>
#include <kokkeops/strings/api.hpp>
#include <kokkeops/strings/runtime.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "kokkeops_formulas_bench_strings.h"

#ifndef KOKKEOPS_GIT_REVISION
#define KOKKEOPS_GIT_REVISION "unknown"
#endif

namespace {

namespace ko = kokkeops;
using namespace kokkeops::formulas;
using Mem = Kokkos::DefaultExecutionSpace::memory_space;
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

const char* kFormula = "Exp(-g * SqDist(x, y)) * b";
const std::vector<std::string> kAliases = {"x = Vi(3)", "y = Vj(3)", "b = Vj(1)", "g = Pm(1)"};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

const char* kRuntimeFormula = "Exp(-SqDist(x, y) * g) * b";  // not compiled in: compiled at run time

template <class T, bool runtime = false>
void sum() {
  const long n = 100000, m = 100000;
  const int rounds = 7;
  auto x = normal_mat<T>(n, 3, 1), y = normal_mat<T>(m, 3, 2), b = normal_mat<T>(m, 1, 3);
  Kokkos::View<T*, Mem> g("g", 1);
  Kokkos::deep_copy(g, T(0.5));
  Mat<T> out("out", n, 1), out2("out2", n, 1);
  const Vi<0, 3> xi;
  const Vj<1, 3> yj;
  const Vj<2, 1> bj;
  const Pm<3, 1> gp;
  const auto typed = [&] {
    if constexpr (runtime) return ko::Genred(ko::Sum(Exp(-SqDist(xi, yj) * gp) * bj), ko::axis::j);
    else return ko::Genred(ko::Sum(Exp(-gp * SqDist(xi, yj)) * bj), ko::axis::j);
  }();
  const auto str = ko::Genred(runtime ? kRuntimeFormula : kFormula, kAliases, "Sum", ko::axis::j);
  if (runtime) {
    ko::strings::runtime::LoadInfo info;
    ko::strings::EntrySpec spec{kRuntimeFormula, kAliases, "Sum", 0, "", 1, sizeof(T) == 4 ? "float32" : "float64", ""};
    ko::strings::runtime::load(spec, &info);
    std::printf("runtime %-7s %s in %.3f s: %s\n", spec.dtype.c_str(),
                info.compiled ? "compiled" : info.path.empty() ? "compiled in" : "loaded from the cache", info.seconds,
                info.path.c_str());
    const auto t0 = Clock::now();
    for (int r = 0; r < 100000; ++r) ko::strings::runtime::load(spec);
    std::printf("runtime %-7s lookup of a loaded entry %.3f us\n", spec.dtype.c_str(), seconds_since(t0) / 100000 * 1e6);
  }
  typed(out, x, y, b, g);  // warm-up both
  str(out2, x, y, b, g);
  std::vector<double> tt, ts;
  for (int r = 0; r < rounds; ++r) {
    auto t0 = Clock::now();
    typed(out, x, y, b, g);
    tt.push_back(seconds_since(t0));
    t0 = Clock::now();
    str(out2, x, y, b, g);
    ts.push_back(seconds_since(t0));
  }
  auto h1 = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, out);
  auto h2 = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, out2);
  long differ = 0;
  for (long i = 0; i < n; ++i) differ += std::memcmp(&h1(i, 0), &h2(i, 0), sizeof(T)) != 0;
  const double pairs = static_cast<double>(n) * static_cast<double>(m);
  const double mt = median(tt), ms = median(ts);
  std::printf("sum %-7s N = M = %ld  typed %.4f s (%.3e pairs/s)  string %.4f s (%.3e pairs/s)  string/typed %.3f  "
              "rows differing %ld\n",
              sizeof(T) == 4 ? "float32" : "float64", n, mt, pairs / mt, ms, pairs / ms, ms / mt, differ);
}

void calls() {
  const long n = 1000;
  const int reps = 1000;
  auto x = normal_mat<float>(n, 3, 1), y = normal_mat<float>(n, 3, 2), b = normal_mat<float>(n, 1, 3);
  Kokkos::View<float*, Mem> g("g", 1);
  Kokkos::deep_copy(g, 0.5f);
  Mat<float> out("out", n, 1);
  const Vi<0, 3> xi;
  const Vj<1, 3> yj;
  const Vj<2, 1> bj;
  const Pm<3, 1> gp;
  const auto typed = ko::Genred(ko::Sum(Exp(-gp * SqDist(xi, yj)) * bj), ko::axis::j);
  const auto str = ko::Genred(kFormula, kAliases, "Sum", ko::axis::j);
  typed(out, x, y, b, g);
  str(out, x, y, b, g);
  auto t0 = Clock::now();
  for (int r = 0; r < reps; ++r) typed(out, x, y, b, g);
  const double st = seconds_since(t0) / reps;
  t0 = Clock::now();
  for (int r = 0; r < reps; ++r) str(out, x, y, b, g);
  const double ss = seconds_since(t0) / reps;
  // The typed call on the views the entry makes (unmanaged, LayoutStride): what the layout costs.
  using SM = Kokkos::View<const float**, Kokkos::LayoutStride, Mem, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  using SV = Kokkos::View<const float*, Kokkos::LayoutStride, Mem, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  using SO = Kokkos::View<float**, Kokkos::LayoutStride, Mem, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  const SM sx(x.data(), Kokkos::LayoutStride(n, 3, 3, 1)), sy(y.data(), Kokkos::LayoutStride(n, 3, 3, 1));
  const SM sb(b.data(), Kokkos::LayoutStride(n, 1, 1, 1));
  const SV sg(g.data(), Kokkos::LayoutStride(1, 1));
  const SO so(out.data(), Kokkos::LayoutStride(n, 1, 1, 1));
  typed(so, sx, sy, sb, sg);
  t0 = Clock::now();
  for (int r = 0; r < reps; ++r) typed(so, sx, sy, sb, sg);
  const double sst = seconds_since(t0) / reps;
  std::printf("calls   N = M = %ld, %d calls  typed %.1f us/call  string %.1f us/call  difference %+.1f us  (typed on "
              "the entry's strided views %.1f us/call)\n",
              n, reps, st * 1e6, ss * 1e6, (ss - st) * 1e6, sst * 1e6);
}

void lookup() {
  const int reps = 2000;
  auto t0 = Clock::now();
  std::string key;
  for (int r = 0; r < reps; ++r) key = ko::Genred(kFormula, kAliases, "Sum", ko::axis::j).key(KOKKEOPS_DTYPE_FLOAT32);
  const double make = seconds_since(t0) / reps;
  t0 = Clock::now();
  const kokkeops_entry_info* e = nullptr;
  for (int r = 0; r < reps * 100; ++r) e = kokkeops_find_entry(key.c_str());
  const double find = seconds_since(t0) / (reps * 100);
  std::printf("lookup  making a string Genred (parse, two keys) %.1f us  registry lookup %.3f us  (%s)\n", make * 1e6,
              find * 1e6, e ? "found" : "NOT FOUND");
}

}  // namespace

int main(int argc, char** argv) {
  ko::quiet_openmp_defaults();
  Kokkos::ScopeGuard guard(argc, argv);
  ko::print_configuration(std::cout);
  std::printf("revision %s\n", KOKKEOPS_GIT_REVISION);
  if (kokkeops_register_bench_strings() != KOKKEOPS_OK) return 1;
  std::vector<std::string> cases;
  for (int k = 1; k < argc; ++k) cases.emplace_back(argv[k]);
  if (cases.empty()) cases = {"sum", "calls", "lookup"};
  for (const std::string& c : cases) {
    if (c == "sum") {
      sum<float>();
      sum<double>();
    } else if (c == "calls") {
      calls();
    } else if (c == "lookup") {
      lookup();
    } else if (c == "runtime") {
      sum<float, true>();
      sum<double, true>();
    } else {
      std::fprintf(stderr, "unknown case '%s' (sum, calls, lookup, runtime)\n", c.c_str());
      return 2;
    }
  }
  return 0;
}

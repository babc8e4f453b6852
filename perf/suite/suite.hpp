// The benchmark suite of issue 7: one Google Benchmark binary, one benchmark per (implementation, case).
//
// A case is a kernel sum  out = sum over the reduced axis of k(x_i, y_j) b  with
//   kernel  gauss  k = exp(-|x - y|^2)        (KeOps: Exp(-SqDist(x,y))*b)
//           laplace k = exp(-|x - y|)         (KeOps: Exp(-Sqrt(SqDist(x,y)))*b)
//   x: nx points of dimension D (Vi), y: ny points (Vj), b: Dv columns on the reduced axis
//   (Vj for axis j, Vi for axis i), float32 or float64.
// axis j (KeOps axis=1): out_i = sum_j k(x_i, y_j) b_j, nx output rows.
// axis i (KeOps axis=0): out_j = sum_i k(x_i, y_j) b_i, ny output rows (the transposed product).
//
// Benchmark names: <impl>/<kernel>/<f32|f64>/D:<D>/Dv:<Dv>/axis:<j|i>/nx:<nx>/ny:<ny>; perf/report.py
// and perf/keops_compare.py rely on this format. Every benchmark reports the counters
//   pairs/s      nx*ny pair evaluations (with their reduction) per second
//   max_rel_err  max over sampled output rows and columns of |out - ref| / sum |k b| (ref in long double)
//   check_ok     1 if max_rel_err <= tolerance(dtype), else 0 (the run also ends with exit status 1)
#pragma once

#include <benchmark/benchmark.h>

#include <Kokkos_Core.hpp>
#include <Kokkos_Random.hpp>
#include <kokkeops/kokkeops.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

namespace kokkeops_bench {

namespace ko = kokkeops;
using Exec = Kokkos::DefaultExecutionSpace;
using Mem = Exec::memory_space;
template <class T>
using Mat = Kokkos::View<T**, Kokkos::LayoutRight, Mem>;

enum class Kern { gauss, laplace };
struct AxisJ {
  static constexpr char name = 'j';
  static constexpr bool j = true;
};
struct AxisI {
  static constexpr char name = 'i';
  static constexpr bool j = false;
};

/// A compile-time case shape; the sizes (nx, ny) are chosen at run time.
template <Kern K_, class T_, int D_, int Dv_, class Axis_>
struct Shape {
  static constexpr Kern kern = K_;
  using T = T_;
  static constexpr int D = D_;
  static constexpr int Dv = Dv_;
  using Axis = Axis_;
};

/// Calls f(Shape<...>{}) for every shape of the suite (the list lives here, once).
template <class F>
void for_each_shape(F&& f) {
  // Gaussian and Laplace, D = 3, Dv in {1, 4}, float32/float64, both axes.
  f(Shape<Kern::gauss, float, 3, 1, AxisJ>{});
  f(Shape<Kern::gauss, float, 3, 4, AxisJ>{});
  f(Shape<Kern::gauss, float, 3, 1, AxisI>{});
  f(Shape<Kern::gauss, float, 3, 4, AxisI>{});
  f(Shape<Kern::gauss, double, 3, 1, AxisJ>{});
  f(Shape<Kern::gauss, double, 3, 4, AxisJ>{});
  f(Shape<Kern::gauss, double, 3, 1, AxisI>{});
  f(Shape<Kern::gauss, double, 3, 4, AxisI>{});
  f(Shape<Kern::laplace, float, 3, 1, AxisJ>{});
  f(Shape<Kern::laplace, float, 3, 4, AxisJ>{});
  f(Shape<Kern::laplace, float, 3, 1, AxisI>{});
  f(Shape<Kern::laplace, float, 3, 4, AxisI>{});
  f(Shape<Kern::laplace, double, 3, 1, AxisJ>{});
  f(Shape<Kern::laplace, double, 3, 4, AxisJ>{});
  f(Shape<Kern::laplace, double, 3, 1, AxisI>{});
  f(Shape<Kern::laplace, double, 3, 4, AxisI>{});
  // High dimension: Gaussian, D = 64, Dv = 1.
  f(Shape<Kern::gauss, float, 64, 1, AxisJ>{});
  f(Shape<Kern::gauss, float, 64, 1, AxisI>{});
  f(Shape<Kern::gauss, double, 64, 1, AxisJ>{});
  f(Shape<Kern::gauss, double, 64, 1, AxisI>{});
}

/// Run-time choices (command line, see main.cpp).
struct Config {
  bool quick = false;
  bool device = false;             // the default execution space is not a host space
  double matrix_budget_gib = 8.0;  // the materialised-matrix baseline runs only below this
  std::vector<std::string> impls;  // empty: all
  bool wants(const std::string& impl) const {
    return impls.empty() || std::find(impls.begin(), impls.end(), impl) != impls.end();
  }
};

struct Size {
  long nx, ny;
};

/// The sizes of the suite for one shape. N = M in {1e4, 1e5, 1e6 (device only)}; nx = 1e6 with
/// ny = 1e3 (axis i: small output, long reduction; axis j: short reduction); D = 64: N = M = 1e4
/// (and 1e5 on a device). --suite_quick keeps the cases small enough for a loaded 2-core machine.
template <class S>
std::vector<Size> sizes_for(const Config& c) {
  std::vector<Size> v;
  if (S::D > 3) {
    v.push_back({10000, 10000});
    if (c.device && !c.quick) v.push_back({100000, 100000});
    return v;
  }
  v.push_back({10000, 10000});
  if (!c.quick) v.push_back({100000, 100000});
  if (c.device && !c.quick) v.push_back({1000000, 1000000});
  v.push_back({c.quick ? 100000L : 1000000L, 1000});
  return v;
}

inline const char* kern_name(Kern k) { return k == Kern::gauss ? "gauss" : "laplace"; }

template <class S>
std::string bench_name(const std::string& impl, Size sz) {
  return impl + "/" + kern_name(S::kern) + "/" + (std::is_same_v<typename S::T, float> ? "f32" : "f64") +
         "/D:" + std::to_string(S::D) + "/Dv:" + std::to_string(S::Dv) + "/axis:" + S::Axis::name +
         "/nx:" + std::to_string(sz.nx) + "/ny:" + std::to_string(sz.ny);
}

/// The scalar kernel as a function of the squared distance (naive baselines and the reference).
template <Kern K, class T>
KOKKOS_INLINE_FUNCTION T kernel_of_sqdist(T d2) {
  if constexpr (K == Kern::gauss) return ko::impl::compat::exp(-d2);
  else return ko::impl::compat::exp(-ko::impl::compat::sqrt(d2));
}

/// The data of one case: x (nx, D), y (ny, D) uniform in [-s, s] with s = sqrt(3/D) (so that the
/// mean squared distance is 2 for every D and the kernel values stay O(1)); b (n_red, Dv) uniform in
/// [-1, 1]; out (n_out, Dv).
template <class S>
struct Problem {
  using T = typename S::T;
  static constexpr bool axis_j = S::Axis::j;
  long nx, ny, n_out, n_red;
  Mat<T> x, y, b, out;

  explicit Problem(Size sz)
      : nx(sz.nx),
        ny(sz.ny),
        n_out(axis_j ? sz.nx : sz.ny),
        n_red(axis_j ? sz.ny : sz.nx),
        x("x", sz.nx, S::D),
        y("y", sz.ny, S::D),
        b("b", axis_j ? sz.ny : sz.nx, S::Dv),
        out("out", axis_j ? sz.nx : sz.ny, S::Dv) {
    const T s = static_cast<T>(std::sqrt(3.0 / S::D));
    Kokkos::Random_XorShift64_Pool<Exec> pool(12345);
    Kokkos::fill_random(x, pool, -s, s);
    Kokkos::fill_random(y, pool, -s, s);
    Kokkos::fill_random(b, pool, T(-1), T(1));
    Kokkos::fence();
  }
  /// The output-side points (x for axis j, y for axis i) and the reduced-side points.
  const Mat<T>& out_points() const { return axis_j ? x : y; }
  const Mat<T>& red_points() const { return axis_j ? y : x; }
};

inline double tolerance_for(bool is_float) { return is_float ? 1e-4 : 1e-12; }

/// Largest |out - ref| / sum |k b| over 16 sampled output rows and all Dv columns; the reference is a
/// naive long-double loop on the host.
template <class S>
double max_rel_error(const Problem<S>& p) {
  auto hp = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.out_points());
  auto hq = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.red_points());
  auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.b);
  auto ho = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.out);
  const int rows = p.n_out < 16 ? static_cast<int>(p.n_out) : 16;
  double worst = 0;
  for (int q = 0; q < rows; ++q) {
    const long r = rows > 1 ? q * (p.n_out - 1) / (rows - 1) : 0;
    long double sum[S::Dv] = {}, scale[S::Dv] = {};
    for (long j = 0; j < p.n_red; ++j) {
      long double d2 = 0;
      for (int k = 0; k < S::D; ++k) {
        const long double d = static_cast<long double>(hp(r, k)) - static_cast<long double>(hq(j, k));
        d2 += d * d;
      }
      const long double kv = S::kern == Kern::gauss ? std::exp(-d2) : std::exp(-std::sqrt(d2));
      for (int c = 0; c < S::Dv; ++c) {
        sum[c] += kv * static_cast<long double>(hb(j, c));
        scale[c] += std::fabs(kv * static_cast<long double>(hb(j, c)));
      }
    }
    for (int c = 0; c < S::Dv; ++c) {
      const long double e = std::fabs(static_cast<long double>(ho(r, c)) - sum[c]) / (scale[c] > 0 ? scale[c] : 1);
      if (!(e <= worst)) worst = static_cast<double>(e);  // also catches NaN
    }
  }
  return worst;
}

/// Number of accuracy failures seen so far (main() exits with status 1 if any).
int& failures();

/// After the timed loop: the counters every benchmark of the suite reports, and the accuracy check.
template <class S>
void finish(benchmark::State& state, const Problem<S>& p) {
  state.counters["pairs/s"] =
      benchmark::Counter(double(p.nx) * double(p.ny), benchmark::Counter::kIsIterationInvariantRate);
  const double err = max_rel_error(p);
  const double tol = tolerance_for(std::is_same_v<typename S::T, float>);
  const bool ok = err <= tol;  // false for NaN
  state.counters["max_rel_err"] = err;
  state.counters["check_ok"] = ok ? 1 : 0;
  if (!ok) {
    ++failures();
    char msg[160];
    std::snprintf(msg, sizeof msg, "ACCURACY FAIL: max_rel_err %.3g > %.1g", err, tol);
    state.SetLabel(msg);
    std::fprintf(stderr, "kokkeops_bench_suite: %s\n", msg);
  }
}

// One registration function per implementation (each in its own translation unit).
void register_kokkeops_f32(const Config&);
void register_kokkeops_f64(const Config&);
void register_naive(const Config&);
void register_gemv(const Config&);
void register_openmp(const Config&);

}  // namespace kokkeops_bench

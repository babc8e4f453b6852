// The typed halves of the command-line tool's computations, compiled once per scalar type
// (kernels_float.cpp, kernels_double.cpp) so that the two build in parallel. Only those two files
// include this one; kernels.cpp sees the declarations of kernels_typed.hpp.
#pragma once

#include <chrono>

#include <algorithm>

#include "kernels_typed.hpp"

namespace kokkeops::cli::detail {

using Mem = Kokkos::DefaultExecutionSpace::memory_space;
template <class T>
using Mat = Kokkos::View<T**, Kokkos::LayoutRight, Mem>;

// Points are zero-padded to one of a few compiled dimensions: |x - y| does not change.
inline int padded_dim(long d) {
  if (d < 1) throw Error("points must have at least one column");
  if (d <= 3) return 3;
  if (d <= 8) return 8;
  if (d <= kMaxPointDim) return 16;
  throw Error("points of dimension " + std::to_string(d) + " are not supported by the command-line tool (at most " +
              std::to_string(kMaxPointDim) + "; the library has no such limit)");
}

// Columns [c0, c0 + nc) of m, zero-padded to `width` columns, in the default memory space.
template <class T>
Mat<T> to_device(const io::Matrix& m, long c0, long nc, long width) {
  Mat<T> d("kokkeops::cli", m.rows, width);
  auto h = Kokkos::create_mirror_view(d);
  for (long i = 0; i < m.rows; ++i)
    for (long c = 0; c < width; ++c)
      h(i, c) = c < nc ? static_cast<T>(m.data[static_cast<std::size_t>(i * m.cols + c0 + c)]) : T(0);
  Kokkos::deep_copy(d, h);
  return d;
}

template <class T>
void from_device(const Mat<T>& d, io::Matrix& m, long c0) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), d);
  for (long i = 0; i < m.rows; ++i)
    for (long c = 0; c < static_cast<long>(d.extent(1)); ++c)
      m.data[static_cast<std::size_t>(i * m.cols + c0 + c)] = static_cast<double>(h(i, c));
}

template <int D, int Dv>
auto formula(Kernel k, double scale) {
  using namespace formulas;
  return Radial(SqDist(Vi<0, D>(), Vj<1, D>()), k, scale) * Vj<2, Dv>();
}

template <class T, int D, int Dv>
void reduce_group(const Mat<T>& x, const Mat<T>& y, const Mat<T>& b, const Mat<T>& out, Kernel k, double scale) {
  Genred(Sum(formula<D, Dv>(k, scale)), axis::j)(out, x, y, b);
}

template <class T, int D, int Dv>
SolveReport solve_group(const Mat<T>& x, const Mat<T>& b, const Mat<T>& a, Kernel k, double scale,
                        const SolveOptions& opt) {
  return KernelSolve(formula<D, Dv>(k, scale), formulas::Vj<2, Dv>(), axis::j)(a, x, x, b, opt);
}

// Right-hand-side columns in groups of two (one CG per column either way: the grouping only
// decides which columns share a kernel product).
template <class Fn>
void for_column_groups(long cols, Fn fn) {
  for (long c0 = 0; c0 < cols; c0 += 2) fn(c0, std::min(2L, cols - c0));
}

template <class T>
io::Matrix reduce_t(const io::Matrix& x, const io::Matrix& y, const io::Matrix& b, Kernel k, double scale) {
  const int dp = padded_dim(x.cols);
  const auto xd = to_device<T>(x, 0, x.cols, dp), yd = to_device<T>(y, 0, y.cols, dp);
  io::Matrix out;
  out.rows = x.rows;
  out.cols = b.cols;
  out.data.assign(static_cast<std::size_t>(out.rows * out.cols), 0.0);
  for_column_groups(b.cols, [&](long c0, long nc) {
    const auto bd = to_device<T>(b, c0, nc, nc);
    Mat<T> od("kokkeops::cli_out", x.rows, nc);
    const auto run = [&](auto d) {
      constexpr int Dd = decltype(d)::value;
      if (nc == 2) reduce_group<T, Dd, 2>(xd, yd, bd, od, k, scale);
      else reduce_group<T, Dd, 1>(xd, yd, bd, od, k, scale);
    };
    if (dp == 3) run(std::integral_constant<int, 3>{});
    else if (dp == 8) run(std::integral_constant<int, 8>{});
    else run(std::integral_constant<int, 16>{});
    from_device(od, out, c0);
  });
  return out;
}

inline void merge(SolveReport& total, const SolveReport& r, bool first) {
  if (first) {
    total = r;
    return;
  }
  total.converged = total.converged && r.converged;
  if (r.reason != StopReason::converged && total.reason != StopReason::breakdown) total.reason = r.reason;
  total.iterations += r.iterations;
  total.kernel_products += r.kernel_products;
  total.restarts += r.restarts;
  total.column_iterations.insert(total.column_iterations.end(), r.column_iterations.begin(), r.column_iterations.end());
  total.column_reason.insert(total.column_reason.end(), r.column_reason.begin(), r.column_reason.end());
  total.relative_residual.insert(total.relative_residual.end(), r.relative_residual.begin(), r.relative_residual.end());
  total.rms_residual = std::max(total.rms_residual, r.rms_residual);
  total.setup_seconds += r.setup_seconds;
  total.seconds += r.seconds;
}

template <class T>
SolveResult solve_t(const io::Matrix& x, const io::Matrix& b, Kernel k, double scale, const SolveOptions& opt) {
  const int dp = padded_dim(x.cols);
  const auto xd = to_device<T>(x, 0, x.cols, dp);
  SolveResult res;
  res.a.rows = b.rows;
  res.a.cols = b.cols;
  res.a.data.assign(static_cast<std::size_t>(b.rows * b.cols), 0.0);
  bool first = true;
  for_column_groups(b.cols, [&](long c0, long nc) {
    const auto bd = to_device<T>(b, c0, nc, nc);
    Mat<T> ad("kokkeops::cli_a", b.rows, nc);
    SolveReport r;
    const auto run = [&](auto d) {
      constexpr int Dd = decltype(d)::value;
      if (nc == 2) r = solve_group<T, Dd, 2>(xd, bd, ad, k, scale, opt);
      else r = solve_group<T, Dd, 1>(xd, bd, ad, k, scale, opt);
    };
    if (dp == 3) run(std::integral_constant<int, 3>{});
    else if (dp == 8) run(std::integral_constant<int, 8>{});
    else run(std::integral_constant<int, 16>{});
    from_device(ad, res.a, c0);
    merge(res.report, r, first);
    first = false;
  });
  return res;
}

inline auto seed_formula() {
  using namespace formulas;
  return Exp(-Norm2(Vi<0, 3>() - Vj<1, 3>())) * Vj<2, 2>();
}

template <class T>
SolveResult seed_solve_t(const io::Matrix& x, const io::Matrix& b, const SolveOptions& opt) {
  const auto xd = to_device<T>(x, 0, 3, 3), bd = to_device<T>(b, 0, 2, 2);
  Mat<T> ad("kokkeops::a", x.rows, 2);
  SolveResult res;
  res.report = KernelSolve(seed_formula(), formulas::Vj<2, 2>(), axis::j)(ad, xd, xd, bd, opt);
  res.a.rows = x.rows;
  res.a.cols = 2;
  res.a.data.assign(static_cast<std::size_t>(x.rows * 2), 0.0);
  from_device(ad, res.a, 0);
  return res;
}

template <class T>
io::Matrix seed_product_t(const io::Matrix& x, const io::Matrix& a) {
  const auto xd = to_device<T>(x, 0, 3, 3), adev = to_device<T>(a, 0, 2, 2);
  Mat<T> out("kokkeops::ka", x.rows, 2);
  Genred(Sum(seed_formula()), axis::j)(out, xd, xd, adev);
  io::Matrix r;
  r.rows = x.rows;
  r.cols = 2;
  r.data.assign(static_cast<std::size_t>(x.rows * 2), 0.0);
  from_device(out, r, 0);
  return r;
}

template <class T>
GradResult seed_gradient_t(const io::Matrix& x, const io::Matrix& b, const io::Matrix& a, const SolveOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto xd = to_device<T>(x, 0, 3, 3), bd = to_device<T>(b, 0, 2, 2), ad = to_device<T>(a, 0, 2, 2);
  // dL/da = 2 a for L = sum(a^2).
  Mat<T> g("kokkeops::dL_da", a.rows, 2), dx("kokkeops::dL_dx", x.rows, 3);
  Kokkos::parallel_for(
      "kokkeops::cli::dL_da", impl::range<typename Mat<T>::execution_space>(a.rows),
      KOKKOS_LAMBDA(long i) {
        g(i, 0) = 2 * ad(i, 0);
        g(i, 1) = 2 * ad(i, 1);
      });
  const auto Kinv = KernelSolve(seed_formula(), formulas::Vj<2, 2>(), axis::j);
  const auto adj = adjoint(Kinv, g, ad, xd, xd, bd, opt);
  adj.gradient(dx, formulas::Vi<0, 3>(), formulas::Vj<1, 3>());  // x fills both point slots
  GradResult res;
  res.report = adj.report();
  res.dx.rows = x.rows;
  res.dx.cols = 3;
  res.dx.data.assign(static_cast<std::size_t>(x.rows * 3), 0.0);
  from_device(dx, res.dx, 0);
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

// The entry points of kernels_typed.hpp, defined out of the class so that the extern template
// declarations there keep every other translation unit from instantiating them again.
template <class T>
io::Matrix Typed<T>::reduce(const io::Matrix& x, const io::Matrix& y, const io::Matrix& b, Kernel k, double scale) {
  return reduce_t<T>(x, y, b, k, scale);
}
template <class T>
SolveResult Typed<T>::solve(const io::Matrix& x, const io::Matrix& b, Kernel k, double scale, const SolveOptions& opt) {
  return solve_t<T>(x, b, k, scale, opt);
}
template <class T>
SolveResult Typed<T>::seed_solve(const io::Matrix& x, const io::Matrix& b, const SolveOptions& opt) {
  return seed_solve_t<T>(x, b, opt);
}
template <class T>
io::Matrix Typed<T>::seed_product(const io::Matrix& x, const io::Matrix& a) {
  return seed_product_t<T>(x, a);
}
template <class T>
GradResult Typed<T>::seed_gradient(const io::Matrix& x, const io::Matrix& b, const io::Matrix& a, const SolveOptions& opt) {
  return seed_gradient_t<T>(x, b, a, opt);
}

}  // namespace kokkeops::cli::detail

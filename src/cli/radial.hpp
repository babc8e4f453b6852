// The command-line tool's kernels: one formula node for every radial kernel, chosen at run time, so
// that one compiled reduction serves all of them (the choice is a uniform branch, not a new kernel).
#pragma once

#include <kokkeops/kokkeops.hpp>

#include <string>

namespace kokkeops::cli {

enum class Kernel { gaussian, laplace, cauchy, inverse_multiquadric, matern32, matern52 };

/// "gaussian", "laplace" (or "exponential"), "cauchy", "imq" (or "inverse_multiquadric"), "matern32",
/// "matern52"; anything else throws kokkeops::Error listing these.
Kernel parse_kernel(const std::string& name);
const char* kernel_name(Kernel k);
/// The kernel's formula in words, for --help and reports: "exp(-|x-y|^2/s^2)".
const char* kernel_expression(Kernel k);

/// k(|x - y|) from d2 = |x - y|^2, for any of the six kernels, branch-free (a switch on the kind in
/// the inner loop costs 4x; this form ~1.4x over a formula compiled for one kernel):
///   k = (1 + p1 t + p2 t^2) exp(-t) * w^q1 (w^2)^q2,  t = a2 d2 + a1 sqrt(d2),  w = 1/sqrt(1 + c d2)
/// with the coefficients of the chosen kernel (q1, q2 in {0, 1} as factors w*q1 + (1 - q1), ...).
template <class D2>
struct RadialNode : formulas::FormulaBase {
  D2 d2;
  int kind = 0;
  double scale = 1;
  double a1 = 0, a2 = 0, p1 = 0, p2 = 0, c = 0, q1 = 0, q2 = 0;
  static constexpr int dim = 1;
  static constexpr void collect(formulas::detail::SlotTable& t) { D2::collect(t); }

  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    using M = typename Ctx::math;
    using simd::splat;
    T v[1];
    d2.eval(v, ctx);
    const T one = splat<T>(1);
    const T t = v[0] * splat<T>(a2) + M::sqrt(v[0]) * splat<T>(a1);
    const T poly = one + t * (splat<T>(p1) + t * splat<T>(p2));
    const T w = M::rsqrt(one + v[0] * splat<T>(c));
    const T rational = (w * splat<T>(q1) + splat<T>(1 - q1)) * (w * w * splat<T>(q2) + splat<T>(1 - q2));
    out[0] = poly * M::exp(-t) * rational;
  }
  std::string str() const;
};

template <class D2>
std::string RadialNode<D2>::str() const {
  return std::string(kernel_name(static_cast<Kernel>(kind))) + "(" + d2.str() + ", s=" + std::to_string(scale) + ")";
}

template <class D2>
RadialNode<D2> Radial(const D2& d2, Kernel k, double scale) {
  RadialNode<D2> r;
  r.d2 = d2;
  r.kind = static_cast<int>(k);
  r.scale = scale;
  const double is = 1 / scale, is2 = is * is;
  switch (k) {
    case Kernel::gaussian: r.a2 = is2; break;
    case Kernel::laplace: r.a1 = is; break;
    case Kernel::cauchy: r.c = is2; r.q2 = 1; break;
    case Kernel::inverse_multiquadric: r.c = is2; r.q1 = 1; break;
    case Kernel::matern32: r.a1 = 1.7320508075688772 * is; r.p1 = 1; break;
    case Kernel::matern52: r.a1 = 2.23606797749979 * is; r.p1 = 1; r.p2 = 1.0 / 3; break;
  }
  return r;
}

}  // namespace kokkeops::cli

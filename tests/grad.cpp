// Symbolic gradients (formulas/grad.hpp), host only: every operation's Grad against central finite
// differences of the formula itself, in long double through the oracle (relative 1e-6); Grad of Grad
// (Hessian-vector products) of the Gaussian, Laplace and Cauchy kernels; Diff, Divergence, Laplacian;
// the zero simplifications. The gradient reductions and the KernelSolve adjoint, which run these
// formulas in the engine, are tested per backend (tests/gradients.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <kokkeops/kokkeops.hpp>
#include <random>
#include <string>
#include <vector>

#include "reference/oracle.hpp"

namespace {

namespace ko = kokkeops;
using namespace kokkeops::formulas;
using L = long double;
using ko::test::HostArg;
using ko::test::OracleCtx;

/// Inputs drawn uniformly in [lo, hi].
struct Dom {
  double lo = -1.5, hi = 1.5;
};

/// One random row per slot that `F` uses (the slot table gives the dims), slot s from doms[s] (last repeats).
template <class... Fs>
std::vector<HostArg> random_args(std::mt19937_64& gen, const std::vector<Dom>& doms) {
  ko::formulas::detail::SlotTable t{};
  (Fs::collect(t), ...);
  std::vector<HostArg> args(static_cast<std::size_t>(t.num_slots()));
  for (int s = 0; s < t.num_slots(); ++s) {
    const Dom d = doms[std::min<std::size_t>(static_cast<std::size_t>(s), doms.size() - 1)];
    std::uniform_real_distribution<double> u(d.lo, d.hi);
    args[static_cast<std::size_t>(s)].rows = 1;
    args[static_cast<std::size_t>(s)].dim = t.dim[s];
    for (int k = 0; k < t.dim[s]; ++k) args[static_cast<std::size_t>(s)].data.push_back(static_cast<L>(u(gen)));
  }
  return args;
}

template <class F>
std::vector<L> eval_at(const F& f, const std::vector<HostArg>& args) {
  OracleCtx ctx{&args, 0, 0};
  L v[F::dim];
  f.eval(v, ctx);
  return std::vector<L>(v, v + F::dim);
}

void expect_close(L got, L want, double rel, const std::string& what) {
  const L tol = static_cast<L>(rel) * std::max<L>(1, std::fabs(want));
  EXPECT_TRUE(std::fabs(got - want) <= tol) << what << ": got " << static_cast<double>(got) << ", want "
                                             << static_cast<double>(want) << " (finite differences)";
}

/// Grad(f, v, e) against central differences of <e, f> in every component of v, at `trials` random points.
template <class F, class V>
void check_grad(const F& f, const V& v, std::vector<Dom> doms = {Dom{}}, int trials = 4, double rel = 1e-6) {
  constexpr int es = ko::formulas::detail::first_free_slot<F>();
  const Vi<es, F::dim> e;
  const auto g = Grad(f, v, e);
  static_assert(decltype(g)::dim == V::dim);
  std::mt19937_64 gen(0x5eed + es);
  for (int t = 0; t < trials; ++t) {
    auto args = random_args<F, decltype(e)>(gen, doms);
    // e: standard normal-ish values, whatever the slot's domain.
    std::uniform_real_distribution<double> u(-1, 1);
    for (auto& x : args[es].data) x = static_cast<L>(u(gen));
    const std::vector<L> got = eval_at(g, args);
    for (int c = 0; c < V::dim; ++c) {
      auto& slot = args[V::slot].data[static_cast<std::size_t>(c)];
      const L x0 = slot, h = 1e-5L * std::max<L>(1, std::fabs(x0));
      auto dot = [&] {
        const auto fv = eval_at(f, args);
        L s = 0;
        for (int k = 0; k < F::dim; ++k) s += args[es].data[static_cast<std::size_t>(k)] * fv[static_cast<std::size_t>(k)];
        return s;
      };
      slot = x0 + h;
      const L up = dot();
      slot = x0 - h;
      const L down = dot();
      slot = x0;
      expect_close(got[static_cast<std::size_t>(c)], (up - down) / (2 * h), rel,
                   "Grad(" + f.str() + ", " + v.str() + ") component " + std::to_string(c) + ", trial " +
                       std::to_string(t));
    }
  }
}

const Vi<0, 3> x;
const Vj<1, 3> y;
const Pm<2, 1> s1;
const Vj<3, 1> w;
constexpr Dom kPos{0.2, 2}, kHalf{-0.45, 0.45}, kAway{0.5, 2};

TEST(Grad, Leaves) {
  check_grad(x, x);
  check_grad(x + y, y);
  static_assert(std::is_same_v<decltype(Grad(Exp(x) * 2.0, y, Vi<5, 3>{})), Zero<3>>);
  static_assert(std::is_same_v<decltype(Grad(x, x, Vi<5, 3>{})), Vi<5, 3>>);
  // Only the branch that depends on y is kept: d/dy (Exp(x) + y) e = e.
  static_assert(std::is_same_v<decltype(Grad(Exp(x) + y, y, Vi<5, 3>{})), Vi<5, 3>>);
}

TEST(Grad, Arithmetic) {
  check_grad(-x + y * x - y / (x * x + 1), x);
  check_grad(-x + y * x - y / (x * x + 1), y);
  check_grad(s1 * x - y / s1, s1, {Dom{}, Dom{}, kAway});  // broadcast: the scalar gets the sum
  check_grad(x / (s1 + 3) + s1, s1);
  check_grad(Pow<3>(x - y), x);
  check_grad(Pow<2>(x - y), y);
  check_grad(Pow<1>(x) * Pow<0>(y), x);
  check_grad(Pow(x + y, -2), x, {kAway});
  check_grad(Pow(x * y, 3), y);
  check_grad(Sum(x * y), x);
  check_grad((x | y) * s1, x);
  check_grad((x | y) * s1, s1);
  check_grad(SqNorm2(x - y), y);
  check_grad(Norm2(x - y), x);
  check_grad(SqDist(x, y) * s1 + 2.5, s1);
}

TEST(Grad, ElementWiseFunctions) {
  check_grad(Exp(x - y), x);
  check_grad(Log(x + y), x, {kPos});
  check_grad(Sqrt(x + y), y, {kPos});
  check_grad(Rsqrt(x + y), x, {kPos});
  check_grad(Inv(x + y), x, {kAway});
  check_grad(Square(x - y), x);
  check_grad(Abs(x - y), x);
  check_grad(Sin(x * y), x);
  check_grad(Cos(x * y), y);
  check_grad(Asin(x * y), x, {kHalf});
  check_grad(Acos(x + y), y, {kHalf});
  check_grad(Atan(x * y), x);
  check_grad(ReLU(x - y), x);
  check_grad(SinXDivX(x - y), x);
  check_grad(SinXDivX(3.0 * x), x, {Dom{-0.01, 0.01}});  // near the removable singularity
  check_grad(XLogX(x + y), x, {kPos});
  // Second derivatives of SinXDivX, near and at 0 (the series branch), and Pow(f, 0) at f = 0.
  const Vi<4, 3> e4;
  check_grad(Grad(SinXDivX(x - y), x, e4), x, {Dom{-0.02, 0.02}});
  check_grad(Grad(SinXDivX(x - y), x, e4), y);
  {
    std::vector<HostArg> a(5);
    a[0] = {{0.0L, 0.0L, 0.0L}, 1, 3};
    a[1] = a[0];
    a[4] = {{1.0L, 1.0L, 1.0L}, 1, 3};
    const auto h = Grad(Grad(SinXDivX(x - y), x, e4), x, e4);  // e4 * e4 * SinXDivX''(0), per component
    for (L v : eval_at(h, a)) expect_close(v, -1.0L / 3, 1e-15, "SinXDivX'' at 0");
    for (L v : eval_at(Grad(Pow(x, 0) * y, x, e4), a)) EXPECT_EQ(v, 0.0L);
  }
  check_grad(Floor(x * 3.0) + Sign(y) + Step(x - y) + x, x);  // piecewise constants: only x's identity remains
  check_grad(Round(x * y, 2) * x, x);  // Round: constant between its jumps (0.01 apart)
  check_grad(ClampInt(x * 4.0, -1, 2), x);
  check_grad(Atan2(x, y), x);
  check_grad(Atan2(x, y), y);
  check_grad(Atan2(x, s1), s1);  // broadcast
  check_grad(Powf(x, y), x, {kPos});
  check_grad(Powf(x, y), y, {kPos});
  check_grad(Powf(x, s1) * w, s1, {kPos});
  check_grad(Equal(x, y) + LessThan(x, y) * x, x);
  check_grad(Clamp(x, y, y + 1.0), x);
  check_grad(Clamp(x, y, y + 1.0), y);
  check_grad(Clamp(x * 2.0, -0.5, 0.5), x);
  check_grad(IfElse(x - y, x * y, Exp(x)), x);
  check_grad(IfElse(x - y, x * y, Exp(x)), y);
  check_grad(Mod(x, s1, 0.25), x, {Dom{}, Dom{}, kAway});
  check_grad(Mod(x, s1, 0.25), s1, {Dom{}, Dom{}, kAway});
}

TEST(Grad, VectorLayout) {
  check_grad(SumT<3>(Sum(x) * w), x);
  check_grad(SumT<3>(Sum(x) * w), w);
  check_grad(Elem<1>(x * y) * x, y);
  check_grad(ElemT<2, 4>(Elem<0>(x) * w), x);
  check_grad(Extract<1, 2>(Exp(x) * y), x);
  check_grad(ExtractT<1, 5>(x * y), y);
  check_grad(Concat(x * w, Sin(y)), y);
  check_grad(Concat(x * w, Sin(y)), w);
  check_grad(Max(x * y) + Min(x - y), x);
  check_grad(Max(x * y) + Min(x - y), y);
  check_grad(ArgMax(x) * x + OneHot<3>(Elem<0>(x) * 3.0), x);
  check_grad(Normalize(x - y), x);
}

// Hessian-vector products: Grad of a gradient, against finite differences of the gradient.
TEST(Grad, GradOfGrad) {
  const Vi<4, 1> e;
  const auto gauss = Exp(-s1 * SqDist(x, y));
  const auto laplace = Exp(-s1 * Norm2(x - y));
  const auto cauchy = Inv(1.0 + s1 * SqDist(x, y));
  check_grad(Grad(gauss, x, e), x, {Dom{}, Dom{}, kPos});
  check_grad(Grad(gauss, x, e), y, {Dom{}, Dom{}, kPos});
  check_grad(Grad(gauss, x, e), s1, {Dom{}, Dom{}, kPos});
  check_grad(Grad(laplace, y, e), x, {Dom{}, Dom{}, kPos});
  check_grad(Grad(laplace, x, e), s1, {Dom{}, Dom{}, kPos});
  check_grad(Grad(cauchy, x, e), x, {Dom{}, Dom{}, kPos});
  check_grad(Grad(cauchy, s1, e), y, {Dom{}, Dom{}, kPos});
  // Third order: Grad of Grad of Grad.
  const Vi<5, 3> u;
  check_grad(Grad(Grad(gauss, x, e), x, u), y, {Dom{}, Dom{}, kPos});
}

TEST(Grad, DiffDivergenceLaplacian) {
  const auto gauss = Exp(-s1 * SqDist(x, y)) * w;
  const Vi<4, 3> u;
  const auto d = Diff(gauss, x, u);
  static_assert(decltype(d)::dim == 1);
  std::mt19937_64 gen(7);
  for (int t = 0; t < 3; ++t) {
    auto args = random_args<decltype(gauss), decltype(u)>(gen, {Dom{}, Dom{}, kPos});
    const L h = 1e-5L;
    auto shifted = [&](L sgn) {
      auto a = args;
      for (int k = 0; k < 3; ++k) a[0].data[static_cast<std::size_t>(k)] += sgn * h * args[4].data[static_cast<std::size_t>(k)];
      return eval_at(gauss, a)[0];
    };
    expect_close(eval_at(d, args)[0], (shifted(1) - shifted(-1)) / (2 * h), 1e-6, "Diff(gauss, x, u)");
    // Laplacian and Divergence of the gradient field, against second differences.
    const auto lap = Laplacian(gauss, x);
    const auto div = Divergence(Grad(gauss, x, IntCst<1>{}), x);
    const L h2 = 1e-4L, f0 = eval_at(gauss, args)[0];
    L fd = 0;
    for (int k = 0; k < 3; ++k) {
      auto a = args;
      a[0].data[static_cast<std::size_t>(k)] += h2;
      const L up = eval_at(gauss, a)[0];
      a[0].data[static_cast<std::size_t>(k)] -= 2 * h2;
      fd += (up - 2 * f0 + eval_at(gauss, a)[0]) / (h2 * h2);
    }
    expect_close(eval_at(lap, args)[0], fd, 1e-6, "Laplacian(gauss, x)");
    expect_close(eval_at(div, args)[0], fd, 1e-6, "Divergence(Grad(gauss, x, 1), x)");
  }
  // The Laplacian of the Gaussian exp(-s r^2) in 3-D: (4 s^2 r^2 - 6 s) exp(-s r^2), in closed form.
  std::vector<HostArg> a(4);
  a[0] = {{0.3L, -0.2L, 0.5L}, 1, 3};
  a[1] = {{-0.1L, 0.4L, 0.1L}, 1, 3};
  a[2] = {{0.7L}, 1, 1};
  a[3] = {{1.0L}, 1, 1};
  const L r2 = 0.16L + 0.36L + 0.16L, sv = 0.7L;
  expect_close(eval_at(Laplacian(gauss, x), a)[0], (4 * sv * sv * r2 - 6 * sv) * std::exp(-sv * r2), 1e-15,
               "Laplacian closed form");
}

TEST(Grad, SimplifiedAndPrinted) {
  // The Gaussian kernel's gradient in x keeps one exponential and no zero term.
  const Vi<4, 1> e;
  const auto g = Grad(Exp(-s1 * SqDist(x, y)) * w, x, e);
  const std::string txt = g.str();
  EXPECT_EQ(txt.find("Zero"), std::string::npos) << txt;
  EXPECT_NE(txt.find("Exp("), std::string::npos) << txt;
  // Sqrt's derivative goes through Rsqrt: Norm2(x - y) has gradient 0 (not NaN) where x = y.
  std::vector<HostArg> a(5);
  a[0] = {{0.5L, 0.5L, 0.5L}, 1, 3};
  a[1] = a[0];
  a[4] = {{1.0L}, 1, 1};
  const auto gn = Grad(Norm2(x - y), x, e);
  for (L v : eval_at(gn, a)) EXPECT_EQ(v, 0.0L);
}

TEST(Grad, WeightedNorms) {
  const Vj<4, 3> sd;  // diagonal weights
  const Pm<5, 9> sm;  // a full 3 x 3 matrix, row-major, not symmetric
  const auto f = Sin(x) * y;
  check_grad(WeightedSqNorm(s1, f), s1);
  check_grad(WeightedSqNorm(s1, f), x);
  check_grad(WeightedSqNorm(sd, f), sd);
  check_grad(WeightedSqNorm(sd, f), x);
  check_grad(WeightedSqNorm(Exp(sd), f), sd);
  check_grad(WeightedSqNorm(sm, f), sm);
  check_grad(WeightedSqNorm(sm, f), x);
  check_grad(WeightedSqNorm(sm, f), y);
  check_grad(WeightedSqNorm(Square(w), x), w);  // one weight, dim(f) = 3
  check_grad(WeightedSqNorm(w, Elem<0>(x)), x);  // dim(f) = 1: every form is the isotropic one
  check_grad(WeightedSqDist(s1, x, y), s1);
  check_grad(WeightedSqDist(s1, x, y), y);
  check_grad(WeightedSqDist(sd, x, y), sd);
  check_grad(WeightedSqDist(sd, x, y), x);
  check_grad(WeightedSqDist(sd, x, y), y);
  check_grad(WeightedSqDist(sm, x, y), sm);
  check_grad(WeightedSqDist(sm, x, y), x);
  check_grad(WeightedSqDist(sm, x, y), y);
  check_grad(Exp(-WeightedSqDist(sm, x, y)), sm);
}

TEST(Grad, MatrixProducts) {
  const Vi<4, 6> a;   // a 2 x 3 matrix
  const Vj<5, 2> b2;  // a 2-vector
  check_grad(MatVecMult(a, y), a);
  check_grad(MatVecMult(a, y), y);
  check_grad(MatVecMult(Exp(a), Sin(y)) * b2, a);
  check_grad(MatVecMult(Exp(a), Sin(y)) * b2, y);
  check_grad(MatVecMult(a, w), w);  // p = 1
  check_grad(VecMatMult(b2, a), b2);
  check_grad(VecMatMult(b2, a), a);
  check_grad(VecMatMult(Cos(b2), a * a) * x, b2);
  check_grad(VecMatMult(Cos(b2), a * a) * x, a);
  check_grad(TensorProd(x, b2), x);
  check_grad(TensorProd(x, b2), b2);
  check_grad(TensorProd(Exp(x), b2 * b2), b2);
  check_grad(TensorProd(s1, x), s1);  // a scalar factor
}

TEST(Grad, TensorDot) {
  const Vi<4, 12> ta;  // shape (2, 3, 2)
  const Vj<5, 24> tb;  // shape (2, 3, 4)
  const Vi<6, 6> m1;   // shape (2, 3)
  const Vj<7, 6> m2;   // shape (3, 2)
  const Vj<8, 2> b2;
  // One contraction (axis 1 with axis 1), the kept axes (2, 2, 2, 4) permuted to (2, 2, 4, 2).
  const auto td1 = TensorDot(ta, tb, Ind<2, 3, 2>{}, Ind<2, 3, 4>{}, Ind<1>{}, Ind<1>{}, Ind<2, 0, 3, 1>{});
  static_assert(decltype(td1)::dim == 32);
  check_grad(td1, ta);
  check_grad(td1, tb);
  check_grad(Sin(td1), ta);
  // Two contractions in crossed order, the kept axes (2, 4) transposed.
  const auto td2 = TensorDot(Sin(ta), tb * tb, Ind<2, 3, 2>{}, Ind<2, 3, 4>{}, Ind<1, 2>{}, Ind<1, 0>{}, Ind<1, 0>{});
  static_assert(decltype(td2)::dim == 8);
  check_grad(td2, ta);
  check_grad(td2, tb);
  // The same without the permutation.
  const auto td3 = TensorDot(ta, tb, Ind<2, 3, 2>{}, Ind<2, 3, 4>{}, Ind<1, 2>{}, Ind<1, 0>{});
  check_grad(td3, ta);
  check_grad(td3, tb);
  // Matrix products as contractions: m1 m2 (2 x 2), and m2^T m1^T with the operands' axes crossed.
  check_grad(TensorDot(m1, m2, Ind<2, 3>{}, Ind<3, 2>{}, Ind<1>{}, Ind<0>{}), m1);
  check_grad(TensorDot(m1, m2, Ind<2, 3>{}, Ind<3, 2>{}, Ind<1>{}, Ind<0>{}), m2);
  check_grad(TensorDot(m1, m2, Ind<2, 3>{}, Ind<3, 2>{}, Ind<1>{}, Ind<0>{}, Ind<1, 0>{}), m2);
  // Full contractions (a scalar output): a dot product and the trace of m1 m2.
  check_grad(TensorDot(Exp(x), y, Ind<3>{}, Ind<3>{}, Ind<0>{}, Ind<0>{}), x);
  check_grad(TensorDot(Exp(x), y, Ind<3>{}, Ind<3>{}, Ind<0>{}, Ind<0>{}), y);
  check_grad(TensorDot(m1, Sin(m2), Ind<2, 3>{}, Ind<3, 2>{}, Ind<0, 1>{}, Ind<1, 0>{}), m1);
  check_grad(TensorDot(m1, Sin(m2), Ind<2, 3>{}, Ind<3, 2>{}, Ind<0, 1>{}, Ind<1, 0>{}), m2);
  // No contraction: an outer product, transposed.
  check_grad(TensorDot(x, b2, Ind<3>{}, Ind<2>{}, Ind<>{}, Ind<>{}, Ind<1, 0>{}), x);
  check_grad(TensorDot(x, b2, Ind<3>{}, Ind<2>{}, Ind<>{}, Ind<>{}, Ind<1, 0>{}), b2);
  // Kron: TensorDot without contraction, axes interleaved.
  check_grad(Kron(m1, Exp(m2), Ind<2, 3>{}, Ind<3, 2>{}), m1);
  check_grad(Kron(m1, Exp(m2), Ind<2, 3>{}, Ind<3, 2>{}), m2);
  check_grad(Kron(x, b2, Ind<3>{}, Ind<2>{}), b2);
}

TEST(Grad, Complex) {
  const Vi<0, 4> z;  // two complex numbers
  const Vj<1, 4> u;  // two complex numbers, away from 0 where divided by
  const Pm<2, 2> c;  // one complex number, broadcast
  const Vj<3, 2> r;  // two reals
  const std::vector<Dom> away{Dom{}, kAway, kAway, Dom{}};  // u and c in [0.5, 2]^2: off 0 and Angle's cut
  check_grad(ComplexAdd(z, u), z);
  check_grad(ComplexAdd(z, Exp(u)), u);
  check_grad(ComplexAdd(z, c * c), c);  // broadcast: c gets the complex sum
  check_grad(ComplexAdd(Sin(c), z), c);
  check_grad(ComplexSubtract(z, u), u);
  check_grad(ComplexSubtract(z, c), c);
  check_grad(ComplexSubtract(c, Exp(u)), u);
  check_grad(ComplexSubtract(c, u), c);
  check_grad(ComplexMult(z, u), z);
  check_grad(ComplexMult(z, u), u);
  check_grad(ComplexMult(z, c), c);
  check_grad(ComplexMult(c, Sin(u)), u);
  check_grad(ComplexMult(c, c), c);
  check_grad(ComplexDivide(z, u), z, away);
  check_grad(ComplexDivide(z, u), u, away);
  check_grad(ComplexDivide(z, c), c, away);
  check_grad(ComplexDivide(z, c), z, away);
  check_grad(ComplexDivide(c, u), c, away);
  check_grad(ComplexDivide(c, u), u, away);
  check_grad(ComplexDivide(u, u), u, away);
  check_grad(ComplexExp(ComplexMult(z, u)), z);
  check_grad(ComplexExp(ComplexMult(z, u)), u);
  check_grad(Conj(ComplexMult(z, u)), z);
  check_grad(ComplexReal(ComplexMult(z, u)), u);
  check_grad(ComplexImag(ComplexMult(z, u)), z);
  check_grad(ComplexSquareAbs(ComplexMult(z, u)), z);
  check_grad(ComplexSquareAbs(c), c);
  check_grad(ComplexAbs(u), u, away);
  check_grad(ComplexAbs(ComplexMult(u, c)), c, away);
  check_grad(ComplexAbs(c), c, away);
  check_grad(ComplexAngle(u), u, away);
  check_grad(ComplexAngle(ComplexMult(u, c)) * r, c, {Dom{}, kAway, Dom{0.2, 0.6}, Dom{}});  // argument in (-pi, pi)
  check_grad(ComplexAngle(c), c, away);
  check_grad(Real2Complex(Sin(r)), r);
  check_grad(Imag2Complex(r * r), r);
  check_grad(ComplexExp1j(r), r);
  check_grad(ComplexMult(ComplexExp1j(r * 3.0), z), r);
  check_grad(ComplexSum(ComplexMult(z, u)), z);
  check_grad(ComplexSum(ComplexExp(c)), c);  // one number: the identity
  check_grad(ComplexSumT<6>(ComplexMult(c, c)), c);
  check_grad(ComplexRealScal(Sum(r), ComplexExp(z)), r);
  check_grad(ComplexRealScal(Sum(r), ComplexExp(z)), z);
  check_grad(ComplexRealScal(z, Elem<0>(r)), r);  // the scalar second, as KeOps allows
  check_grad(ComplexRealScal(z, Elem<0>(r)), z);
}

/// Grad(Grad(f, v, e), u, .): a Hessian-vector product, against finite differences of the gradient.
template <class F, class V, class U>
void check_grad2(const F& f, const V& v, const U& u, std::vector<Dom> doms = {Dom{}}) {
  constexpr int es = ko::formulas::detail::first_free_slot<F>();
  check_grad(Grad(f, v, Vi<es, F::dim>{}), u, std::move(doms));
}

// Every rule above through Grad of Grad: the nodes the rules generate have rules too.
TEST(Grad, GradOfGradCatalogue) {
  const Vj<4, 3> sd;
  const Pm<5, 9> sm;
  const auto f = Sin(x) * y;
  check_grad2(WeightedSqNorm(s1, f), x, s1);
  check_grad2(WeightedSqNorm(s1, f), x, x);
  check_grad2(WeightedSqNorm(sd, f), sd, y);
  check_grad2(WeightedSqNorm(sd, f), x, x);
  check_grad2(WeightedSqNorm(sm, f), sm, x);
  check_grad2(WeightedSqNorm(sm, f), x, sm);
  check_grad2(WeightedSqNorm(sm, f), y, x);
  check_grad2(Exp(-WeightedSqDist(sm, x, y)), x, y);
  check_grad2(Exp(-WeightedSqDist(sd, x, y)), sd, x);

  const Vi<4, 6> a;
  const Vj<5, 2> b2;
  check_grad2(MatVecMult(a, y), a, y);
  check_grad2(MatVecMult(a, y), y, a);
  check_grad2(MatVecMult(Exp(a), Sin(y)), a, a);
  check_grad2(VecMatMult(b2, a), b2, a);
  check_grad2(VecMatMult(Cos(b2), a), b2, b2);
  check_grad2(TensorProd(x, b2), x, b2);
  check_grad2(TensorProd(Exp(x), b2), b2, x);

  const Vi<6, 12> ta;
  const Vj<7, 24> tb;
  const auto td1 = TensorDot(Exp(ta), tb, Ind<2, 3, 2>{}, Ind<2, 3, 4>{}, Ind<1>{}, Ind<1>{}, Ind<2, 0, 3, 1>{});
  check_grad2(td1, ta, tb);
  check_grad2(td1, tb, ta);
  check_grad2(td1, ta, ta);
  const auto td2 = TensorDot(ta, Sin(tb), Ind<2, 3, 2>{}, Ind<2, 3, 4>{}, Ind<1, 2>{}, Ind<1, 0>{}, Ind<1, 0>{});
  check_grad2(td2, tb, ta);
  check_grad2(td2, tb, tb);
  check_grad2(TensorDot(Exp(x), y, Ind<3>{}, Ind<3>{}, Ind<0>{}, Ind<0>{}), x, y);
  check_grad2(Kron(a, Exp(b2), Ind<2, 3>{}, Ind<1, 2>{}), b2, a);

  const Vi<0, 4> z;
  const Vj<1, 4> u;
  const Pm<2, 2> c;
  const Vj<3, 2> r;
  const std::vector<Dom> away{Dom{}, kAway, kAway, Dom{}};
  check_grad2(ComplexMult(z, u), z, u);
  check_grad2(ComplexAdd(ComplexMult(z, c), u), c, z);
  check_grad2(ComplexSubtract(ComplexMult(c, c), z), c, c);
  check_grad2(ComplexDivide(z, u), u, u, away);
  check_grad2(ComplexDivide(z, u), z, u, away);
  check_grad2(ComplexDivide(c, u), u, c, away);
  check_grad2(ComplexExp(ComplexMult(z, u)), z, u);
  check_grad2(Conj(ComplexExp(z)), z, z);
  check_grad2(ComplexReal(ComplexMult(z, z)), z, z);
  check_grad2(ComplexImag(ComplexMult(z, u)), z, u);
  check_grad2(ComplexSquareAbs(ComplexMult(z, u)), u, z);
  check_grad2(ComplexAbs(u), u, u, away);
  check_grad2(ComplexAbs(c), c, c, away);
  check_grad2(ComplexAngle(u), u, u, away);
  check_grad2(Real2Complex(Sin(r)), r, r);
  check_grad2(Imag2Complex(r * r), r, r);
  check_grad2(ComplexExp1j(r), r, r);
  check_grad2(ComplexSum(ComplexMult(z, z)), z, z);
  check_grad2(ComplexSumT<6>(ComplexMult(c, c)), c, c);
  check_grad2(ComplexRealScal(Sum(r), ComplexExp(z)), r, z);
  check_grad2(ComplexRealScal(Sum(r * r), z), r, r);
  // Third order through a complex kernel: |exp(z u)|.
  const Vi<8, 4> e4;
  check_grad(Grad(Grad(ComplexAbs(ComplexExp(ComplexMult(z, u))), z, Vi<9, 2>{}), u, e4), z);
}

}  // namespace

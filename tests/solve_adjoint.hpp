// The KernelSolve adjoint (ko::adjoint) against central finite differences of the solve in double:
// every slot's gradient and alpha's, a block-sparse solve, float against a double reference, bad
// upstream gradients rejected. (Its own body: one translation unit with the reduction gradients was
// the longest to compile.)
#include "test_helpers.hpp"

#include <limits>
#include <utility>
#include <vector>

namespace {

namespace ko = kokkeops;
namespace kt = kokkeops::test;
using namespace kokkeops::formulas;

using Exec = KOKKEOPS_TEST_EXEC;
using Mem = Kokkos::Device<Exec, Exec::memory_space>;  // views whose execution space is the one under test
using Mat = kt::Mat<double, Mem>;
using Vec = kt::Vec<double, Mem>;

}  // namespace

namespace {

// ---------------------------------------------------------------- the KernelSolve adjoint

struct SolveProblem {
  long n;
  Mat x, b;
  Vec g;
  double alpha = 0.5;
  explicit SolveProblem(long n_) : n(n_), x(kt::random_mat<double, Mem>(n_, 3, 21, 0, 0.8)),
                                   b(kt::random_mat<double, Mem>(n_, 2, 22)), g(kt::param<double, Mem>({1.3})) {}
};

const Vi<0, 3> xi;
const Vj<1, 3> xj;
const Vj<2, 2> bj;
const Pm<3, 1> s;

// L(a) = sum a^2 + <c, a>: dL/da = 2 a + c.
TEST(KernelSolveAdjoint, EveryGradientAgainstFiniteDifferencesOfTheSolve) {
  SolveProblem p(200);
  const auto Kinv = ko::KernelSolve(Exp(-s * SqDist(xi, xj)) * bj, bj, ko::axis::j);
  const Mat c = kt::random_mat<double, Mem>(p.n, 2, 23);
  const auto opts = [&](double alpha) { return ko::SolveOptions{}.alpha(alpha).tolerance(1e-13).max_iterations(2000); };
  const auto loss = [&](double alpha) {
    Mat a("a", p.n, 2);
    Kinv(a, p.x, p.x, p.b, p.g, opts(alpha));
    const auto ha = kt::host(a);
    const auto hc = kt::host(c);
    double l = 0;
    for (long i = 0; i < p.n; ++i)
      for (int k = 0; k < 2; ++k) l += ha(i, k) * ha(i, k) + hc(i, k) * ha(i, k);
    return l;
  };
  Mat a("a", p.n, 2);
  const auto rep = Kinv(a, p.x, p.x, p.b, p.g, opts(p.alpha));
  ASSERT_TRUE(rep.converged || rep.reason == ko::StopReason::stagnation) << rep.summary();
  Mat G("G", p.n, 2);
  {
    const auto ha = kt::host(a);
    const auto hc = kt::host(c);
    auto hG = Kokkos::create_mirror_view(G);
    for (long i = 0; i < p.n; ++i)
      for (int k = 0; k < 2; ++k) hG(i, k) = 2 * ha(i, k) + hc(i, k);
    Kokkos::deep_copy(G, hG);
  }
  const auto adj = ko::adjoint(Kinv, G, a, p.x, p.x, p.b, p.g, opts(p.alpha));
  ASSERT_TRUE(adj.report().converged || adj.report().reason == ko::StopReason::stagnation);
  Mat gx("gx", p.n, 3), gb("gb", p.n, 2);
  Vec gs("gs", 1);
  adj.gradient(gx, xi, xj);  // x fills both point slots
  adj.gradient(gb, bj);      // = the right-hand side's gradient
  adj.gradient(gs, s);
  const double galpha = adj.alpha_gradient();
  // Central differences on a sample of entries (each costs two solves).
  const auto fd_view = [&](const char* what, const auto& target, const auto& grad, std::vector<std::pair<long, int>> at) {
    auto ht = kt::host(target);
    const auto hg = kt::host(grad);
    for (const auto& rk : at) {
      // Plain variables, not structured bindings: lambdas below capture them (hipcc's clang refuses bindings).
      const long r = rk.first;
      const int k = rk.second;
      double& v = [&]() -> double& {
        if constexpr (std::decay_t<decltype(target)>::rank == 1) return ht(k);
        else return ht(r, k);
      }();
      const double v0 = v, h = 1e-5;
      v = v0 + h;
      Kokkos::deep_copy(target, ht);
      const double up_l = loss(p.alpha);
      v = v0 - h;
      Kokkos::deep_copy(target, ht);
      const double down_l = loss(p.alpha);
      v = v0;
      Kokkos::deep_copy(target, ht);
      const double fd = (up_l - down_l) / (2 * h);
      double got;
      if constexpr (std::decay_t<decltype(grad)>::rank == 1) got = hg(k);
      else got = hg(r, k);
      EXPECT_NEAR(got, fd, 1e-6 * std::max(1.0, std::fabs(fd))) << what << " entry (" << r << ", " << k << ")";
    }
  };
  fd_view("dL/dx", p.x, gx, {{0, 0}, {0, 2}, {17, 1}, {99, 0}, {150, 2}, {199, 1}});
  fd_view("dL/db", p.b, gb, {{0, 0}, {3, 1}, {77, 0}, {198, 1}});
  fd_view("dL/dsigma", p.g, gs, {{0, 0}});
  const double h = 1e-5, fd_alpha = (loss(p.alpha + h) - loss(p.alpha - h)) / (2 * h);
  EXPECT_NEAR(galpha, fd_alpha, 1e-6 * std::max(1.0, std::fabs(fd_alpha))) << "dL/dalpha";
  // rhs_gradient() is the same as the unknown slot's gradient.
  const auto w = kt::host(adj.rhs_gradient());
  const auto hb = kt::host(gb);
  for (long i = 0; i < p.n; ++i) EXPECT_EQ(w(i, 1), hb(i, 1));
}

// A block-sparse solve (two independent batches): the adjoint with the same ranges.
TEST(KernelSolveAdjoint, BlockSparseSolve) {
  SolveProblem p(120);
  const auto Kinv = ko::KernelSolve(Exp(-s * SqDist(xi, xj)) * bj, bj, ko::axis::j);
  const auto r = ko::block_diagonal<int, Mem>({50, 70}, {50, 70});
  const auto opts = [&](double alpha) { return ko::SolveOptions{}.alpha(alpha).tolerance(1e-13).max_iterations(2000); };
  const Mat c = kt::random_mat<double, Mem>(p.n, 2, 41);
  const auto loss = [&](double alpha) {  // L = <c, a>: dL/da = c
    Mat a("a", p.n, 2);
    Kinv(r, a, p.x, p.x, p.b, p.g, opts(alpha));
    const auto ha = kt::host(a);
    const auto hc = kt::host(c);
    double l = 0;
    for (long i = 0; i < p.n; ++i)
      for (int k = 0; k < 2; ++k) l += hc(i, k) * ha(i, k);
    return l;
  };
  Mat a("a", p.n, 2), gx("gx", p.n, 3);
  Kinv(r, a, p.x, p.x, p.b, p.g, opts(p.alpha));
  const auto adj = ko::adjoint(Kinv, r, c, a, p.x, p.x, p.b, p.g, opts(p.alpha));
  adj.gradient(gx, xi, xj);
  const auto hg = kt::host(gx);
  auto hx = kt::host(p.x);
  for (const auto& rk : std::vector<std::pair<long, int>>{{3, 0}, {49, 2}, {50, 1}, {119, 0}}) {
    const long row = rk.first;
    const int k = rk.second;
    const double x0 = hx(row, k), h = 1e-5;
    hx(row, k) = x0 + h;
    Kokkos::deep_copy(p.x, hx);
    const double up_l = loss(p.alpha);
    hx(row, k) = x0 - h;
    Kokkos::deep_copy(p.x, hx);
    const double down_l = loss(p.alpha);
    hx(row, k) = x0;
    Kokkos::deep_copy(p.x, hx);
    const double fd = (up_l - down_l) / (2 * h);
    EXPECT_NEAR(hg(row, k), fd, 1e-6 * std::max(1.0, std::fabs(fd))) << "ranged dL/dx (" << row << ", " << k << ")";
  }
  const double h = 1e-5, fd_alpha = (loss(p.alpha + h) - loss(p.alpha - h)) / (2 * h);
  EXPECT_NEAR(adj.alpha_gradient(), fd_alpha, 1e-6 * std::max(1.0, std::fabs(fd_alpha)));
}

// KeOps' test_invkernel relation in float: the float adjoint's dL/dx against a double reference, atol 1e-4.
TEST(KernelSolveAdjoint, FloatAgainstDoubleReference) {
  SolveProblem p(100);
  const auto Kinv = ko::KernelSolve(Exp(-s * SqDist(xi, xj)) * bj, bj, ko::axis::j);
  const Mat e = kt::random_mat<double, Mem>(p.n, 2, 31);  // torch.autograd.grad(c, x, e): G = e
  Mat a("a", p.n, 2);
  Kinv(a, p.x, p.x, p.b, p.g, ko::SolveOptions{}.alpha(p.alpha).tolerance(1e-12));
  Mat gx("gx", p.n, 3);
  ko::adjoint(Kinv, e, a, p.x, p.x, p.b, p.g, ko::SolveOptions{}.alpha(p.alpha).tolerance(1e-12)).gradient(gx, xi, xj);
  kt::Vec<float, Mem> gf("gf", 1);
  Kokkos::deep_copy(gf, 1.3f);
  const auto xf = kt::to_float(p.x), bf = kt::to_float(p.b), ef = kt::to_float(e);
  kt::Mat<float, Mem> af("af", p.n, 2), gxf("gxf", p.n, 3);
  const auto of = ko::SolveOptions{}.alpha(p.alpha).tolerance(1e-6);
  Kinv(af, xf, xf, bf, gf, of);
  ko::adjoint(Kinv, ef, af, xf, xf, bf, gf, of).gradient(gxf, xi, xj);
  const auto r = kt::host(gx);
  const auto q = kt::host(gxf);
  for (long i = 0; i < p.n; ++i)
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(q(i, k), r(i, k), 1e-4) << "dL/dx (" << i << ", " << k << ")";
}

TEST(KernelSolveAdjoint, BadUpstreamRejected) {
  SolveProblem p(30);
  const auto Kinv = ko::KernelSolve(Exp(-s * SqDist(xi, xj)) * bj, bj, ko::axis::j);
  Mat a("a", p.n, 2);
  Kinv(a, p.x, p.x, p.b, p.g, ko::SolveOptions{}.alpha(p.alpha));
  const Mat wrong("G", p.n, 3);
  EXPECT_THROW(ko::adjoint(Kinv, wrong, a, p.x, p.x, p.b, p.g, ko::SolveOptions{}.alpha(p.alpha)), ko::Error);
  EXPECT_THROW(ko::adjoint(Kinv, a, a, p.x, p.x, p.b, p.g, ko::SolveOptions{}.alpha(p.alpha)), ko::Error);
  const Mat G = kt::random_mat<double, Mem>(p.n, 2, 3);
  const auto adj = ko::adjoint(Kinv, G, a, p.x, p.x, p.b, p.g, ko::SolveOptions{}.alpha(p.alpha));
  Mat gx_wrong("gx", p.n + 1, 3);
  EXPECT_THROW(adj.gradient(gx_wrong, xi, xj), ko::Error);
  // A NaN in the solution or in the upstream gradient: rejected before the adjoint solve.
  Mat bad_a("bad_a", p.n, 2);
  Kokkos::deep_copy(bad_a, a);
  Kokkos::deep_copy(Kokkos::subview(bad_a, 3, 1), std::numeric_limits<double>::quiet_NaN());
  EXPECT_THROW(ko::adjoint(Kinv, G, bad_a, p.x, p.x, p.b, p.g, ko::SolveOptions{}.alpha(p.alpha)), ko::Error);
  Mat bad_g("bad_g", p.n, 2);
  Kokkos::deep_copy(bad_g, G);
  Kokkos::deep_copy(Kokkos::subview(bad_g, 0, 0), std::numeric_limits<double>::infinity());
  EXPECT_THROW(ko::adjoint(Kinv, bad_g, a, p.x, p.x, p.b, p.g, ko::SolveOptions{}.alpha(p.alpha)), ko::Error);
}

}  // namespace

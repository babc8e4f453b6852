// KernelSolve against a dense Cholesky solve, large-N residuals, preconditioners, stopping and
// breakdown behaviour, and every rejected input.
#include "reference/dense_solve.hpp"
#include "test_helpers.hpp"

namespace {

namespace ko = kokkeops;
namespace kt = kokkeops::test;
using namespace kokkeops::formulas;

using Exec = KOKKEOPS_TEST_EXEC;
using Mem = Kokkos::Device<Exec, Exec::memory_space>;  // views whose execution space is the one under test

template <class T, class Mem2 = Mem>
kt::Mat<T, Mem2> uniform_mat(long rows, int dim, unsigned seed) {
  kt::Mat<T, Mem2> v("uniform", rows, dim);
  auto h = Kokkos::create_mirror_view(v);
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> u(0, 1);
  for (long r = 0; r < rows; ++r)
    for (int k = 0; k < dim; ++k) h(r, k) = static_cast<T>(u(gen));
  Kokkos::deep_copy(v, h);
  return v;
}

// max |a - ref| / max |ref|
template <class V>
double max_rel_diff(const V& a, const std::vector<long double>& ref) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
  double num = 0, den = 0;
  const long n = static_cast<long>(h.extent(0));
  const int dv = static_cast<int>(h.extent(1));
  for (long i = 0; i < n; ++i)
    for (int c = 0; c < dv; ++c) {
      num = std::max(num, std::fabs(static_cast<double>(h(i, c) - ref[static_cast<std::size_t>(i * dv + c)])));
      den = std::max(den, std::fabs(static_cast<double>(ref[static_cast<std::size_t>(i * dv + c)])));
    }
  return num / den;
}

// Independent check: per column ||b - alpha a - K a|| / ||b|| with a fresh Genred.
template <class F, class V, class... Args>
std::vector<double> residuals(const F& f, double alpha, const V& a, const V& b, const Args&... args_before_b) {
  using T = typename V::non_const_value_type;
  kt::Mat<T, Mem> ka("ka", a.extent(0), a.extent(1));
  ko::Genred(ko::Sum(f), ko::axis::j)(ka, args_before_b..., a);
  auto ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
  auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b);
  auto hk = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ka);
  std::vector<double> res;
  for (int c = 0; c < static_cast<int>(a.extent(1)); ++c) {
    double r2 = 0, b2 = 0;
    for (long i = 0; i < static_cast<long>(a.extent(0)); ++i) {
      const double r = double(hb(i, c)) - alpha * double(ha(i, c)) - double(hk(i, c));
      r2 += r * r;
      b2 += double(hb(i, c)) * double(hb(i, c));
    }
    res.push_back(std::sqrt(r2 / b2));
  }
  return res;
}

// KeOps' own test (test_invkernel): x, b ~ U[0,1)^(10 x 3), Exp(-0.4 SqDist(x, y)) * b, alpha 0.1, float32.
TEST(KernelSolve, KeOpsDenseCaseFloat) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 3> b;
  const auto f = Exp(-0.4 * SqDist(x, y)) * b;
  auto xv = uniform_mat<float>(10, 3, 1), bv = uniform_mat<float>(10, 3, 2);
  kt::Mat<float, Mem> a("a", 10, 3);
  const auto rep = ko::KernelSolve(f, b, ko::axis::j)(a, xv, xv, bv, ko::SolveOptions{}.alpha(0.1).tolerance(1e-6));
  const auto ref = kt::dense_solve(f, kt::host_args(xv, xv, bv), 2, 10, 3, 0.1);
  EXPECT_LT(max_rel_diff(a, ref), 1e-4) << rep.summary();
  EXPECT_LE(rep.iterations, 30);
}

template <class T>
class KernelSolveTyped : public ::testing::Test {};
using Precisions = kokkeops::test::Precisions;
TYPED_TEST_SUITE(KernelSolveTyped, Precisions);

// N = 200 and 500 in double against the dense solve at 1e-10; both axes; Dv = 1 and 2.
TEST(KernelSolve, DenseReferenceDouble) {
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  const Vj<2, 2> b;
  const Pm<3, 1> g;
  const auto f = Exp(-g * SqDist(x, y)) * b;
  for (long n : {200L, 500L}) {
    auto xv = kt::random_mat<double, Mem>(n, 2, static_cast<unsigned>(10 + n)),
         bv = kt::random_mat<double, Mem>(n, 2, static_cast<unsigned>(20 + n));
    auto gv = kt::param<double, Mem>({2.0});
    kt::Mat<double, Mem> a("a", n, 2);
    const auto rep =
        ko::KernelSolve(f, b, ko::axis::j)(a, xv, xv, bv, gv, ko::SolveOptions{}.alpha(0.5).tolerance(1e-13));
    EXPECT_TRUE(rep.converged) << rep.summary();
    const auto ref = kt::dense_solve(f, kt::host_args(xv, xv, bv, gv), 2, n, 2, 0.5);
    EXPECT_LT(max_rel_diff(a, ref), 1e-10) << "n=" << n << " " << rep.summary();
  }
}

// Block-sparse solve: (alpha Id + K_masked) a = b with the mask from ranges, against a dense Cholesky
// solve of the masked matrix; Jacobi uses the masked diagonal; Nystrom is refused with ranges.
TEST(KernelSolve, RangesEqualMaskedDenseSolve) {
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  const Vj<2, 2> b;
  const auto f = Exp(-2.0 * SqDist(x, y)) * b;
  const long n = 300;
  auto xv = kt::random_mat<double, Mem>(n, 2, 5), bv = kt::random_mat<double, Mem>(n, 2, 6);
  // Clusters of 30 points; keep the diagonal blocks and the pair (0, 1), (1, 0).
  const long cs = 30, nc = n / cs;
  std::vector<long> cr;
  for (long c = 0; c < nc; ++c) cr.insert(cr.end(), {c * cs, (c + 1) * cs});
  Kokkos::View<char**, Kokkos::LayoutRight, Kokkos::HostSpace> keep("keep", nc, nc);
  for (long c = 0; c < nc; ++c) keep(c, c) = 1;
  keep(0, 1) = keep(1, 0) = 1;
  auto rc = ko::impl::pairs_view<int, Mem>("clusters", cr);
  const auto ranges = ko::from_matrix<int, Mem>(rc, rc, keep);
  const auto kept = [&](long i, long j) { return keep(i / cs, j / cs) != 0; };
  const auto ref = kt::dense_solve(f, kt::host_args(xv, xv, bv), 2, n, 2, 0.5, kept);
  for (auto pre : {ko::Preconditioner::none, ko::Preconditioner::jacobi, ko::Preconditioner::automatic}) {
    kt::Mat<double, Mem> a("a", n, 2);
    const auto rep = ko::KernelSolve(f, b, ko::axis::j)(
        ranges, a, xv, xv, bv, ko::SolveOptions{}.alpha(0.5).tolerance(1e-13).preconditioner(pre));
    EXPECT_TRUE(rep.converged) << rep.summary();
    if (pre == ko::Preconditioner::automatic) {
      EXPECT_EQ(rep.preconditioner, ko::Preconditioner::jacobi);
    }
    EXPECT_LT(max_rel_diff(a, ref), 1e-10) << rep.summary();
  }
  // The dense solve differs: the mask matters.
  kt::Mat<double, Mem> ad("ad", n, 2);
  ko::KernelSolve(f, b, ko::axis::j)(ad, xv, xv, bv, ko::SolveOptions{}.alpha(0.5).tolerance(1e-13));
  EXPECT_GT(max_rel_diff(ad, ref), 1e-3);
  kt::Mat<double, Mem> an("an", n, 2);
  kt::expect_rejected(an, [&] {
    ko::KernelSolve(f, b, ko::axis::j)(ranges, an, xv, xv, bv,
                                       ko::SolveOptions{}.alpha(0.5).preconditioner(ko::Preconditioner::nystrom));
  }, "not supported with ranges");
}

// float64 data with float32 products in the loop: iterative refinement reaches float64 accuracy.
TEST(KernelSolve, MixedPrecisionReachesDoubleAccuracy) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> b;
  const auto f = Exp(-Norm2(x - y)) * b;
  const long n = 300;
  auto xv = kt::random_mat<double, Mem>(n, 3, 31), bv = kt::random_mat<double, Mem>(n, 2, 32);
  kt::Mat<double, Mem> a("a", n, 2);
  const auto rep = ko::KernelSolve(f, b, ko::axis::j)(
      a, xv, xv, bv, ko::SolveOptions{}.alpha(0.1).tolerance(1e-11).mixed_precision().nystrom(50));
  EXPECT_TRUE(rep.converged) << rep.summary();
  EXPECT_GE(rep.restarts, 1) << "float32 products alone cannot reach 1e-11: the refinement must restart";
  for (double r : rep.relative_residual) EXPECT_LE(r, 1e-11);
  const auto ref = kt::dense_solve(f, kt::host_args(xv, xv, bv), 2, n, 2, 0.1);
  EXPECT_LT(max_rel_diff(a, ref), 1e-9) << rep.summary();
}

// axis::i: the unknown is a Vi variable, the output indexed by j.
TEST(KernelSolve, AxisI) {
  const Vi<0, 1> u;
  const Vj<1, 3> y;
  const Vi<2, 3> x;
  const auto f = Inv(1 + SqDist(x, y)) * u;
  const long n = 150;
  auto xv = kt::random_mat<double, Mem>(n, 3, 5), bv = kt::random_mat<double, Mem>(n, 1, 6);
  kt::Mat<double, Mem> a("a", n, 1);
  const auto rep = ko::KernelSolve(f, u, ko::axis::i)(a, bv, xv, xv, ko::SolveOptions{}.alpha(0.2).tolerance(1e-13));
  EXPECT_TRUE(rep.converged) << rep.summary();
  // Same system written over j.
  const Vj<0, 1> uj;
  const Vi<1, 3> xi;
  const Vj<2, 3> yj;
  const auto ref = kt::dense_solve(Inv(1 + SqDist(xi, yj)) * uj, kt::host_args(bv, xv, xv), 0, n, 1, 0.2);
  EXPECT_LT(max_rel_diff(a, ref), 1e-10) << rep.summary();
}

// Large N: each column's true residual meets the tolerance, checked by an independent Genred.
TYPED_TEST(KernelSolveTyped, LargeMultipleRightHandSides) {
  using T = TypeParam;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 3> b;
  const auto f = Exp(-SqDist(x, y)) * b;
  const long n = 3000;
  const double tol = sizeof(T) == 4 ? 1e-4 : 1e-8;
  auto xv = kt::random_mat<T, Mem>(n, 3, 7), bv = kt::random_mat<T, Mem>(n, 3, 8);
  kt::Mat<T, Mem> a("a", n, 3);
  const auto rep = ko::KernelSolve(f, b, ko::axis::j)(a, xv, xv, bv, ko::SolveOptions{}.alpha(0.1).tolerance(tol));
  EXPECT_TRUE(rep.converged) << rep.summary();
  ASSERT_EQ(rep.relative_residual.size(), 3u);
  const auto res = residuals(f, 0.1, a, bv, xv, xv);
  for (int c = 0; c < 3; ++c) {
    EXPECT_LE(rep.relative_residual[c], tol) << "column " << c;
    EXPECT_LE(res[c], 2 * tol) << "column " << c << ", independent check";
    EXPECT_GT(rep.column_iterations[c], 0);
  }
}

// Jacobi and Nystrom reach the same solution as no preconditioner; Nystrom needs fewer iterations
// on an ill-conditioned system (wide Gaussian, small alpha).
TEST(KernelSolve, PreconditionersAgreeAndNystromHelps) {
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  const Vj<2, 1> b;
  const auto f = Exp(-0.5 * SqDist(x, y)) * b;
  const long n = 1500;
  auto xv = kt::random_mat<double, Mem>(n, 2, 11), bv = kt::random_mat<double, Mem>(n, 1, 12);
  kt::Mat<double, Mem> a0("a0", n, 1), a1("a1", n, 1), a2("a2", n, 1);
  auto K = ko::KernelSolve(f, b, ko::axis::j);
  const auto base = ko::SolveOptions{}.alpha(1e-3).tolerance(1e-9).max_iterations(5000).preconditioner(ko::Preconditioner::none);
  const auto r0 = K(a0, xv, xv, bv, base);
  const auto r1 = K(a1, xv, xv, bv, ko::SolveOptions(base).jacobi());
  const auto r2 = K(a2, xv, xv, bv, ko::SolveOptions(base).nystrom(100, 42));
  for (const auto* r : {&r0, &r1, &r2}) EXPECT_TRUE(r->converged) << r->summary();
  auto h0 = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a0);
  std::vector<long double> ref(h0.data(), h0.data() + n);
  EXPECT_LT(max_rel_diff(a1, ref), 1e-5);
  EXPECT_LT(max_rel_diff(a2, ref), 1e-5);
  EXPECT_EQ(r2.landmarks, 100);
  EXPECT_LT(r2.iterations * 3, r0.iterations) << "none: " << r0.summary() << "\nnystrom: " << r2.summary();
}

// The defaults (issue 16): SolveOptions{} chooses the preconditioner (Nystrom on a dense system with
// alpha >= 1e-4 and n >= 2000, Jacobi otherwise) and a tolerance the data type reaches (float 5e-5, double
// 1e-6); the seed problem's kernel converges with them, checked independently.
TEST(KernelSolve, DefaultsAreTheFastPath) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> b;
  const auto f = Exp(-Norm2(x - y)) * b;
  auto K = ko::KernelSolve(f, b, ko::axis::j);
  const ko::SolveOptions defaults;
  EXPECT_EQ(defaults.preconditioner(), ko::Preconditioner::automatic);
  EXPECT_EQ(defaults.tolerance(), 0.0);
  EXPECT_EQ(defaults.tolerance_for<float>(), 5e-5);
  EXPECT_EQ(defaults.tolerance_for<double>(), 1e-6);
  EXPECT_EQ(ko::SolveOptions{}.tolerance(1e-3).tolerance_for<float>(), 1e-3);
  const long n = 2500;
  const auto xf = kt::random_mat<float, Mem>(n, 3, 21), bf = kt::random_mat<float, Mem>(n, 2, 22);
  kt::Mat<float, Mem> af("af", n, 2);
  const auto rf = K(af, xf, xf, bf, ko::SolveOptions{}.alpha(0.1));
  EXPECT_EQ(rf.preconditioner, ko::Preconditioner::nystrom) << rf.summary();
  EXPECT_GT(rf.landmarks, 0);
  EXPECT_TRUE(rf.converged) << rf.summary();
  for (double r : residuals(f, 0.1, af, bf, xf, xf)) EXPECT_LE(r, 1e-4) << rf.summary();
  const auto xd = kt::random_mat<double, Mem>(n, 3, 21), bd = kt::random_mat<double, Mem>(n, 2, 22);
  kt::Mat<double, Mem> ad("ad", n, 2);
  const auto rd = K(ad, xd, xd, bd, ko::SolveOptions{}.alpha(0.1));
  EXPECT_EQ(rd.preconditioner, ko::Preconditioner::nystrom) << rd.summary();
  EXPECT_TRUE(rd.converged) << rd.summary();
  for (double r : residuals(f, 0.1, ad, bd, xd, xd)) EXPECT_LE(r, 2e-6) << rd.summary();
  EXPECT_LT(rd.iterations, 100) << rd.summary();
  // Jacobi: a small alpha, or few points.
  kt::Mat<double, Mem> a2("a2", n, 2);
  EXPECT_EQ(K(a2, xd, xd, bd, ko::SolveOptions{}.alpha(1e-5).max_iterations(3)).preconditioner,
            ko::Preconditioner::jacobi);
  const long few = 500;
  const auto xs = Kokkos::subview(xd, std::make_pair(0L, few), Kokkos::ALL);
  const auto bs = Kokkos::subview(bd, std::make_pair(0L, few), Kokkos::ALL);
  kt::Mat<double, Mem> a3("a3", few, 2);
  EXPECT_EQ(K(a3, xs, xs, bs, ko::SolveOptions{}.alpha(0.1)).preconditioner, ko::Preconditioner::jacobi);
}

TEST(KernelSolve, MaxIterationsRespected) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 1> b;
  const auto f = Exp(-0.1 * SqDist(x, y)) * b;
  auto xv = kt::random_mat<double, Mem>(800, 3, 1), bv = kt::random_mat<double, Mem>(800, 1, 2);
  kt::Mat<double, Mem> a("a", 800, 1);
  const auto rep = ko::KernelSolve(f, b, ko::axis::j)(a, xv, xv, bv,
                                                      ko::SolveOptions{}.alpha(1e-6).tolerance(1e-12).max_iterations(3));
  EXPECT_EQ(rep.iterations, 3);
  EXPECT_FALSE(rep.converged);
  EXPECT_EQ(rep.reason, ko::StopReason::max_iterations);
  EXPECT_GT(rep.relative_residual[0], 1e-12);
}

// A negative definite operator: p^T A p < 0 at the first step, reported, not looped on.
TEST(KernelSolve, IndefiniteOperatorIsBreakdown) {
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  const Vj<2, 1> b;
  const auto f = -Exp(-SqDist(x, y)) * b;
  auto xv = kt::random_mat<double, Mem>(100, 2, 1), bv = kt::random_mat<double, Mem>(100, 1, 2);
  kt::Mat<double, Mem> a("a", 100, 1);
  const auto rep = ko::KernelSolve(f, b, ko::axis::j)(a, xv, xv, bv, ko::SolveOptions{}.alpha(0));
  EXPECT_FALSE(rep.converged);
  EXPECT_EQ(rep.reason, ko::StopReason::breakdown);
  EXPECT_LE(rep.iterations, 2);
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
  for (long i = 0; i < 100; ++i) EXPECT_TRUE(std::isfinite(h(i, 0)));
}

TEST(KernelSolve, ZeroRightHandSideAndExactInitialGuess) {
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  const Vj<2, 2> b;
  const auto f = Exp(-SqDist(x, y)) * b;
  auto K = ko::KernelSolve(f, b, ko::axis::j);
  auto xv = kt::random_mat<double, Mem>(300, 2, 1);
  kt::Mat<double, Mem> zero("zero", 300, 2), a("a", 300, 2);
  Kokkos::deep_copy(a, 3.0);
  auto rep = K(a, xv, xv, zero, ko::SolveOptions{}.alpha(0.1));
  EXPECT_TRUE(rep.converged);
  EXPECT_EQ(rep.iterations, 0);
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
  for (long i = 0; i < 300; ++i) EXPECT_EQ(h(i, 0), 0.0);
  // Solve once, then restart from the solution: nothing left to do.
  auto bv = kt::random_mat<double, Mem>(300, 2, 2);
  rep = K(a, xv, xv, bv, ko::SolveOptions{}.alpha(0.1).tolerance(1e-10));
  ASSERT_TRUE(rep.converged);
  EXPECT_GT(rep.iterations, 0);
  rep = K(a, xv, xv, bv, ko::SolveOptions{}.alpha(0.1).tolerance(1e-9).initial_guess());
  EXPECT_TRUE(rep.converged);
  EXPECT_EQ(rep.iterations, 0);
}

// KeOps' absolute RMS stopping test over the whole block.
TEST(KernelSolve, KeOpsAbsoluteCriterion) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> b;
  const auto f = Exp(-SqDist(x, y)) * b;
  auto xv = kt::random_mat<double, Mem>(500, 3, 3), bv = kt::random_mat<double, Mem>(500, 2, 4);
  kt::Mat<double, Mem> a("a", 500, 2);
  const auto rep = ko::KernelSolve(f, b, ko::axis::j)(
      a, xv, xv, bv, ko::SolveOptions{}.alpha(0.1).tolerance(1e-6).criterion(ko::StopCriterion::keops_absolute));
  EXPECT_TRUE(rep.converged) << rep.summary();
  EXPECT_LT(rep.rms_residual, 1e-6);
}

// ---------------------------------------------------------------- rejected inputs

TEST(KernelSolveValidation, BadOptionsAndShapes) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> b;
  auto K = ko::KernelSolve(Exp(-SqDist(x, y)) * b, b, ko::axis::j);
  auto xv = kt::random_mat<double, Mem>(50, 3, 1), bv = kt::random_mat<double, Mem>(50, 2, 2);
  auto a = kt::random_mat<double, Mem>(50, 2, 3);
  const auto O = [] { return ko::SolveOptions{}; };
  kt::expect_rejected(a, [&] { K(a, xv, xv, bv, O().alpha(-1)); }, "alpha must be finite and >= 0, got -1");
  kt::expect_rejected(a, [&] { K(a, xv, xv, bv, O().alpha(std::nan(""))); }, "alpha must be finite");
  kt::expect_rejected(a, [&] { K(a, xv, xv, bv, O().alpha(INFINITY)); }, "alpha must be finite");
  kt::expect_rejected(a, [&] { K(a, xv, xv, bv, O().tolerance(0)); }, "tolerance must be finite and > 0");
  kt::expect_rejected(a, [&] { K(a, xv, xv, bv, O().tolerance(-1e-3)); }, "tolerance");
  kt::expect_rejected(a, [&] { K(a, xv, xv, bv, O().max_iterations(0)); }, "max_iterations must be >= 1");
  kt::expect_rejected(a, [&] { K(a, xv, xv, bv, O().alpha(0.1).nystrom(51)); }, "exceed the number of points");
  kt::expect_rejected(a, [&] { K(a, xv, xv, bv, O().alpha(0).nystrom(10)); }, "needs alpha > 0");
  auto y40 = kt::random_mat<double, Mem>(40, 3, 4);
  auto b40 = kt::random_mat<double, Mem>(40, 2, 5);
  kt::expect_rejected(a, [&] { K(a, xv, y40, b40, O()); }, "must be square");
  auto b3 = kt::random_mat<double, Mem>(50, 3, 6);
  kt::expect_rejected(a, [&] { K(a, xv, xv, b3, O()); }, "argument 2 (Vj(2,2))");
  kt::Mat<double, Mem> a3("a3", 50, 3);
  kt::expect_rejected(a3, [&] { K(a3, xv, xv, bv, O()); }, "output: expected a rank-2 view of shape (n, 2)");
  kt::expect_rejected(bv, [&] { K(bv, xv, xv, bv, O()); }, "shares memory with the output");
  kt::expect_rejected(a, [&] { K(a, xv, xv); }, "expected 3 arguments");
}

TEST(KernelSolveValidation, NonFiniteInputs) {
  const Vi<0, 1> x;
  const Vj<1, 1> y;
  const Vj<2, 1> b;
  auto K = ko::KernelSolve(Exp(-SqDist(x, y)) * b, b, ko::axis::j);
  auto xv = kt::random_mat<double, Mem>(20, 1, 1), bv = kt::random_mat<double, Mem>(20, 1, 2);
  auto a = kt::random_mat<double, Mem>(20, 1, 3);
  auto bad = kt::random_mat<double, Mem>(20, 1, 4);
  auto h = Kokkos::create_mirror_view(bad);
  Kokkos::deep_copy(h, bad);
  h(7, 0) = std::nan("");
  Kokkos::deep_copy(bad, h);
  kt::expect_rejected(a, [&] { K(a, xv, xv, bad); }, "argument 2 (the right-hand side) contains NaN");
  h(7, 0) = INFINITY;
  Kokkos::deep_copy(bad, h);
  kt::expect_rejected(a, [&] { K(a, bad, bad, bv); }, "argument 0 contains NaN or infinite values");
}

TEST(KernelSolveValidation, BadUnknown) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 1> b;
  const Vj<3, 1> other;
  const Vi<2, 1> bi;
  EXPECT_THROW(ko::KernelSolve(Exp(-SqDist(x, y)) * b, other, ko::axis::j), ko::Error);
  try {
    ko::KernelSolve(Exp(-SqDist(x, y)) * b, other, ko::axis::j);
  } catch (const ko::Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not appear in the formula"), std::string::npos) << e.what();
  }
  try {
    ko::KernelSolve(Exp(-SqDist(x, y)) * b, b, ko::axis::i);
    ADD_FAILURE() << "a Vj unknown for a reduction over i must be rejected";
  } catch (const ko::Error& e) {
    EXPECT_NE(std::string(e.what()).find("must be indexed by the reduced axis"), std::string::npos) << e.what();
  }
  try {
    ko::KernelSolve(Exp(-SqDist(x, y)) * b + Sum(x), b, ko::axis::j);
  } catch (const ko::Error& e) {
    ADD_FAILURE() << "dimension 1 formula and unknown are fine: " << e.what();
  }
  try {
    ko::KernelSolve(Exp(-SqDist(x, y)) * b * x, b, ko::axis::j);
    ADD_FAILURE() << "a formula of dimension 3 with an unknown of dimension 1 must be rejected";
  } catch (const ko::Error& e) {
    EXPECT_NE(std::string(e.what()).find("has dimension 3 but the unknown has dimension 1"), std::string::npos);
  }
  (void)bi;
}

}  // namespace

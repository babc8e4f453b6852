// Bad inputs that tests/validation.hpp (Genred) and tests/kernel_solve.hpp (KernelSolve) do not cover yet,
// and the solver's robustness on hard but valid systems. Every rejected call must throw kokkeops::Error
// with a clear message and leave its output byte-for-byte unchanged (kt::expect_rejected checks both).
// Gradients and ranges do not exist yet: their bad inputs are not tested here.
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <limits>

#include "test_helpers.hpp"

namespace {

namespace ko = kokkeops;
namespace kt = kokkeops::test;
using namespace kokkeops::formulas;

using Exec = KOKKEOPS_TEST_EXEC;
using Mem = Kokkos::Device<Exec, Exec::memory_space>;  // views whose execution space is the one under test
using T = double;

auto gauss_sum() {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> b;
  const Pm<3, 1> g;
  return ko::Genred(ko::Sum(Exp(-g * SqDist(x, y)) * b), ko::axis::j);
}

auto gauss_solver() {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> b;
  const Pm<3, 1> g;
  return ko::KernelSolve(Exp(-g * SqDist(x, y)) * b, b, ko::axis::j);
}

template <class V>
void set_entry(const V& v, long i, int k, typename V::non_const_value_type value) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  h(i, k) = value;
  Kokkos::deep_copy(v, h);
}

template <class V>
auto to_host(const V& v) {
  return Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
}

// ================================================================ Genred

// The output is part of a larger allocation that an input overlaps only partly: still aliasing.
TEST(GenredBadInput, OutputPartlyOverlappingAnInput) {
  auto K = gauss_sum();
  auto xv = kt::random_mat<T, Mem>(10, 3, 1), yv = kt::random_mat<T, Mem>(12, 3, 2);
  auto gv = kt::param<T, Mem>({0.5});
  auto big = kt::random_mat<T, Mem>(30, 2, 3);
  auto out = Kokkos::subview(big, std::make_pair(0, 10), Kokkos::ALL);   // rows 0..9
  auto bv = Kokkos::subview(big, std::make_pair(8, 20), Kokkos::ALL);    // rows 8..19: shares rows 8, 9
  ASSERT_EQ(bv.extent(0), 12u);
  kt::expect_rejected(big, [&] { K(out, xv, yv, bv, gv); }, "argument 2 (Vj(2,2)): shares memory with the output");
  // Adjacent but disjoint rows of the same allocation are fine.
  auto bv2 = Kokkos::subview(big, std::make_pair(10, 22), Kokkos::ALL);
  EXPECT_NO_THROW(K(out, xv, yv, bv2, gv));
}

// A parameter given as an empty view, a reduced variable with zero columns.
TEST(GenredBadInput, EmptyParameterAndZeroColumns) {
  auto K = gauss_sum();
  auto xv = kt::random_mat<T, Mem>(10, 3, 1), yv = kt::random_mat<T, Mem>(12, 3, 2), bv = kt::random_mat<T, Mem>(12, 2, 3);
  auto out = kt::random_mat<T, Mem>(10, 2, 4);
  kt::Vec<T, Mem> g0("g0", 0);
  kt::expect_rejected(out, [&] { K(out, xv, yv, bv, g0); }, "argument 3 (Pm(3,1)): expected a rank-1 view of length 1, got shape (0)");
  kt::Mat<T, Mem> y0("y0", 12, 0);
  kt::expect_rejected(out, [&] { K(out, xv, y0, bv, kt::param<T, Mem>({0.5})); }, "got shape (12, 0)");
}

// Empty inputs are valid: n = 0 gives an empty output, m = 0 the sum's neutral element (zeros) even
// where the output held garbage.
TEST(GenredBadInput, EmptyInputsAreValid) {
  auto K = gauss_sum();
  auto gv = kt::param<T, Mem>({0.5});
  kt::Mat<T, Mem> x0("x0", 0, 3), out0("out0", 0, 2);
  EXPECT_NO_THROW(K(out0, x0, kt::random_mat<T, Mem>(5, 3, 1), kt::random_mat<T, Mem>(5, 2, 2), gv));
  kt::Mat<T, Mem> y0("y0", 0, 3), b0("b0", 0, 2);
  auto out = kt::random_mat<T, Mem>(6, 2, 3);
  K(out, kt::random_mat<T, Mem>(6, 3, 4), y0, b0, gv);
  auto h = to_host(out);
  for (long i = 0; i < 6; ++i)
    for (int k = 0; k < 2; ++k) EXPECT_EQ(h(i, k), 0.0) << i << "," << k;
  // Both empty.
  EXPECT_NO_THROW(K(out0, x0, y0, b0, gv));
}

// Genred does not scan its inputs for NaN/inf (KeOps does not either: the pass would cost as much as a
// small reduction). What it guarantees instead: IEEE propagation confined to the rows a bad value can
// reach, and no crash. A NaN in x_i spoils row i only; a NaN in b_j spoils every row (all weights > 0).
TEST(GenredBadInput, NonFiniteValuesPropagateOnlyWhereTheyReach) {
  auto K = gauss_sum();
  auto xv = kt::random_mat<T, Mem>(40, 3, 1), yv = kt::random_mat<T, Mem>(30, 3, 2), bv = kt::random_mat<T, Mem>(30, 2, 3);
  auto gv = kt::param<T, Mem>({0.5});
  kt::Mat<T, Mem> clean("clean", 40, 2), out("out", 40, 2);
  K(clean, xv, yv, bv, gv);
  auto xbad = kt::random_mat<T, Mem>(40, 3, 1);
  set_entry(xbad, 17, 1, std::numeric_limits<T>::quiet_NaN());
  K(out, xbad, yv, bv, gv);
  auto hc = to_host(clean);
  auto ho = to_host(out);
  for (long i = 0; i < 40; ++i)
    for (int k = 0; k < 2; ++k) {
      if (i == 17) {
        EXPECT_TRUE(std::isnan(ho(i, k))) << "row 17 holds the NaN point";
      } else {
        EXPECT_EQ(ho(i, k), hc(i, k)) << "row " << i << " does not involve the NaN point";
      }
    }
  auto bbad = kt::random_mat<T, Mem>(30, 2, 3);
  set_entry(bbad, 4, 0, std::numeric_limits<T>::quiet_NaN());
  K(out, xv, yv, bbad, gv);
  ho = to_host(out);
  for (long i = 0; i < 40; ++i) {
    EXPECT_TRUE(std::isnan(ho(i, 0))) << "every row sums b(4, 0)";
    EXPECT_EQ(ho(i, 1), hc(i, 1)) << "column 1 never sees the NaN";
  }
}

// Memory spaces: where the execution space can read HostSpace (every CPU backend) a HostSpace view is a
// valid argument and gives the same result as one in the backend's own space; where it cannot (a GPU
// backend without unified memory), it is rejected and the output is untouched. One test, both cases,
// decided at compile time from Kokkos::SpaceAccessibility.
TEST(GenredBadInput, HostSpaceViewsAcceptedOrRejectedByAccessibility) {
  auto K = gauss_sum();
  auto xv = kt::random_mat<T, Mem>(10, 3, 1), yv = kt::random_mat<T, Mem>(12, 3, 2), bv = kt::random_mat<T, Mem>(12, 2, 3);
  auto gv = kt::param<T, Mem>({0.5});
  kt::Mat<T, Mem> ref("ref", 10, 2);
  K(ref, xv, yv, bv, gv);
  kt::Mat<T, Kokkos::HostSpace> xh("xh", 10, 3), outh("outh", 10, 2);
  Kokkos::deep_copy(xh, xv);
  auto out = kt::random_mat<T, Mem>(10, 2, 4);
  if constexpr (Kokkos::SpaceAccessibility<Exec, Kokkos::HostSpace>::accessible) {
    K(out, xh, yv, bv, gv);
    EXPECT_EQ(kt::bytes_of(out), kt::bytes_of(ref)) << "a HostSpace argument must give the same result";
    K(outh, xv, yv, bv, gv);
    EXPECT_EQ(kt::bytes_of(outh), kt::bytes_of(ref)) << "a HostSpace output must give the same result";
  } else {
    kt::expect_rejected(out, [&] { K(out, xh, yv, bv, gv); }, "argument 0 (Vi(0,3)): view in memory space HostSpace is not accessible");
    Kokkos::deep_copy(outh, 5.0);
    kt::expect_rejected(outh, [&] { K(outh, xv, yv, bv, gv); }, "output: memory space HostSpace is not accessible");
  }
}

// ================================================================ KernelSolve

TEST(KernelSolveBadInput, NonFiniteOptions) {
  auto S = gauss_solver();
  auto xv = kt::random_mat<T, Mem>(30, 3, 1), bv = kt::random_mat<T, Mem>(30, 2, 2);
  auto gv = kt::param<T, Mem>({0.5});
  auto a = kt::random_mat<T, Mem>(30, 2, 3);
  const auto O = [] { return ko::SolveOptions{}.alpha(0.1); };
  kt::expect_rejected(a, [&] { S(a, xv, xv, bv, gv, O().tolerance(std::nan(""))); }, "tolerance must be finite and > 0, got nan");
  kt::expect_rejected(a, [&] { S(a, xv, xv, bv, gv, O().tolerance(INFINITY)); }, "tolerance must be finite and > 0, got inf");
  kt::expect_rejected(a, [&] { S(a, xv, xv, bv, gv, O().max_iterations(-5)); }, "max_iterations must be >= 1, got -5");
  kt::expect_rejected(a, [&] { S(a, xv, xv, bv, gv, O().alpha(-INFINITY)); }, "alpha must be finite and >= 0");
  kt::expect_rejected(a, [&] { S(a, xv, xv, bv, gv, O().alpha(-1e-300)); }, "alpha must be finite and >= 0");
}

TEST(KernelSolveBadInput, MismatchedRowsAndDims) {
  auto S = gauss_solver();
  auto xv = kt::random_mat<T, Mem>(30, 3, 1), bv = kt::random_mat<T, Mem>(30, 2, 2);
  auto gv = kt::param<T, Mem>({0.5});
  auto a = kt::random_mat<T, Mem>(30, 2, 3);
  auto b25 = kt::random_mat<T, Mem>(25, 2, 4);
  kt::expect_rejected(a, [&] { S(a, xv, xv, b25, gv); }, "argument 2 (Vj(2,2)): has 25 rows, expected 30");
  auto x2 = kt::random_mat<T, Mem>(30, 2, 5);
  kt::expect_rejected(a, [&] { S(a, x2, xv, bv, gv); }, "argument 0 (Vi(0,3)): expected a rank-2 view of shape (n, 3), got shape (30, 2)");
  kt::expect_rejected(a, [&] { S(a, xv, x2, bv, gv); }, "argument 1 (Vj(1,3))");
  auto a25 = kt::random_mat<T, Mem>(25, 2, 6);
  kt::expect_rejected(a25, [&] { S(a25, xv, xv, bv, gv); }, "argument 0 (Vi(0,3)): has 30 rows, expected 25");
  kt::expect_rejected(a, [&] { S(a, xv, xv, bv, kt::param<T, Mem>({0.5, 1.0})); }, "argument 3 (Pm(3,1))");
  kt::expect_rejected(a, [&] { S(a, xv, xv, bv, gv, gv, ko::SolveOptions{}); }, "expected 4 arguments");
  auto xf = kt::random_mat<float, Mem>(30, 3, 7);
  kt::expect_rejected(a, [&] { S(a, xf, xf, bv, gv); }, "value type differs");
}

TEST(KernelSolveBadInput, NonFinitePointsParametersAndRightHandSides) {
  auto S = gauss_solver();
  auto xv = kt::random_mat<T, Mem>(30, 3, 1), bv = kt::random_mat<T, Mem>(30, 2, 2);
  auto gv = kt::param<T, Mem>({0.5});
  auto a = kt::random_mat<T, Mem>(30, 2, 3);
  auto ybad = kt::random_mat<T, Mem>(30, 3, 1);
  set_entry(ybad, 29, 2, -INFINITY);
  kt::expect_rejected(a, [&] { S(a, xv, ybad, bv, gv); }, "argument 1 contains NaN or infinite values");
  auto bbad = kt::random_mat<T, Mem>(30, 2, 2);
  set_entry(bbad, 0, 1, -INFINITY);
  kt::expect_rejected(a, [&] { S(a, xv, xv, bbad, gv); }, "argument 2 (the right-hand side) contains NaN or infinite values");
  auto gbad = kt::param<T, Mem>({std::nan("")});
  kt::expect_rejected(a, [&] { S(a, xv, xv, bv, gbad); }, "argument 3 contains NaN or infinite values");
}

TEST(KernelSolveBadInput, SolutionAliasingPointsOrParameters) {
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  const Vj<2, 2> b;
  auto S = ko::KernelSolve(Exp(-SqDist(x, y)) * b, b, ko::axis::j);
  auto xv = kt::random_mat<T, Mem>(30, 2, 1), bv = kt::random_mat<T, Mem>(30, 2, 2);
  kt::expect_rejected(xv, [&] { S(xv, xv, xv, bv); }, "argument 0 (Vi(0,2)): shares memory with the output");
  auto yv = kt::random_mat<T, Mem>(30, 2, 3);
  kt::expect_rejected(yv, [&] { S(yv, xv, yv, bv); }, "argument 1 (Vj(1,2)): shares memory with the output");
}

// With initial_guess() the solution view is an input too: a NaN or infinite guess is rejected like any
// other non-finite input (CG from it could only give a NaN solution), and the view is left as it was.
TEST(KernelSolveBadInput, NonFiniteInitialGuess) {
  auto S = gauss_solver();
  auto xv = kt::random_mat<T, Mem>(30, 3, 1), bv = kt::random_mat<T, Mem>(30, 2, 2);
  auto gv = kt::param<T, Mem>({0.5});
  auto a = kt::random_mat<T, Mem>(30, 2, 3);
  set_entry(a, 11, 1, std::numeric_limits<T>::quiet_NaN());
  kt::expect_rejected(a, [&] { S(a, xv, xv, bv, gv, ko::SolveOptions{}.alpha(0.1).initial_guess()); },
                      "the initial guess (the output view) contains NaN or infinite values");
  // Without initial_guess() the view's old contents are not read: NaN there is fine.
  const auto rep = S(a, xv, xv, bv, gv, ko::SolveOptions{}.alpha(0.1));
  EXPECT_TRUE(rep.converged) << rep.summary();
  EXPECT_TRUE([&] {
    auto h = to_host(a);
    for (long i = 0; i < 30; ++i)
      for (int k = 0; k < 2; ++k)
        if (!std::isfinite(h(i, k))) return false;
    return true;
  }());
}

// A solve with no points is valid: nothing to do, a converged report, no NaN anywhere.
TEST(KernelSolveBadInput, EmptySystemIsValid) {
  auto S = gauss_solver();
  kt::Mat<T, Mem> x0("x0", 0, 3), b0("b0", 0, 2), a0("a0", 0, 2);
  const auto rep = S(a0, x0, x0, b0, kt::param<T, Mem>({0.5}), ko::SolveOptions{}.alpha(0.1));
  EXPECT_TRUE(rep.converged) << rep.summary();
  EXPECT_EQ(rep.iterations, 0);
  ASSERT_EQ(rep.relative_residual.size(), 2u);
  for (double r : rep.relative_residual) EXPECT_EQ(r, 0.0);
  EXPECT_EQ(rep.rms_residual, 0.0);
}

TEST(KernelSolveBadInput, HostSpaceViewsAcceptedOrRejectedByAccessibility) {
  auto S = gauss_solver();
  auto xv = kt::random_mat<T, Mem>(40, 3, 1), bv = kt::random_mat<T, Mem>(40, 2, 2);
  auto gv = kt::param<T, Mem>({0.5});
  kt::Mat<T, Mem> ref("ref", 40, 2);
  const auto opt = ko::SolveOptions{}.alpha(0.1).tolerance(1e-12);
  ASSERT_TRUE(S(ref, xv, xv, bv, gv, opt).converged);
  kt::Mat<T, Kokkos::HostSpace> bh("bh", 40, 2);
  Kokkos::deep_copy(bh, bv);
  auto a = kt::random_mat<T, Mem>(40, 2, 3);
  if constexpr (Kokkos::SpaceAccessibility<Exec, Kokkos::HostSpace>::accessible) {
    EXPECT_TRUE(S(a, xv, xv, bh, gv, opt).converged);
    EXPECT_EQ(kt::bytes_of(a), kt::bytes_of(ref)) << "a HostSpace right-hand side must give the same solution";
  } else {
    kt::expect_rejected(a, [&] { S(a, xv, xv, bh, gv, opt); }, "argument 2 (Vj(2,2)): view in memory space HostSpace is not accessible");
  }
}

// ================================================================ solver robustness
// Hard but valid systems: each solve must end (no hang), with a solution free of NaN/inf and a report
// that tells the truth: its residuals match an independent evaluation of b - (alpha Id + K) a.

// ||b - alpha a - K a|| / ||b|| per column (absolute where b = 0), with a fresh Genred; K = Exp(-g SqDist).
template <class V, class G>
std::vector<double> true_residuals(double alpha, const V& a, const V& xv, const V& bv, const G& gv) {
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  const Vj<2, 1> u;
  const Pm<3, 1> g;
  kt::Mat<T, Mem> ka("ka", a.extent(0), 1);
  std::vector<double> res;
  auto hb = to_host(bv);
  auto ha = to_host(a);
  for (int c = 0; c < static_cast<int>(a.extent(1)); ++c) {
    kt::Mat<T, Mem> ac("ac", a.extent(0), 1);
    auto hac = Kokkos::create_mirror_view(ac);
    for (long i = 0; i < static_cast<long>(a.extent(0)); ++i) hac(i, 0) = ha(i, c);
    Kokkos::deep_copy(ac, hac);
    ko::Genred(ko::Sum(Exp(-g * SqDist(x, y)) * u), ko::axis::j)(ka, xv, xv, ac, gv);
    auto hk = to_host(ka);
    double r2 = 0, b2 = 0;
    for (long i = 0; i < static_cast<long>(a.extent(0)); ++i) {
      const double r = hb(i, c) - alpha * ha(i, c) - hk(i, 0);
      r2 += r * r;
      b2 += hb(i, c) * hb(i, c);
    }
    res.push_back(b2 > 0 ? std::sqrt(r2 / b2) : std::sqrt(r2));
  }
  return res;
}

template <class V>
bool all_finite_host(const V& v) {
  auto h = to_host(v);
  for (long i = 0; i < static_cast<long>(h.extent(0)); ++i)
    for (long k = 0; k < static_cast<long>(h.extent(1)); ++k)
      if (!std::isfinite(h(i, k))) return false;
  return true;
}

// Each robustness case prints its report: the run documents what the solver did.
void show(const char* what, const ko::SolveReport& rep) { std::printf("[ report   ] %s: %s\n", what, rep.summary().c_str()); }

// Checks shared by every robustness case: finite solution, per-column report residuals equal to the
// independent ones (to rounding), a column called converged really meets the tolerance (for b = 0: the
// solution is exactly 0), and the overall reason consistent with the columns'.
template <class V, class G>
void expect_honest_report(const ko::SolveReport& rep, double alpha, const V& a, const V& xv, const V& bv, const G& gv,
                          int max_iter, double tol) {
  EXPECT_TRUE(all_finite_host(a)) << "NaN/inf in the solution: " << rep.summary();
  EXPECT_LE(rep.iterations, max_iter);
  const auto res = true_residuals(alpha, a, xv, bv, gv);
  ASSERT_EQ(rep.relative_residual.size(), res.size());
  for (std::size_t c = 0; c < res.size(); ++c) {
    EXPECT_TRUE(std::isfinite(rep.relative_residual[c])) << rep.summary();
    EXPECT_NEAR(rep.relative_residual[c], res[c], 1e-8 + 1e-6 * res[c]) << "column " << c << ": " << rep.summary();
    if (rep.column_reason[c] == ko::StopReason::converged) {
      // res is relative for b != 0 and absolute for b = 0, where converged must mean a = 0 exactly.
      EXPECT_LE(res[c], 2 * tol) << "column " << c << " reported converged: " << rep.summary();
    }
  }
  bool all_conv = true;
  for (const auto r : rep.column_reason) all_conv = all_conv && r == ko::StopReason::converged;
  EXPECT_EQ(rep.converged, all_conv) << rep.summary();
  EXPECT_EQ(rep.converged, rep.reason == ko::StopReason::converged) << rep.summary();
}

struct RobustCase {
  const Vi<0, 2> x{};
  const Vj<1, 2> y{};
  const Vj<2, 2> b{};
  const Pm<3, 1> g{};
  decltype(ko::KernelSolve(Exp(-g * SqDist(x, y)) * b, b, ko::axis::j)) S =
      ko::KernelSolve(Exp(-g * SqDist(x, y)) * b, b, ko::axis::j);
};

// An indefinite operator (alpha Id + K with alpha = -ish: a kernel with both signs of eigenvalues, built
// as the difference of two Gaussians): CG must stop on breakdown or at the budget, never loop or blow up.
TEST(SolverRobustness, IndefiniteKernel) {
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  const Vj<2, 1> b;
  const auto f = (Exp(-4.0 * SqDist(x, y)) - 2.0 * Exp(-0.25 * SqDist(x, y))) * b;
  auto xv = kt::random_mat<T, Mem>(200, 2, 1), bv = kt::random_mat<T, Mem>(200, 1, 2);
  kt::Mat<T, Mem> a("a", 200, 1);
  const auto rep = ko::KernelSolve(f, b, ko::axis::j)(a, xv, xv, bv, ko::SolveOptions{}.alpha(0.5).max_iterations(300));
  show("indefinite, alpha 0.5", rep);
  EXPECT_FALSE(rep.converged) << rep.summary();
  EXPECT_TRUE(rep.reason == ko::StopReason::breakdown || rep.reason == ko::StopReason::max_iterations ||
              rep.reason == ko::StopReason::stagnation)
      << rep.summary();
  EXPECT_LE(rep.iterations, 300);
  EXPECT_TRUE(all_finite_host(a)) << rep.summary();
  for (double r : rep.relative_residual) EXPECT_TRUE(std::isfinite(r)) << rep.summary();
}

// Singular kernel, alpha = 0: g = 0 makes K the all-ones matrix (rank 1). b orthogonal to the range
// (zero mean) is inconsistent: breakdown, not a loop; b in the range (constant) is solved exactly.
TEST(SolverRobustness, SingularKernelWithAlphaZero) {
  RobustCase c;
  const long n = 64;
  auto xv = kt::random_mat<T, Mem>(n, 2, 1);
  auto g0 = kt::param<T, Mem>({0.0});
  kt::Mat<T, Mem> bv("b", n, 2), a("a", n, 2);
  {
    auto h = Kokkos::create_mirror_view(bv);
    for (long i = 0; i < n; ++i) {
      h(i, 0) = (i % 2 == 0) ? 1.0 : -1.0;  // zero mean: K b = 0, no solution
      h(i, 1) = 3.0;                        // constant: a = 3/n solves K a = b
    }
    Kokkos::deep_copy(bv, h);
  }
  const int max_iter = 100;
  const auto rep = c.S(a, xv, xv, bv, g0, ko::SolveOptions{}.alpha(0).tolerance(1e-10).max_iterations(max_iter));
  show("rank-1 K, alpha 0, b = (inconsistent, consistent)", rep);
  expect_honest_report(rep, 0.0, a, xv, bv, g0, max_iter, 1e-10);
  EXPECT_FALSE(rep.converged);
  EXPECT_NE(rep.column_reason[0], ko::StopReason::converged) << rep.summary();
  EXPECT_EQ(rep.column_reason[1], ko::StopReason::converged) << rep.summary();
  EXPECT_LE(rep.column_iterations[1], 2) << "a rank-1 consistent system takes one step";
  auto h = to_host(a);
  for (long i = 0; i < n; ++i) EXPECT_NEAR(h(i, 1), 3.0 / n, 1e-12);

  // Duplicated points make a Gaussian kernel singular too; a consistent right-hand side (K c) converges.
  auto xd = kt::random_mat<T, Mem>(n, 2, 5);
  {
    auto hx = to_host(xd);
    for (long i = 1; i < n; i += 2)
      for (int k = 0; k < 2; ++k) hx(i, k) = hx(i - 1, k);
    Kokkos::deep_copy(xd, hx);
  }
  auto g1 = kt::param<T, Mem>({1.0});
  auto coef = kt::random_mat<T, Mem>(n, 2, 6);
  kt::Mat<T, Mem> kc("kc", n, 2), a2("a2", n, 2);
  ko::Genred(ko::Sum(Exp(-c.g * SqDist(c.x, c.y)) * c.b), ko::axis::j)(kc, xd, xd, coef, g1);
  const auto rep2 = c.S(a2, xd, xd, kc, g1, ko::SolveOptions{}.alpha(0).tolerance(1e-8).max_iterations(500));
  show("duplicated points, alpha 0, consistent b", rep2);
  expect_honest_report(rep2, 0.0, a2, xd, kc, g1, 500, 1e-8);
}

// A zero right-hand side has the solution 0, whatever the initial guess; one zero column beside a
// non-zero one does not disturb the other.
TEST(SolverRobustness, ZeroRightHandSide) {
  RobustCase c;
  const long n = 80;
  auto xv = kt::random_mat<T, Mem>(n, 2, 1);
  auto gv = kt::param<T, Mem>({1.0});
  kt::Mat<T, Mem> zero("zero", n, 2);
  // Singular system (alpha = 0, K all ones) and a zero right-hand side: a = 0, converged, no work.
  kt::Mat<T, Mem> a("a", n, 2);
  Kokkos::deep_copy(a, 5.0);
  auto rep = c.S(a, xv, xv, zero, kt::param<T, Mem>({0.0}), ko::SolveOptions{}.alpha(0));
  show("b = 0, rank-1 K, alpha 0", rep);
  EXPECT_TRUE(rep.converged) << rep.summary();
  EXPECT_EQ(rep.iterations, 0);
  EXPECT_TRUE(all_finite_host(a));
  auto h = to_host(a);
  for (long i = 0; i < n; ++i) EXPECT_EQ(h(i, 0), 0.0);

  // With an initial guess that is not 0: the report must not call the guess converged.
  Kokkos::deep_copy(a, 5.0);
  rep = c.S(a, xv, xv, zero, gv, ko::SolveOptions{}.alpha(0.1).initial_guess().max_iterations(200));
  show("b = 0, initial guess 5", rep);
  expect_honest_report(rep, 0.1, a, xv, zero, gv, 200, 1e-6);
  EXPECT_TRUE(rep.converged) << rep.summary();
  h = to_host(a);
  for (long i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k) EXPECT_EQ(h(i, k), 0.0) << "the solution of A a = 0 is 0";

  // Column 0 zero, column 1 not.
  auto bv = kt::random_mat<T, Mem>(n, 2, 2);
  {
    auto hb = to_host(bv);
    for (long i = 0; i < n; ++i) hb(i, 0) = 0;
    Kokkos::deep_copy(bv, hb);
  }
  rep = c.S(a, xv, xv, bv, gv, ko::SolveOptions{}.alpha(0.1).tolerance(1e-10));
  show("b = (0, random)", rep);
  expect_honest_report(rep, 0.1, a, xv, bv, gv, 1000, 1e-10);
  EXPECT_TRUE(rep.converged) << rep.summary();
  EXPECT_EQ(rep.column_iterations[0], 0);
  EXPECT_GT(rep.column_iterations[1], 0);
}

// A huge alpha: the solution is b / alpha to first order, found in a step or two, with no overflow in
// alpha * p^T p. At the very top of the double range the product overflows: then a breakdown is reported
// and the solution stays finite.
TEST(SolverRobustness, HugeAlpha) {
  RobustCase c;
  const long n = 100;
  auto xv = kt::random_mat<T, Mem>(n, 2, 1), bv = kt::random_mat<T, Mem>(n, 2, 2);
  auto gv = kt::param<T, Mem>({1.0});
  for (double alpha : {1e8, 1e150, 1e300}) {
    kt::Mat<T, Mem> a("a", n, 2);
    const auto rep = c.S(a, xv, xv, bv, gv, ko::SolveOptions{}.alpha(alpha).tolerance(1e-10));
    char what[32];
    std::snprintf(what, sizeof what, "alpha %g", alpha);
    show(what, rep);
    EXPECT_TRUE(rep.converged) << "alpha " << alpha << ": " << rep.summary();
    EXPECT_LE(rep.iterations, 4) << "alpha " << alpha;
    auto ha = to_host(a);
    auto hb = to_host(bv);
    for (long i = 0; i < n; ++i)
      for (int k = 0; k < 2; ++k) EXPECT_NEAR(ha(i, k) * alpha, hb(i, k), 1e-6 * (1 + std::fabs(hb(i, k)))) << alpha;
    if (alpha < 1e200) expect_honest_report(rep, alpha, a, xv, bv, gv, 1000, 1e-10);
  }
  kt::Mat<T, Mem> a("a", n, 2);
  const auto rep = c.S(a, xv, xv, bv, gv, ko::SolveOptions{}.alpha(DBL_MAX).tolerance(1e-10));
  show("alpha DBL_MAX", rep);
  EXPECT_TRUE(all_finite_host(a)) << rep.summary();
  for (double r : rep.relative_residual) EXPECT_TRUE(std::isfinite(r)) << rep.summary();
  if (!rep.converged) {
    EXPECT_EQ(rep.reason, ko::StopReason::breakdown) << rep.summary();
  }
}

// float data: the same huge-alpha and zero-column cases stay finite.
TEST(SolverRobustness, HugeAlphaFloat) {
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  const Vj<2, 1> b;
  auto S = ko::KernelSolve(Exp(-SqDist(x, y)) * b, b, ko::axis::j);
  auto xv = kt::random_mat<float, Mem>(100, 2, 1), bv = kt::random_mat<float, Mem>(100, 1, 2);
  kt::Mat<float, Mem> a("a", 100, 1);
  const auto rep = S(a, xv, xv, bv, ko::SolveOptions{}.alpha(1e30).tolerance(1e-5));
  show("float, alpha 1e30", rep);
  EXPECT_TRUE(rep.converged) << rep.summary();
  auto ha = to_host(a);
  auto hb = to_host(bv);
  for (long i = 0; i < 100; ++i) {
    EXPECT_TRUE(std::isfinite(ha(i, 0)));
    EXPECT_NEAR(static_cast<double>(ha(i, 0)) * 1e30, hb(i, 0), 1e-4 * (1 + std::fabs(hb(i, 0))));
  }
}

}  // namespace

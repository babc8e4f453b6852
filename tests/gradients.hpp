// Gradients of reductions (ko::gradient), in the engine, against central finite differences of the
// forward calls in double: every slot category (Vi, Vj, Pm), both axes, block-sparse ranges, Sum /
// LogSumExp (weighted or not) / SumSoftMaxWeight / Min / Max / KMin / Min_ArgMin / Arg*; bad calls
// rejected with the gradient view untouched. The KernelSolve adjoint: solve_adjoint.hpp.
#include "test_helpers.hpp"

#include <functional>
#include <limits>
#include <string>

namespace {

namespace ko = kokkeops;
namespace kt = kokkeops::test;
using namespace kokkeops::formulas;

using Exec = KOKKEOPS_TEST_EXEC;
using Mem = Kokkos::Device<Exec, Exec::memory_space>;  // views whose execution space is the one under test
using Mat = kt::Mat<double, Mem>;
using Vec = kt::Vec<double, Mem>;

using kt::host;
using kt::to_float;

/// A view shaped like v (zeros).
template <class V>
V like(const V& v) {
  if constexpr (V::rank == 1) return V("grad", v.extent(0));
  else return V("grad", v.extent(0), v.extent(1));
}

/// Visit every entry of a rank-1 or rank-2 host mirror: fn(value reference, label).
template <class H, class Fn>
void for_entries(H& h, const Fn& fn) {
  if constexpr (H::rank == 1) {
    for (std::size_t k = 0; k < h.extent(0); ++k) fn(h(k), "[" + std::to_string(k) + "]");
  } else {
    for (std::size_t r = 0; r < h.extent(0); ++r)
      for (std::size_t k = 0; k < h.extent(1); ++k) fn(h(r, k), "[" + std::to_string(r) + "," + std::to_string(k) + "]");
  }
}

/// The analytic gradient `grad` of L = <up, forward()> with respect to the view `target` against central
/// differences of forward(), entry by entry (relative 1e-6 of max(1, |fd|)).
template <class Target>
void expect_fd(const std::string& what, const Target& target, const Target& grad, const Mat& up,
               const std::function<void(const Mat&)>& forward, double rel = 1e-6) {
  const auto u = host(up);
  const auto loss = [&] {
    Mat out("out", up.extent(0), up.extent(1));
    forward(out);
    const auto h = host(out);
    double s = 0;
    for (std::size_t r = 0; r < h.extent(0); ++r)
      for (std::size_t k = 0; k < h.extent(1); ++k) s += u(r, k) * h(r, k);
    return s;
  };
  auto ht = host(target);
  auto hg = host(grad);
  std::vector<double> analytic;
  for_entries(hg, [&](double& v, const std::string&) { analytic.push_back(v); });
  std::size_t q = 0;
  int bad = 0;
  for_entries(ht, [&](double& x, const std::string& at) {
    const double x0 = x, h = 1e-6 * std::max(1.0, std::fabs(x0));
    x = x0 + h;
    Kokkos::deep_copy(target, ht);
    const double up_l = loss();
    x = x0 - h;
    Kokkos::deep_copy(target, ht);
    const double down_l = loss();
    x = x0;
    Kokkos::deep_copy(target, ht);
    const double fd = (up_l - down_l) / (2 * h), g = analytic[q++];
    if (!(std::fabs(g - fd) <= rel * std::max(1.0, std::fabs(fd))) && bad++ < 5)
      ADD_FAILURE() << what << " entry " << at << ": gradient " << g << ", finite differences " << fd;
  });
}

struct Problem {
  long n = 23, m = 17;
  Mat x = kt::random_mat<double, Mem>(23, 3, 1, 0, 0.7);
  Mat y = kt::random_mat<double, Mem>(17, 3, 2, 0, 0.7);
  Mat b = kt::random_mat<double, Mem>(17, 2, 3);
  Vec g = kt::param<double, Mem>({0.8});
};

const Vi<0, 3> x;
const Vj<1, 3> y;
const Vj<2, 2> b;
const Pm<3, 1> g;

// Every slot of a formula over (x, y, b, g), one axis.
template <class Red, class Axis>
void check_all_slots(const std::string& name, const Red& red, Axis ax, Problem& p, double rel = 1e-6) {
  const auto K = ko::Genred(red, ax);
  const long rows = std::is_same_v<Axis, ko::axis::j_t> ? p.n : p.m;
  const Mat up = kt::random_mat<double, Mem>(rows, decltype(K)::out_dim, 7);
  const auto fwd = [&](const Mat& out) { K(out, p.x, p.y, p.b, p.g); };
  const auto one = [&](auto var, auto& target, const char* slot) {
    auto grad = like(target);
    ko::gradient(K, var)(grad, up, p.x, p.y, p.b, p.g);
    expect_fd(name + " d/d" + slot, target, grad, up, fwd, rel);
  };
  one(x, p.x, "x");
  one(y, p.y, "y");
  one(b, p.b, "b");
  one(g, p.g, "g");
}

TEST(Gradients, SumBothAxesEverySlot) {
  Problem p;
  const auto f = Exp(-g * SqDist(x, y)) * b + Sin(Sum(x * y)) * Square(b);
  check_all_slots("Sum axis j", ko::Sum(f), ko::axis::j, p);
  check_all_slots("Sum axis i", ko::Sum(f), ko::axis::i, p);
}

TEST(Gradients, LogSumExpAndSoftMax) {
  Problem p;
  const auto f = -g * SqDist(x, y) + (x | y);
  const auto w = Exp(b);  // positive weights
  check_all_slots("LogSumExp(f)", ko::LogSumExp(f + Sum(b)), ko::axis::j, p);
  check_all_slots("LogSumExp(f, w)", ko::LogSumExp(f, w), ko::axis::j, p);
  check_all_slots("LogSumExp(f, w) axis i", ko::LogSumExp(f, w), ko::axis::i, p);
  check_all_slots("SumSoftMaxWeight(f, b)", ko::SumSoftMaxWeight(f, b * Norm2(x)), ko::axis::j, p);
  check_all_slots("SumSoftMaxWeight(f, b) axis i", ko::SumSoftMaxWeight(f, b), ko::axis::i, p);
}

TEST(Gradients, SelectionThroughTheChosenPairs) {
  Problem p;
  const auto f = g * SqDist(x, y) + b;  // dimension 2: each component selects its own j
  check_all_slots("Min", ko::Min(f), ko::axis::j, p);
  check_all_slots("Max axis i", ko::Max(f), ko::axis::i, p);
  check_all_slots("KMin<3>", ko::KMin<3>(f), ko::axis::j, p);
  check_all_slots("KMin<2> axis i", ko::KMin<2>(f), ko::axis::i, p);
  // Min_ArgMin: the upstream of the values.
  const auto K = ko::Genred(ko::Min_ArgMin(f), ko::axis::j);
  const Mat up = kt::random_mat<double, Mem>(p.n, 2, 5);
  auto grad = like(p.y);
  ko::gradient(K, y)(grad, up, p.x, p.y, p.b, p.g);
  const auto Kmin = ko::Genred(ko::Min(f), ko::axis::j);
  expect_fd("Min_ArgMin d/dy", p.y, grad, up, [&](const Mat& out) { Kmin(out, p.x, p.y, p.b, p.g); });
  // ArgMin: zero.
  const auto A = ko::Genred(ko::ArgMin(f), ko::axis::j);
  auto gx = like(p.x);
  Kokkos::deep_copy(gx, 3.0);
  ko::gradient(A, x)(gx, up, p.x, p.y, p.b, p.g);
  const auto hx = host(gx);
  for (std::size_t r = 0; r < hx.extent(0); ++r)
    for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(hx(r, k), 0.0);
}

TEST(Gradients, BlockSparseRanges) {
  Problem p;
  const auto K = ko::Genred(ko::Sum(Exp(-g * SqDist(x, y)) * b), ko::axis::j);
  // Two batches: rows [0, 10) with columns [0, 8), rows [10, 23) with columns [8, 17).
  const auto r = ko::block_diagonal<int, Mem>({10, 13}, {8, 9});
  const Mat up = kt::random_mat<double, Mem>(p.n, 2, 11);
  const auto fwd = [&](const Mat& out) { K(r, out, p.x, p.y, p.b, p.g); };
  auto gy = like(p.y), gx = like(p.x), gb = like(p.b);
  auto gg = like(p.g);
  ko::gradient(K, y)(r, gy, up, p.x, p.y, p.b, p.g);
  ko::gradient(K, x)(r, gx, up, p.x, p.y, p.b, p.g);
  ko::gradient(K, b)(r, gb, up, p.x, p.y, p.b, p.g);
  ko::gradient(K, g)(r, gg, up, p.x, p.y, p.b, p.g);
  expect_fd("ranged d/dy", p.y, gy, up, fwd);
  expect_fd("ranged d/dx", p.x, gx, up, fwd);
  expect_fd("ranged d/db", p.b, gb, up, fwd);
  expect_fd("ranged d/dg", p.g, gg, up, fwd);
  // The ranges matter: the dense gradient differs.
  auto dense = like(p.y);
  ko::gradient(K, y)(dense, up, p.x, p.y, p.b, p.g);
  EXPECT_GT(std::fabs(host(dense)(0, 0) - host(gy)(0, 0)), 1e-8);
}

TEST(Gradients, FloatAgreesWithDouble) {
  Problem p;
  const auto K = ko::Genred(ko::Sum(Exp(-g * SqDist(x, y)) * b), ko::axis::j);
  const Mat up = kt::random_mat<double, Mem>(p.n, 2, 13);
  auto gy = like(p.y);
  ko::gradient(K, y)(gy, up, p.x, p.y, p.b, p.g);
  kt::Mat<float, Mem> gyf("gyf", p.m, 3);
  ko::gradient(K, y)(gyf, to_float(up), to_float(p.x), to_float(p.y), to_float(p.b), to_float(p.g));
  const auto a = host(gy);
  const auto c = host(gyf);
  for (long r = 0; r < p.m; ++r)
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(c(r, k), a(r, k), 1e-4 * (1 + std::fabs(a(r, k))));
}

TEST(Gradients, BadCallsRejectedGradientUntouched) {
  Problem p;
  const auto K = ko::Genred(ko::Sum(Exp(-g * SqDist(x, y)) * b), ko::axis::j);
  const Mat up = kt::random_mat<double, Mem>(p.n, 2, 13);
  auto gy = like(p.y);
  Kokkos::deep_copy(gy, 42.0);
  const auto expect_rejected = [&](const std::function<void()>& call, const char* needle) {
    try {
      call();
      ADD_FAILURE() << "no error; expected one mentioning '" << needle << "'";
    } catch (const ko::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
    const auto h = host(gy);
    for (std::size_t r = 0; r < h.extent(0); ++r)
      for (std::size_t k = 0; k < h.extent(1); ++k) ASSERT_EQ(h(r, k), 42.0);
  };
  const auto dy = ko::gradient(K, y);
  const Mat up_wrong = kt::random_mat<double, Mem>(p.n, 3, 13);
  const Mat up_rows = kt::random_mat<double, Mem>(p.n + 1, 2, 13);
  expect_rejected([&] { dy(gy, up_wrong, p.x, p.y, p.b, p.g); }, "upstream gradient");
  expect_rejected([&] { dy(gy, up_rows, p.x, p.y, p.b, p.g); }, "rows");
  expect_rejected([&] { dy(gy, up, p.x, p.y, p.b); }, "expected 4 arguments");
  auto gx_wrong = like(p.x);
  expect_rejected([&] { dy(gx_wrong, up, p.x, p.y, p.b, p.g); }, "rows");
  expect_rejected([&] { dy(gy, up, p.x, gy, p.b, p.g); }, "shares memory");
  auto gg_wrong = Vec("gg", 2);
  expect_rejected([&] { ko::gradient(K, g)(gg_wrong, up, p.x, p.y, p.b, p.g); }, "rank-1 view of length 1");
}

}  // namespace

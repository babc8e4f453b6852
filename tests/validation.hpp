// Every validation error path of Genred: a clear kokkeops::Error naming the argument, and the
// output left byte-for-byte untouched.
#include "test_helpers.hpp"

namespace {

namespace ko = kokkeops;
namespace kt = kokkeops::test;
using namespace kokkeops::formulas;

using Exec = KOKKEOPS_TEST_EXEC;
using Mem = Kokkos::Device<Exec, Exec::memory_space>;  // views whose execution space is the one under test
using T = double;

auto gauss_genred() {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> b;
  const Pm<3, 1> g;
  return ko::Genred(ko::Sum(Exp(-g * SqDist(x, y)) * b), ko::axis::j);
}

struct GaussCase {
  decltype(gauss_genred()) K = gauss_genred();
  kt::Mat<T, Mem> xv = kt::random_mat<T, Mem>(10, 3, 1), yv = kt::random_mat<T, Mem>(20, 3, 2),
                  bv = kt::random_mat<T, Mem>(20, 2, 3);
  kt::Vec<T, Mem> gv = kt::param<T, Mem>({0.5});
  kt::Mat<T, Mem> out = kt::random_mat<T, Mem>(10, 2, 4);
};

TEST(GenredValidation, WrongArgumentCount) {
  GaussCase c;
  kt::expect_rejected(c.out, [&] { c.K(c.out, c.xv, c.yv, c.bv); }, "expected 4 arguments");
  kt::expect_rejected(c.out, [&] { c.K(c.out, c.xv, c.yv, c.bv, c.gv, c.gv); }, "got 5");
}

TEST(GenredValidation, WrongDimension) {
  GaussCase c;
  auto y2 = kt::random_mat<T, Mem>(20, 2, 5);
  kt::expect_rejected(c.out, [&] { c.K(c.out, c.xv, y2, c.bv, c.gv); }, "argument 1 (Vj(1,3)): expected a rank-2 view of shape (m, 3), got shape (20, 2)");
}

TEST(GenredValidation, WrongRank) {
  GaussCase c;
  kt::Vec<T, Mem> flat("flat", 30);
  kt::expect_rejected(c.out, [&] { c.K(c.out, flat, c.yv, c.bv, c.gv); }, "argument 0 (Vi(0,3)): expected a rank-2 view");
  kt::Mat<T, Mem> g2("g2", 1, 1);
  kt::expect_rejected(c.out, [&] { c.K(c.out, c.xv, c.yv, c.bv, g2); }, "argument 3 (Pm(3,1)): expected a rank-1 view of length 1");
}

TEST(GenredValidation, MismatchedRowCounts) {
  GaussCase c;
  auto x11 = kt::random_mat<T, Mem>(11, 3, 6);
  kt::expect_rejected(c.out, [&] { c.K(c.out, x11, c.yv, c.bv, c.gv); }, "has 11 rows, expected 10");
  auto b21 = kt::random_mat<T, Mem>(21, 2, 7);
  kt::expect_rejected(c.out, [&] { c.K(c.out, c.xv, c.yv, b21, c.gv); }, "argument 2 (Vj(2,2)): has 21 rows, expected 20");
}

TEST(GenredValidation, WrongParameterLength) {
  GaussCase c;
  auto g2 = kt::param<T, Mem>({0.5, 0.5});
  kt::expect_rejected(c.out, [&] { c.K(c.out, c.xv, c.yv, c.bv, g2); }, "got shape (2)");
}

TEST(GenredValidation, WrongOutputShape) {
  GaussCase c;
  kt::Mat<T, Mem> out3("out3", 10, 3);
  kt::expect_rejected(out3, [&] { c.K(out3, c.xv, c.yv, c.bv, c.gv); }, "output: expected a rank-2 view of shape (n, 2), got shape (10, 3)");
}

TEST(GenredValidation, MixedScalarTypes) {
  GaussCase c;
  auto yf = kt::random_mat<float, Mem>(20, 3, 8);
  kt::expect_rejected(c.out, [&] { c.K(c.out, c.xv, yf, c.bv, c.gv); }, "value type differs");
}

TEST(GenredValidation, OutputAliasingAnInput) {
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  auto K = ko::Genred(ko::Sum(Exp(-SqDist(x, y)) * x), ko::axis::j);
  auto xv = kt::random_mat<T, Mem>(10, 2, 1);
  auto yv = kt::random_mat<T, Mem>(10, 2, 2);
  kt::expect_rejected(xv, [&] { K(xv, xv, yv); }, "shares memory with the output");
}

TEST(GenredValidation, NoReducedVariable) {
  const Vi<0, 2> x;
  auto K = ko::Genred(ko::Sum(Exp(-SqNorm2(x)) * x), ko::axis::j);
  auto xv = kt::random_mat<T, Mem>(10, 2, 1);
  kt::Mat<T, Mem> out("out", 10, 2);
  kt::expect_rejected(out, [&] { K(out, xv); }, "has no Vj variable");
}

#if defined(KOKKEOPS_TEST_DEVICE)
// Only a device backend has a memory space its kernels cannot read.
TEST(GenredValidation, HostViewOnDeviceBackend) {
  GaussCase c;
  kt::Mat<T, Kokkos::HostSpace> xh("xh", 10, 3);
  kt::expect_rejected(c.out, [&] { c.K(c.out, xh, c.yv, c.bv, c.gv); }, "is not accessible from the execution space");
}
#endif

}  // namespace

namespace {

// The library's own kernels count in the backend's index type (HIP's is 32 bits): a count it cannot hold,
// or a negative one, is rejected instead of truncated.
TEST(KernelRange, CountsTheBackendCannotHoldAreRejected) {
  using I = typename Kokkos::RangePolicy<Exec>::member_type;
  const auto p = ko::impl::range(Exec(), 12345);
  EXPECT_EQ(p.begin(), I(0));
  EXPECT_EQ(p.end(), I(12345));
  EXPECT_THROW(ko::impl::range(Exec(), -1), ko::Error);
  const std::ptrdiff_t huge = std::ptrdiff_t(1) << 40;
  if constexpr (static_cast<unsigned long long>(std::numeric_limits<I>::max()) < (1ULL << 40)) {
    EXPECT_THROW(ko::impl::range(Exec(), huge), ko::Error);
  } else {
    EXPECT_EQ(static_cast<std::ptrdiff_t>(ko::impl::range(Exec(), huge).end()), huge);
  }
}

}  // namespace

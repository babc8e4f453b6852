// Host-only checks of the formula algebra: dimensions, slot tables, printing, the CPU exp.
#include <gtest/gtest.h>

#include <cmath>
#include <kokkeops/kokkeops.hpp>
#include <limits>

#include "reference/oracle.hpp"

namespace {

namespace ko = kokkeops;
using namespace kokkeops::formulas;

TEST(Formulas, DimensionsAndBroadcast) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> b;
  const Pm<3, 1> g;
  static_assert(decltype(x - y)::dim == 3);
  static_assert(decltype(g * (x - y))::dim == 3);
  static_assert(decltype(SqDist(x, y))::dim == 1);
  static_assert(decltype(Exp(-g * SqDist(x, y)) * b)::dim == 2);
  static_assert(decltype(x | y)::dim == 1);
  static_assert(decltype(Sum(b))::dim == 1);
  static_assert(decltype(Pow<3>(x))::dim == 3);
  static_assert(decltype(2.5 * x + 1)::dim == 3);
  static_assert(std::is_trivially_copyable_v<decltype(Exp(-0.5 * g * SqDist(x, y)) * b)>);
  SUCCEED();
}

TEST(Formulas, SlotTable) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<4, 2> b;
  const Pm<2, 1> g;
  using F = decltype(Exp(-g * SqDist(x, y)) * b + Sum(x) * b);
  constexpr auto t = ko::formulas::detail::slots_of<F>();
  static_assert(t.consistent);
  static_assert(t.num_slots() == 5);
  static_assert(t.dim[3] == 0);  // slot 3 unused
  static_assert(t.width(ko::Cat::i) == 3 && t.width(ko::Cat::j) == 5 && t.width(ko::Cat::p) == 1);
  static_assert(t.offset(1) == 0 && t.offset(4) == 3);
  SUCCEED();
}

TEST(Formulas, ToString) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 1> a;
  const Pm<3, 1> g;
  EXPECT_EQ(to_string(Exp(-Norm2(x - y)) * a), "Exp(-Sqrt(SqNorm2(Vi(0,3)-Vj(1,3))))*Vj(2,1)");
  EXPECT_EQ(to_string(Exp(-g * SqDist(x, y)) * a), "Exp(-Pm(3,1)*SqNorm2(Vi(0,3)-Vj(1,3)))*Vj(2,1)");
  EXPECT_EQ(to_string((x + y) * (x - y)), "(Vi(0,3)+Vj(1,3))*(Vi(0,3)-Vj(1,3))");
  EXPECT_EQ(to_string(x - (y - x)), "Vi(0,3)-(Vj(1,3)-Vi(0,3))");
  EXPECT_EQ(to_string(x / (y * x)), "Vi(0,3)/(Vj(1,3)*Vi(0,3))");
  EXPECT_EQ(to_string(-0.5 * SqDist(x, y) + IntCst<2>()), "-0.5*SqNorm2(Vi(0,3)-Vj(1,3))+IntCst(2)");
  EXPECT_EQ(to_string((x | y) + Sum(x) + Pow<2>(a) + Pow(a, -3)),
            "(Vi(0,3)|Vj(1,3))+Sum(Vi(0,3))+Pow(Vj(2,1),2)+Pow(Vj(2,1),-3)");
  EXPECT_EQ(to_string(Rsqrt(Inv(Square(Abs(Log(Sqrt(a))))))), "Rsqrt(Inv(Square(Abs(Log(Sqrt(Vj(2,1)))))))");
  EXPECT_EQ(ko::Genred(ko::Sum(Exp(-SqDist(x, y)) * a), ko::axis::i).str(),
            "Sum_Reduction(Exp(-SqNorm2(Vi(0,3)-Vj(1,3)))*Vj(2,1)), axis i");
}

// The oracle evaluates the formula types itself; check it against hand-written expressions so that
// it is an independent reference for the operations, not only for the engine.
TEST(Formulas, OracleAgreesWithHandWrittenMath) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 3> b;
  const Pm<3, 1> g;
  const auto f = Exp(-g * SqDist(x, y)) * b + Rsqrt(Square(x | y)) - Inv(1 + Norm2(x)) * Log(2 + Sum(y)) +
                 Pow<3>(Abs(x - 2.0 * y)) / Pow(g, -2) + Rsqrt(0 * g);
  std::vector<ko::test::HostArg> args(4);
  args[0] = {{0.3L, -1.2L, 0.7L}, 1, 3};
  args[1] = {{1.1L, 0.4L, -0.5L}, 1, 3};
  args[2] = {{2.0L, -3.0L, 0.25L}, 1, 3};
  args[3] = {{0.8L}, 1, 1};
  ko::test::OracleCtx ctx{&args, 0, 0};
  long double v[decltype(f)::dim];
  f.eval(v, ctx);
  const long double X[3] = {0.3L, -1.2L, 0.7L}, Y[3] = {1.1L, 0.4L, -0.5L}, B[3] = {2.0L, -3.0L, 0.25L}, G = 0.8L;
  long double d2 = 0, xy = 0, nx = 0, sy = 0;
  for (int k = 0; k < 3; ++k) {
    d2 += (X[k] - Y[k]) * (X[k] - Y[k]);
    xy += X[k] * Y[k];
    nx += X[k] * X[k];
    sy += Y[k];
  }
  for (int k = 0; k < 3; ++k) {
    // Rsqrt(0) = 0 by KeOps' convention; the broadcast picks component k of the dim-3 terms.
    const long double pw = std::pow(std::fabs(X[k] - 2 * Y[k]), 3.0L) * G * G;
    const long double want = std::exp(-G * d2) * B[k] + 1 / std::fabs(xy) - std::log(2 + sy) / (1 + std::sqrt(nx)) + pw;
    EXPECT_NEAR(static_cast<double>(v[k]), static_cast<double>(want), 1e-15) << "component " << k;
  }
}

template <class T>
void check_cpu_exp(double lo, double hi, double rtol) {
  double worst = 0;
  for (int q = 0; q <= 200000; ++q) {
    const T x = static_cast<T>(lo + (hi - lo) * q / 200000.0);
    const long double want = std::exp(static_cast<long double>(x));
    const T got = ko::impl::CpuMath::exp(x);
    if (want < static_cast<long double>(std::numeric_limits<T>::min()) * 2) continue;  // flushed range
    const double err = static_cast<double>(std::fabs((got - want) / want));
    worst = std::max(worst, err);
  }
  EXPECT_LT(worst, rtol);
}

TEST(CpuMath, ExpFloatAccuracy) { check_cpu_exp<float>(-87.0, 88.72, 4e-7); }
TEST(CpuMath, ExpDoubleAccuracy) { check_cpu_exp<double>(-708.0, 709.78, 8e-16); }

TEST(CpuMath, ExpLimits) {
  using M = ko::impl::CpuMath;
  EXPECT_EQ(M::exp(0.0f), 1.0f);
  EXPECT_EQ(M::exp(0.0), 1.0);
  EXPECT_EQ(M::exp(-200.0f), 0.0f);
  EXPECT_EQ(M::exp(-1000.0), 0.0);
  EXPECT_TRUE(std::isinf(M::exp(89.0f)));
  EXPECT_TRUE(std::isinf(M::exp(710.0)));
  EXPECT_TRUE(std::isfinite(M::exp(88.7f)));
  EXPECT_TRUE(std::isnan(M::exp(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_TRUE(std::isnan(M::exp(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_EQ(M::exp(-std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_TRUE(std::isinf(M::exp(std::numeric_limits<float>::infinity())));
}

}  // namespace

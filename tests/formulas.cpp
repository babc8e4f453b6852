// Host-only checks of the formula algebra: dimensions, slot tables, printing, the CPU exp.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <kokkeops/kokkeops.hpp>
#include <limits>
#include <string>
#include <vector>

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

TEST(Formulas, OperationDimensions) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Pm<2, 1> g;
  const Vi<3, 6> A;
  const Vj<4, 4> z;
  // Element-wise: {d} or {1, d}.
  static_assert(decltype(Sin(x))::dim == 3 && decltype(Atan2(x, g))::dim == 3 && decltype(Atan2(g, g))::dim == 1);
  static_assert(decltype(Clamp(g, x, 1.0))::dim == 3 && decltype(Mod(g, 2.0, 0.5))::dim == 1);
  static_assert(decltype(IfElse(g, y, x))::dim == 3 && decltype(Round(x, 2))::dim == 3);
  static_assert(decltype(LessThan(1.0, x))::dim == 3 && decltype(Powf(x, 2))::dim == 3);
  // Vector and tensor ops.
  static_assert(decltype(SumT<5>(g))::dim == 5 && decltype(Normalize(x))::dim == 3);
  static_assert(decltype(WeightedSqNorm(g, x))::dim == 1 && decltype(WeightedSqDist(Pm<5, 9>(), x, y))::dim == 1);
  static_assert(decltype(Max(x))::dim == 1 && decltype(ArgMin(A))::dim == 1);
  static_assert(decltype(Elem<2>(x))::dim == 1 && decltype(ElemT<0, 7>(g))::dim == 7);
  static_assert(decltype(Extract<1, 4>(A))::dim == 4 && decltype(ExtractT<2, 8>(x))::dim == 8);
  static_assert(decltype(Concat(x, A))::dim == 9 && decltype(OneHot<4>(g))::dim == 4);
  static_assert(decltype(MatVecMult(A, x))::dim == 2 && decltype(MatVecMult(A, Extract<0, 2>(y)))::dim == 3);
  static_assert(decltype(VecMatMult(x, A))::dim == 2 && decltype(TensorProd(x, A))::dim == 18);
  static_assert(decltype(TensorDot(A, z, Ind<2, 3>(), Ind<4>(), Ind<>(), Ind<>()))::dim == 24);
  static_assert(decltype(TensorDot(A, Extract<0, 2>(z), Ind<3, 2>(), Ind<2>(), Ind<1>(), Ind<0>()))::dim == 3);
  static_assert(decltype(TensorDot(A, A, Ind<2, 3>(), Ind<2, 3>(), Ind<0, 1>(), Ind<0, 1>()))::dim == 1);
  static_assert(decltype(Kron(A, z, Ind<2, 3>(), Ind<2, 2>()))::dim == 24);
  // Complex: 2n reals = n complex numbers.
  static_assert(decltype(ComplexMult(A, Extract<0, 2>(z)))::dim == 6 && decltype(ComplexAdd(z, z))::dim == 4);
  static_assert(decltype(ComplexReal(A))::dim == 3 && decltype(ComplexAbs(z))::dim == 2);
  static_assert(decltype(Real2Complex(x))::dim == 6 && decltype(ComplexExp1j(x))::dim == 6);
  static_assert(decltype(ComplexSum(A))::dim == 2 && decltype(ComplexSumT<8>(ComplexSum(A)))::dim == 8);
  static_assert(decltype(ComplexRealScal(g, A))::dim == 6 && decltype(ComplexRealScal(A, g))::dim == 6);
  static_assert(std::is_trivially_copyable_v<decltype(Round(ClampInt(x, 0, 1), 2) + Clamp(x, 0.0, g))>);
  static_assert(std::is_trivially_copyable_v<decltype(Kron(A, z, Ind<2, 3>(), Ind<2, 2>()))>);
  SUCCEED();
}

TEST(Formulas, OperationsToString) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Pm<2, 1> g;
  const Vi<3, 6> A;
  const Vj<4, 4> z;
  EXPECT_EQ(to_string(Sin(x) + Cos(y) * Asin(g) - Acos(g) / Atan(x)),
            "Sin(Vi(0,3))+Cos(Vj(1,3))*Asin(Pm(2,1))-Acos(Pm(2,1))/Atan(Vi(0,3))");
  EXPECT_EQ(to_string(Atan2(x, y) + Powf(x, 2.5) + Floor(x) + Sign(x) + Step(x) + ReLU(x)),
            "Atan2(Vi(0,3),Vj(1,3))+Powf(Vi(0,3),2.5)+Floor(Vi(0,3))+Sign(Vi(0,3))+Step(Vi(0,3))+ReLU(Vi(0,3))");
  EXPECT_EQ(to_string(Clamp(x, 0.0, g) * ClampInt(y, -1, 2) * DiffClampInt(y, 0, 3)),
            "Clamp(Vi(0,3),0,Pm(2,1))*ClampInt(Vj(1,3),-1,2)*DiffClampInt(Vj(1,3),0,3)");
  EXPECT_EQ(to_string(IfElse(x - y, 1.0, g) + Mod(x, 2.0, 0.5) + Round(y, 3) + SinXDivX(x) + XLogX(y)),
            "IfElse(Vi(0,3)-Vj(1,3),1,Pm(2,1))+Mod(Vi(0,3),2,0.5)+Round(Vj(1,3),3)+SinXDivX(Vi(0,3))+XLogX(Vj(1,3))");
  EXPECT_EQ(to_string(Equal(x, y) + NotEqual(x, 1.0) + LessThan(x, y) + LessOrEqual(y, x)),
            "Equal(Vi(0,3),Vj(1,3))+NotEqual(Vi(0,3),1)+LessThan(Vi(0,3),Vj(1,3))+LessOrEqual(Vj(1,3),Vi(0,3))");
  EXPECT_EQ(to_string(SumT<3>(Max(x) + Min(y) + ArgMax(x) + ArgMin(y))),
            "SumT(Max(Vi(0,3))+Min(Vj(1,3))+ArgMax(Vi(0,3))+ArgMin(Vj(1,3)),3)");
  EXPECT_EQ(to_string(Normalize(x)), "Rsqrt(SqNorm2(Vi(0,3)))*Vi(0,3)");
  EXPECT_EQ(to_string(WeightedSqNorm(g, x) + WeightedSqDist(y, x, y)),
            "WeightedSqNorm(Pm(2,1),Vi(0,3))+WeightedSqNorm(Vj(1,3),Vi(0,3)-Vj(1,3))");
  EXPECT_EQ(to_string(Elem<1>(x) * ElemT<2, 4>(g) + OneHot<4>(g)), "Elem(Vi(0,3),1)*ElemT(Pm(2,1),4,2)+OneHot(Pm(2,1),4)");
  EXPECT_EQ(to_string(Extract<1, 2>(Concat(x, y))), "Extract(Concat(Vi(0,3),Vj(1,3)),1,2)");
  EXPECT_EQ(to_string(ExtractT<1, 5>(x)), "ExtractT(Vi(0,3),1,5)");
  EXPECT_EQ(to_string(MatVecMult(A, x) + VecMatMult(x, A)), "MatVecMult(Vi(3,6),Vi(0,3))+VecMatMult(Vi(0,3),Vi(3,6))");
  EXPECT_EQ(to_string(TensorProd(x, y)), "TensorProd(Vi(0,3),Vj(1,3))");
  EXPECT_EQ(to_string(TensorDot(A, x, Ind<2, 3>(), Ind<3>(), Ind<1>(), Ind<0>())),
            "TensorDot(Vi(3,6),Vi(0,3),Ind(2,3),Ind(3),Ind(1),Ind(0))");
  EXPECT_EQ(to_string(Kron(A, z, Ind<2, 3>(), Ind<2, 2>())),
            "TensorDot(Vi(3,6),Vj(4,4),Ind(2,3),Ind(2,2),Ind(),Ind(),Ind(0,2,1,3))");
  EXPECT_EQ(to_string(ComplexAdd(z, z) - ComplexSubtract(z, z) + ComplexMult(z, z) + ComplexDivide(z, z)),
            "ComplexAdd(Vj(4,4),Vj(4,4))-ComplexSubtract(Vj(4,4),Vj(4,4))+ComplexMult(Vj(4,4),Vj(4,4))+"
            "ComplexDivide(Vj(4,4),Vj(4,4))");
  EXPECT_EQ(to_string(ComplexExp(z) + Conj(z) + Real2Complex(Imag2Complex(g)) + ComplexExp1j(Extract<0, 2>(x))),
            "ComplexExp(Vj(4,4))+Conj(Vj(4,4))+Real2Complex(Imag2Complex(Pm(2,1)))+ComplexExp1j(Extract(Vi(0,3),0,2))");
  EXPECT_EQ(to_string(ComplexReal(z) * ComplexImag(z) + ComplexAbs(z) + ComplexSquareAbs(z) + ComplexAngle(z)),
            "ComplexReal(Vj(4,4))*ComplexImag(Vj(4,4))+ComplexAbs(Vj(4,4))+ComplexSquareAbs(Vj(4,4))+"
            "ComplexAngle(Vj(4,4))");
  EXPECT_EQ(to_string(ComplexSumT<4>(ComplexSum(A)) + ComplexRealScal(z, g)),
            "ComplexSumT(ComplexSum(Vi(3,6)),4)+ComplexRealScal(Pm(2,1),Vj(4,4))");
}

// The math policies agree with the C library on every new function, for scalars and (where the
// compiler has them) SIMD vectors; round is built from floor, so check its halfway cases.
template <class M, class T>
void check_policy() {
  const T xs[] = {T(-2.5), T(-1.25), T(-0.5), T(-0.3), T(0), T(0.3), T(0.5), T(0.7), T(1.5), T(2.5), T(3.75)};
  for (T x : xs) {
    EXPECT_EQ(M::floor(x), std::floor(x));
    EXPECT_EQ(M::round(x), std::round(x)) << x;
    EXPECT_NEAR(M::sin(x), std::sin(x), 4 * std::numeric_limits<T>::epsilon());
    EXPECT_NEAR(M::cos(x), std::cos(x), 4 * std::numeric_limits<T>::epsilon());
    EXPECT_NEAR(M::atan(x), std::atan(x), 4 * std::numeric_limits<T>::epsilon());
    EXPECT_NEAR(M::atan2(x, T(0.7)), std::atan2(x, T(0.7)), 4 * std::numeric_limits<T>::epsilon());
    EXPECT_NEAR(M::pow(T(1.5), x), std::pow(T(1.5), x), 8 * std::numeric_limits<T>::epsilon());
    if (std::fabs(x) <= 1) {
      EXPECT_NEAR(M::asin(x), std::asin(x), 4 * std::numeric_limits<T>::epsilon());
      EXPECT_NEAR(M::acos(x), std::acos(x), 8 * std::numeric_limits<T>::epsilon());
    }
  }
  EXPECT_EQ(M::round(T(0.49999997f)), T(0));
  EXPECT_TRUE(std::isnan(M::round(std::numeric_limits<T>::quiet_NaN())));
  EXPECT_TRUE(std::isinf(M::round(std::numeric_limits<T>::infinity())));
#if defined(KOKKEOPS_HAVE_VECTOR_TYPES)
  if constexpr (std::is_same_v<M, ko::impl::CpuMath>) {  // GenericMath is for scalars only
  using V = ko::simd::vec<T, ko::simd::native_bytes / static_cast<int>(sizeof(T))>;
  V v;
  constexpr int n = static_cast<int>(sizeof(xs) / sizeof(xs[0]));  // the lanes cycle through xs
  for (int l = 0; l < ko::simd::lanes_of<V>::width; ++l) v[l] = xs[l % n];
  const V r = M::round(v), fl = M::floor(v), s = M::sin(v), p = M::pow(v, v * T(0) + T(2)), a = M::atan2(v, v * T(0) + T(1));
  for (int l = 0; l < ko::simd::lanes_of<V>::width; ++l) {
    EXPECT_EQ(r[l], std::round(xs[l % n]));
    EXPECT_EQ(fl[l], std::floor(xs[l % n]));
    EXPECT_EQ(s[l], M::sin(xs[l % n]));
    EXPECT_EQ(p[l], M::pow(xs[l % n], T(2)));
    EXPECT_EQ(a[l], M::atan2(xs[l % n], T(1)));
  }
  }
#endif
}

TEST(CpuMath, NewFunctions) {
  check_policy<ko::impl::CpuMath, float>();
  check_policy<ko::impl::CpuMath, double>();
  check_policy<ko::impl::GenericMath, float>();
  check_policy<ko::impl::GenericMath, double>();
}

// TensorDot's index plan on a hand-computed case, through the oracle (long double).
TEST(Formulas, TensorDotByHand) {
  const Vi<0, 6> a;   // A (2,3) = [[1,2,3],[4,5,6]]
  const Vj<1, 12> b;  // B (3,4) = 0..11
  std::vector<ko::test::HostArg> args(2);
  args[0] = {{1, 2, 3, 4, 5, 6}, 1, 6};
  for (int k = 0; k < 12; ++k) args[1].data.push_back(k);
  args[1].rows = 1;
  args[1].dim = 12;
  ko::test::OracleCtx ctx{&args, 0, 0};
  // A B = [[32, 38, 44, 50], [68, 83, 98, 113]]
  const auto ab = TensorDot(a, b, Ind<2, 3>(), Ind<3, 4>(), Ind<1>(), Ind<0>());
  long double v[8];
  ab.eval(v, ctx);
  const long double want[8] = {32, 38, 44, 50, 68, 83, 98, 113};
  for (int k = 0; k < 8; ++k) EXPECT_EQ(v[k], want[k]) << k;
  // (A B)^T through the permutation.
  const auto abt = TensorDot(a, b, Ind<2, 3>(), Ind<3, 4>(), Ind<1>(), Ind<0>(), Ind<1, 0>());
  abt.eval(v, ctx);
  const long double want_t[8] = {32, 68, 38, 83, 44, 98, 50, 113};
  for (int k = 0; k < 8; ++k) EXPECT_EQ(v[k], want_t[k]) << k;
}

// CpuMath::exp of W lanes at once (W = 1: the scalar path). 512-bit vectors take the vrndscale /
// vscalef path on AVX-512 builds, narrower ones the portable path. The tests run the scalar path, 16-byte
// vectors (SSE, Neon) and the target's widest vectors (native_lanes): the widths this build can have.
template <class T>
constexpr int native_lanes = ko::simd::native_bytes / static_cast<int>(sizeof(T));
template <class T>
constexpr int narrow_lanes = 16 / static_cast<int>(sizeof(T));
template <class T, int W>
std::array<T, W> exp_lanes(const std::array<T, W>& in) {
  std::array<T, W> out{};
  if constexpr (W == 1) {
    out[0] = ko::impl::CpuMath::exp(in[0]);
  } else {
#if defined(KOKKEOPS_HAVE_VECTOR_TYPES)
    using V = ko::simd::vec<T, W>;
    V v;
    std::memcpy(&v, in.data(), sizeof(V));
    const V r = ko::impl::CpuMath::exp(v);
    std::memcpy(out.data(), &r, sizeof(V));
#else
    for (int l = 0; l < W; ++l) out[l] = ko::impl::CpuMath::exp(in[l]);
#endif
  }
  return out;
}

template <class T, int W>
void check_cpu_exp(double lo, double hi, double rtol) {
  double worst = 0, worst_x = 0;
  constexpr int points = 200000;
  for (int q0 = 0; q0 <= points; q0 += W) {
    std::array<T, W> x{};
    for (int l = 0; l < W; ++l) x[l] = static_cast<T>(lo + (hi - lo) * std::min(q0 + l, points) / points);
    const auto got = exp_lanes<T, W>(x);
    for (int l = 0; l < W; ++l) {
      const long double want = std::exp(static_cast<long double>(x[l]));
      if (want < static_cast<long double>(std::numeric_limits<T>::min()) * 2) continue;  // flushed range
      const double err = static_cast<double>(std::fabs((got[l] - want) / want));
      if (err > worst) worst = err, worst_x = static_cast<double>(x[l]);
    }
  }
  EXPECT_LT(worst, rtol) << "width " << W << ", at x = " << worst_x;
}

TEST(CpuMath, ExpFloatAccuracy) {
  check_cpu_exp<float, 1>(-87.0, 88.72, 4e-7);
  check_cpu_exp<float, narrow_lanes<float>>(-87.0, 88.72, 4e-7);
  check_cpu_exp<float, native_lanes<float>>(-87.0, 88.72, 4e-7);
}
TEST(CpuMath, ExpDoubleAccuracy) {
  check_cpu_exp<double, 1>(-708.0, 709.78, 8e-16);
  check_cpu_exp<double, narrow_lanes<double>>(-708.0, 709.78, 8e-16);
  check_cpu_exp<double, native_lanes<double>>(-708.0, 709.78, 8e-16);
}

// The ends of the range, infinities and NaN, on every path: exp(-inf) = 0, exp(+inf) = inf, NaN stays NaN,
// results below the smallest normal are 0 or subnormal (never garbage), results above the largest are inf.
template <class T, int W>
void check_exp_limits(const std::vector<double>& under, double over, double last_finite) {
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  std::vector<T> in = {T(0), -inf, inf, nan, static_cast<T>(over), static_cast<T>(last_finite), T(-1e30), T(1e30), T(1)};
  for (double u : under) in.push_back(static_cast<T>(u));
  for (std::size_t b = 0; b < in.size(); b += W) {
    std::array<T, W> x{};
    for (int l = 0; l < W; ++l) x[l] = in[std::min(b + static_cast<std::size_t>(l), in.size() - 1)];
    const auto r = exp_lanes<T, W>(x);
    for (int l = 0; l < W; ++l) {
      const T xi = x[l], ri = r[l];
      const std::string where = "width " + std::to_string(W) + ", exp(" + std::to_string(static_cast<double>(xi)) + ") = " +
                                std::to_string(static_cast<double>(ri));
      if (xi != xi) EXPECT_TRUE(ri != ri) << where;
      else if (xi == 0) EXPECT_EQ(ri, T(1)) << where;
      else if (xi == -inf || xi <= T(-1e30)) EXPECT_EQ(ri, T(0)) << where;
      else if (xi == inf || xi >= static_cast<T>(over)) EXPECT_EQ(ri, inf) << where;
      else if (xi == static_cast<T>(last_finite)) EXPECT_TRUE(std::isfinite(ri) && ri > 0) << where;
      else if (xi == T(1)) EXPECT_NEAR(ri, T(2.718281828459045), 4 * std::numeric_limits<T>::epsilon()) << where;
      else EXPECT_TRUE(ri >= 0 && ri < std::numeric_limits<T>::min() * 2) << where;  // the underflow range
    }
  }
}

TEST(CpuMath, ExpLimits) {
  const std::vector<double> fu = {-87.5, -95.0, -103.0, -104.0, -110.0, -200.0}, du = {-709.0, -740.0, -745.0, -746.0, -1000.0};
  check_exp_limits<float, 1>(fu, 89.0, 88.7);
  check_exp_limits<float, narrow_lanes<float>>(fu, 89.0, 88.7);
  check_exp_limits<float, native_lanes<float>>(fu, 89.0, 88.7);
  check_exp_limits<double, 1>(du, 710.0, 709.7);
  check_exp_limits<double, narrow_lanes<double>>(du, 710.0, 709.7);
  check_exp_limits<double, native_lanes<double>>(du, 710.0, 709.7);
}

}  // namespace

// Genred with the Sum reduction against the oracle: kernels, sizes around the lane and tile
// widths, both axes, both precisions, parameters and many slots, empty inputs.
#include "test_helpers.hpp"

#include <cmath>

namespace {

namespace ko = kokkeops;
namespace kt = kokkeops::test;
using namespace kokkeops::formulas;

using Exec = KOKKEOPS_TEST_EXEC;
using Mem = Kokkos::Device<Exec, Exec::memory_space>;  // views whose execution space is the one under test
using kokkeops::Cat;

template <class T>
class GenredSum : public ::testing::Test {};
using Precisions = kokkeops::test::Precisions;
TYPED_TEST_SUITE(GenredSum, Precisions);

// (n, m): empty, tiny, odd, around the CPU lane widths (4, 8, 16) and the GPU tile (256), larger (not under
// an emulator: kt::emulated()).
const std::vector<std::pair<long, long>> kSizes = [] {
  std::vector<std::pair<long, long>> s = {{0, 5},     {5, 0},     {1, 1},     {3, 5},      {7, 13},
                                          {8, 9},     {15, 16},   {16, 17},   {17, 15},    {255, 257},
                                          {256, 256}, {257, 255}, {1000, 999}};
  if (!kt::emulated()) s.push_back({10000, 10000});
  return s;
}();

// Run Genred(Sum(f)) on random data for every size and both axes, against the oracle.
// make_args(n_i, n_j, seed) returns the tuple of argument views.
template <class T, class F, class MakeArgs>
void check_all_sizes(const F& f, MakeArgs make_args, const std::vector<std::pair<long, long>>& sizes = kSizes) {
  unsigned seed = 1;
  for (const auto& nm : sizes) {
    const long n = nm.first, m = nm.second;  // not a structured binding: lambdas capture them
    for (Cat output : {Cat::i, Cat::j}) {
      const long ni = output == Cat::i ? n : m;  // rows of Vi variables
      const long nj = output == Cat::i ? m : n;
      auto args = make_args(ni, nj, seed++);
      kt::Mat<T, Mem> out("out", n, F::dim);
      Kokkos::deep_copy(out, T(12345));  // every row must be overwritten
      std::apply(
          [&](const auto&... a) {
            if (output == Cat::i)
              ko::Genred(ko::Sum(f), ko::axis::j)(out, a...);
            else
              ko::Genred(ko::Sum(f), ko::axis::i)(out, a...);
            const auto ref = kt::oracle_sum(f, output, kt::host_args(a...), m, kt::rows_to_check(n, m));
            EXPECT_TRUE(kt::matches_reference(out, ref, kt::sum_rtol<T>()))
                << ko::formulas::to_string(f) << " n=" << n << " m=" << m
                << (output == Cat::i ? " axis j" : " axis i");
          },
          args);
    }
  }
}

template <class T>
auto points_and_weights(int dv) {
  return [dv](long ni, long nj, unsigned seed) {
    return std::make_tuple(kt::random_mat<T, Mem>(ni, 3, seed), kt::random_mat<T, Mem>(nj, 3, seed + 1000),
                           kt::random_mat<T, Mem>(nj, dv, seed + 2000), kt::param<T, Mem>({0.7}));
  };
}

TYPED_TEST(GenredSum, Gaussian) {
  using T = TypeParam;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 1> b;
  const Pm<3, 1> g;
  check_all_sizes<T>(Exp(-g * SqDist(x, y)) * b, points_and_weights<T>(1));
}

TYPED_TEST(GenredSum, LaplaceTwoColumns) {
  using T = TypeParam;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> b;
  const Pm<3, 1> g;
  check_all_sizes<T>(Exp(-g * Norm2(x - y)) * b, points_and_weights<T>(2));
}

TYPED_TEST(GenredSum, CauchyFourColumns) {
  using T = TypeParam;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 4> b;
  const Pm<3, 1> g;
  check_all_sizes<T>(Inv(IntCst<1>() + g * SqDist(x, y)) * b, points_and_weights<T>(4));
}

TYPED_TEST(GenredSum, InverseMultiquadric) {
  using T = TypeParam;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 1> b;
  const Pm<3, 1> g;
  check_all_sizes<T>(Rsqrt(1 + g * SqDist(x, y)) * b, points_and_weights<T>(1));
}

TYPED_TEST(GenredSum, RuntimeConstantAndIntegerPowers) {
  using T = TypeParam;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 1> b;
  const Pm<3, 1> g;
  const auto f = Exp(-0.5 * SqDist(x, y)) * Pow<3>(b) + Pow(g * SqNorm2(x) + 1, -2) * Square(Abs(b)) / 7;
  check_all_sizes<T>(f, points_and_weights<T>(1), {{1, 1}, {17, 15}, {257, 255}, {1000, 999}});
}

// High dimensions: the vector-to-scalar nodes (SqNorm2, Scalprod, Sum) evaluated component by component
// (variables, constants and element-wise operations of them: no dim-long array per node) and with four
// running sums from 8 components on; also a child that is not component-wise (a broadcast SqNorm2).
// All three formulas at D = 13 (four uneven sums); the Gaussian also at D = 7 (one sum) and D = 64 (the
// benchmark case: a D = 64 formula is slow to compile, so only this one).
template <class T, int D>
auto high_dimension_data() {
  return [](long ni, long nj, unsigned seed) {
    const double sd = 1.0 / std::sqrt(double(D));  // |x - y|^2 of order 1
    return std::make_tuple(kt::random_mat<T, Mem>(ni, D, seed, 0, sd), kt::random_mat<T, Mem>(nj, D, seed + 1000, 0, sd),
                           kt::random_mat<T, Mem>(nj, 1, seed + 2000), kt::param<T, Mem>({0.7}));
  };
}

template <class T, int D, bool AllFormulas>
void check_high_dimension() {
  const Vi<0, D> x;
  const Vj<1, D> y;
  const Vj<2, 1> b;
  const Pm<3, 1> g;
  const std::vector<std::pair<long, long>> sizes = {{1, 1}, {17, 15}, {100, 257}};
  check_all_sizes<T>(Exp(-g * SqDist(x, y)) * b, high_dimension_data<T, D>(), sizes);
  if constexpr (AllFormulas) {
    check_all_sizes<T>((x | y) * b + Sum(Exp(-x) - y * g), high_dimension_data<T, D>(), sizes);
    check_all_sizes<T>((SqNorm2(x * SqNorm2(y)) + Sum(x * (y | y))) * b - g, high_dimension_data<T, D>(), sizes);
  }
}

TYPED_TEST(GenredSum, HighDimensionVectorNodes) {
  check_high_dimension<TypeParam, 7, false>();
  check_high_dimension<TypeParam, 13, true>();
  check_high_dimension<TypeParam, 64, false>();
}

// Seven slots of mixed categories and dimensions, output dim 3, Log/Sqrt/Scalprod/Sum/broadcast.
TYPED_TEST(GenredSum, ManySlotsWithParameters) {
  using T = TypeParam;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Pm<2, 3> w;
  const Vi<3, 2> u;
  const Vj<4, 2> v;
  const Vj<5, 3> b;
  const Pm<6, 1> c;
  const auto f = Exp(-SqNorm2(w * (x - y))) * Log(IntCst<1>() + Square(u | v)) * b +
                 Pow<3>(c) * Sqrt(1 + Square(Sum(u))) - x / (2 + Square(y));
  auto make = [](long ni, long nj, unsigned seed) {
    return std::make_tuple(kt::random_mat<T, Mem>(ni, 3, seed), kt::random_mat<T, Mem>(nj, 3, seed + 1),
                           kt::param<T, Mem>({0.5, 1.0, 1.5}), kt::random_mat<T, Mem>(ni, 2, seed + 2),
                           kt::random_mat<T, Mem>(nj, 2, seed + 3), kt::random_mat<T, Mem>(nj, 3, seed + 4),
                           kt::param<T, Mem>({-0.8}));
  };
  check_all_sizes<T>(f, make);
}

// A slot the formula does not use is accepted and ignored (gradient formulas drop variables).
TYPED_TEST(GenredSum, UnusedSlotIsIgnored) {
  using T = TypeParam;
  const Vi<0, 3> x;
  const Vj<2, 3> y;
  const auto f = Exp(-SqDist(x, y));
  auto make = [](long ni, long nj, unsigned seed) {
    return std::make_tuple(kt::random_mat<T, Mem>(ni, 3, seed), kt::random_mat<T, Mem>(5, 9, seed + 1),
                           kt::random_mat<T, Mem>(nj, 3, seed + 2));
  };
  check_all_sizes<T>(f, make, {{7, 13}, {300, 200}});
}

// m = 0: the reduction's neutral value (0) in every row; n = 0: nothing to do, no error.
TYPED_TEST(GenredSum, EmptyReductionGivesZeros) {
  using T = TypeParam;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> b;
  auto K = ko::Genred(ko::Sum(Exp(-SqDist(x, y)) * b), ko::axis::j);
  kt::Mat<T, Mem> out("out", 9, 2);
  Kokkos::deep_copy(out, T(7));
  K(out, kt::random_mat<T, Mem>(9, 3, 1), kt::random_mat<T, Mem>(0, 3, 2), kt::random_mat<T, Mem>(0, 2, 3));
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  for (int r = 0; r < 9; ++r)
    for (int k = 0; k < 2; ++k) EXPECT_EQ(h(r, k), T(0));
  kt::Mat<T, Mem> none("none", 0, 2);
  EXPECT_NO_THROW(K(none, kt::random_mat<T, Mem>(0, 3, 1), kt::random_mat<T, Mem>(4, 3, 2),
                    kt::random_mat<T, Mem>(4, 2, 3)));
}

// Exponentials that underflow or overflow, and a NaN input, behave as the C library's do.
TYPED_TEST(GenredSum, ExtremeExponentsAndNaN) {
  using T = TypeParam;
  const Vi<0, 1> x;
  const Vj<1, 1> y;
  auto K = ko::Genred(ko::Sum(Exp(x - y)), ko::axis::j);
  const double big = sizeof(T) == 4 ? 100.0 : 1000.0;
  auto xs = kt::param<T, Mem>({-big, 0.0, big, std::nan("")});
  kt::Mat<T, Mem> xv("x", 4, 1), yv("y", 1, 1), out("out", 4, 1);
  auto hx = Kokkos::create_mirror_view(xv);
  auto hxs = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), xs);
  for (int r = 0; r < 4; ++r) hx(r, 0) = hxs(r);
  Kokkos::deep_copy(xv, hx);
  K(out, xv, yv);
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  EXPECT_LT(h(0, 0), T(1e-30));  // underflow: 0 or a subnormal
  EXPECT_NEAR(h(1, 0), T(1), 1e-6);
  EXPECT_TRUE(std::isinf(h(2, 0)) && h(2, 0) > 0);
  EXPECT_TRUE(std::isnan(h(3, 0)));
}

}  // namespace

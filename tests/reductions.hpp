// Every reduction other than the plain Sum, against a long-double reference computed pair by pair:
// Min/Max/Arg*, KMin/ArgKMin, LogSumExp (weighted), Max_SumShiftExp, SumSoftMaxWeight; summation
// schemes and accumulator types; half-precision data; index exactness past 2^24; output checks.
#include "test_helpers.hpp"

#include <numeric>

namespace {

namespace ko = kokkeops;
namespace kt = kokkeops::test;
using namespace kokkeops::formulas;

using Exec = KOKKEOPS_TEST_EXEC;
using Mem = Kokkos::Device<Exec, Exec::memory_space>;  // views whose execution space is the one under test
using kokkeops::Cat;
using LD = long double;

template <class I>
using IMat = Kokkos::View<I**, Kokkos::LayoutRight, Mem>;

using kt::host;
using kt::pair_row;
using kt::ranked;
template <class T>
kt::Mat<T, Mem> integer_mat(long rows, int dim, unsigned seed, int range) {
  return kt::integer_mat<T, Mem>(rows, dim, seed, range);
}

template <class T>
class Reductions : public ::testing::Test {};
using Precisions = kokkeops::test::Precisions;
TYPED_TEST_SUITE(Reductions, Precisions);

const std::vector<std::pair<long, long>> kSelSizes = {{1, 1}, {7, 13}, {17, 15}, {33, 257}, {300, 500}, {64, 2000}};

// Min, Max, ArgMin, ArgMax, Min_ArgMin, Max_ArgMax on a 2-component formula with ties, both axes.
TYPED_TEST(Reductions, MinMaxArgExactWithTies) {
  using T = TypeParam;
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  const auto f = Square(x - y);  // dim 2, integer-valued
  unsigned seed = 11;
  for (const auto& nm : kSelSizes) {
    const long n = nm.first, m = nm.second;
    for (Cat output : {Cat::i, Cat::j}) {
      const long ni = output == Cat::i ? n : m, nj = output == Cat::i ? m : n;
      auto xv = integer_mat<T>(ni, 2, seed++, 3), yv = integer_mat<T>(nj, 2, seed++, 3);
      kt::Mat<T, Mem> vmin("vmin", n, 2), vmax("vmax", n, 2), vmin2("vmin2", n, 2), vmax2("vmax2", n, 2);
      IMat<long> amin("amin", n, 2), amax("amax", n, 2), amin2("amin2", n, 2);
      IMat<int> amax2("amax2", n, 2);
      const auto run = [&](auto axis) {
        ko::Genred(ko::Min(f), axis)(vmin, xv, yv);
        ko::Genred(ko::Max(f), axis)(vmax, xv, yv);
        ko::Genred(ko::ArgMin(f), axis)(amin, xv, yv);
        ko::Genred(ko::ArgMax(f), axis)(amax, xv, yv);
        ko::Genred(ko::Min_ArgMin(f), axis)(vmin2, amin2, xv, yv);
        ko::Genred(ko::Max_ArgMax(f), axis)(vmax2, amax2, xv, yv);
      };
      if (output == Cat::i) run(ko::axis::j);
      else run(ko::axis::i);
      const auto args = kt::host_args(xv, yv);
      auto hvmin = host(vmin), hvmax = host(vmax), hvmin2 = host(vmin2), hvmax2 = host(vmax2);
      auto hamin = host(amin), hamax = host(amax), hamin2 = host(amin2);
      auto hamax2 = host(amax2);
      for (long r = 0; r < n; ++r) {
        const auto row = pair_row(f, output, args, r, m);
        for (int k = 0; k < 2; ++k) {
          const long imin = ranked(row, 2, k, false)[0], imax = ranked(row, 2, k, true)[0];
          const LD mn = row[static_cast<std::size_t>(imin * 2 + k)], mx = row[static_cast<std::size_t>(imax * 2 + k)];
          ASSERT_EQ(hamin(r, k), imin) << "ArgMin row " << r << " comp " << k << " n=" << n << " m=" << m;
          ASSERT_EQ(hamax(r, k), imax) << "ArgMax row " << r;
          ASSERT_EQ(hamin2(r, k), imin) << "Min_ArgMin row " << r;
          ASSERT_EQ(hamax2(r, k), imax) << "Max_ArgMax row " << r;
          ASSERT_EQ(static_cast<LD>(hvmin(r, k)), mn) << "Min row " << r;
          ASSERT_EQ(static_cast<LD>(hvmax(r, k)), mx) << "Max row " << r;
          ASSERT_EQ(static_cast<LD>(hvmin2(r, k)), mn);
          ASSERT_EQ(static_cast<LD>(hvmax2(r, k)), mx);
        }
      }
    }
  }
}

// Continuous data: the selected index's value is the minimum (up to rounding of the formula).
TYPED_TEST(Reductions, ArgMinGaussianDistances) {
  using T = TypeParam;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const auto f = -Exp(-SqDist(x, y));  // ArgMin = nearest neighbour
  const long n = 1000, m = 3001;
  auto xv = kt::random_mat<T, Mem>(n, 3, 5), yv = kt::random_mat<T, Mem>(m, 3, 6);
  IMat<std::int64_t> a("a", n, 1);
  kt::Mat<T, Mem> v("v", n, 1);
  ko::Genred(ko::Min_ArgMin(f), ko::axis::j)(v, a, xv, yv);
  const auto args = kt::host_args(xv, yv);
  auto ha = host(a);
  auto hv = host(v);
  const double tol = sizeof(T) == 4 ? 1e-6 : 1e-14;
  for (long r = 0; r < n; r += 7) {
    const auto row = pair_row(f, Cat::i, args, r, m);
    const LD best = *std::min_element(row.begin(), row.end());
    ASSERT_GE(ha(r, 0), 0);
    ASSERT_LT(ha(r, 0), m);
    EXPECT_LE(std::fabs(static_cast<double>(row[static_cast<std::size_t>(ha(r, 0))] - best)), tol) << "row " << r;
    EXPECT_LE(std::fabs(static_cast<double>(hv(r, 0) - best)), tol) << "row " << r;
  }
}

// KMin / ArgKMin / KMin_ArgKMin against a full stable sort, K = 1, 3, 7; K larger than m pads with
// +inf / -1.
template <int K, class T>
void check_kmin(long n, long m, Cat output, unsigned seed) {
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  const Vj<2, 1> w;
  const auto f = Abs(x - y) * w;  // dim 2, integer-valued (negative too) with ties
  const long ni = output == Cat::i ? n : m, nj = output == Cat::i ? m : n;
  auto xv = integer_mat<T>(ni, 2, seed, 6), yv = integer_mat<T>(nj, 2, seed + 1, 6);
  auto wv = integer_mat<T>(nj, 1, seed + 2, 2);
  kt::Mat<T, Mem> vals("kmin", n, 2 * K), vals2("kmin2", n, 2 * K);
  IMat<long> idx("argkmin", n, 2 * K), idx2("argkmin2", n, 2 * K);
  const auto run = [&](auto axis) {
    ko::Genred(ko::KMin<K>(f), axis)(vals, xv, yv, wv);
    ko::Genred(ko::ArgKMin<K>(f), axis)(idx, xv, yv, wv);
    ko::Genred(ko::KMin_ArgKMin<K>(f), axis)(vals2, idx2, xv, yv, wv);
  };
  if (output == Cat::i) run(ko::axis::j);
  else run(ko::axis::i);
  const auto args = kt::host_args(xv, yv, wv);
  auto hv = host(vals), hv2 = host(vals2);
  auto hi = host(idx), hi2 = host(idx2);
  for (long r = 0; r < n; ++r) {
    const auto row = pair_row(f, output, args, r, m);
    for (int k = 0; k < 2; ++k) {
      const auto order = ranked(row, 2, k, false);
      for (int q = 0; q < K; ++q) {
        const long want_i = q < m ? order[static_cast<std::size_t>(q)] : -1;
        const LD want_v = q < m ? row[static_cast<std::size_t>(want_i * 2 + k)] : LD(INFINITY);
        const int e = q * 2 + k;  // KeOps layout (n, K, dim)
        ASSERT_EQ(hi(r, e), want_i) << "ArgKMin<" << K << "> row " << r << " q " << q << " comp " << k << " m " << m;
        ASSERT_EQ(hi2(r, e), want_i);
        ASSERT_EQ(static_cast<LD>(hv(r, e)), want_v) << "KMin<" << K << "> row " << r << " q " << q;
        ASSERT_EQ(static_cast<LD>(hv2(r, e)), want_v);
      }
    }
  }
}

TYPED_TEST(Reductions, KMinMatchesFullSort) {
  using T = TypeParam;
  unsigned seed = 100;
  for (const auto& nm : std::vector<std::pair<long, long>>{{1, 1}, {9, 2}, {17, 15}, {40, 300}, {257, 33}})
    for (Cat output : {Cat::i, Cat::j}) {
      check_kmin<1, T>(nm.first, nm.second, output, seed += 3);
      check_kmin<3, T>(nm.first, nm.second, output, seed += 3);
      check_kmin<7, T>(nm.first, nm.second, output, seed += 3);
    }
}

// Empty reductions: Min +inf, Max -inf, indices -1, LogSumExp -inf, Sum 0.
TYPED_TEST(Reductions, EmptyReductionNeutralValues) {
  using T = TypeParam;
  const Vi<0, 1> x;
  const Vj<1, 1> y;
  auto xv = kt::random_mat<T, Mem>(5, 1, 1);
  kt::Mat<T, Mem> yv("y", 0, 1), v("v", 5, 1), s("s", 5, 1), lse("lse", 5, 1), raw("raw", 5, 2);
  IMat<int> a("a", 5, 1);
  IMat<long> ka("ka", 5, 2);
  ko::Genred(ko::Min_ArgMin(x * y), ko::axis::j)(v, a, xv, yv);
  ko::Genred(ko::ArgKMin<2>(x * y), ko::axis::j)(ka, xv, yv);
  ko::Genred(ko::Sum(x * y), ko::axis::j)(s, xv, yv);
  ko::Genred(ko::LogSumExp(x * y), ko::axis::j)(lse, xv, yv);
  ko::Genred(ko::Max_SumShiftExp(x * y), ko::axis::j)(raw, xv, yv);
  auto hv = host(v), hs = host(s), hl = host(lse), hr = host(raw);
  auto ha = host(a);
  auto hka = host(ka);
  for (long r = 0; r < 5; ++r) {
    EXPECT_TRUE(std::isinf(hv(r, 0)) && hv(r, 0) > 0);
    EXPECT_EQ(ha(r, 0), -1);
    EXPECT_EQ(hka(r, 0), -1);
    EXPECT_EQ(hka(r, 1), -1);
    EXPECT_EQ(hs(r, 0), T(0));
    EXPECT_TRUE(std::isinf(hl(r, 0)) && hl(r, 0) < 0);
    EXPECT_TRUE(std::isinf(hr(r, 0)) && hr(r, 0) < 0);
    EXPECT_EQ(hr(r, 1), T(0));
  }
}

// NaN ranks first (as numpy.min): Min is NaN and ArgMin points at the first NaN; +inf values are
// still selected (an all-+inf row gives index 0, not -1).
TYPED_TEST(Reductions, NaNAndInfinityInSelections) {
  using T = TypeParam;
  const Vi<0, 1> x;
  const Vj<1, 1> y;
  kt::Mat<T, Mem> xv("x", 2, 1), yv("y", 40, 1), v("v", 2, 1);
  IMat<int> a("a", 2, 1), ka("ka", 2, 3);
  auto hx = Kokkos::create_mirror_view(xv);
  auto hy = Kokkos::create_mirror_view(yv);
  hx(0, 0) = T(1);
  hx(1, 0) = T(INFINITY);  // row 1: every value +inf
  for (int j = 0; j < 40; ++j) hy(j, 0) = T(j % 5 + 1);
  hy(23, 0) = T(NAN);
  hy(31, 0) = T(NAN);
  Kokkos::deep_copy(xv, hx);
  Kokkos::deep_copy(yv, hy);
  ko::Genred(ko::Min_ArgMin(x * y), ko::axis::j)(v, a, xv, yv);
  ko::Genred(ko::ArgKMin<3>(x * y), ko::axis::j)(ka, xv, yv);
  auto hv = host(v);
  auto ha = host(a), hka = host(ka);
  EXPECT_TRUE(std::isnan(hv(0, 0)));
  EXPECT_EQ(ha(0, 0), 23);
  EXPECT_EQ(hka(0, 0), 23);
  EXPECT_EQ(hka(0, 1), 31);
  EXPECT_EQ(hka(0, 2), 0);  // then the smallest number, value 1, first at j = 0
  EXPECT_TRUE(std::isnan(hv(1, 0)));  // inf * NaN
  EXPECT_EQ(ha(1, 0), 23);
  // All +inf without NaN: index 0.
  kt::Mat<T, Mem> y2("y2", 3, 1), v2("v2", 2, 1);
  IMat<int> a2("a2", 2, 1);
  Kokkos::deep_copy(y2, T(2));
  ko::Genred(ko::Min_ArgMin(x * y * y), ko::axis::j)(v2, a2, xv, y2);
  auto hv2 = host(v2);
  auto ha2 = host(a2);
  EXPECT_EQ(hv2(0, 0), T(4));
  EXPECT_EQ(ha2(0, 0), 0);
  EXPECT_TRUE(std::isinf(hv2(1, 0)));
  EXPECT_EQ(ha2(1, 0), 0);
}

// Indices are exact integers beyond float's 2^24 (KeOps refuses n > 1.6e7 in float32).
TYPED_TEST(Reductions, ArgMinExactPast2To24) {
  using T = TypeParam;
  const Vi<0, 1> x;
  const Vj<1, 1> y;
  const long m = (1L << 24) + 7, target = (1L << 24) + 3;
  kt::Mat<T, Mem> xv("x", 2, 1), yv("y", m, 1);
  Kokkos::deep_copy(xv, T(1));
  Kokkos::deep_copy(yv, T(2));
  Kokkos::deep_copy(Kokkos::subview(yv, std::make_pair(target, target + 1), Kokkos::ALL), T(1));
  IMat<std::int64_t> a("a", 2, 1);
  ko::Genred(ko::ArgMin(x * y), ko::axis::j)(a, xv, yv);
  auto ha = host(a);
  EXPECT_EQ(ha(0, 0), target);
  EXPECT_EQ(ha(1, 0), target);
}

// LogSumExp with exponents ~1e3 (exp overflows without the shift), weighted, the raw pair, softmax.
TYPED_TEST(Reductions, LogSumExpFamily) {
  using T = TypeParam;
  const Vi<0, 1> x;
  const Vj<1, 1> y;
  const Vj<2, 2> g;
  const auto f = x * y;  // x ~ 1e3 spread, y in (0.5, 1.5): f ~ 1e3
  for (const auto& nm : std::vector<std::pair<long, long>>{{1, 1}, {17, 15}, {100, 1000}, {33, 4097}})
    for (Cat output : {Cat::i, Cat::j}) {
      const long n = nm.first, m = nm.second;
      const long ni = output == Cat::i ? n : m, nj = output == Cat::i ? m : n;
      auto xv = kt::random_mat<T, Mem>(ni, 1, 3, 1000, 5), yv = kt::random_mat<T, Mem>(nj, 1, 4, 1, 0.2);
      auto gv = kt::random_mat<T, Mem>(nj, 2, 5, 2, 0.5);  // positive weights for the weighted log
      kt::Mat<T, Mem> lse("lse", n, 1), lsew("lsew", n, 2), raw("raw", n, 2), raww("raww", n, 3), sm("sm", n, 2);
      kt::Mat<T, Mem> lsek("lsek", n, 1);
      const auto run = [&](auto axis) {
        ko::Genred(ko::LogSumExp(f), axis)(lse, xv, yv);
        ko::Genred(ko::LogSumExp(f, ko::scheme::kahan), axis)(lsek, xv, yv);
        ko::Genred(ko::LogSumExp(f, g), axis)(lsew, xv, yv, gv);
        ko::Genred(ko::Max_SumShiftExp(f), axis)(raw, xv, yv);
        ko::Genred(ko::Max_SumShiftExpWeight(f, g), axis)(raww, xv, yv, gv);
        ko::Genred(ko::SumSoftMaxWeight(f, g), axis)(sm, xv, yv, gv);
      };
      if (output == Cat::i) run(ko::axis::j);
      else run(ko::axis::i);
      const auto args = kt::host_args(xv, yv, gv);
      auto hl = host(lse), hlk = host(lsek), hw = host(lsew), hr = host(raw), hrw = host(raww), hs = host(sm);
      const double rt = sizeof(T) == 4 ? 2e-6 : 1e-13;
      for (long r = 0; r < n; ++r) {
        const auto fr = pair_row(f, output, args, r, m);
        const auto gr = pair_row(g, output, args, r, m);
        const LD mx = *std::max_element(fr.begin(), fr.end());
        LD s = 0, s1 = 0, s2 = 0;
        for (long q = 0; q < m; ++q) {
          const LD e = std::exp(fr[static_cast<std::size_t>(q)] - mx);
          s += e;
          s1 += e * gr[static_cast<std::size_t>(2 * q)];
          s2 += e * gr[static_cast<std::size_t>(2 * q + 1)];
        }
        const auto near = [&](double got, LD want, double scale) {
          return std::fabs(got - static_cast<double>(want)) <= rt * scale + 1e-300;
        };
        const double big = std::fabs(static_cast<double>(mx)) + 10;
        EXPECT_TRUE(near(hl(r, 0), mx + std::log(s), big)) << "LogSumExp row " << r << ": " << hl(r, 0) << " vs "
                                                         << static_cast<double>(mx + std::log(s)) << " m=" << m;
        EXPECT_TRUE(near(hlk(r, 0), mx + std::log(s), big)) << "LogSumExp kahan row " << r;
        EXPECT_TRUE(near(hw(r, 0), mx + std::log(s1), big)) << "LogSumExp weighted row " << r;
        EXPECT_TRUE(near(hw(r, 1), mx + std::log(s2), big));
        // Raw pair: m is the largest value, s relative to itself (s >= 1).
        // (within an ulp: the reference rounds the exact product twice, via long double)
        const double ulp = std::numeric_limits<T>::epsilon() * std::fabs(static_cast<double>(mx));
        EXPECT_NEAR(static_cast<double>(hr(r, 0)), static_cast<double>(mx), ulp);
        EXPECT_TRUE(near(hr(r, 1), s, 20 * static_cast<double>(s))) << "Max_SumShiftExp s row " << r;
        EXPECT_NEAR(static_cast<double>(hrw(r, 0)), static_cast<double>(mx), ulp);
        EXPECT_TRUE(near(hrw(r, 1), s1, 20 * static_cast<double>(s1)));
        EXPECT_TRUE(near(hrw(r, 2), s2, 20 * static_cast<double>(s2)));
        EXPECT_TRUE(near(hs(r, 0), s1 / s, 20 * static_cast<double>(s1 / s))) << "SumSoftMaxWeight row " << r;
        EXPECT_TRUE(near(hs(r, 1), s2 / s, 20 * static_cast<double>(s2 / s)));
      }
    }
}

// LogSumExp propagates NaN and handles -inf exponents.
TYPED_TEST(Reductions, LogSumExpInfAndNaN) {
  using T = TypeParam;
  const Vi<0, 1> x;
  const Vj<1, 1> y;
  kt::Mat<T, Mem> xv("x", 3, 1), yv("y", 20, 1), out("out", 3, 1);
  auto hx = Kokkos::create_mirror_view(xv);
  auto hy = Kokkos::create_mirror_view(yv);
  hx(0, 0) = T(0);
  hx(1, 0) = T(NAN);
  hx(2, 0) = T(-INFINITY);
  for (int j = 0; j < 20; ++j) hy(j, 0) = T(j == 0 ? -INFINITY : 0);
  Kokkos::deep_copy(xv, hx);
  Kokkos::deep_copy(yv, hy);
  ko::Genred(ko::LogSumExp(x + y), ko::axis::j)(out, xv, yv);
  auto h = host(out);
  EXPECT_NEAR(h(0, 0), std::log(19.0), 1e-6);  // exp(-inf) = 0 for j = 0
  EXPECT_TRUE(std::isnan(h(1, 0)));
  EXPECT_TRUE(std::isinf(h(2, 0)) && h(2, 0) < 0);
}

// Summation schemes on a float sum of 1e6 terms equal to 0.1f: every addition into a running sum much
// larger than the term rounds the same way, so the direct sum drifts by a systematic error whatever the
// number of SIMD lanes, and the block scheme (a partial sum per 64 vectors) cuts the number of such
// additions by 64. (Random terms are no test of this: their rounding errors partly cancel, and on one data
// set the direct sum can come out ahead by chance: uniform terms, seed 7, gave direct 0.098 and block 0.130
// with 8 lanes, an AVX2 build.) Kahan and a double accumulator are exact but for the final rounding.
TEST(SummationSchemes, FloatSumOfAMillionTerms) {
  const Vi<0, 1> x;
  const Vj<1, 1> y;
  const long n = 3, m = 1000000;
  kt::Mat<float, Mem> xv("x", n, 1), yv("y", m, 1);
  Kokkos::deep_copy(xv, 1.0f);
  Kokkos::deep_copy(yv, 0.1f);
  const LD ref = static_cast<LD>(m) * static_cast<LD>(0.1f);
  kt::Mat<float, Mem> od("d", n, 1), ob("b", n, 1), ok("k", n, 1), oa("a", n, 1), okd("kd", n, 1);
  // One sweep over the whole range (the 1D scheme): with 3 rows the automatic choice would split it into
  // segments (the 2D scheme), whose separate partial sums make the direct sum more accurate.
  ko::Genred(ko::Sum(x * y, ko::scheme::direct), ko::axis::j).segments(1)(od, xv, yv);
  ko::Genred(ko::Sum(x * y, ko::scheme::block), ko::axis::j).segments(1)(ob, xv, yv);
  ko::Genred(ko::Sum(x * y, ko::scheme::kahan), ko::axis::j).segments(1)(ok, xv, yv);
  ko::Genred(ko::Sum(x * y, ko::accumulate<double>), ko::axis::j).segments(1)(oa, xv, yv);
  ko::Genred(ko::Sum(x * y, ko::scheme::kahan, ko::accumulate<double>), ko::axis::j).segments(1)(okd, xv, yv);
  const auto err = [&](const kt::Mat<float, Mem>& o) { return std::fabs(static_cast<double>(host(o)(0, 0) - ref)); };
  const double ed = err(od), eb = err(ob), ek = err(ok), ea = err(oa), ekd = err(okd);
  // The result is rounded to float at the end: half an ulp of ~1e5 is 2^-8.
  const double last_rounding = std::ldexp(1.0, -8);
  std::printf("float sum of 1e6 x 0.1f (%d lanes), |error|: direct %.3g, block %.3g, kahan %.3g, double acc %.3g\n",
              ko::impl::BackendTraits<Exec, float>::lanes, ed, eb, ek, ea);
  EXPECT_GT(ed, 1000 * last_rounding) << "the direct sum should show accumulated rounding here";
  EXPECT_LT(8 * eb, ed) << "the block scheme should cut the direct sum's error by far more than 8";
  EXPECT_LE(ek, last_rounding);
  EXPECT_LE(ea, last_rounding);
  EXPECT_LE(ekd, last_rounding);
}

TYPED_TEST(Reductions, EverySchemeMatchesOracleOnGaussian) {
  using T = TypeParam;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> b;
  const auto f = Exp(-SqDist(x, y)) * b;
  for (const auto& nm : std::vector<std::pair<long, long>>{{17, 15}, {255, 257}, {300, 5000}}) {
    const long n = nm.first, m = nm.second;
    auto xv = kt::random_mat<T, Mem>(n, 3, 1), yv = kt::random_mat<T, Mem>(m, 3, 2), bv = kt::random_mat<T, Mem>(m, 2, 3);
    const auto ref = kt::oracle_sum(f, Cat::i, kt::host_args(xv, yv, bv), m, kt::rows_to_check(n, m));
    kt::Mat<T, Mem> o1("o1", n, 2), o2("o2", n, 2), o3("o3", n, 2);
    ko::Genred(ko::Sum(f, ko::scheme::direct), ko::axis::j)(o1, xv, yv, bv);
    ko::Genred(ko::Sum(f, ko::scheme::block), ko::axis::j)(o2, xv, yv, bv);
    ko::Genred(ko::Sum(f, ko::scheme::kahan), ko::axis::j)(o3, xv, yv, bv);
    EXPECT_TRUE(kt::matches_reference(o1, ref, kt::sum_rtol<T>())) << "direct m=" << m;
    EXPECT_TRUE(kt::matches_reference(o2, ref, kt::sum_rtol<T>())) << "block m=" << m;
    EXPECT_TRUE(kt::matches_reference(o3, ref, kt::sum_rtol<T>())) << "kahan m=" << m;
    if constexpr (std::is_same_v<T, float>) {
      kt::Mat<T, Mem> o4("o4", n, 2);
      ko::Genred(ko::Sum(f, ko::accumulate<double>), ko::axis::j)(o4, xv, yv, bv);
      EXPECT_TRUE(kt::matches_reference(o4, ref, kt::sum_rtol<T>())) << "double accumulator m=" << m;
    }
  }
}

// Output checks of the new reductions: index view shape and range, the two outputs' rows.
TYPED_TEST(Reductions, OutputValidation) {
  using T = TypeParam;
  const Vi<0, 1> x;
  const Vj<1, 1> y;
  auto xv = kt::random_mat<T, Mem>(10, 1, 1), yv = kt::random_mat<T, Mem>(40000, 1, 2);
  IMat<long> wrong_dim("wd", 10, 2), wrong_rows("wr", 9, 1), ok("ok", 10, 1);
  kt::Mat<T, Mem> v("v", 10, 1), kv("kv", 10, 3);
  IMat<std::int16_t> small("small", 10, 1);
  kt::expect_rejected(wrong_dim, [&] { ko::Genred(ko::ArgMin(x * y), ko::axis::j)(wrong_dim, xv, yv); },
                      "index output: expected a rank-2 view of shape (n, 1)");
  kt::expect_rejected(v, [&] { ko::Genred(ko::Min_ArgMin(x * y), ko::axis::j)(v, wrong_rows, xv, yv); },
                      "index output: has 9 rows");
  kt::expect_rejected(small, [&] { ko::Genred(ko::ArgMin(x * y), ko::axis::j)(small, xv, yv); },
                      "cannot hold indices up to 39999");
  kt::expect_rejected(kv, [&] { ko::Genred(ko::KMin<2>(x * y), ko::axis::j)(kv, xv, yv); },
                      "expected a rank-2 view of shape (n, 2)");
  kt::expect_rejected(ok, [&] { ko::Genred(ko::ArgMin(x * y), ko::axis::j)(ok, xv); }, "expected 2 arguments");
  // With fewer entries the int16 index view is fine.
  auto y_small = kt::random_mat<T, Mem>(100, 1, 3);
  ko::Genred(ko::ArgMin(x * y), ko::axis::j)(small, xv, y_small);
  auto hs = host(small);
  for (int r = 0; r < 10; ++r) EXPECT_TRUE(hs(r, 0) >= 0 && hs(r, 0) < 100);
}

// ---------------------------------------------------------------- half precision data

#if defined(KOKKEOPS_HAVE_FLOAT16)
using Half = _Float16;
#define KOKKEOPS_TEST_HALF 1
#elif defined(KOKKOS_HALF_T_IS_FLOAT) && !KOKKOS_HALF_T_IS_FLOAT
using Half = Kokkos::Experimental::half_t;
#define KOKKEOPS_TEST_HALF 1
#endif

#if defined(KOKKEOPS_TEST_HALF)
template <class H>
kt::Mat<H, Mem> to_half(const kt::Mat<float, Mem>& v) {
  kt::Mat<H, Mem> h("half", v.extent(0), v.extent(1));
  auto src = host(v);
  auto dst = Kokkos::create_mirror_view(h);
  for (std::size_t r = 0; r < v.extent(0); ++r)
    for (std::size_t k = 0; k < v.extent(1); ++k) dst(r, k) = static_cast<H>(src(r, k));
  Kokkos::deep_copy(h, dst);
  return h;
}

template <class H>
kt::Mat<float, Mem> to_float(const kt::Mat<H, Mem>& v) {
  kt::Mat<float, Mem> f("float", v.extent(0), v.extent(1));
  auto src = host(v);
  auto dst = Kokkos::create_mirror_view(f);
  for (std::size_t r = 0; r < v.extent(0); ++r)
    for (std::size_t k = 0; k < v.extent(1); ++k) dst(r, k) = static_cast<float>(src(r, k));
  Kokkos::deep_copy(f, dst);
  return f;
}

// Gaussian sums in half data (M = 300, N = 500, as keopscore's tests): half accumulators within 1e-2 of
// the sum of absolute terms, float accumulators within 2e-3 (the output itself is rounded to half).
TEST(HalfPrecision, SumsAgainstDoubleOracle) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 1> b;
  const auto f = Exp(-SqDist(x, y)) * b;
  auto xh = to_half<Half>(kt::random_mat<float, Mem>(300, 3, 1, 0, 0.5));
  auto yh = to_half<Half>(kt::random_mat<float, Mem>(500, 3, 2, 0, 0.5));
  auto bh = to_half<Half>(kt::random_mat<float, Mem>(500, 1, 3));
  // The reference sees exactly the half inputs.
  const auto ref = kt::oracle_sum(f, Cat::i, kt::host_args(to_float(xh), to_float(yh), to_float(bh)), 500,
                                  kt::rows_to_check(300, 500));
  kt::Mat<Half, Mem> oh("oh", 300, 1), of("of", 300, 1), ok("ok", 300, 1);
  ko::Genred(ko::Sum(f), ko::axis::j)(oh, xh, yh, bh);
  ko::Genred(ko::Sum(f, ko::accumulate<float>), ko::axis::j)(of, xh, yh, bh);
  ko::Genred(ko::Sum(f, ko::scheme::kahan), ko::axis::j)(ok, xh, yh, bh);
  EXPECT_TRUE(kt::matches_reference(to_float(oh), ref, 1e-2)) << "half accumulator";
  EXPECT_TRUE(kt::matches_reference(to_float(of), ref, 2e-3)) << "float accumulator";
  EXPECT_TRUE(kt::matches_reference(to_float(ok), ref, 2e-3)) << "half Kahan";
  // The half accumulator really rounds: its error exceeds the float accumulator's somewhere.
  auto a = host(to_float(oh)), c = host(to_float(of));
  double diff = 0;
  for (int r = 0; r < 300; ++r) diff = std::max(diff, std::fabs(static_cast<double>(a(r, 0) - c(r, 0))));
  EXPECT_GT(diff, 0.0);
}

// Min/ArgMin/KMin/LogSumExp in half (KeOps has no Min/Max/KMin in float16).
TEST(HalfPrecision, SelectionsAndLogSumExp) {
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  const auto f = SqDist(x, y);
  const long n = 200, m = 700;
  auto xf = integer_mat<float>(n, 2, 1, 10), yf = integer_mat<float>(m, 2, 2, 10);  // SqDist <= 800: exact in half
  auto xh = to_half<Half>(xf), yh = to_half<Half>(yf);
  kt::Mat<Half, Mem> v("v", n, 1), kv("kv", n, 3), lse("lse", n, 1);
  IMat<int> a("a", n, 1), ka("ka", n, 3);
  ko::Genred(ko::Min_ArgMin(f), ko::axis::j)(v, a, xh, yh);
  ko::Genred(ko::KMin_ArgKMin<3>(f), ko::axis::j)(kv, ka, xh, yh);
  ko::Genred(ko::LogSumExp(-0.01 * f, ko::accumulate<float>), ko::axis::j)(lse, xh, yh);
  const auto args = kt::host_args(xf, yf);
  auto hv = host(to_float(v)), hkv = host(to_float(kv)), hl = host(to_float(lse));
  auto ha = host(a), hka = host(ka);
  for (long r = 0; r < n; ++r) {
    const auto row = pair_row(f, Cat::i, args, r, m);
    const auto order = ranked(row, 1, 0, false);
    EXPECT_EQ(ha(r, 0), order[0]) << "row " << r;
    EXPECT_EQ(static_cast<LD>(hv(r, 0)), row[static_cast<std::size_t>(order[0])]);  // small integers: exact in half
    for (int q = 0; q < 3; ++q) {
      EXPECT_EQ(hka(r, q), order[static_cast<std::size_t>(q)]);
      EXPECT_EQ(static_cast<LD>(hkv(r, q)), row[static_cast<std::size_t>(order[static_cast<std::size_t>(q)])]);
    }
    LD mx = -INFINITY, s = 0;
    for (LD e : row) mx = std::max(mx, -0.01L * e);
    for (LD e : row) s += std::exp(-0.01L * e - mx);
    EXPECT_NEAR(hl(r, 0), static_cast<double>(mx + std::log(s)), 2e-3 * std::fabs(static_cast<double>(mx + std::log(s))) + 1e-3);
  }
}
#endif

}  // namespace

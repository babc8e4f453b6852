// The 1D and 2D schemes (engine.hpp): the reduced range split into segments, one team per (row block,
// segment), the segments' partial states merged by the reduction. Every reduction family against the
// long-double oracle with forced segment counts (even, uneven, one per entry), ties and NaN across
// segment boundaries, float sums accumulated in double, the automatic choice, and the bad requests.
#include "test_helpers.hpp"

#include <cmath>
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

// Segment requests every test goes through: automatic, 1D, 2 and 3 (uneven), 7, and more than m (one
// segment per reduced entry).
std::vector<int> segment_requests(long m) {
  return {0, 1, 2, 3, 7, static_cast<int>(m + 5)};
}

TEST(Schemes, ChooseSegments) {
  const auto count = [](int req, long blocks, long m, long want, long min_len, long align = 1) {
    return ko::impl::choose_segments(req, blocks, m, want, min_len, align).count;
  };
  // Automatic: 1D when the row blocks fill the device, else enough segments, each >= min_len long.
  EXPECT_EQ(count(0, 100, 1000000, 8, 4096), 1);
  EXPECT_EQ(count(0, 8, 1000000, 8, 4096), 1);
  EXPECT_EQ(count(0, 1, 1000000, 8, 4096), 8);
  EXPECT_EQ(count(0, 3, 1000000, 8, 4096), 3);
  EXPECT_EQ(count(0, 1, 20000, 8, 4096), 4);  // capped: 20000 / 4096 = 4 segments
  EXPECT_EQ(count(0, 1, 8000, 8, 4096), 1);   // too short to split
  EXPECT_EQ(count(0, 1, 0, 8, 4096), 1);
  EXPECT_EQ(count(0, 4, 1000000, 1056, 2048), 264);
  // Forced: at most m, and no empty segment: 10 entries in 4 segments are 3 + 3 + 3 + 1.
  EXPECT_EQ(count(1, 1, 1000000, 8, 4096), 1);
  EXPECT_EQ(count(4, 1, 10, 8, 4096), 4);
  EXPECT_EQ(count(6, 1, 10, 8, 4096), 5);  // ceil(10 / 6) = 2 per segment: 5 segments
  EXPECT_EQ(count(50, 1, 10, 8, 4096), 10);
  EXPECT_EQ(count(3, 1, 1, 8, 4096), 1);
  EXPECT_EQ(count(3, 1, 0, 8, 4096), 1);
  // Segments start on SIMD vectors: lengths are multiples of the alignment.
  const auto plan = ko::impl::choose_segments(3, 1, 100, 8, 4096, 16);
  EXPECT_EQ(plan.count, 3);  // ceil(100 / 3) = 34, rounded to 48: 48 + 48 + 4
  EXPECT_EQ(plan.length, 48);
  EXPECT_EQ(count(7, 1, 100, 8, 4096, 16), 7);     // 15 -> 16: 6 x 16 + 4
  EXPECT_EQ(count(2, 1, 17, 8, 4096, 16), 2);     // 9 -> 16: 16 + 1
  EXPECT_EQ(count(2, 1, 16, 8, 4096, 16), 1);     // one vector: 1D
  EXPECT_EQ(count(200, 1, 1000, 8, 4096, 16), 63);  // 5 -> 16: ceil(1000 / 16) = 63
}

template <class T>
class Schemes2D : public ::testing::Test {};
using Precisions = kokkeops::test::Precisions;
TYPED_TEST_SUITE(Schemes2D, Precisions);

// Gaussian kernel times a 2-column weight, both axes, every segment request, against the oracle.
TYPED_TEST(Schemes2D, SumMatchesOracle) {
  using T = TypeParam;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> b;
  const auto f = Exp(-SqDist(x, y)) * b;
  unsigned seed = 3;
  for (const auto& nm : std::vector<std::pair<long, long>>{{1, 1}, {5, 2}, {3, 1000}, {37, 20011}, {2, 60000}}) {
    const long n = nm.first, m = nm.second;
    for (Cat output : {Cat::i, Cat::j}) {
      auto xv = kt::random_mat<T, Mem>(output == Cat::i ? n : m, 3, seed++);
      auto yv = kt::random_mat<T, Mem>(output == Cat::i ? m : n, 3, seed++);
      auto bv = kt::random_mat<T, Mem>(output == Cat::i ? m : n, 2, seed++);
      // axis j: b is indexed by the reduced j. axis i: the output is indexed by j, reduced over i, so
      // b (a Vj) is an output-side variable and x the reduced one.
      const auto ref = kt::oracle_sum(f, output, kt::host_args(xv, yv, bv), m, kt::rows_to_check(n, m));
      for (int k : segment_requests(m)) {
        kt::Mat<T, Mem> out("out", n, 2);
        if (output == Cat::i) ko::Genred(ko::Sum(f), ko::axis::j).segments(k)(out, xv, yv, bv);
        else ko::Genred(ko::Sum(f), ko::axis::i).segments(k)(out, xv, yv, bv);
        EXPECT_TRUE(kt::matches_reference(out, ref, kt::sum_rtol<T>()))
            << "n=" << n << " m=" << m << " segments(" << k << ") output " << (output == Cat::i ? "i" : "j");
      }
    }
  }
}

// Kahan and block summation, and float data summed in double: the partial sums are kept in the
// accumulator type, so the 2D result is the double sum rounded once to float, as in 1D.
TEST(Schemes2D, SchemesAndDoubleAccumulation) {
  const Vi<0, 1> x;
  const Vj<1, 1> y;
  const auto f = x * y;  // x = 1: the terms are the y values, exactly
  const long n = 3, m = 100003;
  kt::Mat<float, Mem> xv("x", n, 1);
  Kokkos::deep_copy(xv, 1.0f);
  // Two sets of terms, each summed exactly in double (multiples of 2^-24 below 2^29):
  //   positive: uniform in [0.5, 1.5], for the float schemes;
  //   cancelling: +(1000 + u) on the first half, -(1000 + u) on the second, so that a segment's partial sum
  //   is about 5e7 (float ulp 4) while the total is a few hundred: float partials would lose it.
  kt::Mat<float, Mem> ypos("ypos", m, 1), ycan("ycan", m, 1);
  auto hp = Kokkos::create_mirror_view(ypos), hc = Kokkos::create_mirror_view(ycan);
  std::mt19937 gen(7);
  std::uniform_real_distribution<double> d(0.5, 1.5), u(0.0, 1.0);
  double exact_pos = 0, exact_can = 0;
  for (long j = 0; j < m; ++j) {
    hp(j, 0) = static_cast<float>(d(gen));
    hc(j, 0) = static_cast<float>((j < m / 2 ? 1.0 : -1.0) * (1000.0 + u(gen)));
    exact_pos += static_cast<double>(hp(j, 0));
    exact_can += static_cast<double>(hc(j, 0));
  }
  Kokkos::deep_copy(ypos, hp);
  Kokkos::deep_copy(ycan, hc);
  for (int k : segment_requests(m)) {
    kt::Mat<float, Mem> acc("acc", n, 1), kahan("kahan", n, 1), block("block", n, 1);
    ko::Genred(ko::Sum(f, ko::accumulate<double>), ko::axis::j).segments(k)(acc, xv, ycan);
    ko::Genred(ko::Sum(f, ko::scheme::kahan), ko::axis::j).segments(k)(kahan, xv, ypos);
    ko::Genred(ko::Sum(f, ko::scheme::block), ko::axis::j).segments(k)(block, xv, ypos);
    auto ha = host(acc), hk = host(kahan), hb = host(block);
    for (long r = 0; r < n; ++r) {
      EXPECT_EQ(ha(r, 0), static_cast<float>(exact_can)) << "accumulate<double>, segments(" << k << ")";
      EXPECT_NEAR(hk(r, 0), exact_pos, 3 * exact_pos * 1.2e-7) << "kahan (3 ulp), segments(" << k << ")";
      EXPECT_NEAR(hb(r, 0), exact_pos, exact_pos * 1e-5) << "block, segments(" << k << ")";
    }
  }
}

// Integer-valued points (kt::integer_mat): distances tie everywhere, so every selected index must be the
// lowest among equal values, across segment boundaries as within them.
TEST(Schemes2D, SelectionsExactWithTiesAndNaN) {
  using T = float;
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  const auto f = Square(x - y);  // dim 2, integer-valued
  unsigned seed = 40;
  for (const auto& nm : std::vector<std::pair<long, long>>{{1, 9}, {4, 1000}, {9, 9001}}) {
    const long n = nm.first, m = nm.second;
    for (bool with_nan : {false, true}) {
      auto xv = kt::integer_mat<T, Mem>(n, 2, seed++, 3), yv = kt::integer_mat<T, Mem>(m, 2, seed++, 3);
      if (with_nan) {
        // NaN in component 0 at two places of the last half: the first one is the answer of Min/ArgMin.
        auto hy = host(yv);
        hy(m - 1, 0) = std::nanf("");
        hy(m / 2 + 1, 0) = std::nanf("");
        Kokkos::deep_copy(yv, hy);
      }
      const auto args = kt::host_args(xv, yv);
      std::vector<std::vector<LD>> rows;
      for (long r = 0; r < n; ++r) rows.push_back(kt::pair_row(f, Cat::i, args, r, m));
      for (int k : segment_requests(m)) {
        kt::Mat<T, Mem> vmin("vmin", n, 2), vmax("vmax", n, 2), vk("vk", n, 6);
        IMat<long> amin("amin", n, 2), amax("amax", n, 2), ak("ak", n, 6), ak4("ak4", n, 8);
        ko::Genred(ko::Min_ArgMin(f), ko::axis::j).segments(k)(vmin, amin, xv, yv);
        ko::Genred(ko::Max_ArgMax(f), ko::axis::j).segments(k)(vmax, amax, xv, yv);
        ko::Genred(ko::KMin_ArgKMin<3>(f), ko::axis::j).segments(k)(vk, ak, xv, yv);
        ko::Genred(ko::ArgKMin<4>(f), ko::axis::j).segments(k)(ak4, xv, yv);
        auto hvmin = host(vmin), hvmax = host(vmax), hvk = host(vk);
        auto hamin = host(amin), hamax = host(amax), hak = host(ak), hak4 = host(ak4);
        for (long r = 0; r < n; ++r)
          for (int c = 0; c < 2; ++c) {
            const auto& row = rows[static_cast<std::size_t>(r)];
            const auto lo = kt::ranked(row, 2, c, false), hi = kt::ranked(row, 2, c, true);
            const auto val = [&](long j) { return row[static_cast<std::size_t>(j * 2 + c)]; };
            const auto same = [](LD got, LD want) { return (std::isnan(got) && std::isnan(want)) || got == want; };
            const std::string at = "row " + std::to_string(r) + " comp " + std::to_string(c) + " n=" +
                                   std::to_string(n) + " m=" + std::to_string(m) + " segments(" + std::to_string(k) +
                                   ")" + (with_nan ? " with NaN" : "");
            ASSERT_EQ(hamin(r, c), lo[0]) << "ArgMin " << at;
            ASSERT_TRUE(same(hvmin(r, c), val(lo[0]))) << "Min " << at;
            ASSERT_EQ(hamax(r, c), hi[0]) << "ArgMax " << at;
            ASSERT_TRUE(same(hvmax(r, c), val(hi[0]))) << "Max " << at;
            for (int q = 0; q < 3; ++q) {
              const long want = q < m ? lo[static_cast<std::size_t>(q)] : -1;
              ASSERT_EQ(hak(r, q * 2 + c), want) << "ArgKMin<3> slot " << q << " " << at;
              if (want >= 0) {
                ASSERT_TRUE(same(hvk(r, q * 2 + c), val(want))) << "KMin<3> slot " << q << " " << at;
              }
            }
            for (int q = 0; q < 4; ++q)
              ASSERT_EQ(hak4(r, q * 2 + c), q < m ? lo[static_cast<std::size_t>(q)] : -1) << "ArgKMin<4> " << at;
          }
      }
    }
  }
}

// LogSumExp (plain and weighted), Max_SumShiftExp and SumSoftMaxWeight: the segments' (m, s) states
// merge into the same values as a single sweep, against long-double references.
TYPED_TEST(Schemes2D, ShiftExpFamilyMatchesReference) {
  using T = TypeParam;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> g;
  const auto f = -SqDist(x, y) * Pm<3, 1>();
  const double tol = sizeof(T) == 4 ? 2e-5 : 1e-12;
  unsigned seed = 90;
  for (const auto& nm : std::vector<std::pair<long, long>>{{1, 3}, {4, 1500}, {6, 30001}}) {
    const long n = nm.first, m = nm.second;
    auto xv = kt::random_mat<T, Mem>(n, 3, seed++), yv = kt::random_mat<T, Mem>(m, 3, seed++);
    auto gv = kt::random_mat<T, Mem>(m, 2, seed++, 2.0, 0.3);  // positive weights (2 - 6.7 sd): log defined
    auto pv = kt::param<T, Mem>({20.0});                      // exponents down to about -1000: the shift matters
    const auto args = kt::host_args(xv, yv, gv, pv);
    // Reference per row: M = max f, S1 = sum exp(f - M), Sg = sum exp(f - M) g.
    std::vector<double> M(n), S1(n), S2a(n), S2b(n);  // long-double sums, rounded once
    for (long r = 0; r < n; ++r) {
      LD mx = -INFINITY;
      std::vector<LD> fv(static_cast<std::size_t>(m));
      for (long q = 0; q < m; ++q) {
        kt::OracleCtx ctx{&args, r, q};
        f.eval(&fv[static_cast<std::size_t>(q)], ctx);
        mx = std::max(mx, fv[static_cast<std::size_t>(q)]);
      }
      LD s1 = 0, sa = 0, sb = 0;
      auto hg = host(gv);
      for (long q = 0; q < m; ++q) {
        const LD e = std::exp(fv[static_cast<std::size_t>(q)] - mx);
        s1 += e, sa += e * static_cast<LD>(hg(q, 0)), sb += e * static_cast<LD>(hg(q, 1));
      }
      M[r] = static_cast<double>(mx), S1[r] = static_cast<double>(s1);
      S2a[r] = static_cast<double>(sa), S2b[r] = static_cast<double>(sb);
    }
    for (int k : segment_requests(m)) {
      kt::Mat<T, Mem> lse("lse", n, 1), lsew("lsew", n, 2), raw("raw", n, 2), sm("sm", n, 2);
      ko::Genred(ko::LogSumExp(f), ko::axis::j).segments(k)(lse, xv, yv, gv, pv);
      ko::Genred(ko::LogSumExp(f, g), ko::axis::j).segments(k)(lsew, xv, yv, gv, pv);
      ko::Genred(ko::Max_SumShiftExp(f), ko::axis::j).segments(k)(raw, xv, yv, gv, pv);
      ko::Genred(ko::SumSoftMaxWeight(f, g), ko::axis::j).segments(k)(sm, xv, yv, gv, pv);
      auto hl = host(lse), hw = host(lsew), hr = host(raw), hs = host(sm);
      for (long r = 0; r < n; ++r) {
        const std::string at = "row " + std::to_string(r) + " m=" + std::to_string(m) + " segments(" +
                               std::to_string(k) + ")";
        const double lse_ref = M[r] + std::log(S1[r]);
        EXPECT_NEAR(hl(r, 0), lse_ref, tol * (1 + std::fabs(lse_ref))) << "LogSumExp " << at;
        EXPECT_NEAR(hw(r, 0), M[r] + std::log(S2a[r]), tol * (1 + std::fabs(lse_ref))) << "LogSumExp(f, g) " << at;
        EXPECT_NEAR(hw(r, 1), M[r] + std::log(S2b[r]), tol * (1 + std::fabs(lse_ref))) << "LogSumExp(f, g) " << at;
        EXPECT_NEAR(hr(r, 0), M[r], tol * (1 + std::fabs(M[r]))) << "Max_SumShiftExp m " << at;
        EXPECT_NEAR(hr(r, 1), S1[r], tol * S1[r]) << "Max_SumShiftExp s " << at;
        EXPECT_NEAR(hs(r, 0), S2a[r] / S1[r], tol * 10) << "SumSoftMaxWeight " << at;
        EXPECT_NEAR(hs(r, 1), S2b[r] / S1[r], tol * 10) << "SumSoftMaxWeight " << at;
      }
    }
  }
}

TEST(Schemes2D, BadRequestsAreRejected) {
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const auto f = Exp(-SqDist(x, y));
  auto xv = kt::random_mat<float, Mem>(10, 3, 1), yv = kt::random_mat<float, Mem>(20, 3, 2);
  kt::Mat<float, Mem> out("out", 10, 1);
  Kokkos::deep_copy(out, 7.0f);
  kt::expect_rejected(out, [&] { ko::Genred(ko::Sum(f), ko::axis::j).segments(-1)(out, xv, yv); },
                      "segment count must be 0");
  // Block-sparse calls are 1D: segments(1) is accepted, more is not supported.
  ko::Ranges<int, Mem> r;
  r.ranges_i = ko::impl::pairs_view<int, Mem>("ri", {0, 10});
  r.slices_i = ko::impl::ends_view<int, Mem>("si", {1});
  r.redranges_j = ko::impl::pairs_view<int, Mem>("rrj", {0, 20});
  r.ranges_j = ko::impl::pairs_view<int, Mem>("rj", {0, 20});
  r.slices_j = ko::impl::ends_view<int, Mem>("sj", {1});
  r.redranges_i = ko::impl::pairs_view<int, Mem>("rri", {0, 10});
  kt::expect_rejected(out, [&] { ko::Genred(ko::Sum(f), ko::axis::j).segments(2)(r, out, xv, yv); },
                      "not supported with ranges");
  // More (row block, segment) teams than one launch holds: 1.2e7 rows are at least 23438 row blocks (512 rows
  // per team on GPUs, 8 on CPUs), times 2e5 segments.
  {
    const Vi<0, 1> a;
    const Vj<1, 1> c;
    kt::Mat<float, Mem> av("a", 12000000, 1), big("big", 12000000, 1);
    auto cv = kt::random_mat<float, Mem>(200000, 1, 4);
    kt::expect_rejected(big, [&] { ko::Genred(ko::Sum(a * c), ko::axis::j).segments(200000)(big, av, cv); },
                        "more teams than one launch can hold");
  }
  kt::Mat<float, Mem> dense("dense", 10, 1);
  ko::Genred(ko::Sum(f), ko::axis::j).segments(1)(r, out, xv, yv);
  ko::Genred(ko::Sum(f), ko::axis::j)(dense, xv, yv);
  auto ho = host(out), hd = host(dense);
  for (long i = 0; i < 10; ++i) EXPECT_EQ(ho(i, 0), hd(i, 0)) << "row " << i;
}

}  // namespace

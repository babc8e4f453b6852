// Block-sparse reductions (KeOps ranges): full cover = dense (bitwise), random masks against a masked
// reference on both axes and several reductions, rows in no block, KeOps' own block-sparse test with
// the clustering helpers, batches as block-diagonal ranges, and every malformed tuple rejected.
#include "test_helpers.hpp"

namespace {

namespace ko = kokkeops;
namespace kt = kokkeops::test;
using namespace kokkeops::formulas;

using Exec = KOKKEOPS_TEST_EXEC;
using Mem = Kokkos::Device<Exec, Exec::memory_space>;  // views whose execution space is the one under test
using kokkeops::Cat;
using R64 = ko::Ranges<std::int64_t, Mem>;
using R32 = ko::Ranges<int, Mem>;

using kokkeops::test::host;

template <class I>
ko::Ranges<I, Mem> make_ranges(const std::vector<long>& ri, const std::vector<long>& si, const std::vector<long>& rj_red,
                               const std::vector<long>& rj, const std::vector<long>& sj, const std::vector<long>& ri_red) {
  ko::Ranges<I, Mem> r;
  r.ranges_i = ko::impl::pairs_view<I, Mem>("ri", ri);
  r.slices_i = ko::impl::ends_view<I, Mem>("si", si);
  r.redranges_j = ko::impl::pairs_view<I, Mem>("rrj", rj_red);
  r.ranges_j = ko::impl::pairs_view<I, Mem>("rj", rj);
  r.slices_j = ko::impl::ends_view<I, Mem>("sj", sj);
  r.redranges_i = ko::impl::pairs_view<I, Mem>("rri", ri_red);
  return r;
}

template <class T>
class RangesTest : public ::testing::Test {};
using Precisions = kokkeops::test::Precisions;
TYPED_TEST_SUITE(RangesTest, Precisions);

// One block covering everything: the same summation order as the dense call, so bitwise equal.
TYPED_TEST(RangesTest, FullCoverEqualsDenseBitwise) {
  using T = TypeParam;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> b;
  const auto f = Exp(-SqDist(x, y)) * b;
  for (const auto& nm : std::vector<std::pair<long, long>>{{1, 1}, {17, 15}, {255, 2049}, {1000, 999}}) {
    const long n = nm.first, m = nm.second;
    auto xv = kt::random_mat<T, Mem>(n, 3, 1), yv = kt::random_mat<T, Mem>(m, 3, 2), bv = kt::random_mat<T, Mem>(m, 2, 3);
    const auto all = make_ranges<std::int64_t>({0, n}, {1}, {0, m}, {0, m}, {1}, {0, n});
    kt::Mat<T, Mem> d("dense", n, 2), s("sparse", n, 2), ld("ld", n, 1), ls("ls", n, 1);
    Kokkos::View<long**, Kokkos::LayoutRight, Mem> ad("ad", n, 1), as("as", n, 1);
    ko::Genred(ko::Sum(f), ko::axis::j)(d, xv, yv, bv);
    ko::Genred(ko::Sum(f), ko::axis::j)(all, s, xv, yv, bv);
    ko::Genred(ko::LogSumExp(-SqDist(x, y)), ko::axis::j)(ld, xv, yv);
    ko::Genred(ko::LogSumExp(-SqDist(x, y)), ko::axis::j)(all, ls, xv, yv);
    ko::Genred(ko::ArgMin(SqDist(x, y)), ko::axis::j)(ad, xv, yv);
    ko::Genred(ko::ArgMin(SqDist(x, y)), ko::axis::j)(all, as, xv, yv);
    EXPECT_EQ(kt::bytes_of(d), kt::bytes_of(s)) << "Sum n=" << n << " m=" << m;
    EXPECT_EQ(kt::bytes_of(ld), kt::bytes_of(ls)) << "LogSumExp n=" << n << " m=" << m;
    EXPECT_EQ(kt::bytes_of(ad), kt::bytes_of(as)) << "ArgMin n=" << n << " m=" << m;
    // axis i: output indexed by j, the transposed half.
    kt::Mat<T, Mem> di("di", m, 1), si("si", m, 1);
    const Vi<2, 1> bi;
    auto bvi = kt::random_mat<T, Mem>(n, 1, 4);
    ko::Genred(ko::Sum(Exp(-SqDist(x, y)) * bi), ko::axis::i)(di, xv, yv, bvi);
    ko::Genred(ko::Sum(Exp(-SqDist(x, y)) * bi), ko::axis::i)(all, si, xv, yv, bvi);
    EXPECT_EQ(kt::bytes_of(di), kt::bytes_of(si)) << "axis i n=" << n << " m=" << m;
  }
}

// Random clusters and a random keep mask, some i rows in no block: Sum, Min_ArgMin and LogSumExp
// against a reference that applies the mask, on both axes, int32 and int64 ranges.
template <class T, class I>
void check_random_mask(long n, long m, unsigned seed) {
  std::mt19937 gen(seed);
  const auto partition = [&](long len, bool leave_gaps) {
    std::vector<long> cuts{0};
    std::uniform_int_distribution<long> step(1, std::max(1L, len / 5));
    while (cuts.back() < len) cuts.push_back(std::min(len, cuts.back() + step(gen)));
    std::vector<long> p;
    for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
      if (leave_gaps && k % 4 == 3) continue;  // these rows belong to no block
      p.insert(p.end(), {cuts[k], cuts[k + 1]});
    }
    return p;
  };
  const auto bi = partition(n, true), bj = partition(m, true);
  const std::size_t ci = bi.size() / 2, cj = bj.size() / 2;
  Kokkos::View<char**, Kokkos::LayoutRight, Kokkos::HostSpace> keep("keep", ci, cj);
  std::bernoulli_distribution coin(0.4);
  for (std::size_t a = 0; a < ci; ++a)
    for (std::size_t b = 0; b < cj; ++b) keep(a, b) = coin(gen) ? 1 : 0;
  const auto r = ko::from_matrix<I, Mem>(ko::impl::pairs_view<I, Mem>("ri", bi), ko::impl::pairs_view<I, Mem>("rj", bj), keep);
  // Reference mask per (i, j).
  const auto kept = [&](long i, long j) {
    for (std::size_t a = 0; a < ci; ++a)
      if (i >= bi[2 * a] && i < bi[2 * a + 1])
        for (std::size_t b = 0; b < cj; ++b)
          if (j >= bj[2 * b] && j < bj[2 * b + 1]) return keep(a, b) != 0;
    return false;
  };
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  const auto f = Exp(-SqDist(x, y));
  auto xv = kt::random_mat<T, Mem>(n, 2, seed + 1), yv = kt::random_mat<T, Mem>(m, 2, seed + 2);
  const auto args = kt::host_args(xv, yv);
  for (Cat output : {Cat::i, Cat::j}) {
    const long no = output == Cat::i ? n : m, nr = output == Cat::i ? m : n;
    kt::Mat<T, Mem> sum("sum", no, 1), mn("mn", no, 1), lse("lse", no, 1);
    Kokkos::View<int**, Kokkos::LayoutRight, Mem> am("am", no, 1);
    if (output == Cat::i) {
      ko::Genred(ko::Sum(f), ko::axis::j)(r, sum, xv, yv);
      ko::Genred(ko::Min_ArgMin(-f), ko::axis::j)(r, mn, am, xv, yv);
      ko::Genred(ko::LogSumExp(-SqDist(x, y)), ko::axis::j)(r, lse, xv, yv);
    } else {
      ko::Genred(ko::Sum(f), ko::axis::i)(r, sum, xv, yv);
      ko::Genred(ko::Min_ArgMin(-f), ko::axis::i)(r, mn, am, xv, yv);
      ko::Genred(ko::LogSumExp(-SqDist(x, y)), ko::axis::i)(r, lse, xv, yv);
    }
    auto hs = host(sum), hm = host(mn), hl = host(lse);
    auto ha = host(am);
    const double tol = sizeof(T) == 4 ? 2e-5 : 1e-12;
    for (long o = 0; o < no; ++o) {
      long double s = 0, best = INFINITY, lmax = -INFINITY;
      long arg = -1;
      std::vector<long double> ls;
      for (long q = 0; q < nr; ++q) {
        const long i = output == Cat::i ? o : q, j = output == Cat::i ? q : o;
        if (!kept(i, j)) continue;
        kt::OracleCtx ctx{&args, i, j};
        long double v;
        f.eval(&v, ctx);
        s += v;
        if (-v < best) best = -v, arg = q;
        ls.push_back(std::log(v));
        lmax = std::max(lmax, std::log(v));
      }
      long double se = 0;
      for (long double e : ls) se += std::exp(e - lmax);
      const std::string where = std::string(output == Cat::i ? "axis j" : "axis i") + " row " + std::to_string(o) +
                                " n=" + std::to_string(n) + " m=" + std::to_string(m);
      EXPECT_NEAR(hs(o, 0), static_cast<double>(s), tol * (1 + static_cast<double>(s))) << "Sum " << where;
      if (arg < 0) {
        EXPECT_TRUE(std::isinf(hm(o, 0)) && hm(o, 0) > 0) << "neutral Min " << where;
        EXPECT_EQ(ha(o, 0), -1) << where;
        EXPECT_TRUE(std::isinf(hl(o, 0)) && hl(o, 0) < 0) << "neutral LogSumExp " << where;
      } else {
        EXPECT_NEAR(hm(o, 0), static_cast<double>(best), tol) << "Min " << where;
        ASSERT_GE(ha(o, 0), 0) << where;
        const long q = ha(o, 0);
        EXPECT_TRUE(kept(output == Cat::i ? o : q, output == Cat::i ? q : o)) << "ArgMin outside the mask " << where;
        EXPECT_NEAR(hl(o, 0), static_cast<double>(lmax + std::log(se)), tol * (1 + std::fabs(static_cast<double>(lmax))))
            << "LogSumExp " << where;
      }
    }
  }
}

TYPED_TEST(RangesTest, RandomMasksMatchMaskedReference) {
  using T = TypeParam;
  check_random_mask<T, std::int64_t>(1, 1, 1);
  check_random_mask<T, std::int64_t>(40, 33, 2);
  check_random_mask<T, int>(300, 257, 3);
  check_random_mask<T, int>(1000, 2000, 4);
}

// KeOps' test_block_sparse_reduction: x on an ellipse, y a blob, voxels 0.05, sigma 0.05,
// keep cluster pairs with centroid distance^2 < (4 sigma)^2: relative L1 error against dense < 0.2 %.
TEST(RangesKeOps, BlockSparseGaussianCircleAndBlob) {
  using T = float;
  const long n = 5000;
  kt::Mat<T, Mem> x("x", n, 2), y("y", n, 2);
  {
    auto hx = Kokkos::create_mirror_view(x);
    auto hy = Kokkos::create_mirror_view(y);
    std::mt19937 gen(0);
    std::normal_distribution<double> g(0, 1);
    for (long i = 0; i < n; ++i) {
      const double t = 2 * M_PI * static_cast<double>(i) / static_cast<double>(n);
      hx(i, 0) = static_cast<T>(0.4 + 0.4 * std::cos(t) + 0.01 * g(gen));
      hx(i, 1) = static_cast<T>(0.5 + 0.3 * std::sin(t) + 0.01 * g(gen));
      for (int k = 0; k < 2; ++k) hy(i, k) = static_cast<T>(0.6 + 0.1 * g(gen));
    }
    Kokkos::deep_copy(x, hx);
    Kokkos::deep_copy(y, hy);
  }
  const double sigma = 0.05, eps = 0.05;
  auto bv = kt::random_mat<T, Mem>(n, 1, 9);
  // Cluster, sort, ranges, centroids, keep, from_matrix: the recipe.
  auto lx = ko::grid_cluster(x, eps), ly = ko::grid_cluster(y, eps);
  const int cx = ko::num_clusters(lx), cy = ko::num_clusters(ly);
  auto px = ko::sort_clusters(lx), py = ko::sort_clusters(ly);
  auto xs = ko::permute_rows(x, px), ys = ko::permute_rows(y, py), bs = ko::permute_rows(bv, py);
  auto lxs = ko::permute_rows(lx, px), lys = ko::permute_rows(ly, py);
  auto rx = ko::cluster_ranges<std::int64_t>(lxs, cx), ry = ko::cluster_ranges<std::int64_t>(lys, cy);
  auto cenx = ko::cluster_centroids(xs, lxs, cx), ceny = ko::cluster_centroids(ys, lys, cy);
  auto keep = ko::keep_within(cenx, ceny, 4 * sigma);
  auto r = ko::from_matrix<std::int64_t, Mem>(rx, ry, keep);
  const Vi<0, 2> xi;
  const Vj<1, 2> yj;
  const Vj<2, 1> b;
  const Pm<3, 1> g;
  auto K = ko::Genred(ko::Sum(Exp(-g * SqDist(xi, yj)) * b), ko::axis::j);
  auto gam = kt::param<T, Mem>({1.0 / (2 * sigma * sigma)});
  kt::Mat<T, Mem> dense("dense", n, 1), sparse("sparse", n, 1);
  K(dense, xs, ys, bs, gam);
  K(r, sparse, xs, ys, bs, gam);
  auto hd = host(dense), hs = host(sparse);
  double num = 0, den = 0;
  for (long i = 0; i < n; ++i) {
    num += std::fabs(static_cast<double>(hd(i, 0) - hs(i, 0)));
    den += std::fabs(static_cast<double>(hd(i, 0)));
  }
  long kept = 0;
  auto hk = host(keep);
  auto hrx = host(rx), hry = host(ry);
  for (int a = 0; a < cx; ++a)
    for (int c = 0; c < cy; ++c)
      if (hk(a, c)) kept += (hrx(a, 1) - hrx(a, 0)) * (hry(c, 1) - hry(c, 0));
  std::printf("block-sparse: %d x %d clusters, kept %.2f %% of the pairs, relative L1 error %.3g\n", cx, cy,
              100.0 * static_cast<double>(kept) / (static_cast<double>(n) * n), num / den);
  EXPECT_LT(num / den, 2e-3);
  EXPECT_LT(kept, n * n / 2);  // the point of it: most pairs skipped
}

// Batches: block-diagonal ranges give each batch's own dense reduction.
TEST(RangesKeOps, BatchesAsBlockDiagonal) {
  using T = double;
  const std::vector<long> ni = {30, 0, 45, 17}, nj = {20, 12, 0, 33};
  long n = 0, m = 0;
  for (long v : ni) n += v;
  for (long v : nj) m += v;
  auto xv = kt::random_mat<T, Mem>(n, 2, 1), yv = kt::random_mat<T, Mem>(m, 2, 2);
  const Vi<0, 2> x;
  const Vj<1, 2> y;
  auto K = ko::Genred(ko::Sum(Exp(-SqDist(x, y))), ko::axis::j);
  kt::Mat<T, Mem> out("out", n, 1);
  K(ko::block_diagonal<int, Mem>(ni, nj), out, xv, yv);
  auto ho = host(out);
  const auto args = kt::host_args(xv, yv);
  long oi = 0, oj = 0;
  for (std::size_t bt = 0; bt < ni.size(); ++bt) {
    for (long i = oi; i < oi + ni[bt]; ++i) {
      long double s = 0;
      for (long j = oj; j < oj + nj[bt]; ++j) {
        kt::OracleCtx ctx{&args, i, j};
        long double v;
        Exp(-SqDist(x, y)).eval(&v, ctx);
        s += v;
      }
      EXPECT_NEAR(ho(i, 0), static_cast<double>(s), 1e-12) << "batch " << bt << " row " << i;
    }
    oi += ni[bt];
    oj += nj[bt];
  }
}

// Malformed tuples: every case names the offending entry, and the output is untouched.
TEST(RangesKeOps, MalformedRangesRejected) {
  using T = float;
  const Vi<0, 1> x;
  const Vj<1, 1> y;
  auto K = ko::Genred(ko::Sum(x * y), ko::axis::j);
  auto xv = kt::random_mat<T, Mem>(10, 1, 1), yv = kt::random_mat<T, Mem>(8, 1, 2);
  kt::Mat<T, Mem> out("out", 10, 1);
  Kokkos::deep_copy(out, T(7));
  const auto bad = [&](const R64& r, const std::string& needle) {
    kt::expect_rejected(out, [&] { K(r, out, xv, yv); }, needle);
  };
  const std::vector<long> okj = {0, 8}, oki = {0, 10};
  bad(make_ranges<std::int64_t>({0, 11}, {1}, okj, okj, {1}, oki), "ranges_i[0] = [0, 11) is not a range within [0, 10)");
  bad(make_ranges<std::int64_t>({5, 3}, {1}, okj, okj, {1}, oki), "ranges_i[0] = [5, 3)");
  bad(make_ranges<std::int64_t>({-1, 3}, {1}, okj, okj, {1}, oki), "ranges_i[0] = [-1, 3)");
  bad(make_ranges<std::int64_t>({0, 6, 4, 10}, {1, 2}, {0, 8, 0, 8}, okj, {1}, oki), "overlap");
  bad(make_ranges<std::int64_t>({0, 5, 5, 10}, {2, 1}, {0, 8, 0, 8}, okj, {1}, oki), "slices_i[1] = 1 is less than");
  bad(make_ranges<std::int64_t>({0, 10}, {2}, okj, okj, {1}, oki), "slices_i[0] = 2 must equal the number of redranges_j entries, 1");
  bad(make_ranges<std::int64_t>({0, 10}, {1, 1}, okj, okj, {1}, oki), "slices_i has 2 entries, ranges_i has 1 blocks");
  bad(make_ranges<std::int64_t>({0, 10}, {1}, {0, 9}, okj, {1}, oki), "redranges_j[0] = [0, 9) is not a range within [0, 8)");
  bad(make_ranges<std::int64_t>({0, 10}, {1}, okj, {0, 9}, {1}, oki), "ranges_j[0] = [0, 9)");
  bad(make_ranges<std::int64_t>({0, 10}, {1}, okj, okj, {1}, {2, 12}), "redranges_i[0] = [2, 12)");
  // Shapes checked before ranges: the usual argument errors still come first.
  kt::expect_rejected(out, [&] { K(make_ranges<std::int64_t>({0, 10}, {1}, okj, okj, {1}, oki), out, xv); },
                      "expected 2 arguments");
}

// Edge cases: no blocks at all (every row neutral), empty blocks, n = 0.
TEST(RangesKeOps, EmptyBlocksAndNoRows) {
  using T = double;
  const Vi<0, 1> x;
  const Vj<1, 1> y;
  auto xv = kt::random_mat<T, Mem>(6, 1, 1), yv = kt::random_mat<T, Mem>(4, 1, 2);
  kt::Mat<T, Mem> out("out", 6, 1);
  Kokkos::deep_copy(out, T(7));
  ko::Genred(ko::Sum(x * y), ko::axis::j)(make_ranges<int>({}, {}, {}, {}, {}, {}), out, xv, yv);
  auto h = host(out);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(h(i, 0), T(0));
  // Empty blocks and a block with no reduced range.
  kt::Mat<T, Mem> mx("mx", 6, 1);
  ko::Genred(ko::Max(x * y), ko::axis::j)(make_ranges<int>({0, 0, 0, 3, 3, 6}, {1, 1, 2}, {0, 0, 1, 4}, {0, 4}, {1}, {0, 6}),
                                         mx, xv, yv);
  auto hm = host(mx);
  auto hx = host(xv);
  auto hy = host(yv);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::isinf(hm(i, 0)) && hm(i, 0) < 0) << i;
  for (int i = 3; i < 6; ++i) {
    T best = -INFINITY;
    for (int j = 1; j < 4; ++j) best = std::max(best, hx(i, 0) * hy(j, 0));
    EXPECT_EQ(hm(i, 0), best) << i;
  }
  kt::Mat<T, Mem> none("none", 0, 1), x0("x0", 0, 1);
  ko::Genred(ko::Sum(x * y), ko::axis::j)(make_ranges<int>({}, {}, {}, {0, 4}, {0}, {}), none, x0, yv);
}

}  // namespace

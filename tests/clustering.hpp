// The clustering helpers (kokkeops/cluster.hpp), which run in the views' execution space, against host
// references: voxel labels in any dimension (std::map of voxel tuples), the stable sort (std::stable_sort),
// ranges from unsorted labels (bincount / cumsum), centroids (double sums), the keep mask and the 6-tuple
// (nested loops). Sizes cross the radix sort's chunks (2048 rows) and its digits (keys of 1 to 64 bits).
#include "test_helpers.hpp"

#include <kokkeops/cluster.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <numeric>

namespace {

namespace ko = kokkeops;
namespace kt = kokkeops::test;

using Exec = KOKKEOPS_TEST_EXEC;
using Mem = Kokkos::Device<Exec, Exec::memory_space>;  // views whose execution space is the one under test

using kokkeops::test::host;

template <class T>
Kokkos::View<T*, Mem> to_device(const std::vector<T>& h) {
  Kokkos::View<T*, Mem> v("v", h.size());
  auto m = Kokkos::create_mirror_view(v);
  for (std::size_t k = 0; k < h.size(); ++k) m(k) = h[k];
  Kokkos::deep_copy(v, m);
  return v;
}

// Labels in lexicographic voxel order, on the host.
template <class T>
std::vector<int> reference_labels(const kt::Mat<T, Mem>& x, double voxel) {
  auto h = host(x);
  const long n = static_cast<long>(h.extent(0));
  const int d = static_cast<int>(h.extent(1));
  std::vector<std::vector<long long>> cells(static_cast<std::size_t>(n));
  std::map<std::vector<long long>, int> ids;
  for (long i = 0; i < n; ++i) {
    for (int k = 0; k < d; ++k)
      cells[static_cast<std::size_t>(i)].push_back(static_cast<long long>(std::floor(static_cast<double>(h(i, k)) / voxel)));
    ids.emplace(cells[static_cast<std::size_t>(i)], 0);
  }
  int c = 0;
  for (auto& kv : ids) kv.second = c++;
  std::vector<int> out;
  for (long i = 0; i < n; ++i) out.push_back(ids[cells[static_cast<std::size_t>(i)]]);
  return out;
}

template <class V>
std::vector<long> as_vector(const V& v) {
  auto h = host(v);
  std::vector<long> out;
  for (std::size_t k = 0; k < h.extent(0); ++k) out.push_back(static_cast<long>(h(k)));
  return out;
}

TEST(Clustering, GridClusterMatchesHostReferenceInAnyDimension) {
  struct Case {
    long n;
    int d;
    double voxel, sd;
  };
  // d = 64 with a coarse voxel: 64 radix columns; 1e4 and 5e3 rows: several 2048-row chunks.
  for (const Case c : {Case{0, 3, 0.1, 1}, Case{1, 3, 0.1, 1}, Case{5000, 1, 0.01, 1}, Case{10000, 3, 0.05, 1},
                       Case{3000, 5, 0.7, 1}, Case{700, 64, 1.5, 1}, Case{4100, 2, 0.3, 1e3}}) {
    auto x = kt::random_mat<double, Mem>(c.n, c.d, static_cast<unsigned>(c.n + c.d));
    const auto got = as_vector(ko::grid_cluster(x, c.voxel));
    const auto want = reference_labels(x, c.voxel);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i)
      ASSERT_EQ(got[i], want[i]) << "n=" << c.n << " d=" << c.d << " point " << i;
    const int nc = ko::num_clusters(ko::grid_cluster(x, c.voxel));
    EXPECT_EQ(nc, want.empty() ? 0 : *std::max_element(want.begin(), want.end()) + 1);
  }
}

TEST(Clustering, GridClusterWideVoxelRanges) {
  // Coordinates spanning ~2^60 voxels in each column (8 radix passes each), negative ones included, in float.
  const long n = 3000;
  kt::Mat<float, Mem> x("x", n, 2);
  auto h = Kokkos::create_mirror_view(x);
  std::mt19937_64 gen(7);
  std::uniform_int_distribution<int> pick(0, 40);
  for (long i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k) h(i, k) = static_cast<float>(std::ldexp(pick(gen) - 20, 55 + k));
  Kokkos::deep_copy(x, h);
  const auto got = as_vector(ko::grid_cluster(x, 1.0));
  const auto want = reference_labels(x, 1.0);
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], want[i]) << "point " << i;
}

TEST(Clustering, GridClusterRejectsBadInput) {
  auto x = kt::random_mat<double, Mem>(50, 3, 1);
  for (double v : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    try {
      ko::grid_cluster(x, v);
      ADD_FAILURE() << "voxel " << v << " accepted";
    } catch (const ko::Error& e) {
      EXPECT_NE(std::string(e.what()).find("voxel_size"), std::string::npos) << e.what();
    }
  }
  auto h = Kokkos::create_mirror_view(x);
  Kokkos::deep_copy(h, x);
  h(37, 1) = std::nan("");
  h(41, 0) = std::numeric_limits<double>::infinity();
  Kokkos::deep_copy(x, h);
  try {
    ko::grid_cluster(x, 0.1);
    ADD_FAILURE() << "NaN point accepted";
  } catch (const ko::Error& e) {
    EXPECT_NE(std::string(e.what()).find("point 37"), std::string::npos) << e.what();
  }
}

TEST(Clustering, SortIsStableForAnyIntegerLabels) {
  std::mt19937_64 gen(3);
  for (long n : {0L, 1L, 2L, 2047L, 2048L, 2049L, 30000L}) {
    // Few distinct labels (long runs cross the chunks), negative and 40-bit ones.
    std::vector<long> labels(static_cast<std::size_t>(n));
    std::uniform_int_distribution<long> few(-3, 4), wide(-(1L << 40), 1L << 40);
    for (long i = 0; i < n; ++i) labels[static_cast<std::size_t>(i)] = (i % 3 == 0) ? wide(gen) : few(gen);
    const auto perm = as_vector(ko::sort_clusters(to_device(labels)));
    std::vector<long> want(static_cast<std::size_t>(n));
    std::iota(want.begin(), want.end(), 0L);
    std::stable_sort(want.begin(), want.end(), [&](long a, long b) {
      return labels[static_cast<std::size_t>(a)] < labels[static_cast<std::size_t>(b)];
    });
    EXPECT_EQ(perm, want) << "n=" << n;
  }
}

TEST(Clustering, RangesAndCentroidsFromUnsortedLabels) {
  const long n = 9000;
  const int nc = 40;  // labels 0, 7, 13 and 39 have no point
  std::mt19937_64 gen(11);
  std::uniform_int_distribution<int> lab(0, nc - 1);
  std::vector<int> labels;
  for (long i = 0; i < n; ++i) {
    int c = lab(gen);
    while (c == 0 || c == 7 || c == 13 || c == 39) c = lab(gen);
    labels.push_back(c);
  }
  const auto lv = to_device(labels);
  auto x = kt::random_mat<double, Mem>(n, 3, 5);
  auto wv = kt::random_mat<double, Mem>(n, 1, 6, 2.0, 0.5);
  Kokkos::View<double*, Mem> w("w", n);
  Kokkos::deep_copy(w, Kokkos::subview(wv, Kokkos::ALL, 0));
  // Reference: counts and cumulative sums, double sums.
  std::vector<long> cnt(nc, 0);
  std::vector<double> ws(nc, 0), us(nc, 0), wsum(nc * 3, 0), usum(nc * 3, 0);
  auto hx = host(x);
  auto hw = host(w);
  for (long i = 0; i < n; ++i) {
    const int c = labels[static_cast<std::size_t>(i)];
    ++cnt[c];
    ws[c] += hw(i);
    us[c] += 1;
    for (int k = 0; k < 3; ++k) {
      wsum[c * 3 + k] += hw(i) * hx(i, k);
      usum[c * 3 + k] += hx(i, k);
    }
  }
  const auto r = host(ko::cluster_ranges<int>(lv, nc));
  long pos = 0;
  for (int c = 0; c < nc; ++c) {
    EXPECT_EQ(r(c, 0), pos) << "cluster " << c;
    EXPECT_EQ(r(c, 1), pos + cnt[c]) << "cluster " << c;
    pos += cnt[c];
  }
  // The ranges describe the sorted order: sorting and taking the ranges of the sorted labels agrees.
  const auto sorted = ko::permute_rows(lv, ko::sort_clusters(lv));
  const auto rs = host(ko::cluster_ranges<int>(sorted, nc));
  auto hs = host(sorted);
  for (int c = 0; c < nc; ++c)
    for (long s = rs(c, 0); s < rs(c, 1); ++s) ASSERT_EQ(hs(s), c);
  for (bool weighted : {false, true}) {
    const auto s = weighted ? ko::cluster_ranges_centroids(x, lv, nc, w) : ko::cluster_ranges_centroids(x, lv, nc);
    const auto s2 = weighted ? ko::cluster_ranges_centroids(x, lv, nc, w) : ko::cluster_ranges_centroids(x, lv, nc);
    EXPECT_EQ(kt::bytes_of(s.centroids), kt::bytes_of(s2.centroids)) << "not deterministic";
    auto hc = host(s.centroids);
    auto hwc = host(s.weights);
    auto hr = host(s.ranges);
    for (int c = 0; c < nc; ++c) {
      const double tw = weighted ? ws[c] : us[c];
      EXPECT_EQ(hr(c, 1) - hr(c, 0), cnt[c]);
      EXPECT_NEAR(hwc(c), tw, 1e-12 * (1 + std::fabs(tw))) << "cluster " << c;
      for (int k = 0; k < 3; ++k) {
        const double want = tw != 0 ? (weighted ? wsum[c * 3 + k] : usum[c * 3 + k]) / tw : 0.0;
        EXPECT_NEAR(hc(c, k), want, 1e-12) << "cluster " << c << " dim " << k << " weighted " << weighted;
      }
    }
    Kokkos::View<double*, Exec::memory_space> wc;  // cluster_centroids' output type: the points' memory space
    const auto cent = weighted ? ko::cluster_centroids(x, lv, nc, w, &wc) : ko::cluster_centroids(x, lv, nc, Kokkos::View<double*, Mem>(), &wc);
    EXPECT_EQ(kt::bytes_of(cent), kt::bytes_of(s.centroids));
    EXPECT_EQ(kt::bytes_of(wc), kt::bytes_of(s.weights));
  }
}

TEST(Clustering, BadLabelsAndShapesRejected) {
  const auto lv = to_device(std::vector<int>{0, 1, 2, 5, 1});
  auto x = kt::random_mat<double, Mem>(5, 2, 1);
  const auto expect_error = [](auto call, const std::string& needle) {
    try {
      call();
      ADD_FAILURE() << "expected an error containing \"" << needle << "\"";
    } catch (const ko::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error([&] { ko::cluster_ranges(lv, 5); }, "label 5 at 3 is not in [0, 5)");
  expect_error([&] { ko::cluster_centroids(x, lv, 4); }, "label 5 at 3");
  expect_error([&] { ko::cluster_centroids(x, to_device(std::vector<int>{0, 1}), 2); }, "2 labels for 5 points");
  expect_error([&] { ko::cluster_ranges(to_device(std::vector<int>{0, -1}), 3); }, "label -1 at 1");
  auto c3 = kt::random_mat<double, Mem>(4, 3, 2);
  expect_error([&] { ko::keep_within(x, c3, 1.0); }, "dimension 2 and 3");
  expect_error([&] { ko::keep_within(x, x, -1.0); }, "cutoff");
  Kokkos::View<char**, Kokkos::LayoutRight, Mem> keep("keep", 2, 3);
  const auto r2 = ko::impl::pairs_view<int, Mem>("r", {0, 2, 2, 5});
  expect_error([&] { ko::from_matrix<int, Mem>(r2, r2, keep); }, "keep is (2, 3), the clusters are 2 x 2");
  EXPECT_EQ(ko::num_clusters(Kokkos::View<int*, Mem>("empty", 0)), 0);
  EXPECT_EQ(ko::num_clusters(lv), 6);
}

TEST(Clustering, KeepAndFromMatrixMatchNestedLoops) {
  const int ci = 37, cj = 29;
  auto a = kt::random_mat<double, Mem>(ci, 2, 21), b = kt::random_mat<double, Mem>(cj, 2, 22);
  const double cut = 0.9;
  const auto keep = ko::keep_within(a, b, cut);
  auto hk = host(keep);
  auto ha = host(a), hb = host(b);
  for (int p = 0; p < ci; ++p)
    for (int q = 0; q < cj; ++q) {
      const double d2 = (ha(p, 0) - hb(q, 0)) * (ha(p, 0) - hb(q, 0)) + (ha(p, 1) - hb(q, 1)) * (ha(p, 1) - hb(q, 1));
      ASSERT_EQ(hk(p, q) != 0, d2 < cut * cut) << p << ", " << q;
    }
  // Cluster ranges of 3 points each (cluster 5 of i and 8 of j empty).
  std::vector<long> ri, rj;
  for (long c = 0, o = 0; c < ci; o += (c == 5 ? 0 : 3), ++c) ri.insert(ri.end(), {o, o + (c == 5 ? 0 : 3)});
  for (long c = 0, o = 0; c < cj; o += (c == 8 ? 0 : 3), ++c) rj.insert(rj.end(), {o, o + (c == 8 ? 0 : 3)});
  const auto r = ko::from_matrix<std::int64_t, Mem>(ko::impl::pairs_view<std::int64_t, Mem>("ri", ri),
                                                    ko::impl::pairs_view<std::int64_t, Mem>("rj", rj), keep);
  std::vector<long> si, rrj, sj, rri;
  for (int p = 0; p < ci; ++p) {
    for (int q = 0; q < cj; ++q)
      if (hk(p, q)) rrj.insert(rrj.end(), {rj[2 * q], rj[2 * q + 1]});
    si.push_back(static_cast<long>(rrj.size() / 2));
  }
  for (int q = 0; q < cj; ++q) {
    for (int p = 0; p < ci; ++p)
      if (hk(p, q)) rri.insert(rri.end(), {ri[2 * p], ri[2 * p + 1]});
    sj.push_back(static_cast<long>(rri.size() / 2));
  }
  EXPECT_EQ(ko::impl::ends_of(host(r.slices_i)), si);
  EXPECT_EQ(ko::impl::ends_of(host(r.slices_j)), sj);
  EXPECT_EQ(ko::impl::pairs_of(host(r.redranges_j)), rrj);
  EXPECT_EQ(ko::impl::pairs_of(host(r.redranges_i)), rri);
  EXPECT_EQ(ko::impl::pairs_of(host(r.ranges_i)), ri);
  // A host mask works as well (copied to the ranges' space), and a mask of zeros gives empty slices.
  Kokkos::View<char**, Kokkos::LayoutRight, Kokkos::HostSpace> none("none", ci, cj);
  const auto r0 = ko::from_matrix<std::int64_t, Mem>(r.ranges_i, r.ranges_j, none);
  EXPECT_EQ(r0.redranges_j.extent(0), 0u);
  EXPECT_EQ(ko::impl::ends_of(host(r0.slices_j)), std::vector<long>(cj, 0));
}

}  // namespace

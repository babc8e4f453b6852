// Clustering helpers that build block-sparse ranges (KeOps' pykeops.*.cluster): voxel labels for
// points of any dimension, sorting by cluster, cluster ranges and centroids, the 6-tuple from a
// cluster-pair mask, the usual "keep nearby clusters" recipe, and block-diagonal (batch) ranges.
//
// Inputs and outputs are Kokkos views in the caller's memory space. The label compaction, sorting and
// mask-to-ranges steps run on the host on copies (they are O(n log n) once per point cloud, against
// the O(kept pairs) reductions they prepare); voxel coordinates and centroids are computed in parallel.
#pragma once

#include <kokkeops/error.hpp>
#include <kokkeops/ranges.hpp>

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <vector>

namespace kokkeops {

namespace impl {
template <class V>
using mem_of = typename V::memory_space;

template <class I, class Mem>
typename Ranges<I, Mem>::Pairs pairs_view(const char* label, const std::vector<long>& p) {
  typename Ranges<I, Mem>::Pairs v(std::string(label), p.size() / 2);
  auto h = Kokkos::create_mirror_view(v);
  for (std::size_t k = 0; k < p.size() / 2; ++k) {
    h(k, 0) = static_cast<I>(p[2 * k]);
    h(k, 1) = static_cast<I>(p[2 * k + 1]);
  }
  Kokkos::deep_copy(v, h);
  return v;
}
template <class I, class Mem>
typename Ranges<I, Mem>::Ends ends_view(const char* label, const std::vector<long>& e) {
  typename Ranges<I, Mem>::Ends v(std::string(label), e.size());
  auto h = Kokkos::create_mirror_view(v);
  for (std::size_t k = 0; k < e.size(); ++k) h(k) = static_cast<I>(e[k]);
  Kokkos::deep_copy(v, h);
  return v;
}
}  // namespace impl

/// Voxel labels (KeOps `grid_cluster`), for any dimension D: points in the same cube of side
/// `voxel_size` share a label; labels are compacted to [0, C) in lexicographic voxel order.
template <class V>
Kokkos::View<int*, impl::mem_of<V>> grid_cluster(const V& x, double voxel_size) {
  static_assert(V::rank == 2, "kokkeops: grid_cluster takes a rank-2 view of points (n, D)");
  if (!(voxel_size > 0) || !std::isfinite(voxel_size))
    throw Error("kokkeops: grid_cluster: voxel_size must be positive and finite, got " + std::to_string(voxel_size));
  using Mem = impl::mem_of<V>;
  using Exec = typename V::execution_space;
  const long n = static_cast<long>(x.extent(0));
  const int d = static_cast<int>(x.extent(1));
  Kokkos::View<std::int64_t**, Kokkos::LayoutRight, Mem> cell("kokkeops::voxels", n, d);
  Kokkos::View<int, Mem> bad("kokkeops::bad_point");
  Kokkos::parallel_for(
      "kokkeops::grid_cluster", Kokkos::RangePolicy<Exec>(0, n), KOKKOS_LAMBDA(long i) {
        for (int k = 0; k < d; ++k) {
          const double c = static_cast<double>(x(i, k)) / voxel_size;
          if (!(c > -9.0e18 && c < 9.0e18)) bad() = 1;  // NaN, inf or too many voxels
          else {
            std::int64_t t = static_cast<std::int64_t>(c);  // truncation toward zero, then floor
            if (static_cast<double>(t) > c) t -= 1;
            cell(i, k) = t;
          }
        }
      });
  int hbad = 0;
  Kokkos::deep_copy(hbad, bad);
  if (hbad) throw Error("kokkeops: grid_cluster: a coordinate is not finite (or beyond 9e18 voxels)");
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), cell);
  std::map<std::vector<std::int64_t>, int> ids;
  for (long i = 0; i < n; ++i) ids.emplace(std::vector<std::int64_t>(&h(i, 0), &h(i, 0) + d), 0);
  int c = 0;
  for (auto& kv : ids) kv.second = c++;
  Kokkos::View<int*, Mem> labels("kokkeops::labels", n);
  auto hl = Kokkos::create_mirror_view(labels);
  for (long i = 0; i < n; ++i) hl(i) = ids[std::vector<std::int64_t>(&h(i, 0), &h(i, 0) + d)];
  Kokkos::deep_copy(labels, hl);
  return labels;
}

/// The permutation that sorts points by label, stable (KeOps `sort_clusters` returns the sorted arrays;
/// apply this permutation with `permute_rows` to every array that must follow).
template <class L>
Kokkos::View<long*, impl::mem_of<L>> sort_clusters(const L& labels) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), labels);
  std::vector<long> perm(h.extent(0));
  std::iota(perm.begin(), perm.end(), 0L);
  std::stable_sort(perm.begin(), perm.end(), [&](long a, long b) { return h(a) < h(b); });
  Kokkos::View<long*, impl::mem_of<L>> p("kokkeops::permutation", perm.size());
  auto hp = Kokkos::create_mirror_view(p);
  for (std::size_t k = 0; k < perm.size(); ++k) hp(k) = perm[k];
  Kokkos::deep_copy(p, hp);
  return p;
}

/// Rows perm(0), perm(1), ... of a rank-1 or rank-2 view, as a new view (the sorted copy).
template <class V, class P>
auto permute_rows(const V& v, const P& perm) {
  using T = typename V::non_const_value_type;
  using Exec = typename V::execution_space;
  const long n = static_cast<long>(perm.extent(0));
  if (static_cast<long>(v.extent(0)) != n)
    throw Error("kokkeops: permute_rows: the view has " + std::to_string(v.extent(0)) + " rows, the permutation " +
                std::to_string(n));
  if constexpr (V::rank == 1) {
    Kokkos::View<T*, impl::mem_of<V>> out("kokkeops::sorted", n);
    Kokkos::parallel_for(
        "kokkeops::permute", Kokkos::RangePolicy<Exec>(0, n), KOKKOS_LAMBDA(long i) { out(i) = v(perm(i)); });
    return out;
  } else {
    const int d = static_cast<int>(v.extent(1));
    Kokkos::View<T**, Kokkos::LayoutRight, impl::mem_of<V>> out("kokkeops::sorted", n, d);
    Kokkos::parallel_for(
        "kokkeops::permute", Kokkos::RangePolicy<Exec>(0, n), KOKKOS_LAMBDA(long i) {
          for (int k = 0; k < d; ++k) out(i, k) = v(perm(i), k);
        });
    return out;
  }
}

/// [start, end) of each label in a label array sorted by label (KeOps `cluster_ranges`), (C, 2).
/// Labels must be in [0, C) and sorted; a label with no point gets an empty range.
template <class I = std::int64_t, class L>
typename Ranges<I, impl::mem_of<L>>::Pairs cluster_ranges(const L& sorted_labels, int num_clusters) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), sorted_labels);
  const long n = static_cast<long>(h.extent(0));
  std::vector<long> p(2 * static_cast<std::size_t>(num_clusters), 0);
  long prev = -1;
  for (long i = 0; i < n; ++i) {
    const long c = static_cast<long>(h(i));
    if (c < 0 || c >= num_clusters)
      throw Error("kokkeops: cluster_ranges: label " + std::to_string(c) + " at " + std::to_string(i) +
                  " is not in [0, " + std::to_string(num_clusters) + ")");
    if (c < prev) throw Error("kokkeops: cluster_ranges: labels are not sorted (at " + std::to_string(i) + ")");
    if (c != prev) p[2 * static_cast<std::size_t>(c)] = i;
    p[2 * static_cast<std::size_t>(c) + 1] = i + 1;
    prev = c;
  }
  // Empty clusters: an empty range at the position they would occupy.
  for (int c = 0; c < num_clusters; ++c)
    if (p[2 * static_cast<std::size_t>(c) + 1] == 0) {
      long pos = 0;
      for (int q = c - 1; q >= 0; --q)
        if (p[2 * static_cast<std::size_t>(q) + 1] > 0) {
          pos = p[2 * static_cast<std::size_t>(q) + 1];
          break;
        }
      p[2 * static_cast<std::size_t>(c)] = p[2 * static_cast<std::size_t>(c) + 1] = pos;
    }
  return impl::pairs_view<I, impl::mem_of<L>>("kokkeops::cluster_ranges", p);
}

/// Centroids (C, D) of the points of each label (KeOps `cluster_centroids`), weighted by `weights`
/// (length n) when given; `weights_c` (C) receives each cluster's total weight.
template <class V, class L, class W = Kokkos::View<typename V::non_const_value_type*, impl::mem_of<V>>>
Kokkos::View<typename V::non_const_value_type**, Kokkos::LayoutRight, impl::mem_of<V>> cluster_centroids(
    const V& x, const L& labels, int num_clusters, const W& weights = W(),
    Kokkos::View<typename V::non_const_value_type*, impl::mem_of<V>>* weights_c = nullptr) {
  using T = typename V::non_const_value_type;
  const long n = static_cast<long>(x.extent(0));
  const int d = static_cast<int>(x.extent(1));
  if (static_cast<long>(labels.extent(0)) != n)
    throw Error("kokkeops: cluster_centroids: " + std::to_string(labels.extent(0)) + " labels for " + std::to_string(n) +
                " points");
  const bool weighted = weights.extent(0) > 0;
  if (weighted && static_cast<long>(weights.extent(0)) != n)
    throw Error("kokkeops: cluster_centroids: " + std::to_string(weights.extent(0)) + " weights for " +
                std::to_string(n) + " points");
  auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
  auto hl = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), labels);
  auto hw = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), weights);
  std::vector<double> sum(static_cast<std::size_t>(num_clusters) * d, 0.0), wsum(static_cast<std::size_t>(num_clusters), 0.0);
  for (long i = 0; i < n; ++i) {
    const long c = static_cast<long>(hl(i));
    if (c < 0 || c >= num_clusters)
      throw Error("kokkeops: cluster_centroids: label " + std::to_string(c) + " is not in [0, " +
                  std::to_string(num_clusters) + ")");
    const double w = weighted ? static_cast<double>(hw(i)) : 1.0;
    wsum[static_cast<std::size_t>(c)] += w;
    for (int k = 0; k < d; ++k) sum[static_cast<std::size_t>(c) * d + k] += w * static_cast<double>(hx(i, k));
  }
  Kokkos::View<T**, Kokkos::LayoutRight, impl::mem_of<V>> cent("kokkeops::centroids", num_clusters, d);
  auto hc = Kokkos::create_mirror_view(cent);
  for (int c = 0; c < num_clusters; ++c)
    for (int k = 0; k < d; ++k) {
      const double w = wsum[static_cast<std::size_t>(c)];
      hc(c, k) = static_cast<T>(w != 0 ? sum[static_cast<std::size_t>(c) * d + k] / w : 0.0);
    }
  Kokkos::deep_copy(cent, hc);
  if (weights_c) {
    *weights_c = Kokkos::View<T*, impl::mem_of<V>>("kokkeops::cluster_weights", num_clusters);
    auto hwc = Kokkos::create_mirror_view(*weights_c);
    for (int c = 0; c < num_clusters; ++c) hwc(c) = static_cast<T>(wsum[static_cast<std::size_t>(c)]);
    Kokkos::deep_copy(*weights_c, hwc);
  }
  return cent;
}

/// Number of clusters in a label array (max label + 1; 0 when empty).
template <class L>
int num_clusters(const L& labels) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), labels);
  long mx = -1;
  for (std::size_t i = 0; i < h.extent(0); ++i) mx = std::max(mx, static_cast<long>(h(i)));
  return static_cast<int>(mx + 1);
}

/// The cluster-pair mask of the usual recipe: keep (a, b) when |c_i(a) - c_j(b)|^2 < cutoff^2.
/// Returned as a host (Ci, Cj) array of 0/1, input of from_matrix.
template <class C1, class C2>
Kokkos::View<char**, Kokkos::LayoutRight, Kokkos::HostSpace> keep_within(const C1& ci, const C2& cj, double cutoff) {
  if (ci.extent(1) != cj.extent(1))
    throw Error("kokkeops: keep_within: centroids of dimension " + std::to_string(ci.extent(1)) + " and " +
                std::to_string(cj.extent(1)));
  auto a = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ci);
  auto b = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), cj);
  Kokkos::View<char**, Kokkos::LayoutRight, Kokkos::HostSpace> keep("kokkeops::keep", a.extent(0), b.extent(0));
  const double c2 = cutoff * cutoff;
  for (std::size_t p = 0; p < a.extent(0); ++p)
    for (std::size_t q = 0; q < b.extent(0); ++q) {
      double d2 = 0;
      for (std::size_t k = 0; k < a.extent(1); ++k) {
        const double t = static_cast<double>(a(p, k)) - static_cast<double>(b(q, k));
        d2 += t * t;
      }
      keep(p, q) = d2 < c2 ? 1 : 0;
    }
  return keep;
}

/// The ranges 6-tuple from cluster ranges and a (Ci, Cj) keep mask (KeOps `from_matrix`): block a of i
/// reduces over the ranges of j-clusters b with keep(a, b), and symmetrically.
template <class I, class Mem, class K>
Ranges<I, Mem> from_matrix(const typename Ranges<I, Mem>::Pairs& ranges_i, const typename Ranges<I, Mem>::Pairs& ranges_j,
                           const K& keep) {
  auto hk = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), keep);
  const auto ri = impl::host_pairs(ranges_i), rj = impl::host_pairs(ranges_j);
  const std::size_t ci = ri.size() / 2, cj = rj.size() / 2;
  if (hk.extent(0) != ci || hk.extent(1) != cj)
    throw Error("kokkeops: from_matrix: keep is (" + std::to_string(hk.extent(0)) + ", " + std::to_string(hk.extent(1)) +
                "), the clusters are " + std::to_string(ci) + " x " + std::to_string(cj));
  std::vector<long> slices_i, red_j, slices_j, red_i;
  for (std::size_t a = 0; a < ci; ++a) {
    for (std::size_t b = 0; b < cj; ++b)
      if (hk(a, b)) red_j.insert(red_j.end(), {rj[2 * b], rj[2 * b + 1]});
    slices_i.push_back(static_cast<long>(red_j.size() / 2));
  }
  for (std::size_t b = 0; b < cj; ++b) {
    for (std::size_t a = 0; a < ci; ++a)
      if (hk(a, b)) red_i.insert(red_i.end(), {ri[2 * a], ri[2 * a + 1]});
    slices_j.push_back(static_cast<long>(red_i.size() / 2));
  }
  Ranges<I, Mem> r;
  r.ranges_i = ranges_i;
  r.slices_i = impl::ends_view<I, Mem>("kokkeops::slices_i", slices_i);
  r.redranges_j = impl::pairs_view<I, Mem>("kokkeops::redranges_j", red_j);
  r.ranges_j = ranges_j;
  r.slices_j = impl::ends_view<I, Mem>("kokkeops::slices_j", slices_j);
  r.redranges_i = impl::pairs_view<I, Mem>("kokkeops::redranges_i", red_i);
  return r;
}

/// Batch processing: B independent problems stacked along i and j (sizes ni[b], nj[b]) as
/// block-diagonal ranges; a Genred with them reduces each batch against itself only.
template <class I = std::int64_t, class Mem = Kokkos::DefaultExecutionSpace::memory_space>
Ranges<I, Mem> block_diagonal(const std::vector<long>& ni, const std::vector<long>& nj) {
  if (ni.size() != nj.size())
    throw Error("kokkeops: block_diagonal: " + std::to_string(ni.size()) + " i-sizes for " + std::to_string(nj.size()) +
                " j-sizes");
  std::vector<long> ri, rj, s;
  long oi = 0, oj = 0;
  for (std::size_t b = 0; b < ni.size(); ++b) {
    if (ni[b] < 0 || nj[b] < 0) throw Error("kokkeops: block_diagonal: negative size in batch " + std::to_string(b));
    ri.insert(ri.end(), {oi, oi + ni[b]});
    rj.insert(rj.end(), {oj, oj + nj[b]});
    s.push_back(static_cast<long>(b + 1));
    oi += ni[b];
    oj += nj[b];
  }
  Ranges<I, Mem> r;
  r.ranges_i = impl::pairs_view<I, Mem>("kokkeops::ranges_i", ri);
  r.slices_i = impl::ends_view<I, Mem>("kokkeops::slices_i", s);
  r.redranges_j = impl::pairs_view<I, Mem>("kokkeops::redranges_j", rj);
  r.ranges_j = impl::pairs_view<I, Mem>("kokkeops::ranges_j", rj);
  r.slices_j = impl::ends_view<I, Mem>("kokkeops::slices_j", s);
  r.redranges_i = impl::pairs_view<I, Mem>("kokkeops::redranges_i", ri);
  return r;
}

}  // namespace kokkeops

// Clustering helpers that build block-sparse ranges (KeOps' pykeops.*.cluster): voxel labels for
// points of any dimension, sorting by cluster, cluster ranges and centroids, the 6-tuple from a
// cluster-pair mask, the usual "keep nearby clusters" recipe, and block-diagonal (batch) ranges.
//
// Inputs and outputs are Kokkos views in the caller's memory space, and every step runs there, in the
// views' execution space (a GPU's for device views): sorting is a stable least-significant-digit radix
// sort (8 bits a pass, only over the bits the keys span), label compaction and the 6-tuple are prefix
// sums, centroids are per-cluster team reductions over the sorted points. Results are deterministic: no
// floating-point atomics. Only sizes and error reports cross to the host.
#pragma once

#include <kokkeops/error.hpp>
#include <kokkeops/impl/exec.hpp>
#include <kokkeops/impl/range.hpp>
#include <kokkeops/ranges.hpp>

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <string>
#include <vector>

namespace kokkeops {

namespace impl {
template <class V>
using mem_of = typename V::memory_space;

// Host values into a new view V (rank 1, or rank 2 LayoutRight, filled row by row), copied on exec (which is
// fenced when the host copy is a separate buffer: it is freed on return).
template <class V, class Exec>
V view_of_values(const Exec& exec, const char* label, const std::vector<long>& values, std::size_t rows) {
  V v(Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string(label)), rows);
  auto h = Kokkos::create_mirror_view(v);
  for (std::size_t k = 0; k < values.size(); ++k) h.data()[k] = static_cast<typename V::non_const_value_type>(values[k]);
  Kokkos::deep_copy(exec, v, h);
  if (h.data() != v.data()) exec.fence();
  return v;
}
template <class I, class Mem, class Exec>
typename Ranges<I, Mem>::Pairs pairs_view(const Exec& exec, const char* label, const std::vector<long>& p) {
  return view_of_values<typename Ranges<I, Mem>::Pairs>(exec, label, p, p.size() / 2);
}
template <class I, class Mem, class Exec>
typename Ranges<I, Mem>::Ends ends_view(const Exec& exec, const char* label, const std::vector<long>& e) {
  return view_of_values<typename Ranges<I, Mem>::Ends>(exec, label, e, e.size());
}
// The same on the default instance of Mem's execution space.
template <class I, class Mem>
typename Ranges<I, Mem>::Pairs pairs_view(const char* label, const std::vector<long>& p) {
  return pairs_view<I, Mem>(typename Mem::execution_space(), label, p);
}
template <class I, class Mem>
typename Ranges<I, Mem>::Ends ends_view(const char* label, const std::vector<long>& e) {
  return ends_view<I, Mem>(typename Mem::execution_space(), label, e);
}

// A view of Mem holding v's values: v itself when it lives there, else a copy made on exec.
template <class Mem, class Exec, class V>
auto in_space(const Exec& exec, const V& v) {
  if constexpr (std::is_same_v<typename V::memory_space, Mem>) {
    return v;
  } else {
    Kokkos::View<typename V::non_const_data_type, typename V::array_layout, Mem> c(
        Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, v.label()), v.layout());
    Kokkos::deep_copy(exec, c, v);
    return c;
  }
}
}  // namespace impl

namespace impl {

template <class V>
using exec_of = typename V::execution_space;

// Smallest and largest value of column k of an (n, d) key array.
template <class Exec, class K>
std::pair<std::int64_t, std::int64_t> column_min_max(const Exec& exec, const K& key, int k) {
  const long n = static_cast<long>(key.extent(0));
  std::int64_t lo = 0, hi = 0;
  Kokkos::parallel_reduce(
      "kokkeops::key_min", impl::range(exec, n),
      KOKKOS_LAMBDA(long i, std::int64_t& v) { v = key(i, k) < v ? key(i, k) : v; }, Kokkos::Min<std::int64_t>(lo));
  Kokkos::parallel_reduce(
      "kokkeops::key_max", impl::range(exec, n),
      KOKKOS_LAMBDA(long i, std::int64_t& v) { v = key(i, k) > v ? key(i, k) : v; }, Kokkos::Max<std::int64_t>(hi));
  return {lo, hi};
}

/// The stable permutation that sorts the rows of an (n, d) int64 key array lexicographically (column 0
/// most significant): a least-significant-digit radix sort, one stable counting pass per 8 bits that a
/// column spans (max - min), so 3-D voxel keys of a few hundred voxels a side take 6 passes. Each pass
/// counts digits per chunk of rows, scans the (digit, chunk) counts, and scatters each chunk in order.
template <class Exec, class K>
Kokkos::View<long*, typename Exec::memory_space> lex_sort_permutation(const Exec& exec, const K& key) {
  using Mem = typename Exec::memory_space;
  const long n = static_cast<long>(key.extent(0));
  const int d = static_cast<int>(key.extent(1));
  const auto uninit = [&](const char* label) { return Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string(label)); };
  Kokkos::View<long*, Mem> perm(uninit("kokkeops::permutation"), n), next(uninit("kokkeops::permutation_next"), n);
  Kokkos::parallel_for(
      "kokkeops::identity", impl::range(exec, n), KOKKOS_LAMBDA(long i) { perm(i) = i; });
  if (n <= 1) return perm;
  constexpr long chunk = 2048;
  const long chunks = (n + chunk - 1) / chunk;
  Kokkos::View<long*, Mem> offset(uninit("kokkeops::radix_offsets"), 256 * chunks);
  for (int k = d - 1; k >= 0; --k) {
    const auto mm = column_min_max(exec, key, k);
    const std::uint64_t lo = static_cast<std::uint64_t>(mm.first);
    const std::uint64_t span = static_cast<std::uint64_t>(mm.second) - lo;  // exact modulo 2^64
    int bits = 0;
    while (bits < 64 && (span >> bits) != 0) ++bits;
    for (int shift = 0; shift < bits; shift += 8) {
      Kokkos::deep_copy(exec, offset, 0L);
      Kokkos::parallel_for(
          "kokkeops::radix_count", impl::range(exec, chunks), KOKKOS_LAMBDA(long c) {
            const long e = (c + 1) * chunk < n ? (c + 1) * chunk : n;
            for (long i = c * chunk; i < e; ++i) {
              const long digit = static_cast<long>(((static_cast<std::uint64_t>(key(perm(i), k)) - lo) >> shift) & 255u);
              offset(digit * chunks + c) += 1;
            }
          });
      Kokkos::parallel_scan(
          "kokkeops::radix_scan", impl::range(exec, 256 * chunks),
          KOKKOS_LAMBDA(long t, long& sum, bool final) {
            const long cnt = offset(t);
            if (final) offset(t) = sum;
            sum += cnt;
          });
      Kokkos::parallel_for(
          "kokkeops::radix_scatter", impl::range(exec, chunks), KOKKOS_LAMBDA(long c) {
            const long e = (c + 1) * chunk < n ? (c + 1) * chunk : n;
            for (long i = c * chunk; i < e; ++i) {
              const long p = perm(i);
              const long digit = static_cast<long>(((static_cast<std::uint64_t>(key(p, k)) - lo) >> shift) & 255u);
              next(offset(digit * chunks + c)++) = p;
            }
          });
      std::swap(perm, next);
    }
  }
  return perm;
}

// Throws, naming the first index and its label, unless every label is in [0, num_clusters).
template <class Exec, class L>
void check_labels(const Exec& exec, const char* who, const L& labels, int num_clusters) {
  const long n = static_cast<long>(labels.extent(0));
  if (num_clusters < 0) throw Error(std::string("kokkeops: ") + who + ": negative number of clusters");
  long first = n;
  Kokkos::parallel_reduce(
      "kokkeops::check_labels", impl::range(exec, n),
      KOKKOS_LAMBDA(long i, long& v) {
        const long c = static_cast<long>(labels(i));
        if ((c < 0 || c >= num_clusters) && i < v) v = i;
      },
      Kokkos::Min<long>(first));
  if (first < n) {
    const auto one = Kokkos::subview(labels, std::make_pair(first, first + 1));
    auto h = Kokkos::create_mirror_view(one);
    Kokkos::deep_copy(exec, h, one);
    exec.fence();  // the error message needs the label
    const long bad = static_cast<long>(h(0));
    throw Error(std::string("kokkeops: ") + who + ": label " + std::to_string(bad) + " at " +
                std::to_string(first) + " is not in [0, " + std::to_string(num_clusters) + ")");
  }
}

// [start, end) of each cluster in the label order: counts, then an exclusive prefix sum (KeOps'
// bincount / cumsum). Labels are checked to lie in [0, num_clusters).
template <class I, class Exec, class L>
typename Ranges<I, typename L::memory_space>::Pairs ranges_from_counts(const Exec& exec, const char* who, const L& labels,
                                                                       int num_clusters) {
  check_labels(exec, who, labels, num_clusters);
  const long n = static_cast<long>(labels.extent(0));
  Kokkos::View<long*, typename L::memory_space> count(Kokkos::view_alloc(exec, std::string("kokkeops::cluster_sizes")),
                                                      static_cast<std::size_t>(num_clusters));
  Kokkos::parallel_for(
      "kokkeops::cluster_count", impl::range(exec, n),
      KOKKOS_LAMBDA(long i) { Kokkos::atomic_add(&count(static_cast<long>(labels(i))), 1L); });
  typename Ranges<I, typename L::memory_space>::Pairs r(
      Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::cluster_ranges")),
      static_cast<std::size_t>(num_clusters));
  Kokkos::parallel_scan(
      "kokkeops::cluster_offsets", impl::range(exec, num_clusters),
      KOKKOS_LAMBDA(long c, long& sum, bool final) {
        if (final) {
          r(c, 0) = static_cast<I>(sum);
          r(c, 1) = static_cast<I>(sum + count(c));
        }
        sum += count(c);
      });
  return r;
}

// The labels as an (n, 1) key array for the radix sort.
template <class Exec, class L>
Kokkos::View<std::int64_t**, Kokkos::LayoutRight, typename L::memory_space> label_keys(const Exec& exec, const L& labels) {
  const long n = static_cast<long>(labels.extent(0));
  Kokkos::View<std::int64_t**, Kokkos::LayoutRight, typename L::memory_space> key(
      Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::label_keys")), n, 1);
  Kokkos::parallel_for(
      "kokkeops::label_keys", impl::range(exec, n),
      KOKKOS_LAMBDA(long i) { key(i, 0) = static_cast<std::int64_t>(labels(i)); });
  return key;
}

}  // namespace impl

// Every helper below also takes an execution space instance first, on which it then runs (asynchronously,
// but for the sizes and error checks that reach the host); without one it runs on the default instance of
// its views' execution space and returns when done. (Their enable_if parameters are named: nvcc rejects an
// extended lambda in a function template with an unnamed template parameter.)

/// Voxel labels (KeOps `grid_cluster`), for any dimension D: points in the same cube of side
/// `voxel_size` share a label; labels are compacted to [0, C) in lexicographic voxel order.
template <class Exec, class V, std::enable_if_t<impl::is_exec_v<Exec>, int> Enable = 0>
Kokkos::View<int*, impl::mem_of<V>> grid_cluster(const Exec& exec, const V& x, double voxel_size) {
  static_assert(V::rank == 2, "kokkeops: grid_cluster takes a rank-2 view of points (n, D)");
  const impl::Region region("kokkeops::grid_cluster");
  if (!(voxel_size > 0) || !std::isfinite(voxel_size))
    throw Error("kokkeops: grid_cluster: voxel_size must be positive and finite, got " + std::to_string(voxel_size));
  using Mem = impl::mem_of<V>;
  const long n = static_cast<long>(x.extent(0));
  const int d = static_cast<int>(x.extent(1));
  if (n > 2147483647L) throw Error("kokkeops: grid_cluster: more than 2^31 - 1 points (labels are int)");
  Kokkos::View<std::int64_t**, Kokkos::LayoutRight, Mem> cell(
      Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::voxels")), n, d);
  long bad = n;
  Kokkos::parallel_reduce(
      "kokkeops::grid_cluster", impl::range(exec, n),
      KOKKOS_LAMBDA(long i, long& first_bad) {
        for (int k = 0; k < d; ++k) {
          const double c = static_cast<double>(x(i, k)) / voxel_size;
          if (!(c > -9.0e18 && c < 9.0e18)) {  // NaN, inf or too many voxels
            if (i < first_bad) first_bad = i;
            cell(i, k) = 0;
          } else {
            std::int64_t t = static_cast<std::int64_t>(c);  // truncation toward zero, then floor
            if (static_cast<double>(t) > c) t -= 1;
            cell(i, k) = t;
          }
        }
      },
      Kokkos::Min<long>(bad));
  if (bad < n)
    throw Error("kokkeops: grid_cluster: point " + std::to_string(bad) +
                " has a coordinate that is not finite (or beyond 9e18 voxels)");
  const auto perm = impl::lex_sort_permutation(exec, cell);
  // Sorted row s starts a new voxel when it differs from row s - 1; its label is the count of starts up to s, less 1.
  Kokkos::View<int*, Mem> labels(Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::labels")), n);
  Kokkos::parallel_scan(
      "kokkeops::compact_labels", impl::range(exec, n), KOKKOS_LAMBDA(long s, long& count, bool final) {
        bool starts = s == 0;
        for (int k = 0; k < d && !starts; ++k) starts = cell(perm(s), k) != cell(perm(s - 1), k);
        if (starts) count += 1;
        if (final) labels(perm(s)) = static_cast<int>(count - 1);
      });
  return labels;
}
template <class V, std::enable_if_t<!impl::is_exec_v<V>, int> Enable = 0>
Kokkos::View<int*, impl::mem_of<V>> grid_cluster(const V& x, double voxel_size) {
  const impl::exec_of<V> exec;
  auto r = grid_cluster(exec, x, voxel_size);
  exec.fence();
  return r;
}

/// The permutation that sorts points by label, stable (KeOps `sort_clusters` returns the sorted arrays;
/// apply this permutation with `permute_rows` to every array that must follow). Any integer labels.
template <class Exec, class L, std::enable_if_t<impl::is_exec_v<Exec>, int> Enable = 0>
Kokkos::View<long*, impl::mem_of<L>> sort_clusters(const Exec& exec, const L& labels) {
  static_assert(L::rank == 1, "kokkeops: sort_clusters takes a rank-1 view of labels");
  static_assert(std::is_same_v<typename Exec::memory_space, impl::mem_of<L>>,
                "kokkeops: sort_clusters: the labels must live in the memory space of the execution space");
  const impl::Region region("kokkeops::sort_clusters");
  return impl::lex_sort_permutation(exec, impl::label_keys(exec, labels));
}
template <class L, std::enable_if_t<!impl::is_exec_v<L>, int> Enable = 0>
Kokkos::View<long*, impl::mem_of<L>> sort_clusters(const L& labels) {
  const impl::exec_of<L> exec;
  auto r = sort_clusters(exec, labels);
  exec.fence();
  return r;
}

template <class V>
using permuted_t = std::conditional_t<V::rank == 1, Kokkos::View<typename V::non_const_value_type*, impl::mem_of<V>>,
                                      Kokkos::View<typename V::non_const_value_type**, Kokkos::LayoutRight, impl::mem_of<V>>>;

/// Rows perm(0), perm(1), ... of a rank-1 or rank-2 view, as a new view (the sorted copy).
template <class Exec, class V, class P, std::enable_if_t<impl::is_exec_v<Exec>, int> Enable = 0>
permuted_t<V> permute_rows(const Exec& exec, const V& v, const P& perm) {  // (return type spelled out: nvcc)
  const long n = static_cast<long>(perm.extent(0));
  if (static_cast<long>(v.extent(0)) != n)
    throw Error("kokkeops: permute_rows: the view has " + std::to_string(v.extent(0)) + " rows, the permutation " +
                std::to_string(n));
  const auto alloc = Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::sorted"));
  if constexpr (V::rank == 1) {
    permuted_t<V> out(alloc, n);
    Kokkos::parallel_for(
        "kokkeops::permute", impl::range(exec, n), KOKKOS_LAMBDA(long i) { out(i) = v(perm(i)); });
    return out;
  } else {
    const int d = static_cast<int>(v.extent(1));
    permuted_t<V> out(alloc, n, d);
    Kokkos::parallel_for(
        "kokkeops::permute", impl::range(exec, n), KOKKOS_LAMBDA(long i) {
          for (int k = 0; k < d; ++k) out(i, k) = v(perm(i), k);
        });
    return out;
  }
}
template <class V, class P, std::enable_if_t<!impl::is_exec_v<V>, int> Enable = 0>
permuted_t<V> permute_rows(const V& v, const P& perm) {
  const impl::exec_of<V> exec;
  auto r = permute_rows(exec, v, perm);
  exec.fence();
  return r;
}

/// [start, end) of each label (KeOps `cluster_ranges`), (C, 2): where the points of label c lie once the
/// points are sorted by label (label counts and their prefix sum, so the labels need not be sorted yet).
/// Labels must be in [0, C); a label with no point gets an empty range.
template <class I = std::int64_t, class Exec, class L, std::enable_if_t<impl::is_exec_v<Exec>, int> Enable = 0>
typename Ranges<I, impl::mem_of<L>>::Pairs cluster_ranges(const Exec& exec, const L& labels, int num_clusters) {
  static_assert(L::rank == 1, "kokkeops: cluster_ranges takes a rank-1 view of labels");
  const impl::Region region("kokkeops::cluster_ranges");
  return impl::ranges_from_counts<I>(exec, "cluster_ranges", labels, num_clusters);
}
template <class I = std::int64_t, class L, std::enable_if_t<!impl::is_exec_v<L>, int> Enable = 0>
typename Ranges<I, impl::mem_of<L>>::Pairs cluster_ranges(const L& labels, int num_clusters) {
  const impl::exec_of<L> exec;
  auto r = cluster_ranges<I>(exec, labels, num_clusters);
  exec.fence();
  return r;
}

/// Ranges, centroids and total weights of the clusters (KeOps `cluster_ranges_centroids`).
template <class I, class T, class Mem>
struct ClusterSummary {
  typename Ranges<I, Mem>::Pairs ranges;                 // (C, 2), in label order
  Kokkos::View<T**, Kokkos::LayoutRight, Mem> centroids;  // (C, D); 0 for a cluster of zero weight
  Kokkos::View<T*, Mem> weights;                          // (C): number of points, or their summed weight
};

/// Ranges, (weighted) centroids and weights of each label, in one pass over sorted copies (KeOps
/// `cluster_ranges_centroids`; like KeOps' recipe, call it before sorting). `weights`: length n, or empty
/// for unit weights. Sums are taken in double, each cluster by one team, in a fixed order.
template <class I = std::int64_t, class Exec, class V, class L,
          class W = Kokkos::View<typename V::non_const_value_type*, impl::mem_of<V>>,
          std::enable_if_t<impl::is_exec_v<Exec>, int> Enable = 0>
ClusterSummary<I, typename V::non_const_value_type, impl::mem_of<V>> cluster_ranges_centroids(
    const Exec& exec, const V& x, const L& labels, int num_clusters, const W& weights = W()) {
  static_assert(V::rank == 2 && L::rank == 1, "kokkeops: cluster_ranges_centroids takes points (n, D) and labels (n)");
  using T = typename V::non_const_value_type;
  using Mem = impl::mem_of<V>;
  const impl::Region region("kokkeops::cluster_ranges_centroids");
  const long n = static_cast<long>(x.extent(0));
  const int d = static_cast<int>(x.extent(1));
  if (static_cast<long>(labels.extent(0)) != n)
    throw Error("kokkeops: cluster_centroids: " + std::to_string(labels.extent(0)) + " labels for " + std::to_string(n) +
                " points");
  const bool weighted = weights.extent(0) > 0;
  if (weighted && static_cast<long>(weights.extent(0)) != n)
    throw Error("kokkeops: cluster_centroids: " + std::to_string(weights.extent(0)) + " weights for " +
                std::to_string(n) + " points");
  ClusterSummary<I, T, Mem> out;
  out.ranges = impl::ranges_from_counts<I>(exec, "cluster_centroids", labels, num_clusters);
  out.centroids = Kokkos::View<T**, Kokkos::LayoutRight, Mem>(
      Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::centroids")), num_clusters, d);
  out.weights = Kokkos::View<T*, Mem>(
      Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::cluster_weights")), num_clusters);
  const auto perm = sort_clusters(exec, labels);
  const auto r = out.ranges;
  const auto cent = out.centroids;
  const auto wc = out.weights;
  using Team = typename Kokkos::TeamPolicy<Exec>::member_type;
  Kokkos::parallel_for(
      "kokkeops::cluster_centroids", Kokkos::TeamPolicy<Exec>(exec, num_clusters, Kokkos::AUTO),
      KOKKOS_LAMBDA(const Team& team) {
        const long c = team.league_rank();
        const long b = static_cast<long>(r(c, 0)), e = static_cast<long>(r(c, 1));
        double w = 0;
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, b, e),
            [&](long s, double& acc) { acc += weighted ? static_cast<double>(weights(perm(s))) : 1.0; }, w);
        for (int k = 0; k < d; ++k) {
          double sum = 0;
          Kokkos::parallel_reduce(
              Kokkos::TeamThreadRange(team, b, e),
              [&](long s, double& acc) {
                const long p = perm(s);
                acc += (weighted ? static_cast<double>(weights(p)) : 1.0) * static_cast<double>(x(p, k));
              },
              sum);
          Kokkos::single(Kokkos::PerTeam(team), [&]() { cent(c, k) = static_cast<T>(w != 0 ? sum / w : 0.0); });
        }
        Kokkos::single(Kokkos::PerTeam(team), [&]() { wc(c) = static_cast<T>(w); });
      });
  return out;
}
template <class I = std::int64_t, class V, class L, class W = Kokkos::View<typename V::non_const_value_type*, impl::mem_of<V>>,
          std::enable_if_t<!impl::is_exec_v<V>, int> Enable = 0>
ClusterSummary<I, typename V::non_const_value_type, impl::mem_of<V>> cluster_ranges_centroids(const V& x, const L& labels,
                                                                                             int num_clusters,
                                                                                             const W& weights = W()) {
  const impl::exec_of<V> exec;
  auto r = cluster_ranges_centroids<I>(exec, x, labels, num_clusters, weights);
  exec.fence();
  return r;
}

/// Centroids (C, D) of the points of each label (KeOps `cluster_centroids`), weighted by `weights`
/// (length n) when given; `weights_c` (C) receives each cluster's total weight. Labels need not be sorted.
template <class Exec, class V, class L, class W = Kokkos::View<typename V::non_const_value_type*, impl::mem_of<V>>,
          std::enable_if_t<impl::is_exec_v<Exec>, int> Enable = 0>
Kokkos::View<typename V::non_const_value_type**, Kokkos::LayoutRight, impl::mem_of<V>> cluster_centroids(
    const Exec& exec, const V& x, const L& labels, int num_clusters, const W& weights = W(),
    Kokkos::View<typename V::non_const_value_type*, impl::mem_of<V>>* weights_c = nullptr) {
  auto s = cluster_ranges_centroids<std::int64_t>(exec, x, labels, num_clusters, weights);
  if (weights_c) *weights_c = s.weights;
  return s.centroids;
}
template <class V, class L, class W = Kokkos::View<typename V::non_const_value_type*, impl::mem_of<V>>,
          std::enable_if_t<!impl::is_exec_v<V>, int> Enable = 0>
Kokkos::View<typename V::non_const_value_type**, Kokkos::LayoutRight, impl::mem_of<V>> cluster_centroids(
    const V& x, const L& labels, int num_clusters, const W& weights = W(),
    Kokkos::View<typename V::non_const_value_type*, impl::mem_of<V>>* weights_c = nullptr) {
  const impl::exec_of<V> exec;
  auto r = cluster_centroids(exec, x, labels, num_clusters, weights, weights_c);
  exec.fence();
  return r;
}

/// Number of clusters in a label array (max label + 1; 0 when empty). A host value: the instance is fenced.
template <class Exec, class L, std::enable_if_t<impl::is_exec_v<Exec>, int> Enable = 0>
int num_clusters(const Exec& exec, const L& labels) {
  const long n = static_cast<long>(labels.extent(0));
  long mx = -1;
  Kokkos::parallel_reduce(
      "kokkeops::num_clusters", impl::range(exec, n),
      KOKKOS_LAMBDA(long i, long& v) { v = static_cast<long>(labels(i)) > v ? static_cast<long>(labels(i)) : v; },
      Kokkos::Max<long>(mx));
  if (n == 0) return 0;
  if (mx >= 2147483647L) throw Error("kokkeops: num_clusters: label " + std::to_string(mx) + " does not fit an int count");
  return static_cast<int>(mx + 1);
}
template <class L, std::enable_if_t<!impl::is_exec_v<L>, int> Enable = 0>
int num_clusters(const L& labels) {
  return num_clusters(impl::exec_of<L>(), labels);
}

/// The cluster-pair mask of the usual recipe: keep (a, b) when |c_i(a) - c_j(b)|^2 < cutoff^2, as a
/// (Ci, Cj) array of 0/1 in the centroids' memory space, the input of from_matrix.
template <class Exec, class C1, class C2, std::enable_if_t<impl::is_exec_v<Exec>, int> Enable = 0>
Kokkos::View<char**, Kokkos::LayoutRight, impl::mem_of<C1>> keep_within(const Exec& exec, const C1& ci, const C2& cj_in,
                                                                        double cutoff) {
  using Mem = impl::mem_of<C1>;
  if (ci.extent(1) != cj_in.extent(1))
    throw Error("kokkeops: keep_within: centroids of dimension " + std::to_string(ci.extent(1)) + " and " +
                std::to_string(cj_in.extent(1)));
  if (!(cutoff >= 0) || !std::isfinite(cutoff))
    throw Error("kokkeops: keep_within: the cutoff must be finite and >= 0, got " + std::to_string(cutoff));
  const impl::Region region("kokkeops::keep_within");
  const auto cj = impl::in_space<Mem>(exec, cj_in);
  const long a = static_cast<long>(ci.extent(0)), b = static_cast<long>(cj.extent(0));
  const int d = static_cast<int>(ci.extent(1));
  Kokkos::View<char**, Kokkos::LayoutRight, Mem> keep(
      Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::keep")), a, b);
  const double c2 = cutoff * cutoff;
  Kokkos::parallel_for(
      "kokkeops::keep_within", impl::range(exec, a * b), KOKKOS_LAMBDA(long t) {
        const long p = t / b, q = t % b;
        double d2 = 0;
        for (int k = 0; k < d; ++k) {
          const double u = static_cast<double>(ci(p, k)) - static_cast<double>(cj(q, k));
          d2 += u * u;
        }
        keep(p, q) = d2 < c2 ? 1 : 0;
      });
  return keep;
}
template <class C1, class C2, std::enable_if_t<!impl::is_exec_v<C1>, int> Enable = 0>
Kokkos::View<char**, Kokkos::LayoutRight, impl::mem_of<C1>> keep_within(const C1& ci, const C2& cj_in, double cutoff) {
  const impl::exec_of<C1> exec;
  auto r = keep_within(exec, ci, cj_in, cutoff);
  exec.fence();
  return r;
}

namespace impl {
// One half of the 6-tuple from a keep mask: for each row block a (of `rows`), the ranges of the column
// blocks b with keep(a, b) (transposed: keep(b, a)), in order, and the cumulative counts. The count of
// ranges sizes the result: a host value (the scan's total; the instance is fenced by it).
template <class I, class Mem, class Exec, class K>
void mask_half(const Exec& exec, const K& keep, bool transposed, const typename Ranges<I, Mem>::Pairs& cols,
               typename Ranges<I, Mem>::Ends& slices, typename Ranges<I, Mem>::Pairs& red, const char* sname,
               const char* rname) {
  const long rows = static_cast<long>(transposed ? keep.extent(1) : keep.extent(0));
  const long ncols = static_cast<long>(transposed ? keep.extent(0) : keep.extent(1));
  slices = typename Ranges<I, Mem>::Ends(Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string(sname)),
                                         static_cast<std::size_t>(rows));
  const auto sl = slices;
  long total = 0;
  Kokkos::parallel_scan(
      "kokkeops::mask_counts", impl::range(exec, rows),
      KOKKOS_LAMBDA(long a, long& sum, bool final) {
        for (long b = 0; b < ncols; ++b) sum += (transposed ? keep(b, a) : keep(a, b)) ? 1 : 0;
        if (final) sl(a) = static_cast<I>(sum);
      },
      total);
  exec.fence();  // (total is a host value: the scan may return before it is written on some backends)
  red = typename Ranges<I, Mem>::Pairs(Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string(rname)),
                                       static_cast<std::size_t>(total));
  const auto rd = red;
  Kokkos::parallel_for(
      "kokkeops::mask_ranges", impl::range(exec, rows), KOKKOS_LAMBDA(long a) {
        long pos = a == 0 ? 0 : static_cast<long>(sl(a - 1));
        for (long b = 0; b < ncols; ++b)
          if (transposed ? keep(b, a) : keep(a, b)) {
            rd(pos, 0) = cols(b, 0);
            rd(pos, 1) = cols(b, 1);
            ++pos;
          }
      });
}
}  // namespace impl

/// The ranges 6-tuple from cluster ranges and a (Ci, Cj) keep mask (KeOps `from_matrix`): block a of i
/// reduces over the ranges of j-clusters b with keep(a, b), and symmetrically. The mask may live in any
/// memory space (it is copied to Mem when it is not there); the tuple is built in Mem.
template <class I, class Mem, class Exec, class K, std::enable_if_t<impl::is_exec_v<Exec>, int> Enable = 0>
Ranges<I, Mem> from_matrix(const Exec& exec, const typename Ranges<I, Mem>::Pairs& ranges_i,
                           const typename Ranges<I, Mem>::Pairs& ranges_j, const K& keep_in) {
  static_assert(K::rank == 2, "kokkeops: from_matrix takes a rank-2 keep mask (Ci, Cj)");
  const std::size_t ci = ranges_i.extent(0), cj = ranges_j.extent(0);
  if (keep_in.extent(0) != ci || keep_in.extent(1) != cj)
    throw Error("kokkeops: from_matrix: keep is (" + std::to_string(keep_in.extent(0)) + ", " +
                std::to_string(keep_in.extent(1)) + "), the clusters are " + std::to_string(ci) + " x " +
                std::to_string(cj));
  const impl::Region region("kokkeops::from_matrix");
  const auto keep = impl::in_space<Mem>(exec, keep_in);
  Ranges<I, Mem> r;
  r.ranges_i = ranges_i;
  r.ranges_j = ranges_j;
  impl::mask_half<I, Mem>(exec, keep, false, ranges_j, r.slices_i, r.redranges_j, "kokkeops::slices_i",
                          "kokkeops::redranges_j");
  impl::mask_half<I, Mem>(exec, keep, true, ranges_i, r.slices_j, r.redranges_i, "kokkeops::slices_j",
                          "kokkeops::redranges_i");
  return r;
}
template <class I, class Mem, class K>
Ranges<I, Mem> from_matrix(const typename Ranges<I, Mem>::Pairs& ranges_i, const typename Ranges<I, Mem>::Pairs& ranges_j,
                           const K& keep_in) {
  const typename Mem::execution_space exec;
  auto r = from_matrix<I, Mem>(exec, ranges_i, ranges_j, keep_in);
  exec.fence();
  return r;
}

/// Batch processing: B independent problems stacked along i and j (sizes ni[b], nj[b]) as
/// block-diagonal ranges; a Genred with them reduces each batch against itself only. With an instance, the
/// host values are copied on it (and it is fenced when Mem is not host memory: the host copies are freed).
template <class I = std::int64_t, class Mem = Kokkos::DefaultExecutionSpace::memory_space, class Exec>
Ranges<I, Mem> block_diagonal(const Exec& exec, const std::vector<long>& ni, const std::vector<long>& nj) {
  static_assert(impl::is_exec_v<Exec>, "kokkeops: block_diagonal(exec, ni, nj): an execution space instance");
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
  r.ranges_i = impl::pairs_view<I, Mem>(exec, "kokkeops::ranges_i", ri);
  r.slices_i = impl::ends_view<I, Mem>(exec, "kokkeops::slices_i", s);
  r.redranges_j = impl::pairs_view<I, Mem>(exec, "kokkeops::redranges_j", rj);
  r.ranges_j = impl::pairs_view<I, Mem>(exec, "kokkeops::ranges_j", rj);
  r.slices_j = impl::ends_view<I, Mem>(exec, "kokkeops::slices_j", s);
  r.redranges_i = impl::pairs_view<I, Mem>(exec, "kokkeops::redranges_i", ri);
  return r;
}
template <class I = std::int64_t, class Mem = Kokkos::DefaultExecutionSpace::memory_space>
Ranges<I, Mem> block_diagonal(const std::vector<long>& ni, const std::vector<long>& nj) {
  const typename Mem::execution_space exec;
  auto r = block_diagonal<I, Mem>(exec, ni, nj);
  exec.fence();
  return r;
}

}  // namespace kokkeops

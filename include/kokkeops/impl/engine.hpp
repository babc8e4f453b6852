// The tiled map-reduce engine: one functor for every backend and every axis.
//
// A team owns rows_per_team = team_size * R output rows; each thread holds its R rows' variables and
// accumulators in registers. The reduced variables are read from a structure-of-arrays copy made
// once per call; on GPUs each tile of it is staged in level-0 scratch (shared memory) before the team
// sweeps it. On CPUs (team size 1) the sweep is vectorised W lanes wide over the reduced index.
//
// 1D or 2D: with few output rows (fewer row blocks than the device runs teams at once), the reduced
// range is split into segments and each (row block, segment) pair is a team of its own (the 2D scheme);
// each writes its rows' partial states (the reduction's `partial`), and a second kernel merges a row's
// segments in segment order (the reduction's `merge_ops`).
#pragma once

#include <kokkeops/error.hpp>
#include <kokkeops/formulas/core.hpp>
#include <kokkeops/impl/backend_traits.hpp>
#include <kokkeops/impl/simd.hpp>
#include <kokkeops/ranges.hpp>
#include <kokkeops/reductions/common.hpp>

#include <cstddef>
#include <limits>
#include <string>

// `omp simd` on the host passes only, where the compiler honours it (the library's targets add
// -fopenmp-simd and define KOKKEOPS_HAVE_OMP_SIMD on GCC/Clang).
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__) || !(defined(KOKKEOPS_HAVE_OMP_SIMD) || defined(_OPENMP))
#define KOKKEOPS_PRAGMA_SIMD
#else
#define KOKKEOPS_PRAGMA_SIMD _Pragma("omp simd")
#endif

#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__) || !(defined(__GNUC__) || defined(__clang__))
#define KOKKEOPS_HOST_NOINLINE
#else
#define KOKKEOPS_HOST_NOINLINE __attribute__((noinline))
#endif

namespace kokkeops::impl {

/// Compile-time storage layout of a formula's variables: where each slot lives in the packed
/// storage of its category.
template <class F>
struct Layout {
  static constexpr formulas::detail::SlotTable table = formulas::detail::slots_of<F>();
  static constexpr int num_slots = table.num_slots();
  template <int I>
  static constexpr int offset = table.offset(I);
  static constexpr int width(Cat c) { return table.width(c); }
};

/// What a formula node sees during one (row, reduced-index) evaluation. V is the value type the
/// formula is evaluated in: the scalar T, or a SIMD vector of W consecutive reduced indices.
template <class V, class F, Cat RowCat, class Math>
struct EvalCtx {
  using math = Math;
  using T = typename simd::lanes_of<V>::elem;
  const T* row;          // packed row variables of the current output row
  const T* col;          // structure-of-arrays reduced variables, already offset to the current index
  std::ptrdiff_t stride; // distance between two components in `col`
  const T* pm;           // packed parameters

  template <Cat C, int I, int D>
  KOKKOS_FORCEINLINE_FUNCTION void load(V* out) const {
    constexpr int o = Layout<F>::template offset<I>;
    if constexpr (C == Cat::p) {
      static_for<D>([&](auto k) KOKKEOPS_LAMBDA_INLINE { out[k] = simd::broadcast<V>(pm[o + k]); });
    } else if constexpr (C == RowCat) {
      static_for<D>([&](auto k) KOKKEOPS_LAMBDA_INLINE { out[k] = simd::broadcast<V>(row[o + k]); });
    } else {
      static_for<D>([&](auto k) KOKKEOPS_LAMBDA_INLINE { out[k] = simd::load<V>(col + (o + k) * stride); });
    }
  }
  // Component K alone (Var::eval_at).
  template <Cat C, int I, int D, int K, class VT>
  KOKKOS_FORCEINLINE_FUNCTION VT load_one() const {
    static_assert(std::is_same_v<VT, V>, "kokkeops: internal: load_one in the context's value type");
    constexpr int o = Layout<F>::template offset<I> + K;
    if constexpr (C == Cat::p) return simd::broadcast<V>(pm[o]);
    else if constexpr (C == RowCat) return simd::broadcast<V>(row[o]);
    else return simd::load<V>(col + o * stride);
  }
};

template <class Exec>
using MemSpace = typename Exec::memory_space;

/// The arguments of one call, packed: rows (n, width of the row category), the reduced variables as
/// structure of arrays (component c of entry j at c * stride + j, stride >= m padded to the lane
/// width), and the parameters.
template <class T, class Exec>
struct Packed {
  Kokkos::View<T**, Kokkos::LayoutRight, MemSpace<Exec>> rows;
  Kokkos::View<T*, MemSpace<Exec>> cols;
  Kokkos::View<T*, MemSpace<Exec>> params;
  std::ptrdiff_t stride = 0;
};

/// Where a reduction writes: a value view (n, out_dim) and/or an integer index view (n, index_dim);
/// NoView for the one a reduction does not have.
struct NoView {};
template <class ValView, class IdxView>
struct Sink {
  ValView val;
  IdxView idx;
};

/// Output row `row` from its NV values and NI indices.
template <int NV, int NI, class SinkT, class T>
KOKKOS_FORCEINLINE_FUNCTION void write_row(const SinkT& out, const T* vals, const int* ids, int row) {
  if constexpr (NV > 0) {
    using OV = typename decltype(out.val)::non_const_value_type;
    for (int k = 0; k < NV; ++k) out.val(row, k) = static_cast<OV>(vals[k]);
  }
  if constexpr (NI > 0) {
    using OI = typename decltype(out.idx)::non_const_value_type;
    for (int k = 0; k < NI; ++k) out.idx(row, k) = static_cast<OI>(ids[k]);
  }
}

/// The 2D scheme's second kernel: each output row merges its segments' partial states (M: the reduction's
/// merge_ops, which does not depend on the formula, so one instantiation serves every formula).
template <class Exec, class D, class M, class SinkT>
struct MergeSegments {
  using T = compute_t<D>;
  using Math = typename BackendTraits<Exec, T>::math;
  using P = typename M::template partial_type<D>;
  static constexpr int PV = M::partial_vals, PI = M::partial_ids, NV = M::out_dim, NI = M::index_dim;
  SinkT out;
  Kokkos::View<const P**, Kokkos::LayoutRight, MemSpace<Exec>> pval;
  Kokkos::View<const int**, Kokkos::LayoutRight, MemSpace<Exec>> pidx;
  int n, nseg;

  KOKKOS_INLINE_FUNCTION void operator()(int row) const {
    T vals[NV > 0 ? NV : 1];
    int ids[NI > 0 ? NI : 1];
    const std::ptrdiff_t rows_per_seg = n;
    M::template merge<D, Math>(nseg, pval.data() + row * std::ptrdiff_t(PV), rows_per_seg * PV,
                               pidx.data() + row * std::ptrdiff_t(PI), rows_per_seg * PI, vals, ids);
    write_row<NV, NI>(out, vals, ids, row);
  }
};

template <class Exec, class D, class Red, Cat RowCat, class SinkT>
struct TiledReduce {
  using F = std::decay_t<decltype(Red::formula)>;
  using T = compute_t<D>;  // formulas run in T: the data type, or float for half data
  using Traits = BackendTraits<Exec, T>;
  using Math = typename Traits::math;
  using Ctx = EvalCtx<T, F, RowCat, Math>;
  static constexpr Cat ColCat = RowCat == Cat::i ? Cat::j : Cat::i;
  static constexpr int W = Traits::lanes;
  // Rows per thread: as many as the traits ask, while rows x accumulators fit the registers.
  static constexpr int R = Traits::rows * Red::acc_width <= Traits::acc_registers ? Traits::rows
                           : Traits::acc_registers / Red::acc_width > 0       ? Traits::acc_registers / Red::acc_width
                                                                              : 1;
  static constexpr int NR = Layout<F>::width(RowCat);
  static constexpr int NC = Layout<F>::width(ColCat);
  static constexpr int NP = Layout<F>::width(Cat::p);
  static constexpr int DIM = F::dim;
  static constexpr int NV = Red::out_dim, NI = Red::index_dim;
  using Block = typename Red::template block<D, T, Math, R, W>;
  using member_type = typename Kokkos::TeamPolicy<Exec>::member_type;
  using ScratchView = Kokkos::View<T*, typename Exec::scratch_memory_space, Kokkos::MemoryUnmanaged>;
  using Rows = T[R][NR > 0 ? NR : 1];
  // 2D scheme: per (segment, row), PV partial values of type P and PI indices.
  using MergeOps = typename Red::merge_ops;
  using P = typename MergeOps::template partial_type<D>;
  static constexpr int PV = MergeOps::partial_vals, PI = MergeOps::partial_ids;
  using PartialVals = Kokkos::View<P**, Kokkos::LayoutRight, MemSpace<Exec>>;
  using PartialIdx = Kokkos::View<int**, Kokkos::LayoutRight, MemSpace<Exec>>;

  F f;
  SinkT out;
  Kokkos::View<const T**, Kokkos::LayoutRight, MemSpace<Exec>> rows;
  Kokkos::View<const T*, MemSpace<Exec>> cols;
  Kokkos::View<const T*, MemSpace<Exec>> params;
  std::ptrdiff_t stride;
  int n, m, tile;
  // Block-sparse plan (ranges): per team, rows [t0, t1) and reduced ranges [t2, t3) of `red`.
  Kokkos::View<const int* [4], Kokkos::LayoutRight, MemSpace<Exec>> tiles;
  Kokkos::View<const int* [2], Kokkos::LayoutRight, MemSpace<Exec>> red;
  bool ranged = false;
  // 2D scheme (dense only): nseg segments of seg_len reduced entries (the last may be shorter); team
  // league_rank = segment * nblocks + row block. nseg == 1: the 1D scheme, seg_len == m.
  int nseg = 1, seg_len = 0, nblocks = 0;
  PartialVals pval;
  PartialIdx pidx;

  // The k-th reduced range of this team: [js, je) (dense: k is the segment).
  KOKKOS_FORCEINLINE_FUNCTION void reduced_range(int k, int& js, int& je) const {
    if (ranged) {
      js = red(k, 0);
      je = red(k, 1);
    } else {
      js = k * seg_len;
      je = m - js < seg_len ? m : js + seg_len;
    }
  }

  // Finalize row s of the block and write it as output row `row`; under the 2D scheme, write its partial
  // state for segment `seg` instead.
  template <class Acc>
  KOKKOS_FORCEINLINE_FUNCTION void write(const Acc& acc, int s, int row, int seg = 0) const {
    if (nseg > 1) {
      P pv[PV];
      int pi[PI > 0 ? PI : 1];
      acc.partial(s, pv, pi);
      const std::size_t r = static_cast<std::size_t>(seg) * static_cast<std::size_t>(n) + static_cast<std::size_t>(row);
      for (int k = 0; k < PV; ++k) pval(r, k) = pv[k];
      for (int k = 0; k < PI; ++k) pidx(r, k) = pi[k];
      return;
    }
    T vals[NV > 0 ? NV : 1];
    int ids[NI > 0 ? NI : 1];
    acc.finalize(s, vals, ids);
    write_row<NV, NI>(out, vals, ids, row);
  }

  KOKKOS_INLINE_FUNCTION void operator()(const member_type& team) const {
    const int ts = team.team_size();
    const int t = team.team_rank();
    int lr = team.league_rank();
    int seg = 0;
    if (nseg > 1) {
      seg = lr / nblocks;
      lr -= seg * nblocks;
    }
    int base = lr * ts * R, row_end = n, k0 = seg, k1 = seg + 1;
    if (ranged) {
      base = tiles(lr, 0);
      row_end = tiles(lr, 1);
      k0 = tiles(lr, 2);
      k1 = tiles(lr, 3);
    }

    T pm[NP > 0 ? NP : 1] = {};
    KOKKEOPS_UNROLL
    for (int c = 0; c < NP; ++c) pm[c] = params(c);
    Rows xr = {};
    KOKKEOPS_UNROLL
    for (int s = 0; s < R; ++s) {
      const int row = base + s * ts + t;
      const int rr = row < row_end ? row : row_end - 1;  // rows past the end compute on a copy, never written
      KOKKEOPS_UNROLL
      for (int c = 0; c < NR; ++c) xr[s][c] = rows(rr, c);
    }

    // One of the two sweeps is instantiated: on CPUs with vector types the other one would be compiled for
    // nothing (its lane loops cost the optimiser as much as the vector sweep itself).
    if constexpr (Traits::explicit_simd) {
      sweep_vector(xr, pm, base, row_end, k0, k1, seg);
    } else {
      sweep_lanes(team, xr, pm, base, row_end, k0, k1, seg);
    }
  }

  // Scalar lanes (GPUs: one thread per row group, tiles staged in scratch; CPUs without vector types: the
  // auto-vectorised lane loop), then the output rows.
  KOKKOS_INLINE_FUNCTION void sweep_lanes(const member_type& team, const Rows& xr, const T* pm, int base, int row_end,
                                          int k0, int k1, int seg) const {
    const int ts = team.team_size();
    const int t = team.team_rank();
    Block acc;
    acc.init();
    if constexpr (Traits::stage_tiles) {
      ScratchView buf(team.team_scratch(0), static_cast<std::size_t>(NC > 0 ? NC * tile : 1));
      for (int k = k0; k < k1; ++k) {
        int js, je;
        reduced_range(k, js, je);
        for (int j0 = js; j0 < je; j0 += tile) {
          const int len = je - j0 < tile ? je - j0 : tile;
          for (int idx = t; idx < NC * len; idx += ts) {
            const int c = idx / len, jj = idx - c * len;
            buf(c * tile + jj) = cols(c * stride + j0 + jj);
          }
          team.team_barrier();
          sweep(acc, xr, pm, buf.data(), tile, len, j0);
          acc.flush();  // block summation: one partial sum per tile
          team.team_barrier();
        }
      }
    } else {
      for (int k = k0; k < k1; ++k) {
        int js, je;
        reduced_range(k, js, je);
        sweep(acc, xr, pm, cols.data() + js, stride, je - js, js);
      }
    }

    acc.flush();
    for (int s = 0; s < R; ++s) {
      const int row = base + s * ts + t;
      if (row < row_end) write(acc, s, row, seg);
    }
  }

  // CPU sweep with explicit SIMD vectors: W consecutive reduced indices per vector, R rows, the
  // accumulators in registers for the whole range, a masked last vector; then the output rows.
  KOKKOS_INLINE_FUNCTION void sweep_vector(const Rows& xr, const T* pm, int base, int row_end, int k0, int k1,
                                           int seg) const {
#if defined(KOKKEOPS_HAVE_VECTOR_TYPES)
    if constexpr (Traits::explicit_simd) {
      using V = simd::vec<T, W>;
      using VCtx = EvalCtx<V, F, RowCat, Math>;
      typename Red::template vector_block<D, V, Math, R> acc;
      acc.init();
      const T* cb = cols.data();
      const auto step = [&](int j) KOKKEOPS_LAMBDA_INLINE {
        static_for<R>([&](auto s) KOKKEOPS_LAMBDA_INLINE {
          const VCtx ctx{xr[s], cb + j, stride, pm};
          V v[DIM];
          f.eval(v, ctx);
          acc.add(s, v, j);
        });
      };
      for (int k = k0; k < k1; ++k) {
        int js, je;
        reduced_range(k, js, je);
        int jc = js;
        if constexpr (Red::flushes) {
          // Block summation: a partial sum per kBlockFlushChunks vectors, folded into the total (a counter,
          // not a nested loop, so that the formula is compiled once here).
          int chunks = 0;
          for (; jc + W <= je; jc += W) {
            step(jc);
            if (++chunks == kBlockFlushChunks) {
              acc.flush();
              chunks = 0;
            }
          }
        } else {
          for (; jc + W <= je; jc += W) step(jc);
        }
        if (jc < je) {
          // The masked last vector, once per range: a loop over the rows, not unrolled (one copy of the
          // formula instead of R; measured: a fifth less compile time for the Genred test body, the same
          // speed for the Gaussian benchmark).
          const auto valid = simd::iota<V>() < simd::broadcast<V>(static_cast<T>(je - jc));
          KOKKEOPS_NO_UNROLL
          for (int s = 0; s < R; ++s) {
            const VCtx ctx{xr[s], cb + jc, stride, pm};
            V v[DIM];
            f.eval(v, ctx);
            acc.add_masked(s, v, jc, valid);
          }
        }
      }
      acc.flush();
      for (int s = 0; s < R; ++s) {
        const int row = base + s;
        if (row < row_end) write(acc, s, row, seg);
      }
    }
#else
    (void)xr, (void)pm, (void)base, (void)row_end, (void)k0, (void)k1, (void)seg;  // compilers without vector types never take this path
#endif
  }

  // Sweep `len` reduced entries starting at `colbase` (global index j0), W lanes at a time, R rows
  // per lane, then a masked tail. On the host each chunk is its own (not inlined) function: nested
  // in the loop over chunks, GCC's vectoriser gives up on the lane loop; alone, it vectorises it.
  KOKKOS_FORCEINLINE_FUNCTION void sweep(Block& acc, const Rows& xr, const T* pm, const T* colbase,
                                         std::ptrdiff_t cstride, int len, int j0) const {
    int jc = 0;
    if constexpr (Red::flushes && !Traits::stage_tiles) {
      constexpr int blk = kBlockFlushChunks * W;
      for (; jc + blk <= len; jc += blk) {
        for (int j = jc; j < jc + blk; j += W) chunk(acc, xr, pm, colbase + j, cstride, j0 + j);
        acc.flush();
      }
    }
    for (; jc + W <= len; jc += W) chunk(acc, xr, pm, colbase + jc, cstride, j0 + jc);
    if constexpr (W > 1) {
      if (jc < len) chunk_masked(acc, xr, pm, colbase + jc, cstride, len - jc, j0 + jc);
    }
  }

  KOKKEOPS_HOST_NOINLINE KOKKOS_FUNCTION void chunk(Block& acc, const Rows& xr, const T* pm, const T* cb,
                                                    std::ptrdiff_t cstride, int j0) const {
    // 64-bit lane index: with an int one, GCC picks half-width vectors for double.
    KOKKEOPS_PRAGMA_SIMD
    for (std::ptrdiff_t l = 0; l < W; ++l) {
      static_for<R>([&](auto s) KOKKEOPS_LAMBDA_INLINE {
        const Ctx ctx{xr[s], cb + l, cstride, pm};
        T v[DIM];
        f.eval(v, ctx);
        acc.add(s, static_cast<int>(l), v, j0 + static_cast<int>(l));
      });
    }
  }

  KOKKEOPS_HOST_NOINLINE KOKKOS_FUNCTION void chunk_masked(Block& acc, const Rows& xr, const T* pm, const T* cb,
                                                           std::ptrdiff_t cstride, std::ptrdiff_t rem, int j0) const {
    KOKKEOPS_PRAGMA_SIMD
    for (std::ptrdiff_t l = 0; l < W; ++l) {
      static_for<R>([&](auto s) KOKKEOPS_LAMBDA_INLINE {
        const Ctx ctx{xr[s], cb + l, cstride, pm};
        T v[DIM];
        f.eval(v, ctx);
        acc.add_masked(s, static_cast<int>(l), v, j0 + static_cast<int>(l), l < rem);
      });
    }
  }
};


/// The 2D scheme's segment count for n_blocks row blocks and m reduced entries. `requested`: 0 for the
/// automatic choice, 1 for the 1D scheme, k > 1 for k segments (at most m). Automatic: 1D when the row
/// blocks alone give the device `want_teams` teams; otherwise enough segments for that many teams, each
/// at least `min_len` entries long (the partial states and the merge must stay cheap beside the sweep).
/// Segments are then ceil(m / k) entries long, rounded up to a multiple of `align` (the CPU's SIMD width:
/// every segment starts on a vector, so that its last, masked vector stays inside the padded copy of the
/// reduced variables), and the count is what that length gives: no segment is empty.
struct Segments {
  int count = 1;    // 1: the 1D scheme
  long length = 0;  // entries per segment (the last one may have fewer)
};
inline Segments choose_segments(int requested, long n_blocks, long m, long want_teams, long min_len, long align = 1) {
  long k = requested;
  if (requested == 0) {
    k = 1;
    if (n_blocks > 0 && n_blocks < want_teams) {
      k = (want_teams + n_blocks - 1) / n_blocks;
      const long cap = min_len > 0 ? m / min_len : m;
      if (k > cap) k = cap;
    }
  }
  if (k > m) k = m;
  if (k < 2) return {1, m};
  const long a = align > 1 ? align : 1;
  const long len = ((m + k - 1) / k + a - 1) / a * a;
  const long count = (m + len - 1) / len;
  if (count < 2) return {1, m};
  return {static_cast<int>(count), len};
}

/// The sink a plan sizes its teams with (the 2D scheme's team size probe needs a kernel type; the actual
/// outputs' view types change nothing of substance).
template <class Exec, class D, class Red>
using PlanSink = Sink<std::conditional_t<(Red::out_dim > 0), Kokkos::View<D**, Kokkos::LayoutRight, MemSpace<Exec>>, NoView>,
                      std::conditional_t<(Red::index_dim > 0), Kokkos::View<int**, Kokkos::LayoutRight, MemSpace<Exec>>,
                                         NoView>>;

/// How a reduction runs, decided once for a set of arguments (impl/bound.hpp) and reused by every launch:
/// the team size, the league, the 1D/2D segments (dense) or the block-sparse tiles, and the 2D scheme's
/// partial-state workspaces.
template <class Exec, class D, class Red>
struct LaunchPlan {
  using MergeOps = typename Red::merge_ops;
  using P = typename MergeOps::template partial_type<D>;
  int n = 0, m = 0;
  int team_size = 1;
  int league = 0;   // teams of the reduction kernel
  int nblocks = 0;  // row blocks (the 2D scheme: league = nblocks * nseg)
  int nseg = 1;
  int seg_len = 0;
  int tile = 1;
  bool ranged = false;
  RangePlan<MemSpace<Exec>> ranges;
  Kokkos::View<P**, Kokkos::LayoutRight, MemSpace<Exec>> pval;
  Kokkos::View<int**, Kokkos::LayoutRight, MemSpace<Exec>> pidx;
};

/// Plan a reduction of n output rows over m reduced entries on `exec`: block-sparse when `half` is given
/// (one team per tile of the ranges), else dense, 1D or 2D (`segments`: see choose_segments).
template <class Exec, Cat RowCat, class D, class Red>
LaunchPlan<Exec, D, Red> plan_tiled(const Exec& exec, const Red& red, int n, int m, const HostRangeHalf* half,
                                    int segments) {
  using Kernel = TiledReduce<Exec, D, Red, RowCat, PlanSink<Exec, D, Red>>;
  using Traits = typename Kernel::Traits;
  LaunchPlan<Exec, D, Red> plan;
  plan.n = n;
  plan.m = m;
  int ts = Traits::team_size();
  if constexpr (Traits::stage_tiles) {
    const Kernel k{red.formula, {}, {}, {}, {}, 0, n, m, 1, {}, {}, false, 1, m, 0, {}, {}};
    Kokkos::TeamPolicy<Exec> probe(exec, 1, 1);
    const int max_ts = probe.team_size_max(k, Kokkos::ParallelForTag());
    if (max_ts < ts) ts = max_ts;
    plan.tile = Traits::tile(ts);
  }
  plan.team_size = ts;
  const int rows_per_team = ts * Kernel::R;
  plan.league = (n + rows_per_team - 1) / rows_per_team;
  plan.nblocks = plan.league;
  if (n == 0) return plan;
  if (half) {
    plan.ranged = true;
    plan.ranges = make_range_plan<MemSpace<Exec>>(exec, *half, rows_per_team);
    plan.league = plan.ranges.num_tiles;
    return plan;
  }
  // 1D or 2D (see choose_segments): the device runs concurrency() / ts teams at once.
  const long want = static_cast<long>(exec.concurrency()) * Traits::teams_per_slot / ts;
  const Segments seg = choose_segments(segments, plan.league, m, want > 1 ? want : 1, Traits::min_segment, Kernel::W);
  plan.nseg = seg.count;
  if (plan.nseg > 1) {
    if (static_cast<long>(plan.league) * plan.nseg > static_cast<long>(std::numeric_limits<int>::max()))
      throw Error(std::to_string(plan.nseg) + " segments of the reduced range for " + std::to_string(plan.league) +
                  " row blocks are more teams than one launch can hold: ask for fewer segments (Genred(...).segments(k))");
    plan.seg_len = static_cast<int>(seg.length);
    const std::size_t prow = static_cast<std::size_t>(plan.nseg) * static_cast<std::size_t>(n);
    constexpr int PV = Kernel::PV, PI = Kernel::PI;
    plan.pval = decltype(plan.pval)(Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::partials")),
                                    prow, PV);
    plan.pidx = decltype(plan.pidx)(Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::partial_idx")),
                                    PI > 0 ? prow : 0, PI);
    plan.league *= plan.nseg;
  }
  return plan;
}

/// The reduction kernel's launch: one team per row block (and segment, or range tile), scratch for the
/// staged tiles on GPUs.
template <class Sched, class Kernel, class Exec, class Plan>
void run_teams(const Exec& exec, const Kernel& k, const Plan& plan) {
  using Traits = typename Kernel::Traits;
  Kokkos::TeamPolicy<Exec, Sched> policy(exec, plan.league, plan.team_size);
  if constexpr (Traits::stage_tiles) {
    const int words = Kernel::NC > 0 ? Kernel::NC * plan.tile : 1;
    // (A few KB: PerTeam takes an int in Kokkos 3.4.)
    policy.set_scratch_size(
        0, Kokkos::PerTeam(static_cast<int>(Kernel::ScratchView::shmem_size(static_cast<std::size_t>(words)))));
  }
  Kokkos::parallel_for("kokkeops::tiled_reduce", policy, k);
}

/// Block-sparse calls: every output row first gets the reduction's neutral value (rows in no block keep it).
template <class Kernel, class Exec>
void write_neutral_rows(const Exec& exec, const Kernel& k, int n) {
  using Block = typename Kernel::Block;
  Kokkos::parallel_for(
      "kokkeops::neutral_rows", Kokkos::RangePolicy<Exec, Kokkos::IndexType<int>>(exec, 0, n), KOKKOS_LAMBDA(int row) {
        Block acc;
        acc.init();
        acc.flush();
        k.write(acc, 0, row);
      });
}

/// Launch a planned reduction on `exec` (asynchronously): all data already packed (in the compute type of
/// data type D), results into the sink's views.
template <class Exec, Cat RowCat, class D, class Red, class SinkT>
void launch_tiled(const Exec& exec, const Red& red, const SinkT& sink, const Packed<compute_t<D>, Exec>& pk,
                  const LaunchPlan<Exec, D, Red>& plan) {
  using Kernel = TiledReduce<Exec, D, Red, RowCat, SinkT>;
  const int n = plan.n;
  if (n == 0) return;
  Kernel k{red.formula, sink, pk.rows, pk.cols, pk.params, pk.stride, n, plan.m, plan.tile, {}, {}, false,
           plan.nseg, plan.nseg > 1 ? plan.seg_len : plan.m, plan.nblocks, plan.pval, plan.pidx};
  if (plan.ranged) {
    k.tiles = plan.ranges.tiles;
    k.red = plan.ranges.red;
    k.ranged = true;
    write_neutral_rows(exec, k, n);
    if (plan.league == 0) return;
    // Block-sparse tiles are uneven (their ranges differ in length): handed out dynamically.
    run_teams<Kokkos::Schedule<Kokkos::Dynamic>>(exec, k, plan);
  } else {
    run_teams<Kokkos::Schedule<Kokkos::Static>>(exec, k, plan);
  }
  if (plan.nseg > 1) {
    using Merge = MergeSegments<Exec, D, typename Kernel::MergeOps, SinkT>;
    Kokkos::parallel_for("kokkeops::merge_segments", Kokkos::RangePolicy<Exec, Kokkos::IndexType<int>>(exec, 0, n),
                         Merge{sink, k.pval, k.pidx, n, plan.nseg});
  }
}

}  // namespace kokkeops::impl

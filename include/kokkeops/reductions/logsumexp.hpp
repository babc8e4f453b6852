// Reductions on the online "shifted exponential sum" (m, s): m = max_j f_j, s = sum_j exp(f_j - m) g_j,
// kept without overflow for any f. LogSumExp (weighted or not), Max_SumShiftExp(Weight) (the raw
// pair), and SumSoftMaxWeight (sum_j softmax_j(f) g_j).
//
// Per pair, one exponential: with d = f - m and e = exp(-|d|), a new maximum (d > 0) rescales the
// sums by e and adds g, otherwise e * g is added. Two partial states merge by the same rule.
// NaN in f or g propagates to the result. An empty reduction gives LogSumExp = -inf, the raw pair
// (-inf, 0), and SumSoftMaxWeight = NaN (0/0).
#pragma once

#include <kokkeops/formulas/ops.hpp>
#include <kokkeops/reductions/common.hpp>

#include <cstddef>
#include <string>

namespace kokkeops {

namespace impl {

/// f and g evaluated together: dimension 1 + g's (internal to these reductions).
template <class F, class G>
struct PackFG : formulas::FormulaBase {
  static_assert(F::dim == 1, "kokkeops: LogSumExp / SumSoftMaxWeight need a scalar formula f (dimension 1)");
  static_assert(formulas::detail::slots_consistent<F, G>(),
                "kokkeops: one argument slot is used with two different dimensions or categories "
                "(e.g. Vi<0,3> and Vi<0,2>, or Vi<0,3> and Vj<0,3>)");
  F f;
  G g;
  static constexpr int dim = 1 + G::dim;
  static constexpr void collect(formulas::detail::SlotTable& t) {
    F::collect(t);
    G::collect(t);
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    f.eval(out, ctx);
    g.eval(out + 1, ctx);
  }
  std::string str() const { return f.str() + "," + g.str(); }
};

enum class ShiftExpOut { logsumexp, raw, softmax };

/// The running state of one lane (S: scalar or vector storage type).
template <class Ops, class Math, int NS, bool Kahan>
struct ShiftExpState {
  using S = typename Ops::S;
  S m, s[NS], c[Kahan ? NS : 1];

  KOKKOS_FORCEINLINE_FUNCTION void init() {
    m = Ops::zero() + std::numeric_limits<typename Ops::AE>::lowest();
    for (int k = 0; k < NS; ++k) s[k] = Ops::zero();
    for (int k = 0; k < (Kahan ? NS : 1); ++k) c[k] = Ops::zero();
  }
  // Add weights w[0..NS) at exponent f.
  KOKKOS_FORCEINLINE_FUNCTION void add(const S& f, const S* w) {
    const S d = f - m;
    const S ad = simd::select(d < S(Ops::zero()), -d, d);
    const S e = Ops::round(Math::exp(-ad));
    const auto gt = d > Ops::zero();
    const S one = Ops::zero() + typename Ops::AE(1);
    const S scale = simd::select(gt, e, one), tw = simd::select(gt, one, e);
    m = simd::select(gt, f, m);
    static_for<NS>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      if constexpr (Kahan) {
        s[k] = Ops::round(s[k] * scale);
        c[k] = Ops::round(c[k] * scale);
        const S y = Ops::round(w[k] * tw) - c[k];
        const S t = Ops::round(s[k] + y);
        c[k] = Ops::round((t - s[k]) - y);
        s[k] = t;
      } else {
        s[k] = Ops::round(s[k] * scale + w[k] * tw);
      }
    });
  }
  // Fold another state in (block flush, lane merge).
  KOKKOS_FORCEINLINE_FUNCTION void merge(const ShiftExpState& o) {
    const S mm = simd::select(o.m > m, o.m, m);
    const S ea = Ops::round(Math::exp(m - mm)), eb = Ops::round(Math::exp(o.m - mm));
    static_for<NS>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      if constexpr (Kahan) {
        s[k] = Ops::round((s[k] - c[k]) * ea + (o.s[k] - o.c[k]) * eb);
        c[k] = Ops::zero();
      } else {
        s[k] = Ops::round(s[k] * ea + o.s[k] * eb);
      }
    });
    m = mm;
  }
};

template <ShiftExpOut Out, bool WithOne, int G>
struct ShiftExpShape {
  static constexpr int weights = G == 0 ? 1 : G + (WithOne ? 1 : 0);  // NS
  static constexpr int out_dim = Out == ShiftExpOut::raw ? 1 + weights : Out == ShiftExpOut::softmax ? G : weights;
};

/// The output of a folded scalar state: log-sum-exp per weight, the raw (m, s), or the softmax average.
template <ShiftExpOut Out, int G, class Math, class Lane, class CE>
KOKKOS_FORCEINLINE_FUNCTION void shift_exp_emit(const Lane& acc, CE* vals) {
  using AE = std::decay_t<decltype(acc.m)>;
  constexpr int NS = static_cast<int>(sizeof(Lane::s) / sizeof(Lane::s[0]));
  bool empty = true;
  for (int k = 0; k < NS; ++k) empty = empty && acc.s[k] == AE(0);
  if constexpr (Out == ShiftExpOut::logsumexp) {
    for (int k = 0; k < NS; ++k) vals[k] = static_cast<CE>(acc.m + Math::log(acc.s[k]));
  } else if constexpr (Out == ShiftExpOut::raw) {
    vals[0] = static_cast<CE>(empty ? -inf_value<AE>() : acc.m);
    for (int k = 0; k < NS; ++k) vals[1 + k] = static_cast<CE>(acc.s[k]);
  } else {
    for (int k = 0; k < G; ++k) vals[k] = static_cast<CE>(acc.s[k + 1] / acc.s[0]);
  }
}

/// Accumulators: R rows x W lanes of states, a second set for the block scheme's partial states.
/// VW > 1: one vector state per row (explicit SIMD); VW == 1: W scalar lanes.
template <class C, class A, class Scheme, class Math, ShiftExpOut Out, bool WithOne, int G, int R, int W>
struct ShiftExpBlock {
  using Ops = AccOps<C, A>;
  using S = typename Ops::S;
  static constexpr bool kahan = Scheme::id == scheme::kahan_t::id;
  static constexpr bool blocked = Scheme::id == scheme::block_t::id;
  static constexpr int NS = ShiftExpShape<Out, WithOne, G>::weights;
  using State = ShiftExpState<Ops, Math, NS, kahan>;
  State tot[R][W];
  State part[blocked ? R : 1][blocked ? W : 1];

  KOKKOS_FORCEINLINE_FUNCTION void init() {
    for (int s = 0; s < R; ++s)
      for (int l = 0; l < W; ++l) {
        tot[s][l].init();
        if constexpr (blocked) part[s][l].init();
      }
  }
  KOKKOS_FORCEINLINE_FUNCTION State& target(int s, int l) {
    if constexpr (blocked) return part[s][l];
    else return tot[s][l];
  }
  // v = (f, g_1..g_G) of one pair (or W pairs as vectors).
  KOKKOS_FORCEINLINE_FUNCTION void push(int s, int l, const C* v) {
    S w[NS];
    static_for<NS>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      if constexpr (G == 0 || (WithOne && k == 0)) w[k] = Ops::zero() + typename Ops::AE(1);
      else w[k] = Ops::widen(v[1 + k - (WithOne ? 1 : 0)]);
    });
    target(s, l).add(Ops::widen(v[0]), w);
  }
  KOKKOS_FORCEINLINE_FUNCTION void add(int s, int l, const C* v, int) { push(s, l, v); }
  KOKKOS_FORCEINLINE_FUNCTION void add_masked(int s, int l, const C* v, int, bool valid) {
    if (valid) push(s, l, v);
  }
  KOKKOS_FORCEINLINE_FUNCTION void add(int s, const C* v, int) { push(s, 0, v); }
  template <class M>
  KOKKOS_FORCEINLINE_FUNCTION void add_masked(int s, const C* v, int, const M& valid) {
    // Padding lanes: f = -inf (weight exp(-inf) = 0) and g = 0, so that NaN on padding never leaks in.
    constexpr int D = 1 + G;
    C u[D];
    u[0] = simd::select(valid, v[0], simd::splat<C>(-inf_value<typename simd::lanes_of<C>::elem>()));
    for (int k = 1; k < D; ++k) u[k] = simd::select(valid, v[k], simd::splat<C>(0));
    push(s, 0, u);
  }
  KOKKOS_FORCEINLINE_FUNCTION void flush() {
    if constexpr (blocked) {
      for (int s = 0; s < R; ++s)
        for (int l = 0; l < W; ++l) {
          tot[s][l].merge(part[s][l]);
          part[s][l].init();
        }
    }
  }
  // Row s's lanes folded into one scalar state.
  using AE = typename Ops::AE;
  using Lane = ShiftExpState<AccOps<AE, std::conditional_t<Ops::half, half_acc, AE>>, Math, NS, false>;
  KOKKOS_FORCEINLINE_FUNCTION Lane folded(int s) const {
    constexpr int VW = simd::lanes_of<C>::width;
    Lane acc;
    acc.init();
    for (int l = 0; l < W; ++l)
      for (int q = 0; q < VW; ++q) {
        Lane x;
        const State& st = tot[s][l];
        const auto lane = [&](const S& v) -> AE {
          if constexpr (VW > 1) return v[q];
          else return v;
        };
        x.m = lane(st.m);
        for (int k = 0; k < NS; ++k) {
          x.s[k] = lane(st.s[k]);
          if constexpr (kahan) x.s[k] -= lane(st.c[k]);
        }
        acc.merge(x);
      }
    return acc;
  }
  template <class CE>
  KOKKOS_FORCEINLINE_FUNCTION void finalize(int s, CE* vals, int*) const {
    shift_exp_emit<Out, G, Math>(folded(s), vals);
  }
  // 2D scheme: the state (m, s_1..s_NS) in the accumulator type.
  template <class P>
  KOKKOS_FORCEINLINE_FUNCTION void partial(int s, P* pv, int*) const {
    const Lane acc = folded(s);
    pv[0] = static_cast<P>(acc.m);
    for (int k = 0; k < NS; ++k) pv[1 + k] = static_cast<P>(acc.s[k]);
  }
};

/// The 2D scheme's merge: the segments' states folded in segment order, then the output.
template <ShiftExpOut Out, bool WithOne, int G, class D, class A, class Math, class P, class CE>
KOKKOS_INLINE_FUNCTION void shift_exp_merge(int nseg, const P* pv, std::ptrdiff_t vs, CE* vals) {
  using AE = acc_elem_t<D, A>;
  constexpr int NS = ShiftExpShape<Out, WithOne, G>::weights;
  using Lane = ShiftExpState<AccOps<AE, std::conditional_t<std::is_same_v<A, half_acc>, half_acc, AE>>, Math, NS, false>;
  Lane acc;
  acc.init();
  for (int q = 0; q < nseg; ++q) {
    Lane x;
    x.m = static_cast<AE>(pv[q * vs]);
    for (int k = 0; k < NS; ++k) x.s[k] = static_cast<AE>(pv[q * vs + 1 + k]);
    acc.merge(x);
  }
  shift_exp_emit<Out, G, Math>(acc, vals);
}

/// The 2D scheme's side of these reductions (see SumMerge): the state (m, s_1..s_NS) in the accumulator type.
template <ShiftExpOut Out, bool WithOne, int G, class AccOpt>
struct ShiftExpMerge {
  static constexpr int out_dim = ShiftExpShape<Out, WithOne, G>::out_dim, index_dim = 0;
  static constexpr int partial_vals = 1 + ShiftExpShape<Out, WithOne, G>::weights, partial_ids = 0;
  template <class D>
  using partial_type = acc_elem_t<D, acc_for<D, AccOpt>>;
  template <class D, class Math, class P, class C>
  KOKKOS_INLINE_FUNCTION static void merge(int nseg, const P* pv, std::ptrdiff_t vs, const int*, std::ptrdiff_t,
                                           C* vals, int*) {
    shift_exp_merge<Out, WithOne, G, D, acc_for<D, AccOpt>, Math>(nseg, pv, vs, vals);
  }
};

/// The reduction: Fm is the formula the engine evaluates (f, or PackFG<f, g>), G the weight dim (0: none).
template <class Fm, ShiftExpOut Out, bool WithOne, int G, class... Opts>
struct ShiftExpReduction {
  static_assert(formulas::is_formula_v<Fm>, "kokkeops: a reduction needs a formula");
  static_assert(G > 0 || Fm::dim == 1, "kokkeops: LogSumExp / Max_SumShiftExp need a scalar formula (dimension 1)");
  using options = SumOptions<Opts...>;
  using scheme_type = typename options::scheme;
  Fm formula;
  static constexpr int out_dim = ShiftExpShape<Out, WithOne, G>::out_dim;
  static constexpr int index_dim = 0;
  static constexpr int acc_width = (1 + ShiftExpShape<Out, WithOne, G>::weights) *
                                   (scheme_type::id == scheme::direct_t::id ? 1 : 2);
  static constexpr bool flushes = scheme_type::id == scheme::block_t::id;
  template <class D>
  using acc_type = acc_for<D, typename options::acc>;
  template <class D, class C, class Math, int R, int W>
  using block = ShiftExpBlock<C, acc_type<D>, scheme_type, Math, Out, WithOne, G, R, W>;
  template <class D, class V, class Math, int R>
  using vector_block = ShiftExpBlock<V, acc_type<D>, scheme_type, Math, Out, WithOne, G, R, 1>;
  // 2D scheme: the state (m, s_1..s_NS) per segment, in the accumulator type.
  using merge_ops = ShiftExpMerge<Out, WithOne, G, typename options::acc>;

  std::string str() const {
    const char* name = Out == ShiftExpOut::logsumexp ? "LogSumExp"
                       : Out == ShiftExpOut::raw     ? (G ? "Max_SumShiftExpWeight" : "Max_SumShiftExp")
                                                     : "SumSoftMaxWeight";
    return std::string(name) + "_Reduction(" + formula.str() + ")";
  }
};

template <ShiftExpOut Out, bool WithOne>
struct ShiftExpBuilder {
  // Unweighted: f only (not for SumSoftMaxWeight, which needs a weight).
  template <class F, class... Opts, formulas::enable_if_formula_t<F> = 0,
            std::enable_if_t<(!formulas::is_formula_v<Opts> && ...), int> = 0>
  ShiftExpReduction<F, Out, WithOne, 0, Opts...> operator()(const F& f, Opts...) const {
    static_assert(Out != ShiftExpOut::softmax, "kokkeops: SumSoftMaxWeight(f, g) needs a weight formula g");
    return {f};
  }
  // Weighted: f scalar, g of any dimension.
  template <class F, class G, class... Opts, formulas::enable_if_formula_t<F> = 0, formulas::enable_if_formula_t<G> = 0>
  ShiftExpReduction<PackFG<F, G>, Out, WithOne, G::dim, Opts...> operator()(const F& f, const G& g, Opts...) const {
    return {PackFG<F, G>{{}, f, g}};
  }
};

}  // namespace impl

/// log sum_j exp(f) (KeOps `LogSumExp`), f scalar; `LogSumExp(f, g)`: log sum_j exp(f) g, per
/// component of g (KeOps' LogSumExp with formula2 / LogSumExpWeight). Options as Sum.
inline constexpr impl::ShiftExpBuilder<impl::ShiftExpOut::logsumexp, false> LogSumExp{};
/// The raw pair (m, s) with m = max f, s = sum exp(f - m) (KeOps `Max_SumShiftExp`); with a weight g:
/// (m, s_1..s_g) (KeOps `Max_SumShiftExpWeight`). Output dimension 2 / 1 + dim g.
inline constexpr impl::ShiftExpBuilder<impl::ShiftExpOut::raw, false> Max_SumShiftExp{};
inline constexpr impl::ShiftExpBuilder<impl::ShiftExpOut::raw, false> Max_SumShiftExpWeight{};
/// sum_j softmax_j(f) g_j = sum_j exp(f) g / sum_j exp(f) (KeOps `SumSoftMaxWeight`, alias SoftMax).
inline constexpr impl::ShiftExpBuilder<impl::ShiftExpOut::softmax, true> SumSoftMaxWeight{};

}  // namespace kokkeops

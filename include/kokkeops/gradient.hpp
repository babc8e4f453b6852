// Gradients of reductions: for a Genred K (out = reduce F(args)) and one of its variables v, the
// gradient of L with respect to v's argument, given the upstream gradient dL/dout:
//
//   auto dK = ko::gradient(K, x);                 // x: the variable (Vi, Vj or Pm) of K's formula
//   dK(grad_x, dL_dout, arg0, arg1, ...);         // same arguments as K; grad_x shaped like x's argument
//   dK(ranges, grad_x, dL_dout, arg0, ...);       // block-sparse, with the ranges K was called with
//
// Each is a Genred of the symbolic gradient Grad(F, v, e), e bound to the upstream gradient:
//   - v indexed like the output (Vi for axis::j): a Sum over the same axis;
//   - v indexed by the reduced axis (Vj for axis::j): a Sum over the other axis (the ranges' other half);
//   - v a parameter (Pm): the per-row sums of the first case, summed over the rows.
// Reductions: Sum; LogSumExp (weighted or not) and SumSoftMaxWeight (through the forward result,
// computed first); Min, Max, Min_ArgMin, Max_ArgMax, KMin, KMin_ArgKMin through the selected indices
// (the upstream reaches the selected pairs only; KeOps has no gradient for these); ArgMin, ArgMax and
// ArgKMin: zero. Max_SumShiftExp has none (not supported, a compile-time error).
#pragma once

#include <kokkeops/error.hpp>
#include <kokkeops/formulas/grad.hpp>
#include <kokkeops/genred.hpp>
#include <kokkeops/impl/column_ops.hpp>
#include <kokkeops/impl/range.hpp>

#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace kokkeops {

namespace impl {

/// G evaluated, with the slot table of G and of every Keep formula: the gradient reduction then takes
/// (and validates) exactly the forward arguments plus the extra ones, whatever G dropped.
template <class G, class... Keep>
struct WithSlots : formulas::FormulaBase {
  G g;
  static constexpr int dim = G::dim;
  static constexpr void collect(formulas::detail::SlotTable& t) {
    G::collect(t);
    (Keep::collect(t), ...);
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    g.eval(out, ctx);
  }
  std::string str() const { return g.str(); }
};

template <class G, class... Keep>
WithSlots<G, Keep...> with_slots(const G& g, const Keep&...) {
  return {{}, g};
}

template <class F>
inline constexpr int num_slots_v = formulas::detail::slots_of<F>().num_slots();

template <class T>
struct reduction_traits;  // what kind of reduction, and its formula(s)

// kind: 0 Sum, 1 LogSumExp / SumSoftMaxWeight, 2 Min / Max / KMin (values), 3 Arg* (indices only), -1 none.
template <class F, class... Opts>
struct reduction_traits<SumReduction<F, Opts...>> {
  static constexpr int kind = 0;
  static constexpr bool weighted = false, softmax = false, is_max = false;
};
template <class Fm, ShiftExpOut Out, bool WithOne, int G, class... Opts>
struct reduction_traits<ShiftExpReduction<Fm, Out, WithOne, G, Opts...>> {
  static constexpr int kind = Out == ShiftExpOut::raw ? -1 : 1;
  static constexpr bool weighted = G > 0, softmax = Out == ShiftExpOut::softmax, is_max = false;
};
template <class F, bool Max, SelectOut Out>
struct reduction_traits<SelectReduction<F, Max, Out>> {
  static constexpr int kind = Out == SelectOut::indices ? 3 : 2;
  static constexpr bool weighted = false, softmax = false, is_max = Max;
};
template <class F, int K, SelectOut Out>
struct reduction_traits<KSelectReduction<F, K, Out>> {
  static constexpr int kind = Out == SelectOut::indices ? 3 : 2;
  static constexpr bool weighted = false, softmax = false, is_max = false;
};

/// One rank-2 view of shape (rows, dim), uninitialised, in the memory space of Like.
template <class T, class Like>
Kokkos::View<T**, Kokkos::LayoutRight, typename Like::memory_space> scratch(const char* label, long rows, int dim) {
  return Kokkos::View<T**, Kokkos::LayoutRight, typename Like::memory_space>(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(label)), rows, dim);
}

/// grad(k) = sum over rows of tmp(row, k), accumulated in double, all D columns in one pass (the sums reach
/// the host: exec is fenced), written on exec.
template <int D, class Exec, class G, class Tmp>
void sum_rows_into(const Exec& exec, const G& grad, const Tmp& tmp) {
  using T = typename G::non_const_value_type;
  const auto sums = column_reduce<D>(
      "kokkeops::gradient_param_sum", exec, static_cast<long>(tmp.extent(0)), KOKKOS_LAMBDA(long i, Sums<D>& acc) {
        for (int k = 0; k < D; ++k) acc.v[k] += static_cast<double>(tmp(i, k));
      });
  Coef<D> c;
  for (int k = 0; k < D; ++k) c.v[k] = sums.v[k];
  Kokkos::parallel_for(
      "kokkeops::gradient_param_write", impl::range(exec, D), KOKKOS_LAMBDA(long k) { grad(k) = static_cast<T>(c.v[k]); });
}

/// j as a value, for the index masks of the selection gradients: a (m, 1) view.
// (Return types spelled out: nvcc refuses extended lambdas in functions with a deduced return type.)
template <class T, class Like, class Exec>
Kokkos::View<T**, Kokkos::LayoutRight, typename Like::memory_space> index_column(const Exec& exec, long m) {
  auto v = scratch<T, Like>("kokkeops::gradient_index", m, 1);
  Kokkos::parallel_for(
      "kokkeops::gradient_index", impl::range(exec, m),
      KOKKOS_LAMBDA(long j) { v(j, 0) = static_cast<T>(j); });
  return v;
}

/// Integer indices -> values of type T (exact: checked against the type's integer range by the caller).
template <class T, class Exec, class Idx>
Kokkos::View<T**, Kokkos::LayoutRight, typename Idx::memory_space> indices_as_values(const Exec& exec, const Idx& idx) {
  auto v = scratch<T, Idx>("kokkeops::gradient_selected", static_cast<long>(idx.extent(0)),
                            static_cast<int>(idx.extent(1)));
  const int d = static_cast<int>(idx.extent(1));
  Kokkos::parallel_for(
      "kokkeops::gradient_selected", impl::range(exec, static_cast<long>(idx.extent(0))),
      KOKKOS_LAMBDA(long i) {
        for (int k = 0; k < d; ++k) v(i, k) = static_cast<T>(idx(i, k));
      });
  return v;
}

template <class T>
constexpr long exact_integer_limit() {
  if constexpr (std::is_same_v<T, double>) return 1L << 53;
  else if constexpr (std::is_same_v<T, float>) return 1L << 24;
  else return 1L << 11;  // half
}

// Sum over q < K of Extract<q D, D>(w): the KMin weights of each component.
template <int D, class W, int... Q>
auto sum_blocks(const W& w, std::integer_sequence<int, Q...>) {
  return (formulas::Extract<Q * D, D>(w) + ...);
}

}  // namespace impl

/// The gradient of a Genred with respect to one of its formula's variables; see the top of this file.
template <class Red, class Axis, class V>
class GenredGradient {
  static_assert(formulas::detail::is_var_v<V>, "kokkeops::gradient(K, v): v must be a variable (Vi, Vj or Pm)");
  using Traits = impl::reduction_traits<Red>;
  static_assert(Traits::kind >= 0,
                "kokkeops::gradient: Max_SumShiftExp(Weight) has no gradient (not supported); differentiate "
                "LogSumExp or SumSoftMaxWeight instead");
  using F = std::decay_t<decltype(std::declval<const Red&>().formula)>;
  static_assert(!formulas::detail::slot_clash<F, V>(),
                "kokkeops::gradient(K, v): the formula uses the slot of v with another category or dimension");
  static_assert(formulas::detail::uses_var<F, V>(),
                "kokkeops::gradient(K, v): v is not a variable of K's formula (its gradient would be zero)");
  static constexpr Cat out_cat = Axis::output;
  static constexpr Cat red_cat = Axis::reduced;
  static constexpr int E = impl::num_slots_v<F>;  // the upstream gradient's slot; forward results follow
  static constexpr int up_dim = Red::out_dim > 0 ? Red::out_dim : Red::index_dim;

 public:
  explicit GenredGradient(const Red& red) : red_(red) {}

  /// `dK(grad, upstream, args...)` or `dK(ranges, grad, upstream, args...)`, each optionally after an
  /// execution space instance, on which it then runs asynchronously (except where a parameter's gradient
  /// sums its rows on the host).
  template <class First, class... Rest>
  void operator()(const First& first, const Rest&... rest) const {
    if constexpr (impl::is_exec_v<First>) {
      static_assert(sizeof...(Rest) >= 2, "kokkeops::gradient: expected (exec, [ranges,] grad, upstream, args...)");
      with_ranges(first, rest...);
    } else {
      with_ranges(impl::SyncCall{}, first, rest...);
    }
  }

  std::string str() const {
    return "Gradient of " + red_.str() + ", axis " + (red_cat == Cat::j ? "j" : "i") + ", with respect to " + V().str();
  }

 private:
  template <class ExecArg, class First, class... Rest>
  void with_ranges(const ExecArg& exec, const First& first, const Rest&... rest) const {
    if constexpr (is_ranges_v<First>) {
      static_assert(sizeof...(Rest) >= 2, "kokkeops::gradient: expected (ranges, grad, upstream, args...)");
      call(exec, first, rest...);
    } else {
      static_assert(sizeof...(Rest) >= 1, "kokkeops::gradient: expected (grad, upstream, args...)");
      call(exec, impl::NoRanges{}, first, rest...);
    }
  }

  template <class ExecArg, class RangesT, class GradV, class UpV, class... Args>
  void call(const ExecArg& exec_arg, const RangesT& ranges, const GradV& grad, const UpV& up, const Args&... args) const {
    static_assert(Kokkos::is_view<GradV>::value && Kokkos::is_view<UpV>::value,
                  "kokkeops::gradient: the gradient and the upstream gradient must be Kokkos::Views");
    using T = typename GradV::non_const_value_type;
    using Exec = impl::exec_for<ExecArg, GradV>;
    const std::string who = str();
    const impl::Region region(who);
    if (static_cast<int>(sizeof...(Args)) != E)
      throw Error(who + ": expected " + std::to_string(E) + " arguments (the forward call's), got " +
                  std::to_string(sizeof...(Args)));
    if (UpV::rank != 2 || static_cast<int>(up.extent(UpV::rank > 1 ? 1 : 0)) != up_dim)
      throw Error(who + ": upstream gradient: expected a rank-2 view of shape (n, " + std::to_string(up_dim) +
                  ") (the shape of the forward output), got shape " + impl::shape_of(up));
    if (!std::is_same_v<typename UpV::non_const_value_type, T>)
      throw Error(who + ": upstream gradient: value type differs from the gradient's");
    if (const long n = length_of<out_cat>(args...); n >= 0 && static_cast<long>(up.extent(0)) != n)
      throw Error(who + ": upstream gradient: has " + std::to_string(up.extent(0)) + " rows, expected " +
                  std::to_string(n) + " (the rows of the forward output)");
    if constexpr (V::cat == Cat::p) {
      if (GradV::rank != 1 || static_cast<int>(grad.extent(0)) != V::dim)
        throw Error(who + ": gradient of a parameter: expected a rank-1 view of length " + std::to_string(V::dim) +
                    ", got shape " + impl::shape_of(grad));
      if (impl::overlaps(grad, up)) throw Error(who + ": the gradient shares memory with the upstream gradient");
      // Per output row, then summed: the rows' sums are what the reduction of the same axis gives.
      auto tmp = impl::scratch<T, GradV>("kokkeops::gradient_rows", static_cast<long>(up.extent(0)), V::dim);
      const Exec exec = impl::instance_of<Exec>(exec_arg);
      run<out_cat>(exec, ranges, tmp, up, args...);
      impl::sum_rows_into<V::dim>(exec, grad, tmp);
      if constexpr (std::is_same_v<ExecArg, impl::SyncCall>) exec.fence();
    } else {
      if (GradV::rank != 2 || static_cast<int>(grad.extent(GradV::rank > 1 ? 1 : 0)) != V::dim)
        throw Error(who + ": gradient: expected a rank-2 view of shape (rows of " + V().str() + ", " +
                    std::to_string(V::dim) + "), got shape " + impl::shape_of(grad));
      if (impl::overlaps(grad, up)) throw Error(who + ": the gradient shares memory with the upstream gradient");
      const long rows = V::cat == out_cat ? static_cast<long>(up.extent(0)) : length_of<red_cat>(args...);
      if (rows >= 0 && static_cast<long>(grad.extent(0)) != rows)
        throw Error(who + ": gradient: has " + std::to_string(grad.extent(0)) + " rows, expected " +
                    std::to_string(rows) + " (the rows of the argument of " + V().str() + ")");
      run<V::cat>(exec_arg, ranges, grad, up, args...);
    }
  }

  // The gradient reduction with output rows of category RowCat, into out (rows, dim v), on exec_arg (an
  // instance, or SyncCall: every Genred here then returns when it is done).
  template <Cat RowCat, class ExecArg, class RangesT, class Out, class UpV, class... Args>
  void run(const ExecArg& exec_arg, const RangesT& ranges, const Out& out, const UpV& up, const Args&... args) const {
    using T = typename Out::non_const_value_type;
    using Exec = impl::exec_for<ExecArg, Out>;
    const Exec exec = impl::instance_of<Exec>(exec_arg);
    using formulas::Exp;
    using formulas::Grad;
    using formulas::detail::plus;
    const formulas::Var<out_cat, E, up_dim> e;
    const V v;
    const F& f = red_.formula;
    const std::string who = str();
    // Sum over the axis other than RowCat of g; extra_views are bound to extra_vars' slots (E + 1, ...).
    const auto reduce = [&](const auto& g, const auto& extra_views, const auto&... extra_vars) {
      const auto red = Sum(impl::with_slots(g, f, e, extra_vars...));
      const std::string name = who + " [" + red.str() + "]";
      std::apply(
          [&](const auto&... xv) {
            // The 6-tuple holds both orientations: the engine reads the half of RowCat.
            if constexpr (std::is_same_v<RangesT, impl::NoRanges>)
              impl::run_genred<RowCat>(name, 0, red, exec_arg, out, args..., up, xv...);
            else
              impl::run_genred<RowCat>(name, 0, red, exec_arg, ranges, out, args..., up, xv...);
          },
          extra_views);
    };
    // The values of a reduction over the forward axis, (rows of the output, dim).
    const auto forward = [&](const auto& k_red, auto dim_tag) {
      auto res = impl::scratch<T, Out>("kokkeops::gradient_forward", static_cast<long>(up.extent(0)), dim_tag.value);
      const auto K = Genred(k_red, Axis{});
      if constexpr (std::is_same_v<RangesT, impl::NoRanges>) K(exec, res, args...);
      else K(exec, ranges, res, args...);
      return res;
    };
    if constexpr (Traits::kind == 0) {  // Sum
      reduce(Grad(f, v, e), std::tie());
    } else if constexpr (Traits::kind == 1 && !Traits::weighted) {  // LogSumExp(f): u exp(f - out) df
      const formulas::Var<out_cat, E + 1, 1> o;
      const auto lse = forward(red_, std::integral_constant<int, 1>{});
      reduce(Grad(f, v, e * Exp(f - o)), std::tie(lse), o);
    } else if constexpr (Traits::kind == 1 && !Traits::softmax) {
      // LogSumExp(f, g): out_k = log sum_j exp(f) g_k; w = u exp(f - out): df gets (w|g), dg gets w.
      const formulas::Var<out_cat, E + 1, Red::out_dim> o;
      const auto lse = forward(red_, std::integral_constant<int, Red::out_dim>{});
      const auto w = e * Exp(f.f - o);
      reduce(plus(Grad(f.f, v, formulas::Sum(w * f.g)), Grad(f.g, v, w)), std::tie(lse), o);
    } else if constexpr (Traits::kind == 1) {
      // SumSoftMaxWeight(f, g): out = sum_j s g, s = exp(f - lse): dg gets u s, df gets s ((u|g) - (u|out)).
      const formulas::Var<out_cat, E + 1, 1> l;
      const formulas::Var<out_cat, E + 2, Red::out_dim> o;
      const auto lse = forward(LogSumExp(impl::with_slots(f.f, f.g)), std::integral_constant<int, 1>{});
      const auto res = forward(red_, std::integral_constant<int, Red::out_dim>{});
      const auto s = Exp(f.f - l);
      reduce(plus(Grad(f.g, v, e * s), Grad(f.f, v, s * ((e | f.g) - (e | o)))), std::tie(lse, res), l, o);
    } else if constexpr (Traits::kind == 2) {
      // Min / Max / KMin: the indices from the Arg version, then the upstream where j is the selected index.
      constexpr int D = F::dim;
      constexpr int K = Red::out_dim / D;
      const long n = static_cast<long>(up.extent(0));
      Kokkos::View<long**, Kokkos::LayoutRight, typename Out::memory_space> idx(
          Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::gradient_selected_index")), n, K * D);
      const auto arg_red = [&] {
        if constexpr (K == 1 && Traits::is_max) return ArgMax(f);
        else if constexpr (K == 1) return ArgMin(f);
        else return ArgKMin<K>(f);
      }();
      if constexpr (std::is_same_v<RangesT, impl::NoRanges>) Genred(arg_red, Axis{})(exec, idx, args...);
      else Genred(arg_red, Axis{})(exec, ranges, idx, args...);
      const long m = length_of<red_cat>(args...);
      if (m > impl::exact_integer_limit<T>())
        throw Error(who + ": " + std::to_string(m) +
                    " reduced entries: more than the data type represents exactly as indices (not supported; use "
                    "double data)");
      const auto sel = impl::indices_as_values<T>(exec, idx);
      const auto jcol = impl::index_column<T, Out>(exec, m);
      const formulas::Var<out_cat, E + 1, K * D> s;
      const formulas::Var<red_cat, E + 2, 1> j;
      const auto mask = e * formulas::Equal(s, j);  // u where the pair (row, j) is the selected one
      if constexpr (K == 1)
        reduce(Grad(f, v, mask), std::tie(sel, jcol), s, j);
      else
        reduce(Grad(f, v, impl::sum_blocks<D>(mask, std::make_integer_sequence<int, K>{})), std::tie(sel, jcol), s, j);
    } else {  // Arg*: piecewise constant
      reduce(formulas::Zero<V::dim>{}, std::tie());
    }
  }

  // The rows of the first argument of category C (-1: none, or the argument count is wrong).
  template <Cat C, class... Args>
  static long length_of(const Args&... args) {
    if constexpr (sizeof...(Args) != static_cast<std::size_t>(E)) return -1;
    else return length_impl<C>(std::index_sequence_for<Args...>{}, args...);
  }
  template <Cat C, class... Args, std::size_t... I>
  static long length_impl(std::index_sequence<I...>, const Args&... args) {
    long m = -1;
    const auto one = [&](auto slot, const auto& a) {
      using A = std::decay_t<decltype(a)>;
      // The table named in full (a constexpr local captured by the lambda is not a constant for nvcc).
      using L = impl::Layout<F>;
      if constexpr (L::table.dim[decltype(slot)::value] != 0 &&
                    L::table.cat[decltype(slot)::value] == static_cast<int>(C) && A::rank == 2) {
        if (m < 0) m = static_cast<long>(a.extent(0));
      }
    };
    (one(std::integral_constant<int, static_cast<int>(I)>{}, args), ...);
    return m;
  }

  Red red_;
};

/// `ko::gradient(K, v)`: the gradient of the Genred K with respect to the argument of variable v.
template <class Red, class Axis, class V, std::enable_if_t<formulas::is_formula_v<V>, int> = 0>
GenredGradient<Red, Axis, V> gradient(const GenredOp<Red, Axis>& K, const V&) {
  return GenredGradient<Red, Axis, V>(K.reduction());
}

}  // namespace kokkeops

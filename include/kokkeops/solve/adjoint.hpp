// The adjoint (backward pass) of KernelSolve: given a = (alpha Id + K_theta)^-1 b and the upstream
// gradient G = dL/da, every gradient of L, as KeOps' torch backward computes them plus alpha's:
//
//   auto rep = Kinv(a, x, x, b, opts);                    // forward
//   auto adj = ko::adjoint(Kinv, G, a, x, x, b, opts);     // one more solve: w = (alpha Id + K)^-1 G
//   adj.rhs_gradient();                    // dL/db = w (a view, (n, Dv))
//   adj.gradient(gx, x_i, x_j);            // dL/dx when x fills the slots of x_i (Vi) and x_j (Vj): both terms
//   adj.gradient(gs, sigma);               // dL/dsigma for a parameter (or any single slot)
//   adj.alpha_gradient();                  // dL/dalpha = -<w, a>
//   ko::adjoint(Kinv, ranges, G, a, x, x, b, opts);   // a block-sparse solve: the same ranges
//   ko::adjoint(exec, Kinv, ...);          // on an execution space instance: the solve, then every gradient
//                                          // (asynchronously; alpha_gradient() returns a host value)
//
// dL/dtheta = -[d_theta (K_theta a)]^T w: a gradient reduction (gradient.hpp) of Sum(F) with the
// unknown's slot bound to the solution a and the upstream -w. K must be symmetric (as the solve needs).
// The adjoint solve uses the forward's options (preconditioner rebuilt, initial guess ignored); its
// report says whether it converged, and the gradients are as accurate as it is.
#pragma once

#include <kokkeops/gradient.hpp>
#include <kokkeops/impl/range.hpp>
#include <kokkeops/solve/kernel_solve.hpp>

#include <string>
#include <tuple>
#include <utility>

namespace kokkeops {

namespace impl {
// Free functions, not private members: CUDA forbids extended lambdas in private member functions.
template <class Exec, class Out>
void scale_view(const Exec& exec, const Out& out, double c) {
  using V = typename Out::non_const_value_type;
  if constexpr (Out::rank == 1) {
    Kokkos::parallel_for(
        "kokkeops::adjoint_scale", impl::range(exec, static_cast<long>(out.extent(0))),
        KOKKOS_LAMBDA(long k) { out(k) = static_cast<V>(c * static_cast<double>(out(k))); });
  } else {
    const int d = static_cast<int>(out.extent(1));
    Kokkos::parallel_for(
        "kokkeops::adjoint_scale", impl::range(exec, static_cast<long>(out.extent(0))),
        KOKKOS_LAMBDA(long i) {
          for (int k = 0; k < d; ++k) out(i, k) = static_cast<V>(c * static_cast<double>(out(i, k)));
        });
  }
}
template <class Exec, class Out, class Other>
void add_view(const Exec& exec, const Out& out, const Other& other) {
  if constexpr (Out::rank == 1) {
    Kokkos::parallel_for(
        "kokkeops::adjoint_add", impl::range(exec, static_cast<long>(out.extent(0))),
        KOKKOS_LAMBDA(long k) { out(k) += other(k); });
  } else {
    const int d = static_cast<int>(out.extent(1));
    Kokkos::parallel_for(
        "kokkeops::adjoint_add", impl::range(exec, static_cast<long>(out.extent(0))),
        KOKKOS_LAMBDA(long i) {
          for (int k = 0; k < d; ++k) out(i, k) += other(i, k);
        });
  }
}
}  // namespace impl

template <class F, class Unknown, class Axis, class ExecArg, class RangesT, class Sol, class... Args>
class KernelSolveAdjoint {
  using T = typename Sol::non_const_value_type;
  using Mem = typename Sol::memory_space;
  using Exec = impl::exec_for<ExecArg, Sol>;
  using W = Kokkos::View<T**, Kokkos::LayoutRight, Mem>;
  static constexpr int Iu = Unknown::slot;
  static constexpr Cat out_cat = Axis::output;
  static constexpr bool sync = std::is_same_v<ExecArg, impl::SyncCall>;

 public:
  KernelSolveAdjoint(const KernelSolveOp<F, Unknown, Axis>& op, const ExecArg& exec, const RangesT& ranges,
                     const Sol& a, const SolveOptions& opt, W w, const SolveReport& rep, const Args&... args)
      : op_(op), exec_arg_(exec), exec_(impl::instance_of<Exec>(exec)), ranges_(ranges), a_(a), opt_(opt),
        w_(std::move(w)), rep_(rep), args_(args...) {}

  /// The adjoint solve's report (converged? iterations, residuals).
  const SolveReport& report() const { return rep_; }
  /// dL/db = (alpha Id + K)^-1 G, shape (n, Dv).
  const W& rhs_gradient() const { return w_; }
  /// dL/dalpha = -<w, a>.
  double alpha_gradient() const {
    double s = 0;
    const auto w = w_;
    const auto a = a_;
    const int dv = static_cast<int>(a.extent(1));
    Kokkos::parallel_reduce(
        "kokkeops::adjoint_alpha", impl::range(exec_, static_cast<long>(a.extent(0))),
        KOKKOS_LAMBDA(long i, double& acc) {
          for (int k = 0; k < dv; ++k) acc -= static_cast<double>(w(i, k)) * static_cast<double>(a(i, k));
        },
        s);
    return s;
  }

  /// dL/d(argument of v), into out (shaped like that argument). For the unknown's own slot: dL/db.
  template <class Out, class V>
  void gradient(const Out& out, const V& v) const {
    const impl::Region region(op_.name() + " adjoint: gradient of " + v.str());
    one_gradient(out, v);
    if constexpr (sync) exec_.fence();
  }
  /// The same points bound to two slots (x passed twice, `Kinv(a, x, x, b)`): the sum of both gradients.
  template <class Out, class V1, class V2>
  void gradient(const Out& out, const V1& v1, const V2& v2) const {
    static_assert(V1::dim == V2::dim, "kokkeops: adjoint gradient(out, v1, v2): v1 and v2 must have one dimension");
    static_assert(V1::slot != V2::slot, "kokkeops: adjoint gradient(out, v1, v2): two different slots");
    const impl::Region region(op_.name() + " adjoint: gradient of " + v1.str() + " and " + v2.str());
    one_gradient(out, v1);
    using Second = Kokkos::View<typename Out::non_const_data_type, typename Out::array_layout, Mem>;
    Second second(Kokkos::view_alloc(exec_, Kokkos::WithoutInitializing, std::string("kokkeops::adjoint_second")),
                  out.layout());
    one_gradient(second, v2);
    impl::add_view(exec_, out, second);
    if constexpr (sync) exec_.fence();
  }

 private:
  template <class Out, class V>
  void one_gradient(const Out& out, const V& v) const {
    if constexpr (V::slot == Iu && V::cat == Unknown::cat) {
      check_shape(out, static_cast<long>(w_.extent(0)), Unknown::dim, v);
      Kokkos::deep_copy(exec_, out, w_);
    } else {
      run(out, v);
      impl::scale_view(exec_, out, -1.0);
    }
  }
  template <class Out, class V>
  void check_shape(const Out& out, long rows, int dim, const V& v) const {
    if (Out::rank != 2 || static_cast<long>(out.extent(0)) != rows ||
        static_cast<int>(out.extent(Out::rank > 1 ? 1 : 0)) != dim)
      throw Error(op_.name() + " adjoint: gradient of " + v.str() + ": expected a view of shape (" +
                  std::to_string(rows) + ", " + std::to_string(dim) + "), got shape " + impl::shape_of(out));
  }
  template <class Out, class V>
  void run(const Out& out, const V& v) const {
    run_impl(out, v, std::index_sequence_for<Args...>{});
  }
  template <class Out, class V, std::size_t... I>
  void run_impl(const Out& out, const V& v, std::index_sequence<I...>) const {
    const auto K = Genred(Sum(op_.formula()), Axis{});
    if constexpr (std::is_same_v<RangesT, impl::NoRanges>)
      kokkeops::gradient(K, v)(exec_, out, w_, impl::pick_slot<static_cast<int>(I), Iu>(a_, args_)...);
    else
      kokkeops::gradient(K, v)(exec_, ranges_, out, w_, impl::pick_slot<static_cast<int>(I), Iu>(a_, args_)...);
  }
  KernelSolveOp<F, Unknown, Axis> op_;
  ExecArg exec_arg_;
  Exec exec_;
  RangesT ranges_;
  Sol a_;
  SolveOptions opt_;
  W w_;
  SolveReport rep_;
  std::tuple<Args...> args_;
};

namespace impl {
template <class Op, class ExecArg, class RangesT, class G, class Sol, class Tuple, std::size_t... I>
auto make_adjoint(const Op& op, const ExecArg& exec_arg, const RangesT& ranges, const G& g, const Sol& a,
                  const SolveOptions& opt, const Tuple& t, std::index_sequence<I...>) {
  using T = typename Sol::non_const_value_type;
  using Mem = typename Sol::memory_space;
  using Exec = exec_for<ExecArg, Sol>;
  constexpr int Iu = std::decay_t<decltype(op)>::unknown_slot;
  const std::string who = op.name() + " adjoint";
  const Region region(who);
  const Exec exec = instance_of<Exec>(exec_arg);
  static_assert(Kokkos::is_view<G>::value, "kokkeops: adjoint: the upstream gradient must be a Kokkos::View");
  if (G::rank != 2 || g.extent(0) != a.extent(0) || g.extent(G::rank > 1 ? 1 : 0) != a.extent(1))
    throw Error(who + ": the upstream gradient dL/da must have the solution's shape " + shape_of(a) + ", got " +
                shape_of(g));
  if (!std::is_same_v<typename G::non_const_value_type, T>)
    throw Error(who + ": the upstream gradient's value type differs from the solution's");
  if (overlaps(g, a)) throw Error(who + ": the upstream gradient shares memory with the solution");
  // The gradients are reductions over the solution: a NaN in it would spread to every entry.
  if (!all_finite(exec, a))
    throw Error(who + ": the solution a contains NaN or infinite values (pass the forward call's solution)");
  if (!all_finite(exec, g))
    throw Error(who + ": the upstream gradient dL/da contains NaN or infinite values");
  Kokkos::View<T**, Kokkos::LayoutRight, Mem> w(Kokkos::view_alloc(exec, who + " w"), a.extent(0), a.extent(1));
  SolveOptions adj_opt = opt;
  adj_opt.initial_guess(false);
  // The same operator, the upstream gradient in the unknown's slot.
  const SolveReport rep = op.solve_ranged(exec_arg, ranges, w, adj_opt, pick_slot<static_cast<int>(I), Iu>(g, t)...);
  using Adj = KernelSolveAdjoint<std::decay_t<decltype(op.formula())>, typename Op::unknown_type, typename Op::axis_type,
                                 ExecArg, RangesT, Sol, std::decay_t<std::tuple_element_t<I, Tuple>>...>;
  return Adj(op, exec_arg, ranges, a, opt, w, rep, std::get<I>(t)...);
}
}  // namespace impl

namespace impl {
template <class Op, class ExecArg, class RangesT, class G, class Sol, class... Rest>
auto adjoint_split(const Op& op, const ExecArg& exec, const RangesT& ranges, const G& g, const Sol& a,
                   const Rest&... rest) {
  const auto t = std::tie(rest...);
  constexpr std::size_t N = sizeof...(Rest);
  if constexpr (N > 0 && std::is_same_v<std::decay_t<std::tuple_element_t<N - 1, std::tuple<Rest...>>>, SolveOptions>)
    return make_adjoint(op, exec, ranges, g, a, std::get<N - 1>(t), t, std::make_index_sequence<N - 1>{});
  else
    return make_adjoint(op, exec, ranges, g, a, SolveOptions{}, t, std::make_index_sequence<N>{});
}
template <class Op, class ExecArg, class First, class... Rest>
auto adjoint_ranges(const Op& op, const ExecArg& exec, const First& first, const Rest&... rest) {
  if constexpr (is_ranges_v<First>) {
    static_assert(sizeof...(Rest) >= 2, "kokkeops: adjoint([exec,] Kinv, ranges, G, a, args..., [options])");
    return adjoint_split(op, exec, first, rest...);
  } else {
    static_assert(sizeof...(Rest) >= 1, "kokkeops: adjoint([exec,] Kinv, G, a, args..., [options])");
    return adjoint_split(op, exec, NoRanges{}, first, rest...);
  }
}
}  // namespace impl

/// The adjoint of a solve: `ko::adjoint(Kinv, G, a, args..., [options])` with the forward call's solution a,
/// arguments and options, and the upstream gradient G = dL/da; block-sparse: `ko::adjoint(Kinv, ranges, G, a,
/// args..., [options])` with the forward's ranges. Runs the adjoint solve; the returned object gives every
/// gradient (see the top of this file). `ko::adjoint(exec, Kinv, ...)`: everything on that instance.
template <class F, class Unknown, class Axis, class First, class... Rest>
auto adjoint(const KernelSolveOp<F, Unknown, Axis>& op, const First& first, const Rest&... rest) {
  return impl::adjoint_ranges(op, impl::SyncCall{}, first, rest...);
}
template <class Exec, class F, class Unknown, class Axis, class First, class... Rest,
          std::enable_if_t<impl::is_exec_v<Exec>, int> Enable = 0>
auto adjoint(const Exec& exec, const KernelSolveOp<F, Unknown, Axis>& op, const First& first, const Rest&... rest) {
  return impl::adjoint_ranges(op, exec, first, rest...);
}

}  // namespace kokkeops

// Genred: generic reductions out_i = reduce_j F(x_i, y_j, ...) without storing the N x M matrix.
#pragma once

#include <kokkeops/impl/bound.hpp>
#include <kokkeops/reductions/logsumexp.hpp>
#include <kokkeops/reductions/minmax.hpp>
#include <kokkeops/reductions/sum.hpp>

namespace kokkeops {

/// The reduced axis. KeOps correspondence: axis::j is KeOps `axis=1` (reduce over j, the output is
/// indexed by i); axis::i is KeOps `axis=0` (reduce over i, the output is indexed by j).
namespace axis {
struct i_t {
  static constexpr Cat reduced = Cat::i;
  static constexpr Cat output = Cat::j;
};
struct j_t {
  static constexpr Cat reduced = Cat::j;
  static constexpr Cat output = Cat::i;
};
inline constexpr i_t i{};
inline constexpr j_t j{};
}  // namespace axis

/// A compiled reduction (KeOps `Genred(formula, aliases, reduction_op, axis)`), called as
/// `K(out, arg0, arg1, ...)` with one Kokkos::View per formula slot, in slot order:
/// Vi/Vj slots as rank-2 views (rows, dim), Pm slots as rank-1 views (dim). The output is a
/// rank-2 view (rows of the output axis, reduction output dim) in the same memory space family;
/// the execution space is the output view's. All views share one scalar type: half (_Float16 on
/// hosts that have it, Kokkos' half_t where it is its own type), float or double.
/// Index reductions (ArgMin, ArgKMin, ...) write a signed integer view instead; Min_ArgMin-type
/// reductions take two outputs, `K(values, indices, arg0, ...)`. Block-sparse: `K(ranges, out..., args...)`
/// with a kokkeops::Ranges (KeOps' ranges 6-tuple; see ranges.hpp and cluster.hpp).
template <class Red, class Axis>
class GenredOp {
 public:
  using reduction_type = Red;
  static constexpr Cat output_cat = Axis::output;
  static constexpr int out_dim = Red::out_dim;

  explicit GenredOp(const Red& red) : red_(red) {}

  /// Number of leading output views: 1 (values or indices) or 2 (values, then indices).
  static constexpr int num_outputs = (Red::out_dim > 0 ? 1 : 0) + (Red::index_dim > 0 ? 1 : 0);

  /// `K(outputs..., args...)` runs on the default instance of the output's execution space and returns when
  /// the results are written; `K(exec, outputs..., args...)` runs on the instance `exec`, asynchronously
  /// (fence it, or let later work on it follow). Either takes the ranges before the outputs.
  template <class First, class... Views>
  void operator()(const First& first, const Views&... views) const {
    if constexpr (impl::is_exec_v<First>)
      impl::run_genred<output_cat>("Genred(" + str() + ")", segments_, red_, first, views...);
    else
      impl::run_genred<output_cat>("Genred(" + str() + ")", segments_, red_, impl::SyncCall{}, first, views...);
  }

  /// Bind once, apply many: `auto op = K.bind(exec, args...)` (or `K.bind(exec, ranges, args...)`) validates,
  /// packs and plans the arguments once, on the instance `exec`; then `op(out)` (`op(values, indices)`)
  /// reduces, asynchronously on `exec`, and `op.update<I>(view)` gives slot I new values (a view of the same
  /// type and shape; packed again). The output rows are those of the first argument of the output's
  /// category. The bound views are held (Kokkos views are shared handles): after changing the values of one,
  /// call update<I> with it.
  template <class Exec, class First, class... Args>
  auto bind(const Exec& exec, const First& first, const Args&... args) const {
    static_assert(impl::is_exec_v<Exec>, "kokkeops: bind(exec, args...): the first argument is an execution space instance");
    if constexpr (is_ranges_v<First>) return bind_impl(exec, first, args...);
    else return bind_impl(exec, impl::NoRanges{segments_}, first, args...);
  }

  /// How the reduced range is spread over the device (the 1D / 2D schemes). 0, the default: chosen per
  /// call from the sizes and the device (2D when the output rows alone cannot keep it busy). 1: the 1D
  /// scheme, each team sweeps the whole range for its rows. k > 1: the 2D scheme with k segments (at most
  /// one per reduced entry), each (rows, segment) a team, the partial results merged by the reduction.
  /// A negative k, or k > 1 on a block-sparse call, throws kokkeops::Error at the call.
  GenredOp& segments(int k) {
    segments_ = k;
    return *this;
  }
  int segments() const { return segments_; }

  const Red& reduction() const { return red_; }
  std::string str() const {
    return red_.str() + ", axis " + (Axis::reduced == Cat::j ? "j" : "i");
  }

 private:
  template <class Exec, class RangesT, class... Args>
  auto bind_impl(const Exec& exec, const RangesT& ranges, const Args&... args) const {
    using F = std::decay_t<decltype(red_.formula)>;
    using D = typename impl::first_used_arg<F, Args...>::non_const_value_type;
    static_assert(impl::is_data_type_v<D>, "kokkeops: Genred supports half, float and double data");
    const std::string who = "Genred(" + str() + ")";
    if (segments_ < 0)
      throw Error(who + ": segments(" + std::to_string(segments_) + "): the segment count must be 0 (automatic), 1 "
                  "(1D) or more (2D)");
    if (is_ranges_v<RangesT> && segments_ > 1)
      throw Error(who + ": the 2D scheme (segments(" + std::to_string(segments_) +
                  ")) is not supported with ranges: block-sparse reductions use the 1D scheme");
    const long n = impl::row_count_of<output_cat, F>(args...);
    if (n < 0)
      throw Error(who + ": bind: the formula has no " + (output_cat == Cat::i ? "Vi" : "Vj") +
                  " variable, so the number of output rows is unknown");
    const impl::Region region(who + ": bind");
    return impl::BoundReduction<output_cat, Red, Exec, D, RangesT, Args...>(who, exec, red_, ranges, n, args...);
  }

  Red red_;
  int segments_ = 0;
};

/// Build a reduction: `Genred(Sum(f), axis::j)`.
template <class Red, class Axis>
GenredOp<Red, Axis> Genred(const Red& red, Axis) {
  return GenredOp<Red, Axis>(red);
}

}  // namespace kokkeops

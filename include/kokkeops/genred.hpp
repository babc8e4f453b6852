// Genred: generic reductions out_i = reduce_j F(x_i, y_j, ...) without storing the N x M matrix.
#pragma once

#include <kokkeops/impl/arguments.hpp>
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

  template <class... Views>
  void operator()(const Views&... views) const {
    impl::run_genred<output_cat>("Genred(" + str() + ")", segments_, red_, views...);
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
  Red red_;
  int segments_ = 0;
};

/// Build a reduction: `Genred(Sum(f), axis::j)`.
template <class Red, class Axis>
GenredOp<Red, Axis> Genred(const Red& red, Axis) {
  return GenredOp<Red, Axis>(red);
}

}  // namespace kokkeops

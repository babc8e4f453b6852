// Genred: generic reductions out_i = reduce_j F(x_i, y_j, ...) without storing the N x M matrix.
#pragma once

#include <kokkeops/impl/arguments.hpp>
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
/// the execution space is the output view's. All views share one scalar type (float or double).
template <class Red, class Axis>
class GenredOp {
 public:
  using reduction_type = Red;
  static constexpr Cat output_cat = Axis::output;
  static constexpr int out_dim = Red::out_dim;

  explicit GenredOp(const Red& red) : red_(red) {}

  template <class Out, class... Args>
  void operator()(const Out& out, const Args&... args) const {
    using T = typename Out::non_const_value_type;
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "kokkeops: Genred supports float and double data");
    impl::run_reduction<output_cat>("Genred(" + str() + ")", red_, out, args...);
  }

  const Red& reduction() const { return red_; }
  std::string str() const {
    return red_.str() + ", axis " + (Axis::reduced == Cat::j ? "j" : "i");
  }

 private:
  Red red_;
};

/// Build a reduction: `Genred(Sum(f), axis::j)`.
template <class Red, class Axis>
GenredOp<Red, Axis> Genred(const Red& red, Axis) {
  return GenredOp<Red, Axis>(red);
}

}  // namespace kokkeops

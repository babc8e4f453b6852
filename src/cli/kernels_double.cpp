// The command-line tool's computations in double.
#include "kernels_impl.hpp"

namespace kokkeops::cli::detail {

template <>
io::Matrix Typed<double>::reduce(const io::Matrix& x, const io::Matrix& y, const io::Matrix& b, Kernel k, double scale) {
  return reduce_t<double>(x, y, b, k, scale);
}
template <>
SolveResult Typed<double>::solve(const io::Matrix& x, const io::Matrix& b, Kernel k, double scale, const SolveOptions& opt) {
  return solve_t<double>(x, b, k, scale, opt);
}
template <>
SolveResult Typed<double>::seed_solve(const io::Matrix& x, const io::Matrix& b, const SolveOptions& opt) {
  return seed_solve_t<double>(x, b, opt);
}
template <>
io::Matrix Typed<double>::seed_product(const io::Matrix& x, const io::Matrix& a) {
  return seed_product_t<double>(x, a);
}

}  // namespace kokkeops::cli::detail

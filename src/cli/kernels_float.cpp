// The command-line tool's computations in float.
#include "kernels_impl.hpp"

namespace kokkeops::cli::detail {

template <>
io::Matrix Typed<float>::reduce(const io::Matrix& x, const io::Matrix& y, const io::Matrix& b, Kernel k, double scale) {
  return reduce_t<float>(x, y, b, k, scale);
}
template <>
SolveResult Typed<float>::solve(const io::Matrix& x, const io::Matrix& b, Kernel k, double scale, const SolveOptions& opt) {
  return solve_t<float>(x, b, k, scale, opt);
}
template <>
SolveResult Typed<float>::seed_solve(const io::Matrix& x, const io::Matrix& b, const SolveOptions& opt) {
  return seed_solve_t<float>(x, b, opt);
}
template <>
io::Matrix Typed<float>::seed_product(const io::Matrix& x, const io::Matrix& a) {
  return seed_product_t<float>(x, a);
}

}  // namespace kokkeops::cli::detail

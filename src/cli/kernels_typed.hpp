// The command-line tool's entry points of one scalar type: declarations only. They are explicitly
// instantiated in kernels_float.cpp and kernels_double.cpp (which include kernels_impl.hpp, the
// definitions); the extern template declarations below keep kernels.cpp from compiling them again.
#pragma once

#include <cmath>
#include <string>

#include "kernels.hpp"

namespace kokkeops::cli::detail {

inline void check_scale(double scale) {
  if (!(scale > 0) || !std::isfinite(scale)) throw Error("--scale must be finite and > 0");
}

inline void check_seed_shapes(const io::Matrix& x, const io::Matrix& b) {
  if (x.cols != 3 || b.cols != 2 || x.rows != b.rows)
    throw Error("the seed operator needs x of shape (n, 3) and a right-hand side of shape (n, 2)");
}

template <class T>
struct Typed {
  static io::Matrix reduce(const io::Matrix& x, const io::Matrix& y, const io::Matrix& b, Kernel k, double scale);
  static SolveResult solve(const io::Matrix& x, const io::Matrix& b, Kernel k, double scale, const SolveOptions& opt);
  static SolveResult seed_solve(const io::Matrix& x, const io::Matrix& b, const SolveOptions& opt);
  static io::Matrix seed_product(const io::Matrix& x, const io::Matrix& a);
  static GradResult seed_gradient(const io::Matrix& x, const io::Matrix& b, const io::Matrix& a,
                                  const SolveOptions& opt);
};
extern template struct Typed<float>;
extern template struct Typed<double>;

}  // namespace kokkeops::cli::detail

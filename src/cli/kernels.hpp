// The command-line tool's computations on matrices read from files: kernel sums and kernel solves
// for points of any dimension up to 16 and any number of right-hand-side columns.
#pragma once

#include <kokkeops/io.hpp>
#include <kokkeops/solve/options.hpp>

#include "radial.hpp"

namespace kokkeops::cli {

/// out_i = sum_j k(x_i, y_j) b_j; x (n, D), y (m, D), b (m, Dv); computed in `dtype`.
io::Matrix reduce(const io::Matrix& x, const io::Matrix& y, const io::Matrix& b, Kernel k, double scale,
                  io::DType dtype);

struct SolveResult {
  io::Matrix a;
  SolveReport report;  // merged over column groups: worst residuals, summed iterations
};

/// (alpha Id + K(x, x)) a = b; x (n, D), b (n, Dv); computed in `dtype`.
SolveResult solve(const io::Matrix& x, const io::Matrix& b, Kernel k, double scale, const SolveOptions& opt,
                  io::DType dtype);

/// The seed example's operator, compiled for itself: K(x, y) a = Exp(-Norm2(x - y)) * a, x in 3-D,
/// a with 2 columns. seed_solve solves (alpha Id + K(x, x)) a = b; seed_product returns K(x, x) a.
SolveResult seed_solve(const io::Matrix& x, const io::Matrix& b, const SolveOptions& opt, io::DType dtype);
io::Matrix seed_product(const io::Matrix& x, const io::Matrix& a, io::DType dtype);

/// The gradient of L = sum(a^2) with respect to x for the seed solve's solution a (KeOps'
/// `torch.autograd.grad((a ** 2).sum(), [x])`), through the solve's adjoint: one more solve.
struct GradResult {
  io::Matrix dx;       ///< (n, 3)
  SolveReport report;  ///< the adjoint solve's
  double seconds = 0;  ///< adjoint solve and gradient reductions
};
GradResult seed_gradient(const io::Matrix& x, const io::Matrix& b, const io::Matrix& a, const SolveOptions& opt,
                         io::DType dtype);

/// Largest point dimension the tool supports (points are zero-padded to 3, 8 or 16 columns).
inline constexpr long kMaxPointDim = 16;

}  // namespace kokkeops::cli

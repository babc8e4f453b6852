#include "kernels_typed.hpp"

namespace kokkeops::cli {

Kernel parse_kernel(const std::string& name) {
  if (name == "gaussian") return Kernel::gaussian;
  if (name == "laplace" || name == "exponential") return Kernel::laplace;
  if (name == "cauchy") return Kernel::cauchy;
  if (name == "imq" || name == "inverse_multiquadric") return Kernel::inverse_multiquadric;
  if (name == "matern32") return Kernel::matern32;
  if (name == "matern52") return Kernel::matern52;
  throw Error("unknown kernel '" + name +
              "' (choose gaussian, laplace, exponential, cauchy, imq, inverse_multiquadric, matern32, matern52)");
}

const char* kernel_name(Kernel k) {
  switch (k) {
    case Kernel::gaussian: return "gaussian";
    case Kernel::laplace: return "laplace";
    case Kernel::cauchy: return "cauchy";
    case Kernel::inverse_multiquadric: return "imq";
    case Kernel::matern32: return "matern32";
    case Kernel::matern52: return "matern52";
  }
  return "?";
}

const char* kernel_expression(Kernel k) {
  switch (k) {
    case Kernel::gaussian: return "exp(-r^2/s^2)";
    case Kernel::laplace: return "exp(-r/s)";
    case Kernel::cauchy: return "1/(1+r^2/s^2)";
    case Kernel::inverse_multiquadric: return "1/sqrt(1+r^2/s^2)";
    case Kernel::matern32: return "(1+sqrt(3)r/s) exp(-sqrt(3)r/s)";
    case Kernel::matern52: return "(1+sqrt(5)r/s+5r^2/(3s^2)) exp(-sqrt(5)r/s)";
  }
  return "?";
}

io::Matrix reduce(const io::Matrix& x, const io::Matrix& y, const io::Matrix& b, Kernel k, double scale,
                  io::DType dtype) {
  detail::check_scale(scale);
  if (x.cols != y.cols)
    throw Error("x has " + std::to_string(x.cols) + " columns but y has " + std::to_string(y.cols));
  if (y.rows != b.rows)
    throw Error("y has " + std::to_string(y.rows) + " rows but b has " + std::to_string(b.rows));
  return dtype == io::DType::float32 ? detail::Typed<float>::reduce(x, y, b, k, scale) : detail::Typed<double>::reduce(x, y, b, k, scale);
}

SolveResult seed_solve(const io::Matrix& x, const io::Matrix& b, const SolveOptions& opt, io::DType dtype) {
  detail::check_seed_shapes(x, b);
  return dtype == io::DType::float32 ? detail::Typed<float>::seed_solve(x, b, opt) : detail::Typed<double>::seed_solve(x, b, opt);
}

io::Matrix seed_product(const io::Matrix& x, const io::Matrix& a, io::DType dtype) {
  detail::check_seed_shapes(x, a);
  return dtype == io::DType::float32 ? detail::Typed<float>::seed_product(x, a) : detail::Typed<double>::seed_product(x, a);
}

GradResult seed_gradient(const io::Matrix& x, const io::Matrix& b, const io::Matrix& a, const SolveOptions& opt,
                         io::DType dtype) {
  detail::check_seed_shapes(x, b);
  detail::check_seed_shapes(x, a);
  return dtype == io::DType::float32 ? detail::Typed<float>::seed_gradient(x, b, a, opt)
                                     : detail::Typed<double>::seed_gradient(x, b, a, opt);
}

SolveResult solve(const io::Matrix& x, const io::Matrix& b, Kernel k, double scale, const SolveOptions& opt,
                  io::DType dtype) {
  detail::check_scale(scale);
  if (x.rows != b.rows)
    throw Error("x has " + std::to_string(x.rows) + " rows but b has " + std::to_string(b.rows));
  return dtype == io::DType::float32 ? detail::Typed<float>::solve(x, b, k, scale, opt) : detail::Typed<double>::solve(x, b, k, scale, opt);
}

}  // namespace kokkeops::cli

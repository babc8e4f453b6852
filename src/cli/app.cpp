// kokkeops: kernel sums and kernel solves on .npy / .csv files, and the seed demo. The whole tool is
// kokkeops::cli::run (app.hpp) so that tests and the argument fuzzer (tests/fuzz/) can call it in-process;
// main.cpp only forwards to it.
//
//   kokkeops solve  --kernel K --scale S --alpha A --x X --b B --out OUT [options]
//   kokkeops reduce --kernel K --scale S --x X --y Y --b B --out OUT [--dtype D]
//   kokkeops demo   [--n N] [--dtype float32|float64|both] [--precond P] [--json]
//   kokkeops precompile --formula F [--alias A]... [--reduction R] [--opt-arg K] [--formula2 G] [--axis 0|1]
//                       [--unknown ALIAS] [--dtype float32|float64|both]
//
// Exit status: 0 success; 1 bad input or failed computation (one line on stderr, no output file
// written); 2 bad command line; 3 the solve did not converge (the solution reached is written).
#include "app.hpp"

#include <kokkeops/impl/isa.hpp>
#include <kokkeops/strings/runtime.hpp>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "kernels.hpp"

namespace ko = kokkeops;
namespace cli = kokkeops::cli;

namespace {

constexpr int kExitError = 1, kExitUsage = 2, kExitNotConverged = 3;

ko::io::DType parse_dtype(const std::string& s) {
  if (s == "float32") return ko::io::DType::float32;
  if (s == "float64") return ko::io::DType::float64;
  throw ko::Error("unknown --dtype '" + s + "' (choose float32 or float64)");
}
const char* dtype_name(ko::io::DType d) { return d == ko::io::DType::float32 ? "float32" : "float64"; }

// "auto", "none", "jacobi", "nystrom" or "nystrom:M".
void apply_precond(const std::string& s, ko::SolveOptions& opt, std::uint64_t seed) {
  if (s == "auto") {
    opt.preconditioner(ko::Preconditioner::automatic);
  } else if (s == "none") {
    opt.preconditioner(ko::Preconditioner::none);
  } else if (s == "jacobi") {
    opt.jacobi();
  } else if (s == "nystrom") {
    opt.nystrom(0, seed);
  } else if (s.rfind("nystrom:", 0) == 0) {
    const std::string m = s.substr(8);
    char* end = nullptr;
    const long v = std::strtol(m.c_str(), &end, 10);
    if (m.empty() || *end != '\0' || v < 1 || v > 1000000)
      throw ko::Error("--precond nystrom:M needs a positive landmark count M, got '" + m + "'");
    opt.nystrom(static_cast<int>(v), seed);
  } else {
    throw ko::Error("unknown --precond '" + s + "' (choose auto, none, jacobi, nystrom or nystrom:M)");
  }
}

nlohmann::json report_json(const ko::SolveReport& r) {
  nlohmann::json j;
  j["converged"] = r.converged;
  j["reason"] = ko::to_string(r.reason);
  j["iterations"] = r.iterations;
  j["kernel_products"] = r.kernel_products;
  j["restarts"] = r.restarts;
  j["column_iterations"] = r.column_iterations;
  j["relative_residual"] = r.relative_residual;
  j["rms_residual"] = r.rms_residual;
  j["preconditioner"] = ko::to_string(r.preconditioner);
  if (r.preconditioner == ko::Preconditioner::nystrom) j["landmarks"] = r.landmarks;
  j["setup_seconds"] = r.setup_seconds;
  j["seconds"] = r.seconds;
  return j;
}

struct SolveArgs {
  std::string kernel = "gaussian", x, b, out, precond = "auto", dtype, criterion = "relative";
  double scale = 1, alpha = 0, tol = 0;  // tol 0: not given, the library's default for the dtype
  int max_iter = 1000, verbosity = 0;
  std::uint64_t seed = 0;
  bool json = false, mixed = false, tol_given = false;
};

int run_solve(const SolveArgs& a) {
  const auto kernel = cli::parse_kernel(a.kernel);
  ko::SolveOptions opt;
  if (a.tol_given) opt.tolerance(a.tol);
  opt.alpha(a.alpha).max_iterations(a.max_iter).verbosity(a.verbosity).mixed_precision(a.mixed);
  if (a.criterion == "keops") opt.criterion(ko::StopCriterion::keops_absolute);
  else if (a.criterion != "relative") throw ko::Error("unknown --criterion '" + a.criterion + "' (relative or keops)");
  apply_precond(a.precond, opt, a.seed);
  const auto x = ko::io::read_matrix(a.x);
  const auto b = ko::io::read_matrix(a.b);
  const auto dtype = a.dtype.empty() ? x.dtype : parse_dtype(a.dtype);
  const auto res = cli::solve(x, b, kernel, a.scale, opt, dtype);
  ko::io::write_matrix(a.out, res.a, dtype);
  if (a.json) {
    auto j = report_json(res.report);
    j["kernel"] = cli::kernel_name(kernel);
    j["scale"] = a.scale;
    j["alpha"] = a.alpha;
    j["dtype"] = dtype_name(dtype);
    j["shape"] = {res.a.rows, res.a.cols};
    j["out"] = a.out;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "solution (" << res.a.rows << ", " << res.a.cols << ") written to " << a.out << ": "
              << res.report.summary() << "\n";
  }
  if (!res.report.converged) {
    std::cerr << "kokkeops: warning: the solve did not converge (" << ko::to_string(res.report.reason)
              << "); the solution reached was written\n";
    return kExitNotConverged;
  }
  return 0;
}

struct ReduceArgs {
  std::string kernel = "gaussian", x, y, b, out, dtype;
  double scale = 1;
};

int run_reduce(const ReduceArgs& a) {
  const auto kernel = cli::parse_kernel(a.kernel);
  const auto x = ko::io::read_matrix(a.x);
  const auto y = ko::io::read_matrix(a.y);
  const auto b = ko::io::read_matrix(a.b);
  const auto dtype = a.dtype.empty() ? x.dtype : parse_dtype(a.dtype);
  const auto t0 = std::chrono::steady_clock::now();
  const auto out = cli::reduce(x, y, b, kernel, a.scale, dtype);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ko::io::write_matrix(a.out, out, dtype);
  std::cout << "out (" << out.rows << ", " << out.cols << ") = sum_j " << cli::kernel_expression(kernel)
            << " b_j written to " << a.out << " in " << s << " s\n";
  return 0;
}

struct DemoArgs {
  long n = 10000;
  std::string dtype = "both", precond = "auto";
  bool json = false;
};

// The seed example: x = randn(N, 3), b = randn(N, 2), K = Exp(-Norm2(x - y)), alpha = 0.1.
int run_demo(const DemoArgs& a) {
  if (a.n < 1) throw ko::Error("--n must be >= 1");
  ko::io::Matrix x, b;
  x.rows = b.rows = a.n;
  x.cols = 3;
  b.cols = 2;
  std::mt19937_64 gen(0);
  std::normal_distribution<double> normal;
  for (long i = 0; i < a.n * 3; ++i) x.data.push_back(normal(gen));
  for (long i = 0; i < a.n * 2; ++i) b.data.push_back(normal(gen));
  const double alpha = 0.1;
  // float32; float64 with float32 products inside the loop (mixed); float64 throughout.
  std::vector<std::pair<ko::io::DType, bool>> runs;
  if (a.dtype == "both" || a.dtype == "float32") runs.push_back({ko::io::DType::float32, false});
  if (a.dtype == "both" || a.dtype == "float64") {
    runs.push_back({ko::io::DType::float64, true});
    runs.push_back({ko::io::DType::float64, false});
  }
  if (runs.empty()) throw ko::Error("unknown --dtype '" + a.dtype + "' (float32, float64 or both)");
  nlohmann::json all = nlohmann::json::array();
  if (!a.json)
    std::cout << "KernelSolve of Exp(-Norm2(x - y)) * a, alpha = " << alpha << ", x = randn(" << a.n
              << ", 3), b = randn(" << a.n << ", 2), preconditioner " << a.precond << "\n";
  bool ok = true;
  for (const auto& [dt, mixed] : runs) {
    ko::SolveOptions opt;
    // The library's defaults (preconditioner and tolerance chosen for the data type): what a first call gets.
    opt.alpha(alpha).mixed_precision(mixed);
    apply_precond(a.precond, opt, 0);
    const auto res = cli::seed_solve(x, b, opt, dt);
    // KeOps' metric: sum |alpha a + K a - b| / N, with K a recomputed by a kernel sum.
    const auto ka = cli::seed_product(x, res.a, dt);
    double err = 0;
    for (std::size_t q = 0; q < ka.data.size(); ++q) err += std::fabs(alpha * res.a.data[q] + ka.data[q] - b.data[q]);
    err /= static_cast<double>(a.n);
    // A float32 solve that stops at its precision floor (stagnation) still counts if the metric is met.
    const bool good = res.report.converged || res.report.reason == ko::StopReason::stagnation;
    // KeOps' torch.autograd.grad((a ** 2).sum(), [x]): the adjoint of the solve (one more solve).
    const auto grad = cli::seed_gradient(x, b, res.a, opt, dt);
    double gnorm = 0;
    for (double v : grad.dx.data) gnorm += v * v;
    gnorm = std::sqrt(gnorm);
    const bool grad_good = grad.report.converged || grad.report.reason == ko::StopReason::stagnation;
    ok = ok && good && grad_good;
    if (a.json) {
      auto j = report_json(res.report);
      j["dtype"] = dtype_name(dt);
      j["mixed_precision"] = mixed;
      j["shape"] = {res.a.rows, res.a.cols};
      j["error"] = err;
      j["grad_x"] = {{"norm", gnorm},
                     {"seconds", grad.seconds},
                     {"iterations", grad.report.iterations},
                     {"reason", ko::to_string(grad.report.reason)}};
      all.push_back(j);
    } else {
      std::printf("%s%s: a of shape (%ld, %ld), %d iterations (%d kernel products), %.3f s (set-up %.3f s), "
                  "error sum|alpha a + K a - b|/N = %.2e, %s\n",
                  dtype_name(dt), mixed ? " (float32 products, float64 residuals)" : "", res.a.rows, res.a.cols, res.report.iterations, res.report.kernel_products,
                  res.report.seconds, res.report.setup_seconds, err, ko::to_string(res.report.reason));
      std::printf("  gradient of sum(a^2) w.r.t. x (adjoint solve, %d iterations, %s): shape (%ld, 3), "
                  "norm %.6e, %.3f s\n",
                  grad.report.iterations, ko::to_string(grad.report.reason), grad.dx.rows, gnorm, grad.seconds);
    }
  }
  if (a.json) std::cout << all.dump(2) << "\n";
  return ok ? 0 : kExitNotConverged;
}

struct PrecompileArgs {
  ko::strings::EntrySpec spec;
  std::string dtype = "both";
};

// Fills the formula cache (kokkeops/strings/runtime.hpp) with the entries of a formula string: one line per
// data type, saying whether it was compiled now, found in a cache folder or compiled in.
int run_precompile(PrecompileArgs& a) {
  if (a.dtype != "float32" && a.dtype != "float64" && a.dtype != "both")
    throw ko::Error("unknown --dtype '" + a.dtype + "' (choose float32, float64 or both)");
  for (const char* dt : {"float32", "float64"}) {
    if (a.dtype != "both" && a.dtype != dt) continue;
    a.spec.dtype = dt;
    ko::strings::runtime::LoadInfo info;
    ko::strings::runtime::load(a.spec, &info);
    std::printf("%s: %s %s (%.2f s)\n", dt,
                info.path.empty() ? "compiled in" : info.compiled ? "compiled into" : "found in the cache,",
                info.path.empty() ? ko::strings::entry_key(a.spec).c_str() : info.path.c_str(), info.seconds);
  }
  return 0;
}

}  // namespace

int kokkeops::cli::run(int argc, char** argv) {
  CLI::App app{"kokkeops: kernel sums and kernel solves (KeOps' Genred and KernelSolve) on .npy/.csv files"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("kokkeops ") + ko::version() + ", host SIMD " + ko::host_isa());
  const std::string kernels = "gaussian exp(-r^2/s^2) | laplace, exponential exp(-r/s) | cauchy 1/(1+r^2/s^2) | "
                              "imq 1/sqrt(1+r^2/s^2) | matern32 | matern52";

  SolveArgs sa;
  auto* solve = app.add_subcommand("solve", "solve (alpha Id + K(x, x)) a = b by preconditioned conjugate gradient");
  solve->add_option("--kernel", sa.kernel, kernels)->required();
  solve->add_option("--scale", sa.scale, "kernel length scale s > 0")->required();
  solve->add_option("--alpha", sa.alpha, "ridge alpha >= 0")->required();
  auto* tol_option = solve->add_option("--tol", sa.tol,
                                       "tolerance: ||b - A a|| <= tol ||b|| per column (default: 5e-5 in float32, "
                                       "1e-6 in float64)");
  solve->add_option("--criterion", sa.criterion, "relative (per column) or keops (absolute RMS over all columns)")
      ->capture_default_str();
  solve->add_option("--max-iter", sa.max_iter, "iteration budget")->capture_default_str();
  solve->add_option("--precond", sa.precond,
                    "auto (Nystrom if alpha >= 1e-4 and n >= 2000, else Jacobi) | none | jacobi | nystrom | nystrom:M "
                    "(M landmarks)")
      ->capture_default_str();
  solve->add_option("--seed", sa.seed, "landmark seed of the Nystrom preconditioner")->capture_default_str();
  solve->add_option("--x", sa.x, "points, (n, D), .npy or .csv")->required();
  solve->add_option("--b", sa.b, "right-hand sides, (n, Dv), .npy or .csv")->required();
  solve->add_option("--out", sa.out, "solution file, (n, Dv), .npy or .csv")->required();
  solve->add_option("--dtype", sa.dtype, "float32 | float64 (default: the dtype of --x)");
  solve->add_flag("--json", sa.json, "print the report as JSON");
  solve->add_flag("--mixed", sa.mixed, "float64: kernel products in float32, residuals in float64 (iterative refinement)");
  solve->add_option("--verbosity", sa.verbosity, "0 silent, 1 summary, 2 every iteration (stderr)");

  ReduceArgs ra;
  auto* reduce = app.add_subcommand("reduce", "out_i = sum_j k(x_i, y_j) b_j");
  reduce->add_option("--kernel", ra.kernel, kernels)->required();
  reduce->add_option("--scale", ra.scale, "kernel length scale s > 0")->required();
  reduce->add_option("--x", ra.x, "output points, (n, D)")->required();
  reduce->add_option("--y", ra.y, "source points, (m, D)")->required();
  reduce->add_option("--b", ra.b, "weights, (m, Dv)")->required();
  reduce->add_option("--out", ra.out, "result, (n, Dv)")->required();
  reduce->add_option("--dtype", ra.dtype, "float32 | float64 (default: the dtype of --x)");

  DemoArgs da;
  auto* demo = app.add_subcommand("demo", "the seed example: KernelSolve of Exp(-Norm2(x-y)) on randn points");
  demo->add_option("--n", da.n, "number of points")->capture_default_str();
  demo->add_option("--dtype", da.dtype, "float32 | float64 | both")->capture_default_str();
  demo->add_option("--precond", da.precond, "auto | none | jacobi | nystrom | nystrom:M")->capture_default_str();
  demo->add_flag("--json", da.json, "print the reports as JSON");

  PrecompileArgs pa;
  auto* precompile = app.add_subcommand("precompile",
                                        "compile a KeOps formula string into the formula cache (KOKKEOPS_CACHE_DIR), "
                                        "e.g. on a login node for compute nodes without a compiler");
  precompile->add_option("--formula", pa.spec.formula, "the formula, e.g. \"Exp(-SqDist(x, y)) * b\"")->required();
  precompile->add_option("--alias", pa.spec.aliases, "an alias, e.g. \"x = Vi(3)\" (one option per alias)");
  precompile->add_option("--reduction", pa.spec.reduction, "Sum, LogSumExp, ArgKMin, ... (KeOps' reduction_op)")
      ->capture_default_str();
  precompile->add_option("--opt-arg", pa.spec.opt_arg, "K of the K-selections")->capture_default_str();
  precompile->add_option("--formula2", pa.spec.formula2, "the second formula of the *Weight reductions");
  precompile->add_option("--axis", pa.spec.axis, "KeOps' axis: 1 reduces over j, 0 over i")->capture_default_str();
  precompile->add_option("--unknown", pa.spec.unknown, "a KernelSolve entry: the alias of the unknown");
  precompile->add_option("--dtype", pa.dtype, "float32 | float64 | both")->capture_default_str();

  try {
    app.parse(argc, argv);
    sa.tol_given = tol_option->count() > 0;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "kokkeops: error: " << e.what() << " (see kokkeops --help)\n";
    return kExitUsage;
  }
  // Kokkos after parsing, so that --help works without it; no Kokkos arguments are forwarded. A caller
  // that has initialised Kokkos already (a test, the fuzzer) keeps it: Kokkos cannot be initialised twice.
  int kargc = 1;
  std::optional<Kokkos::ScopeGuard> guard;
  if (!Kokkos::is_initialized()) {
    ko::quiet_openmp_defaults();  // no OMP_PROC_BIND warning in the middle of the results
    guard.emplace(kargc, argv);
  }
  try {
    if (solve->parsed()) return run_solve(sa);
    if (reduce->parsed()) return run_reduce(ra);
    if (precompile->parsed()) return run_precompile(pa);
    return run_demo(da);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    if (msg.rfind("kokkeops: ", 0) == 0) msg = msg.substr(10);
    for (char& c : msg)
      if (c == '\n') c = ' ';
    std::cerr << "kokkeops: error: " << msg << "\n";
    return kExitError;
  }
}

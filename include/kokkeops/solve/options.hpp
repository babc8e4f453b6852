// Options and report of KernelSolve.
#pragma once

#include <kokkeops/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace kokkeops {

/// When a column's conjugate gradient stops.
enum class StopCriterion {
  relative,        ///< ||b - A a|| <= tolerance * ||b||, per column (default)
  keops_absolute,  ///< KeOps' test: ||R||_F^2 < n * Dv * tolerance^2 over the whole block
};

/// Preconditioner of the conjugate gradient.
enum class Preconditioner {
  none,
  jacobi,     ///< diagonal of alpha*Id + K
  nystrom,    ///< Nystrom approximation of K from m random landmarks (Falkon-style), applied by Woodbury
  automatic,  ///< the default: Nystrom where it applies and pays, else Jacobi (SolveOptions::preconditioner_for)
};

/// Why a solve (or one column) stopped.
enum class StopReason {
  converged,       ///< the stopping test holds on the true residual
  max_iterations,  ///< the iteration budget ran out first
  breakdown,       ///< p^T A p <= 0 or a non-finite value: the operator is not positive definite
  stagnation,      ///< the true residual stopped decreasing above the tolerance (the data's precision floor)
};

inline const char* to_string(StopReason r) {
  switch (r) {
    case StopReason::converged: return "converged";
    case StopReason::max_iterations: return "max_iterations";
    case StopReason::breakdown: return "breakdown";
    case StopReason::stagnation: return "stagnation";
  }
  return "?";
}
inline const char* to_string(Preconditioner p) {
  switch (p) {
    case Preconditioner::none: return "none";
    case Preconditioner::jacobi: return "jacobi";
    case Preconditioner::nystrom: return "nystrom";
    case Preconditioner::automatic: return "automatic";
  }
  return "?";
}

/// KernelSolve options, set by chaining: SolveOptions{}.alpha(0.1).tolerance(1e-6).nystrom(200).
class SolveOptions {
 public:
  /// Ridge alpha in (alpha*Id + K) a = b; >= 0 and finite. KeOps' default is 1e-10.
  SolveOptions& alpha(double v) { alpha_ = v; return *this; }
  /// Stopping tolerance (> 0): relative to ||b|| per column, or KeOps' absolute RMS (see criterion).
  /// Default (not set): tolerance_for(T), 1e-6 for double data, 5e-5 for float.
  SolveOptions& tolerance(double v) {
    tol_ = v;
    tol_set_ = true;
    return *this;
  }
  SolveOptions& criterion(StopCriterion c) { criterion_ = c; return *this; }
  /// Iteration budget (>= 1): kernel products inside the CG loop, restarts included.
  SolveOptions& max_iterations(int v) { max_iter_ = v; return *this; }
  /// Start from the values already in the solution view instead of zero.
  SolveOptions& initial_guess(bool use = true) { initial_guess_ = use; return *this; }
  SolveOptions& preconditioner(Preconditioner p) { precond_ = p; return *this; }
  SolveOptions& jacobi() { precond_ = Preconditioner::jacobi; return *this; }
  /// Nystrom preconditioner with `landmarks` random points (0: automatic, 4 sqrt(n) within [100, 1000]).
  SolveOptions& nystrom(int landmarks = 0, std::uint64_t seed = 0) {
    precond_ = Preconditioner::nystrom;
    landmarks_ = landmarks;
    seed_ = seed;
    return *this;
  }
  /// float64 data only: kernel products inside the CG loop in float32 (2-3x faster), residuals,
  /// updates and the final true residual in float64; CG restarts from the float64 residual until the
  /// tolerance is met (iterative refinement). Ignored for float32 data.
  SolveOptions& mixed_precision(bool use = true) { mixed_ = use; return *this; }
  /// 0: silent; 1: a summary line on stderr; 2: one line per iteration; 3: also where the time goes.
  SolveOptions& verbosity(int v) { verbosity_ = v; return *this; }

  double alpha() const { return alpha_; }
  /// The tolerance set, or 0 if none was (the solve then uses tolerance_for its data type).
  double tolerance() const { return tol_set_ ? tol_ : 0.0; }
  /// The tolerance a solve of data type T uses: the one set, else one T's products reach on problems like
  /// the seed one, so that the solve converges instead of stagnating at the data type's floor. float: 5e-5
  /// (the seed problem's float floor is a relative residual of 2.6e-5 with the block-summed products, and
  /// 5e-5 gives KeOps' error metric or better); double: 1e-6, KeOps' default.
  template <class T>
  double tolerance_for() const {
    if (tol_set_) return tol_;
    return sizeof(T) <= 4 ? 5e-5 : 1e-6;
  }
  /// The preconditioner a solve of n points uses. Preconditioner::automatic: Nystrom if the system is dense
  /// (no ranges), alpha >= nystrom_min_alpha (Woodbury divides by alpha: a smaller alpha makes the
  /// preconditioner's error dominate) and n >= nystrom_min_points (below, its set-up costs more than the
  /// iterations it saves); Jacobi otherwise, and if the Nystrom factorisation fails (a kernel that is not
  /// positive definite).
  Preconditioner preconditioner_for(long n, bool with_ranges) const {
    if (precond_ != Preconditioner::automatic) return precond_;
    return !with_ranges && alpha_ >= nystrom_min_alpha && n >= nystrom_min_points ? Preconditioner::nystrom
                                                                                 : Preconditioner::jacobi;
  }
  static constexpr double nystrom_min_alpha = 1e-4;
  static constexpr long nystrom_min_points = 2000;
  StopCriterion criterion() const { return criterion_; }
  int max_iterations() const { return max_iter_; }
  bool initial_guess() const { return initial_guess_; }
  Preconditioner preconditioner() const { return precond_; }
  int landmarks() const { return landmarks_; }
  std::uint64_t seed() const { return seed_; }
  int verbosity() const { return verbosity_; }
  bool mixed_precision() const { return mixed_; }

  /// Landmark count actually used for n points.
  int landmarks_for(long n) const {
    if (landmarks_ > 0) return landmarks_;
    // 4 sqrt(n), at least 100, at most 1000 (the set-up costs m^2 n): 400 for n = 10^4.
    const long m = std::min(1000L, std::max(100L, static_cast<long>(4 * std::sqrt(static_cast<double>(n)))));
    return static_cast<int>(std::min(n, m));
  }

  /// Throws kokkeops::Error on a bad option, naming it.
  void validate(const std::string& who, long n) const {
    if (!(alpha_ >= 0) || !std::isfinite(alpha_))
      throw Error(who + ": alpha must be finite and >= 0, got " + fmt(alpha_));
    if (tol_set_ && (!(tol_ > 0) || !std::isfinite(tol_)))
      throw Error(who + ": tolerance must be finite and > 0, got " + fmt(tol_));
    if (max_iter_ < 1) throw Error(who + ": max_iterations must be >= 1, got " + std::to_string(max_iter_));
    if (precond_ == Preconditioner::nystrom) {
      if (landmarks_ < 0) throw Error(who + ": Nystrom landmarks must be >= 0, got " + std::to_string(landmarks_));
      if (landmarks_ > n)
        throw Error(who + ": Nystrom landmarks (" + std::to_string(landmarks_) + ") exceed the number of points (" +
                    std::to_string(n) + ")");
      if (!(alpha_ > 0)) throw Error(who + ": the Nystrom preconditioner needs alpha > 0");
    }
  }

 private:
  static std::string fmt(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
  }
  double alpha_ = 1e-10;
  double tol_ = 0;
  bool tol_set_ = false;
  StopCriterion criterion_ = StopCriterion::relative;
  int max_iter_ = 1000;
  bool initial_guess_ = false;
  Preconditioner precond_ = Preconditioner::automatic;
  int landmarks_ = 0;
  std::uint64_t seed_ = 0;
  int verbosity_ = 0;
  bool mixed_ = false;
};

/// What a solve did. Residuals are recomputed from the returned solution (not the CG recursion).
struct SolveReport {
  bool converged = false;
  StopReason reason = StopReason::max_iterations;
  int iterations = 0;       ///< CG iterations (one kernel product with all active columns each)
  int kernel_products = 0;  ///< all products: iterations, initial and final residuals, restarts
  int restarts = 0;         ///< CG restarts from the true residual when the recursive one drifted
  std::vector<int> column_iterations;
  std::vector<StopReason> column_reason;
  std::vector<double> relative_residual;  ///< per column, ||b - (alpha Id + K) a|| / ||b|| (0 if b = 0)
  double rms_residual = 0;                ///< ||R||_F / sqrt(n Dv), KeOps' measure
  Preconditioner preconditioner = Preconditioner::none;
  int landmarks = 0;
  double setup_seconds = 0;  ///< preconditioner set-up
  double seconds = 0;        ///< whole solve

  std::string summary() const {
    std::ostringstream s;
    s << to_string(reason) << " after " << iterations << " iterations (" << kernel_products << " kernel products";
    if (restarts) s << ", " << restarts << " restarts";
    s << "), preconditioner " << to_string(preconditioner);
    if (preconditioner == Preconditioner::nystrom) s << " (" << landmarks << " landmarks)";
    s << ", relative residuals";
    for (double r : relative_residual) s << " " << r;
    s << ", " << seconds << " s";
    return s.str();
  }
};

}  // namespace kokkeops

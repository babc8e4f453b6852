// The body of a generated entry point (kokkeops/entry.h): a typed Genred run on the arrays of a kokkeops_call.
// Included by the translation units that kokkeops-codegen writes; not needed elsewhere.
//
// Each argument and output becomes an unmanaged Kokkos::View with LayoutStride on the arrays' memory, so
// one instantiation of the engine serves every layout (C order, Fortran order, a column of a wider array).
// Host arrays on a build whose default execution space cannot read host memory (CUDA, HIP) are staged: copied
// into its memory, reduced there, the outputs copied back. Every exception is caught and becomes a status
// and a message in the caller's buffer.
#pragma once

#include <Kokkos_Core.hpp>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <kokkeops/entry.h>
#include <kokkeops/genred.hpp>
#include <kokkeops/solve/kernel_solve.hpp>
#include <new>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace kokkeops::entry {

template <class T>
constexpr std::int32_t dtype_of() {
  if constexpr (std::is_same_v<T, float>) return KOKKEOPS_DTYPE_FLOAT32;
  else if constexpr (std::is_same_v<T, double>) return KOKKEOPS_DTYPE_FLOAT64;
  else {
    static_assert(std::is_same_v<T, std::int64_t>, "kokkeops entry points take float, double and int64 arrays");
    return KOKKEOPS_DTYPE_INT64;
  }
}

inline const char* dtype_name(std::int32_t d) {
  return d == KOKKEOPS_DTYPE_FLOAT32 ? "float32" : d == KOKKEOPS_DTYPE_FLOAT64 ? "float64" : d == KOKKEOPS_DTYPE_INT64 ? "int64" : "unknown";
}

/// Copies msg into the call's buffer (truncated, NUL-terminated) and returns code.
inline int fail(const kokkeops_call* call, int code, const char* msg) noexcept {
  if (call && call->error && call->error_size > 0) {
    const std::size_t n = std::min(std::strlen(msg), call->error_size - 1);
    std::memcpy(call->error, msg, n);
    call->error[n] = '\0';
  }
  return code;
}

template <class T, class Mem>
using Matrix = Kokkos::View<T**, Kokkos::LayoutStride, Mem, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
template <class T, class Mem>
using Vector = Kokkos::View<T*, Kokkos::LayoutStride, Mem, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

/// Checks an array's header: element type, extents and strides >= 0, data unless empty.
inline void check_array(const std::string& who, const std::string& what, const kokkeops_array& a, std::int32_t dtype) {
  if (a.dtype != dtype)
    throw Error(who + ": " + what + " is " + dtype_name(a.dtype) + ", expected " + dtype_name(dtype));
  if (a.rows < 0 || a.cols < 0)
    throw Error(who + ": " + what + " has a negative extent (" + std::to_string(a.rows) + " x " +
                std::to_string(a.cols) + ")");
  if (a.row_stride < 0 || a.col_stride < 0)
    throw Error(who + ": " + what + " has a negative stride (" + std::to_string(a.row_stride) + ", " +
                std::to_string(a.col_stride) + "); negative strides are not supported");
  if (!a.data && a.rows > 0 && a.cols > 0) throw Error(who + ": " + what + " has no data (NULL) but " +
                                                       std::to_string(a.rows) + " x " + std::to_string(a.cols) + " elements");
}

/// The memory of one array in the execution space's memory: the caller's own (device arrays, or host arrays
/// that the space can read), or a staging buffer with the values copied in (and out, for outputs).
template <class T, class Exec>
class Staged {
  using Mem = typename Exec::memory_space;
  using U = std::remove_const_t<T>;
  static constexpr bool kHostReadable = Kokkos::SpaceAccessibility<Exec, Kokkos::HostSpace>::accessible;

 public:
  Staged(const kokkeops_array& a, bool host, bool input) : a_(a) {
    if (!host || kHostReadable) {
      ptr_ = static_cast<T*>(a.data);
      rs_ = a.row_stride;
      cs_ = a.col_stride;
      return;
    }
    buf_ = Kokkos::View<U**, Kokkos::LayoutRight, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "kokkeops::entry::staged"),
                                                      a.rows, a.cols);
    ptr_ = buf_.data();
    rs_ = a.cols;
    cs_ = 1;
    staged_ = true;
    if (input) {
      auto h = Kokkos::create_mirror_view(buf_);
      const U* src = static_cast<const U*>(a.data);
      for (std::int64_t r = 0; r < a.rows; ++r)
        for (std::int64_t c = 0; c < a.cols; ++c) h(r, c) = src[r * a.row_stride + c * a.col_stride];
      Kokkos::deep_copy(buf_, h);
    }
  }
  Matrix<T, Mem> matrix() const {
    return Matrix<T, Mem>(ptr_, Kokkos::LayoutStride(static_cast<std::size_t>(a_.rows), static_cast<std::size_t>(rs_),
                                                     static_cast<std::size_t>(a_.cols), static_cast<std::size_t>(cs_)));
  }
  Vector<T, Mem> vector() const {
    return Vector<T, Mem>(ptr_, Kokkos::LayoutStride(static_cast<std::size_t>(a_.cols), static_cast<std::size_t>(cs_)));
  }
  /// Outputs: copies the staged values back into the caller's host array.
  void copy_out() const {
    static_assert(!std::is_const_v<T>, "only outputs are copied out");
    if (!staged_) return;
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, buf_);
    U* dst = static_cast<U*>(a_.data);
    for (std::int64_t r = 0; r < a_.rows; ++r)
      for (std::int64_t c = 0; c < a_.cols; ++c) dst[r * a_.row_stride + c * a_.col_stride] = h(r, c);
  }

 private:
  kokkeops_array a_;
  T* ptr_ = nullptr;
  std::int64_t rs_ = 0, cs_ = 0;
  bool staged_ = false;
  Kokkos::View<U**, Kokkos::LayoutRight, Mem> buf_;
};

/// The view of argument position P of category Cat (0 Vi, 1 Vj, 2 Pm, -1 unused) from its staged memory.
template <int Cat, class T, class Exec>
auto arg_view(const Staged<const T, Exec>& s) {
  if constexpr (Cat == 2) return s.vector();
  else return s.matrix();
}

template <class T, class Exec, int... Cats, class Op, std::size_t... P, class... Outs>
void call_op(const Op& op, const std::vector<Staged<const T, Exec>>& args, std::index_sequence<P...>, const Outs&... outs) {
  op(outs.matrix()..., arg_view<Cats>(args[P])...);
}

/// A call of another ABI version or struct size (KOKKEOPS_ERROR_VERSION).
class VersionError : public Error {
 public:
  using Error::Error;
};

/// Runs f() and turns what it throws into a status and the caller's message.
template <class F>
int guarded(const kokkeops_call* call, F&& f) noexcept {
  try {
    f();
    return KOKKEOPS_OK;
  } catch (const VersionError& e) {
    return fail(call, KOKKEOPS_ERROR_VERSION, e.what());
  } catch (const Error& e) {
    return fail(call, KOKKEOPS_ERROR_ARGUMENT, e.what());
  } catch (const std::bad_alloc&) {
    return fail(call, KOKKEOPS_ERROR_RUNTIME, "kokkeops entry: out of memory");
  } catch (const std::exception& e) {
    return fail(call, KOKKEOPS_ERROR_RUNTIME, e.what());
  } catch (...) {
    return fail(call, KOKKEOPS_ERROR_RUNTIME, "kokkeops entry: unknown exception");
  }
}

inline std::string entry_name(const kokkeops_entry_info& info) {
  return std::string(info.unknown >= 0 ? "KernelSolve" : "Genred") + "(\"" + info.formula + "\", " + info.reduction +
         ", axis=" + std::to_string(info.axis) + ", " + dtype_name(info.dtype) + ")";
}

/// Checks the call's header, counts and arrays, and stages the arguments (Cats: the category of each argument
/// position, 0 Vi, 1 Vj, 2 Pm, -1 unused).
template <class T, class Exec, int... Cats>
std::vector<Staged<const T, Exec>> stage_arguments(const std::string& who, const kokkeops_entry_info& info,
                                                   const kokkeops_call* call) {
  if (!call) throw Error(who + ": the call is NULL");
  if (call->abi_version != KOKKEOPS_ENTRY_ABI_VERSION || call->struct_size != sizeof(kokkeops_call))
    throw VersionError("kokkeops entry: the call is of ABI version " + std::to_string(call->abi_version) + " (struct size " +
                       std::to_string(call->struct_size) + "); this entry takes version " +
                       std::to_string(KOKKEOPS_ENTRY_ABI_VERSION) + " (struct size " + std::to_string(sizeof(kokkeops_call)) + ")");
  if (!Kokkos::is_initialized()) throw Error(who + ": Kokkos is not initialized (call Kokkos::initialize first)");
  constexpr int kArgs = static_cast<int>(sizeof...(Cats));
  if (call->num_args != kArgs)
    throw Error(who + ": " + std::to_string(call->num_args) + " arguments given, the formula takes " + std::to_string(kArgs) +
                " (one array per argument position)");
  if (call->num_outputs != info.num_outputs)
    throw Error(who + ": " + std::to_string(call->num_outputs) + " outputs given, " +
                (info.unknown >= 0 ? std::string("the solve writes 1 (the solution)") : "the reduction writes " + std::to_string(info.num_outputs)));
  if ((kArgs > 0 && !call->args) || !call->outputs) throw Error(who + ": the argument or output array list is NULL");
  if (call->memory != KOKKEOPS_MEMORY_HOST && call->memory != KOKKEOPS_MEMORY_DEVICE)
    throw Error(who + ": unknown memory kind " + std::to_string(call->memory) + " (0 host, 1 device)");
  if (call->segments < 0)
    throw Error(who + ": segments " + std::to_string(call->segments) + " (0 automatic, 1 the 1D scheme, k > 1 segments)");
  for (int p = 0; p < kArgs; ++p) {
    const kokkeops_array& a = call->args[p];
    check_array(who, "argument " + std::to_string(p), a, info.dtype);
    if (info.arg_category[p] == 2 && a.rows != 1)
      throw Error(who + ": argument " + std::to_string(p) + " is a parameter (Pm): 1 row expected, got " + std::to_string(a.rows));
  }
  for (int o = 0; o < info.num_outputs; ++o)
    check_array(who, "output " + std::to_string(o), call->outputs[o], info.output_dtype[o]);
  std::vector<Staged<const T, Exec>> args;
  args.reserve(static_cast<std::size_t>(kArgs));
  for (int p = 0; p < kArgs; ++p) args.emplace_back(call->args[p], call->memory == KOKKEOPS_MEMORY_HOST, true);
  return args;
}

template <class T, class Exec, int... Cats, class Op, std::size_t... P>
SolveReport call_solve(const Op& op, const std::vector<Staged<const T, Exec>>& args, std::index_sequence<P...>,
                       const Staged<T, Exec>& sol, const SolveOptions& opt) {
  return op.solve(sol.matrix(), opt, arg_view<Cats>(args[P])...);
}

/// Runs the typed reduction `op` (a GenredOp of data type T) on a kokkeops_call.
template <class T, int... Cats, class Op>
int run(const Op& op, const kokkeops_entry_info& info, const kokkeops_call* call) noexcept {
  return guarded(call, [&] {
    using Exec = Kokkos::DefaultExecutionSpace;
    const std::string who = entry_name(info);
    const auto args = stage_arguments<T, Exec, Cats...>(who, info, call);
    const bool host = call->memory == KOKKEOPS_MEMORY_HOST;
    auto K = op;
    K.segments(call->segments);
    constexpr int kValues = Op::reduction_type::out_dim > 0 ? 1 : 0;
    constexpr int kIndices = Op::reduction_type::index_dim > 0 ? 1 : 0;
    const auto seq = std::make_index_sequence<sizeof...(Cats)>{};
    if constexpr (kValues && kIndices) {
      const Staged<T, Exec> v(call->outputs[0], host, false);
      const Staged<std::int64_t, Exec> i(call->outputs[1], host, false);
      call_op<T, Exec, Cats...>(K, args, seq, v, i);
      v.copy_out();
      i.copy_out();
    } else if constexpr (kValues) {
      const Staged<T, Exec> v(call->outputs[0], host, false);
      call_op<T, Exec, Cats...>(K, args, seq, v);
      v.copy_out();
    } else {
      const Staged<std::int64_t, Exec> i(call->outputs[0], host, false);
      call_op<T, Exec, Cats...>(K, args, seq, i);
      i.copy_out();
    }
  });
}

/// The typed solve options of a kokkeops_solve_options (NULL: the defaults).
inline SolveOptions solve_options(const std::string& who, const kokkeops_solve_options* o) {
  SolveOptions s;
  if (!o) return s;
  if (o->struct_size != sizeof(kokkeops_solve_options))
    throw VersionError(who + ": the solve options are of struct size " + std::to_string(o->struct_size) + "; this entry takes " +
                       std::to_string(sizeof(kokkeops_solve_options)) + " (fill them with kokkeops_solve_options_init)");
  if (o->tolerance != o->tolerance) throw Error(who + ": the tolerance is NaN");
  s.alpha(o->alpha);
  if (o->tolerance > 0) s.tolerance(o->tolerance);
  s.criterion(o->keops_criterion ? StopCriterion::keops_absolute : StopCriterion::relative);
  s.max_iterations(o->max_iterations);
  s.initial_guess(o->initial_guess != 0);
  s.mixed_precision(o->mixed_precision != 0);
  s.verbosity(o->verbosity);
  switch (o->preconditioner) {
    case KOKKEOPS_PRECONDITIONER_AUTOMATIC:
      s.nystrom(o->landmarks, o->seed);  // the landmark settings, should Nystrom be chosen
      s.preconditioner(Preconditioner::automatic);
      break;
    case KOKKEOPS_PRECONDITIONER_NONE: s.preconditioner(Preconditioner::none); break;
    case KOKKEOPS_PRECONDITIONER_JACOBI: s.jacobi(); break;
    case KOKKEOPS_PRECONDITIONER_NYSTROM: s.nystrom(o->landmarks, o->seed); break;
    default:
      throw Error(who + ": unknown preconditioner " + std::to_string(o->preconditioner) +
                  " (0 automatic, 1 none, 2 jacobi, 3 nystrom)");
  }
  return s;
}

inline std::int32_t c_preconditioner(Preconditioner p) {
  switch (p) {
    case Preconditioner::none: return KOKKEOPS_PRECONDITIONER_NONE;
    case Preconditioner::jacobi: return KOKKEOPS_PRECONDITIONER_JACOBI;
    case Preconditioner::nystrom: return KOKKEOPS_PRECONDITIONER_NYSTROM;
    case Preconditioner::automatic: return KOKKEOPS_PRECONDITIONER_AUTOMATIC;
  }
  return KOKKEOPS_PRECONDITIONER_NONE;
}

/// Runs the typed solve `op` (a KernelSolveOp) on a kokkeops_call: outputs[0] receives the solution, the
/// unknown's argument holds the right-hand side.
template <class T, int... Cats, class Op>
int solve(const Op& op, const kokkeops_entry_info& info, const kokkeops_call* call, const kokkeops_solve_options* options,
          kokkeops_solve_report* report) noexcept {
  return guarded(call, [&] {
    using Exec = Kokkos::DefaultExecutionSpace;
    const std::string who = entry_name(info);
    if (report && report->struct_size != sizeof(kokkeops_solve_report))
      throw VersionError(who + ": the solve report is of struct size " + std::to_string(report->struct_size) +
                         "; this entry takes " + std::to_string(sizeof(kokkeops_solve_report)));
    const SolveOptions opt = solve_options(who, options);
    const auto args = stage_arguments<T, Exec, Cats...>(who, info, call);
    const bool host = call->memory == KOKKEOPS_MEMORY_HOST;
    const Staged<T, Exec> sol(call->outputs[0], host, opt.initial_guess());
    const SolveReport r = call_solve<T, Exec, Cats...>(op, args, std::make_index_sequence<sizeof...(Cats)>{}, sol, opt);
    sol.copy_out();
    if (report) {
      report->converged = r.converged ? 1 : 0;
      report->reason = static_cast<std::int32_t>(r.reason);
      report->iterations = r.iterations;
      report->kernel_products = r.kernel_products;
      report->restarts = r.restarts;
      report->preconditioner = c_preconditioner(r.preconditioner);
      report->landmarks = r.landmarks;
      report->rms_residual = r.rms_residual;
      report->setup_seconds = r.setup_seconds;
      report->seconds = r.seconds;
      if (report->relative_residual)
        for (std::size_t c = 0; c < r.relative_residual.size() && c < static_cast<std::size_t>(std::max(0, report->relative_residual_size)); ++c)
          report->relative_residual[c] = r.relative_residual[c];
    }
  });
}

}  // namespace kokkeops::entry

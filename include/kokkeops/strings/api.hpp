// Genred and KernelSolve on KeOps strings (issue 18, part 5): the formula, aliases and reduction as text, the
// call on views.
//
//   kokkeops_register_my_formulas();   // once: the entries kokkeops_add_formulas(app SET my_formulas ...) compiled
//   auto K = kokkeops::Genred("Exp(-g * SqDist(x, y)) * b", {"x = Vi(3)", "y = Vj(3)", "b = Vj(1)", "g = Pm(1)"},
//                             "Sum", kokkeops::axis::j);
//   K(out, x, y, b, g);                  // Kokkos views: outputs first, then one view per argument position
//
// The strings are parsed when the object is made (a bad one throws kokkeops::strings::FormulaError with a caret
// under the column). A call runs the entry point compiled for the views' data type (float or double), found in
// the registry by its key (kokkeops::strings::entry_key); one that was not compiled in is compiled at run time on
// first use and cached (kokkeops/strings/runtime.hpp), or, where that is unavailable, a kokkeops::Error that says
// how to compile it in. The entry runs the typed Genred of
// the same formula: same checks, same results bit for bit. Views: any layout; rank 2 (rows, dim) for Vi/Vj
// positions, rank 1 (dim) for Pm; index outputs are 64-bit signed integer views. Host views run on the default
// execution space (staged through its memory when it cannot read host memory); device views must be in its
// memory space. The call returns when the outputs are written (no execution-space instance yet).
//
//   auto Kinv = kokkeops::KernelSolve("Exp(-SqDist(x, y)) * a", {"x = Vi(3)", "y = Vj(3)", "a = Vj(2)"}, "a",
//                                     kokkeops::axis::j);
//   kokkeops::SolveReport rep = Kinv(sol, x, x, b, kokkeops::SolveOptions{}.alpha(0.1));   // b: the right-hand side
//
// The solve takes the solution view first, then one view per argument position (the unknown's receives the
// right-hand side), then optionally the options; the report is the typed API's, without the per-column
// iteration counts and stop reasons (the entry interface reports the whole solve's).
#pragma once

#include <Kokkos_Core.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <kokkeops/entry.h>
#include <kokkeops/error.hpp>
#include <kokkeops/genred.hpp>
#include <kokkeops/solve/options.hpp>
#include <kokkeops/strings.hpp>
#include <kokkeops/strings/runtime.hpp>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace kokkeops {

namespace entry_detail {

template <class T>
constexpr std::int32_t dtype_of() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, float>) return KOKKEOPS_DTYPE_FLOAT32;
  else if constexpr (std::is_same_v<U, double>) return KOKKEOPS_DTYPE_FLOAT64;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 8) return KOKKEOPS_DTYPE_INT64;
  else return 0;
}

/// A view as a kokkeops_array; `memory` receives its kind (host or the default execution space's memory).
template <class V>
kokkeops_array to_array(const V& v, int& memory) {
  static_assert(Kokkos::is_view<V>::value, "kokkeops: a string Genred takes Kokkos views (outputs, then arguments)");
  static_assert(V::rank == 1 || V::rank == 2, "kokkeops: a string Genred takes rank-2 views (rows, dim) and rank-1 views (Pm)");
  using value = typename V::non_const_value_type;
  static_assert(dtype_of<value>() != 0,
                "kokkeops: a string Genred takes float or double views, and 64-bit signed integer views for indices");
  using Mem = typename V::memory_space;
  using DefaultMem = Kokkos::DefaultExecutionSpace::memory_space;
  const bool host = Kokkos::SpaceAccessibility<Kokkos::HostSpace, Mem>::accessible;
  if (!host && !std::is_same_v<Mem, DefaultMem>)
    throw Error("kokkeops: a string Genred takes host views or views in the default execution space's memory (" +
                std::string(DefaultMem::name()) + "), got a view '" + v.label() + "' in " + Mem::name());
  memory = host ? KOKKEOPS_MEMORY_HOST : KOKKEOPS_MEMORY_DEVICE;
  kokkeops_array a{};
  a.data = const_cast<value*>(v.data());
  a.dtype = dtype_of<value>();
  if constexpr (V::rank == 2) {
    a.rows = static_cast<std::int64_t>(v.extent(0));
    a.cols = static_cast<std::int64_t>(v.extent(1));
    a.row_stride = static_cast<std::int64_t>(v.stride(0));
    a.col_stride = static_cast<std::int64_t>(v.stride(1));
  } else {
    a.rows = 1;
    a.cols = static_cast<std::int64_t>(v.extent(0));
    a.row_stride = 0;
    a.col_stride = static_cast<std::int64_t>(v.stride(0));
  }
  return a;
}

template <class V, class... Vs>
struct last_type {
  using type = typename last_type<Vs...>::type;
};
template <class V>
struct last_type<V> {
  using type = V;
};

/// Views as the arrays of a kokkeops_call (all in one memory), checked against the entry's counts.
template <class... Views>
std::array<kokkeops_array, sizeof...(Views)> to_arrays(const std::string& who, int expected, int& memory,
                                                       const Views&... views) {
  static_assert((Kokkos::is_view<Views>::value && ...),
                "kokkeops: a string Genred or KernelSolve call takes Kokkos views only (execution-space instances and "
                "ranges are not supported by the string API yet: use the typed API for them)");
  if (static_cast<int>(sizeof...(Views)) != expected)
    throw Error(who + ": " + std::to_string(sizeof...(Views)) + " views given, " + std::to_string(expected) + " expected");
  std::array<int, sizeof...(Views)> mem{};
  std::size_t k = 0;
  const std::array<kokkeops_array, sizeof...(Views)> arrays{to_array(views, mem[k++])...};
  for (int m : mem)
    if (m != mem[0]) throw Error(who + ": host and device views mixed in one call (all views must be in the same memory)");
  memory = mem[0];
  return arrays;
}

/// The entry status as an exception.
inline void throw_status(int rc, const char* message) {
  if (rc == KOKKEOPS_ERROR_ARGUMENT || rc == KOKKEOPS_ERROR_VERSION) throw Error(message);
  if (rc != KOKKEOPS_OK) throw std::runtime_error(message);
}

}  // namespace entry_detail

/// What the string Genred and KernelSolve share: the spec, its keys, the registry lookup.
class FormulaEntry {
 public:
  const strings::EntrySpec& spec() const { return spec_; }
  /// The registry key of the entry for a data type (KOKKEOPS_DTYPE_FLOAT32 or _FLOAT64).
  const std::string& key(std::int32_t dtype) const { return dtype == KOKKEOPS_DTYPE_FLOAT64 ? key64_ : key32_; }

 protected:
  explicit FormulaEntry(strings::EntrySpec spec) : spec_(std::move(spec)) {
    spec_.dtype = "float32";
    key32_ = strings::entry_key(spec_);  // parses and checks everything: errors here, not at the call
    strings::EntrySpec s64 = spec_;
    s64.dtype = "float64";
    key64_ = strings::entry_key(s64);
  }
  FormulaEntry(const FormulaEntry& o) : spec_(o.spec_), key32_(o.key32_), key64_(o.key64_) {}
  FormulaEntry& operator=(const FormulaEntry&) = delete;

  std::string who() const {
    return (spec_.unknown.empty() ? "Genred(\"" : "KernelSolve(\"") + spec_.formula + "\", " +
           (spec_.unknown.empty() ? spec_.reduction : "unknown " + spec_.unknown) + ", axis=" + std::to_string(spec_.axis) + ")";
  }

  const kokkeops_entry_info& entry(std::int32_t dtype) const {
    std::atomic<const kokkeops_entry_info*>& cached = dtype == KOKKEOPS_DTYPE_FLOAT64 ? e64_ : e32_;
    const kokkeops_entry_info* e = cached.load(std::memory_order_acquire);
    if (!e) {
      strings::EntrySpec spec = spec_;
      spec.dtype = dtype == KOKKEOPS_DTYPE_FLOAT64 ? "float64" : "float32";
      e = &strings::runtime::load(spec);  // compiled in, or cached, or compiled now (kokkeops/strings/runtime.hpp)
      cached.store(e, std::memory_order_release);
    }
    return *e;
  }

  strings::EntrySpec spec_;

 private:
  std::string key32_, key64_;
  mutable std::atomic<const kokkeops_entry_info*> e32_{nullptr}, e64_{nullptr};
};

/// A reduction given by KeOps strings; see the top of this header. Made by kokkeops::Genred(formula, aliases,
/// reduction, axis[, opt_arg[, formula2]]).
class FormulaGenred : public FormulaEntry {
 public:
  FormulaGenred(std::string formula, std::vector<std::string> aliases, std::string reduction, int keops_axis,
                int opt_arg = 0, std::string formula2 = {})
      : FormulaEntry(strings::EntrySpec{std::move(formula), std::move(aliases), std::move(reduction), opt_arg,
                                        std::move(formula2), keops_axis, "float32", {}}) {}

  /// `K(outputs..., args...)`: Kokkos views, outputs first (values, indices, or values then indices), then one
  /// view per argument position. The data type (float or double) is the last argument's.
  template <class... Views>
  void operator()(const Views&... views) const {
    static_assert(sizeof...(Views) >= 2, "kokkeops: a string Genred call takes the outputs, then the arguments");
    using Last = typename entry_detail::last_type<Views...>::type;
    static_assert(Kokkos::is_view<Last>::value, "kokkeops: a string Genred call takes Kokkos views only");
    constexpr std::int32_t dtype = entry_detail::dtype_of<typename Last::non_const_value_type>();
    static_assert(dtype == KOKKEOPS_DTYPE_FLOAT32 || dtype == KOKKEOPS_DTYPE_FLOAT64,
                  "kokkeops: the last argument of a string Genred call is a float or double view");
    const kokkeops_entry_info& e = entry(dtype);
    if (static_cast<int>(sizeof...(Views)) != e.num_outputs + e.num_args)
      throw Error(who() + ": " + std::to_string(sizeof...(Views)) + " views given; expected " + std::to_string(e.num_outputs) +
                  " output(s) and " + std::to_string(e.num_args) + " argument(s), one per argument position");
    int memory = 0;
    const auto arrays = entry_detail::to_arrays(who(), e.num_outputs + e.num_args, memory, views...);
    kokkeops_call call{};
    call.abi_version = KOKKEOPS_ENTRY_ABI_VERSION;
    call.struct_size = sizeof(kokkeops_call);
    call.num_outputs = e.num_outputs;
    call.num_args = e.num_args;
    call.outputs = arrays.data();
    call.args = arrays.data() + e.num_outputs;
    call.memory = memory;
    call.segments = segments_;
    char message[2048] = {};
    call.error = message;
    call.error_size = sizeof message;
    entry_detail::throw_status(e.run(&call), message);
  }

  /// The 1D/2D scheme, as Genred(...).segments(k) of the typed API.
  FormulaGenred& segments(int k) {
    if (k < 0) throw Error(who() + ": segments(" + std::to_string(k) + "): 0 (automatic), 1 (1D) or more (2D)");
    segments_ = k;
    return *this;
  }

 private:
  int segments_ = 0;
};

/// A kernel solve given by KeOps strings; see the top of this header. Made by kokkeops::KernelSolve(formula,
/// aliases, unknown, axis).
class FormulaKernelSolve : public FormulaEntry {
 public:
  FormulaKernelSolve(std::string formula, std::vector<std::string> aliases, std::string unknown, int keops_axis)
      : FormulaEntry(strings::EntrySpec{std::move(formula), std::move(aliases), "Sum", 0, {}, keops_axis, "float32",
                                        std::move(unknown)}) {}

  /// `Kinv(solution, args..., [options])`: the solution view (rows, Dv), then one view per argument position
  /// (the unknown's holds the right-hand side), then optionally a SolveOptions.
  template <class... Args>
  SolveReport operator()(const Args&... args) const {
    using Last = typename entry_detail::last_type<Args...>::type;
    if constexpr (std::is_same_v<Last, SolveOptions>)
      return with_options(std::forward_as_tuple(args...), std::make_index_sequence<sizeof...(Args) - 1>{});
    else
      return solve(SolveOptions{}, args...);
  }

  /// The same call with the options first.
  template <class Sol, class... Views>
  SolveReport solve(const SolveOptions& opt, const Sol& solution, const Views&... views) const {
    static_assert(Kokkos::is_view<Sol>::value, "kokkeops: a string KernelSolve call takes the solution view first");
    constexpr std::int32_t dtype = entry_detail::dtype_of<typename Sol::non_const_value_type>();
    static_assert(dtype == KOKKEOPS_DTYPE_FLOAT32 || dtype == KOKKEOPS_DTYPE_FLOAT64,
                  "kokkeops: a string KernelSolve solves float or double systems");
    const kokkeops_entry_info& e = entry(dtype);
    int memory = 0;
    const auto arrays = entry_detail::to_arrays(who(), 1 + e.num_args, memory, solution, views...);
    kokkeops_call call{};
    call.abi_version = KOKKEOPS_ENTRY_ABI_VERSION;
    call.struct_size = sizeof(kokkeops_call);
    call.num_outputs = 1;
    call.num_args = e.num_args;
    call.outputs = arrays.data();
    call.args = arrays.data() + 1;
    call.memory = memory;
    char message[2048] = {};
    call.error = message;
    call.error_size = sizeof message;
    kokkeops_solve_options o;
    kokkeops_solve_options_init(&o);
    o.alpha = opt.alpha();
    o.tolerance = opt.tolerance();
    o.keops_criterion = opt.criterion() == StopCriterion::keops_absolute ? 1 : 0;
    o.max_iterations = opt.max_iterations();
    o.landmarks = opt.landmarks();
    o.seed = opt.seed();
    o.initial_guess = opt.initial_guess() ? 1 : 0;
    o.mixed_precision = opt.mixed_precision() ? 1 : 0;
    o.verbosity = opt.verbosity();
    o.preconditioner = opt.preconditioner() == Preconditioner::none      ? KOKKEOPS_PRECONDITIONER_NONE
                       : opt.preconditioner() == Preconditioner::jacobi  ? KOKKEOPS_PRECONDITIONER_JACOBI
                       : opt.preconditioner() == Preconditioner::nystrom ? KOKKEOPS_PRECONDITIONER_NYSTROM
                                                                         : KOKKEOPS_PRECONDITIONER_AUTOMATIC;
    std::vector<double> rel(static_cast<std::size_t>(std::max(0, e.output_cols[0])), 0.0);
    kokkeops_solve_report r{};
    r.struct_size = sizeof(kokkeops_solve_report);
    r.relative_residual = rel.data();
    r.relative_residual_size = static_cast<std::int32_t>(rel.size());
    entry_detail::throw_status(e.solve(&call, &o, &r), message);
    SolveReport rep;
    rep.converged = r.converged != 0;
    rep.reason = static_cast<StopReason>(r.reason);
    rep.iterations = r.iterations;
    rep.kernel_products = r.kernel_products;
    rep.restarts = r.restarts;
    rep.relative_residual = rel;
    rep.rms_residual = r.rms_residual;
    rep.preconditioner = r.preconditioner == KOKKEOPS_PRECONDITIONER_JACOBI    ? Preconditioner::jacobi
                         : r.preconditioner == KOKKEOPS_PRECONDITIONER_NYSTROM ? Preconditioner::nystrom
                                                                               : Preconditioner::none;
    rep.landmarks = r.landmarks;
    rep.setup_seconds = r.setup_seconds;
    rep.seconds = r.seconds;
    return rep;
  }

 private:
  template <class Tuple, std::size_t... I>
  SolveReport with_options(const Tuple& t, std::index_sequence<I...>) const {
    return solve(std::get<sizeof...(I)>(t), std::get<I>(t)...);
  }
};

/// KeOps' `Genred(formula, aliases, reduction_op, axis, opt_arg, formula2)` with the axis as a tag
/// (axis::j = KeOps axis 1): `Genred("Exp(-SqDist(x, y))", {"x = Vi(3)", "y = Vj(3)"}, "Sum", axis::j)`.
template <class Axis, class = std::enable_if_t<std::is_same_v<Axis, axis::i_t> || std::is_same_v<Axis, axis::j_t>>>
FormulaGenred Genred(std::string formula, std::vector<std::string> aliases, std::string reduction, Axis, int opt_arg = 0,
                     std::string formula2 = {}) {
  return FormulaGenred(std::move(formula), std::move(aliases), std::move(reduction),
                       Axis::reduced == Cat::j ? 1 : 0, opt_arg, std::move(formula2));
}

}  // namespace kokkeops

namespace kokkeops {

/// KeOps' `KernelSolve(formula, aliases, varinvalias, axis)` with the axis as a tag (axis::j = KeOps axis 1):
/// `KernelSolve("Exp(-SqDist(x, y)) * a", {"x = Vi(3)", "y = Vj(3)", "a = Vj(2)"}, "a", axis::j)`.
template <class Axis, class = std::enable_if_t<std::is_same_v<Axis, axis::i_t> || std::is_same_v<Axis, axis::j_t>>>
FormulaKernelSolve KernelSolve(std::string formula, std::vector<std::string> aliases, std::string unknown, Axis) {
  return FormulaKernelSolve(std::move(formula), std::move(aliases), std::move(unknown), Axis::reduced == Cat::j ? 1 : 0);
}

}  // namespace kokkeops

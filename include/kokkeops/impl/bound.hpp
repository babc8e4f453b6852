// Bind once, apply many (issue 16): a reduction bound to a set of arguments validates them, packs them
// into the engine's layout, checks the ranges and plans the launch once, keeps these workspaces, and is
// then applied any number of times on its execution space instance, with new values for any one slot
// packed again on the way (KernelSolve's unknown at every CG product; a time loop's changing weights).
// Every Genred call is a bound reduction applied once.
//
// Execution spaces: everything runs on the instance given (or, for a call without one, on the default
// instance of the output view's execution space). Nothing fences more than that instance, and it is
// fenced only where a host value is needed: the ranges' check (their values), and the end of a call made
// without an instance (which returns when its results are written).
#pragma once

#include <kokkeops/impl/arguments.hpp>
#include <kokkeops/impl/exec.hpp>

#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace kokkeops::impl {

/// Check the outputs of a reduction (values and/or indices): shapes, accessibility from Exec, row counts,
/// no memory shared between them. Returns the output row count.
template <class Exec, class Red, class ValV, class IdxV>
long check_outputs(const std::string& who, const ValV& val, const IdxV& idx) {
  constexpr bool has_val = !std::is_same_v<ValV, NoView>, has_idx = !std::is_same_v<IdxV, NoView>;
  long n = 0;
  if constexpr (has_val) {
    static_assert(Kokkos::is_view<ValV>::value, "kokkeops: the value output must be a Kokkos::View");
    static_assert(!std::is_const_v<typename ValV::value_type>, "kokkeops: the value output must not be a const view");
    check_output<Exec>(who, "output", val, Red::out_dim);
    n = static_cast<long>(val.extent(0));
  }
  if constexpr (has_idx) {
    static_assert(Kokkos::is_view<IdxV>::value, "kokkeops: the index output must be a Kokkos::View");
    using IT = typename IdxV::value_type;
    static_assert(std::is_integral_v<IT> && std::is_signed_v<IT> && !std::is_const_v<IT>,
                  "kokkeops: index outputs (ArgMin, ArgKMin, ...) must be views of a signed integer type "
                  "(int, long, std::int64_t): -1 marks an empty reduction");
    check_output<Exec>(who, "index output", idx, Red::index_dim);
    if (has_val && static_cast<long>(idx.extent(0)) != n)
      throw Error(who + ": index output: has " + std::to_string(idx.extent(0)) + " rows, the value output " +
                  std::to_string(n));
    n = static_cast<long>(idx.extent(0));
    if constexpr (has_val) {
      if (overlaps(val, idx)) throw Error(who + ": the value and index outputs share memory");
    }
  }
  return n;
}

/// An index output's integer type must hold every index up to m - 1.
template <class IdxV>
void check_index_range(const std::string& who, long m) {
  using IT = typename IdxV::value_type;
  if (m > 0 && static_cast<unsigned long long>(m - 1) > static_cast<unsigned long long>(std::numeric_limits<IT>::max()))
    throw Error(who + ": index output: its integer type cannot hold indices up to " + std::to_string(m - 1));
}

/// A reduction (output rows of category RowCat, data type D) bound to its arguments on an instance.
template <Cat RowCat, class Red, class Exec, class D, class RangesT, class... Args>
class BoundReduction {
 public:
  using formula_type = std::decay_t<decltype(std::declval<const Red&>().formula)>;
  using F = formula_type;
  using C = compute_t<D>;
  using execution_space = Exec;
  static constexpr bool ranged = !std::is_same_v<RangesT, NoRanges>;
  static_assert(sizeof...(Args) == static_cast<std::size_t>(Layout<F>::num_slots),
                "kokkeops: internal: a bound reduction takes one view per formula slot");

  /// Validates the arguments for n output rows and the ranges, packs, plans. Throws kokkeops::Error (nothing
  /// is written) on a bad argument.
  BoundReduction(std::string who, const Exec& exec, const Red& red, const RangesT& ranges, long n, const Args&... args)
      : who_(std::move(who)), exec_(exec), red_(red), args_(args...) {
    ext_ = check_inputs<Exec, D, F, RowCat>(who_, n, [](const auto&) { return false; }, args...);
    HostRangeHalf half;
    int segments = 0;
    if constexpr (ranged) {
      const long ni = RowCat == Cat::i ? ext_.n : ext_.m, nj = RowCat == Cat::i ? ext_.m : ext_.n;
      half = check_ranges(who_, exec_, ranges, RowCat == Cat::i, ni, nj);
    } else {
      segments = ranges.segments;
    }
    pk_ = pack_arguments_padded<Exec, C, F, RowCat>(exec_, ext_, ranged, args...);
    plan_ = plan_tiled<Exec, RowCat, D>(exec_, red_, static_cast<int>(ext_.n), static_cast<int>(ext_.m),
                                        ranged ? &half : nullptr, segments);
  }

  /// Output rows and reduced entries.
  long rows() const { return ext_.n; }
  long reduced() const { return ext_.m; }
  const Exec& instance() const { return exec_; }
  const std::string& name() const { return who_; }

  /// New values for slot I: a view of the bound view's type and shape, packed again (that slot only).
  template <int I>
  void update(const std::tuple_element_t<static_cast<std::size_t>(I), std::tuple<Args...>>& v) {
    static_assert(I >= 0 && I < static_cast<int>(sizeof...(Args)), "kokkeops: update<I>: no such slot");
    Extents ext = ext_;
    check_argument<Exec, D, F, RowCat, I>(who_ + ": update", v, [](const auto&) { return false; }, ext);
    std::get<I>(args_) = v;
    pack_argument<Exec, C, F, RowCat, I>(exec_, v, pk_, ext_.m);
  }

  /// Reduce into a value view and/or an index view (NoView for the absent one), on the bound instance
  /// (asynchronously). The outputs are validated first: shape, accessibility, no memory shared with the
  /// bound inputs.
  template <class ValV, class IdxV>
  void apply(const ValV& val, const IdxV& idx) const {
    constexpr bool has_val = !std::is_same_v<ValV, NoView>, has_idx = !std::is_same_v<IdxV, NoView>;
    static_assert(has_val == (Red::out_dim > 0) && has_idx == (Red::index_dim > 0), "kokkeops: internal: outputs");
    const long n = check_outputs<Exec, Red>(who_, val, idx);
    if (n != ext_.n)
      throw Error(who_ + ": the output has " + std::to_string(n) + " rows, the bound arguments " +
                  std::to_string(ext_.n));
    if constexpr (has_idx) check_index_range<IdxV>(who_, ext_.m);
    std::apply(
        [&](const auto&... a) {
          int slot = 0;
          const auto one = [&](const auto& v) {
            if (overlaps_output(v, val) || overlaps_output(v, idx))
              throw Error(who_ + ": argument " + std::to_string(slot) + " shares memory with the output");
            ++slot;
          };
          (one(a), ...);
        },
        args_);
    launch_tiled<Exec, RowCat, D>(exec_, red_, Sink<ValV, IdxV>{val, idx}, pk_, plan_);
  }

  /// Reductions with one output (values or indices).
  template <class Out>
  void operator()(const Out& out) const {
    if constexpr (Red::out_dim > 0) apply(out, NoView{});
    else apply(NoView{}, out);
  }
  /// Reductions with values and indices (Min_ArgMin, KMin_ArgKMin, ...).
  template <class ValV, class IdxV>
  void operator()(const ValV& val, const IdxV& idx) const {
    apply(val, idx);
  }

 private:
  std::string who_;
  Exec exec_;
  Red red_;
  std::tuple<Args...> args_;
  Extents ext_;
  Packed<C, Exec> pk_;
  LaunchPlan<Exec, D, Red> plan_;
};

/// Validate, bind and reduce once: the outputs (values and/or indices, NoView for the absent one), then one
/// view per slot, on `exec` (an instance, or SyncCall: the default instance, fenced before returning).
template <Cat RowCat, class Red, class ExecArg, class RangesT, class ValV, class IdxV, class... Args>
void run_outputs(const std::string& who, const ExecArg& exec_arg, const Red& red, const RangesT& ranges, const ValV& val,
                 const IdxV& idx, const Args&... args) {
  constexpr bool has_val = !std::is_same_v<ValV, NoView>;
  using F = std::decay_t<decltype(red.formula)>;
  using Primary = std::conditional_t<has_val, ValV, IdxV>;
  static_assert(Kokkos::is_view<Primary>::value, "kokkeops: the outputs must be Kokkos::Views");
  using Exec = exec_for<ExecArg, Primary>;
  using D = typename std::conditional_t<has_val, ValV, first_used_arg<F, Args...>>::non_const_value_type;
  static_assert(is_data_type_v<D>, "kokkeops: Genred supports half, float and double data");
  const Region region(who);
  const Exec exec = instance_of<Exec>(exec_arg);
  const long n = check_outputs<Exec, Red>(who, val, idx);
  // (The argument count is checked first, so that a wrong count is an Error, not a compile error.)
  (void)check_inputs<Exec, D, F, RowCat>(
      who, n, [&](const auto& v) { return overlaps_output(v, val) || overlaps_output(v, idx); }, args...);
  if constexpr (sizeof...(Args) == static_cast<std::size_t>(Layout<F>::num_slots)) {
    const BoundReduction<RowCat, Red, Exec, D, RangesT, Args...> bound(who, exec, red, ranges, n, args...);
    bound.apply(val, idx);
    if constexpr (std::is_same_v<ExecArg, SyncCall>) exec.fence();
  }
}

template <Cat RowCat, int NO, class Red, class ExecArg, class RangesT, class Tup, std::size_t... I>
void run_split(const std::string& who, const ExecArg& exec, const Red& red, const RangesT& ranges, const Tup& views,
               std::index_sequence<I...>) {
  if constexpr (NO == 2)
    run_outputs<RowCat>(who, exec, red, ranges, std::get<0>(views), std::get<1>(views), std::get<2 + I>(views)...);
  else if constexpr (Red::out_dim > 0)
    run_outputs<RowCat>(who, exec, red, ranges, std::get<0>(views), NoView{}, std::get<1 + I>(views)...);
  else
    run_outputs<RowCat>(who, exec, red, ranges, NoView{}, std::get<0>(views), std::get<1 + I>(views)...);
}

/// A Genred call: optionally the ranges, then the reduction's outputs (values, then indices), then one view
/// per slot, on `exec` (an instance, or SyncCall). `segments`: the 2D scheme's request (0: automatic;
/// block-sparse calls are 1D).
template <Cat RowCat, class Red, class ExecArg, class First, class... Views>
void run_genred(const std::string& who, int segments, const Red& red, const ExecArg& exec, const First& first,
                const Views&... views) {
  constexpr int NO = (Red::out_dim > 0 ? 1 : 0) + (Red::index_dim > 0 ? 1 : 0);
  if (segments < 0)
    throw Error(who + ": segments(" + std::to_string(segments) + "): the segment count must be 0 (automatic), 1 (1D) "
                "or more (2D)");
  if constexpr (is_ranges_v<First>) {
    if (segments > 1)
      throw Error(who + ": the 2D scheme (segments(" + std::to_string(segments) +
                  ")) is not supported with ranges: block-sparse reductions use the 1D scheme");
    static_assert(static_cast<int>(sizeof...(Views)) >= NO,
                  "kokkeops: missing output view(s): this reduction writes values and indices, pass both first");
    run_split<RowCat, NO>(who, exec, red, first, std::tie(views...), std::make_index_sequence<sizeof...(Views) - NO>{});
  } else {
    static_assert(static_cast<int>(sizeof...(Views)) + 1 >= NO,
                  "kokkeops: missing output view(s): this reduction writes values and indices, pass both first");
    run_split<RowCat, NO>(who, exec, red, NoRanges{segments}, std::tie(first, views...),
                          std::make_index_sequence<sizeof...(Views) + 1 - NO>{});
  }
}

/// The rows of the first argument of category RowCat (-1: none).
template <Cat RowCat, class F, class... Args>
long row_count_of(const Args&... args) {
  long n = -1;
  int slot = 0;
  const auto one = [&](const auto& a) {
    using A = std::decay_t<decltype(a)>;
    if (n < 0 && slot < formulas::detail::kMaxSlots && Layout<F>::table.dim[slot] != 0 &&
        Layout<F>::table.cat[slot] == static_cast<int>(RowCat)) {
      if constexpr (Kokkos::is_view<A>::value && A::rank == 2) n = static_cast<long>(a.extent(0));
    }
    ++slot;
  };
  (one(args), ...);
  return n;
}

}  // namespace kokkeops::impl

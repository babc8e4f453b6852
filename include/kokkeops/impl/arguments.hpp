// Argument checking and packing shared by every entry point: validate the Kokkos views bound to the
// formula's slots (count, rank, dims, lengths, value type, memory space, aliasing), then copy them
// into the engine's packed layout.
#pragma once

#include <kokkeops/error.hpp>
#include <kokkeops/impl/engine.hpp>
#include <kokkeops/impl/range.hpp>
#include <kokkeops/ranges.hpp>

#include <limits>
#include <sstream>
#include <tuple>
#include <utility>

namespace kokkeops::impl {

inline const char* cat_name(Cat c) { return c == Cat::i ? "Vi" : c == Cat::j ? "Vj" : "Pm"; }

template <class V>
std::string shape_of(const V& v) {
  std::ostringstream s;
  s << "(";
  for (unsigned r = 0; r < V::rank; ++r) s << (r ? ", " : "") << v.extent(r);
  s << ")";
  return s.str();
}

template <class V>
const char* memory_space_name() {
  return V::memory_space::name();
}

/// Sizes found while checking: n output rows, m reduced entries.
struct Extents {
  long n = 0;
  long m = -1;  // -1: no variable of the reduced category
};

template <class A, class B>
bool overlaps(const A& a, const B& b) {
  if (a.span() == 0 || b.span() == 0) return false;
  const char* a0 = reinterpret_cast<const char*>(a.data());
  const char* b0 = reinterpret_cast<const char*>(b.data());
  const char* a1 = a0 + a.span() * sizeof(typename A::value_type);
  const char* b1 = b0 + b.span() * sizeof(typename B::value_type);
  return a0 < b1 && b0 < a1;
}

/// Check one argument against slot I of formula F. `who` prefixes every message.
template <class Exec, class T, class F, Cat RowCat, int I, class V, class Overlap>
void check_argument(const std::string& who, const V& v, const Overlap& overlaps_output, Extents& ext) {
  static_assert(Kokkos::is_view<V>::value, "kokkeops: every argument must be a Kokkos::View");
  constexpr auto table = Layout<F>::table;
  const int d = table.dim[I];
  std::ostringstream arg;
  arg << who << ": argument " << I;
  if (d == 0) return;  // slot not used by the formula: ignored
  const Cat c = static_cast<Cat>(table.cat[I]);
  arg << " (" << cat_name(c) << "(" << I << "," << d << "))";
  if (!std::is_same_v<typename V::non_const_value_type, T>)
    throw Error(arg.str() + ": value type differs from the output's (all arguments and the output share one scalar type)");
  if (!Kokkos::SpaceAccessibility<Exec, typename V::memory_space>::accessible)
    throw Error(arg.str() + ": view in memory space " + memory_space_name<V>() +
                " is not accessible from the execution space " + Exec::name());
  if (c == Cat::p) {
    if (V::rank != 1 || static_cast<long>(v.extent(0)) != d)
      throw Error(arg.str() + ": expected a rank-1 view of length " + std::to_string(d) + ", got shape " + shape_of(v));
  } else {
    const bool is_row = c == RowCat;
    const char* len_name = is_row ? "the output's row count" : "the other reduced variables' length";
    if (V::rank != 2 || static_cast<long>(v.extent(V::rank > 1 ? 1 : 0)) != d)
      throw Error(arg.str() + ": expected a rank-2 view of shape (" + (is_row ? "n" : "m") + ", " +
                  std::to_string(d) + "), got shape " + shape_of(v));
    const long len = static_cast<long>(v.extent(0));
    if (is_row) {
      if (len != ext.n)
        throw Error(arg.str() + ": has " + std::to_string(len) + " rows, expected " + std::to_string(ext.n) + " (" +
                    len_name + ")");
    } else if (ext.m < 0) {
      ext.m = len;
    } else if (len != ext.m) {
      throw Error(arg.str() + ": has " + std::to_string(len) + " rows, expected " + std::to_string(ext.m) + " (" +
                  len_name + ")");
    }
  }
  if (overlaps_output(v)) throw Error(arg.str() + ": shares memory with the output");
}

template <class Exec, class T, class F, Cat RowCat, class Overlap, class... Args, std::size_t... I>
Extents check_arguments_impl(const std::string& who, long n, const Overlap& overlap, std::index_sequence<I...>,
                             const Args&... args) {
  Extents ext;
  ext.n = n;
  (check_argument<Exec, T, F, RowCat, static_cast<int>(I)>(who, args, overlap, ext), ...);
  return ext;
}

/// The checks on the inputs that follow the outputs' own: count, each slot, the reduced length.
template <class Exec, class T, class F, Cat RowCat, class Overlap, class... Args>
Extents check_inputs(const std::string& who, long n, const Overlap& overlap, const Args&... args) {
  constexpr int ns = Layout<F>::num_slots;
  if (static_cast<int>(sizeof...(Args)) != ns)
    throw Error(who + ": expected " + std::to_string(ns) + " arguments (slots 0.." + std::to_string(ns - 1) +
                " of the formula), got " + std::to_string(sizeof...(Args)));
  Extents ext = check_arguments_impl<Exec, T, F, RowCat>(who, n, overlap, std::index_sequence_for<Args...>{}, args...);
  constexpr Cat col = RowCat == Cat::i ? Cat::j : Cat::i;
  if (ext.m < 0)
    throw Error(who + ": the formula has no " + cat_name(col) +
                " variable, so the length of the reduced axis is unknown");
  if (ext.n > 0x7fffffffL || ext.m > 0x7fffffffL) throw Error(who + ": more than 2^31-1 rows is not supported");
  return ext;
}

/// Validate everything before anything is written. Returns n and m.
template <class Exec, class T, class F, Cat RowCat, int OutDim, class Out, class... Args>
Extents check_arguments(const std::string& who, const Out& out, const Args&... args) {
  static_assert(Kokkos::is_view<Out>::value, "kokkeops: the output must be a Kokkos::View");
  constexpr int ns = Layout<F>::num_slots;
  if (static_cast<int>(sizeof...(Args)) != ns)
    throw Error(who + ": expected " + std::to_string(ns) + " arguments (slots 0.." + std::to_string(ns - 1) +
                " of the formula), got " + std::to_string(sizeof...(Args)));
  if (Out::rank != 2 || static_cast<int>(out.extent(Out::rank > 1 ? 1 : 0)) != OutDim)
    throw Error(who + ": output: expected a rank-2 view of shape (n, " + std::to_string(OutDim) + "), got shape " +
                shape_of(out));
  if (!Kokkos::SpaceAccessibility<Exec, typename Out::memory_space>::accessible)
    throw Error(who + ": output: memory space " + memory_space_name<Out>() + " is not accessible from " + Exec::name());
  return check_inputs<Exec, T, F, RowCat>(
      who, static_cast<long>(out.extent(0)), [&](const auto& v) { return overlaps(v, out); }, args...);
}

/// Copy slot I's view into the packed layout.
template <class Exec, class T, class F, Cat RowCat, int I, class V>
void pack_argument(const Exec& exec, const V& v, const Packed<T, Exec>& pk, long m) {
  constexpr auto table = Layout<F>::table;
  constexpr int d = table.dim[I];
  if constexpr (d != 0) {
    constexpr Cat c = static_cast<Cat>(table.cat[I]);
    constexpr int o = Layout<F>::template offset<I>;
    if constexpr (c == Cat::p) {
      if constexpr (V::rank == 1) {
        auto dst = pk.params;
        Kokkos::parallel_for(
            "kokkeops::pack_params", impl::range(exec, d),
            KOKKOS_LAMBDA(int k) { dst(o + k) = static_cast<T>(v(k)); });
      }
    } else if constexpr (V::rank == 2) {
      if constexpr (c == RowCat) {
        auto dst = pk.rows;
        Kokkos::parallel_for(
            "kokkeops::pack_rows", impl::range(exec, v.extent(0)),
            KOKKOS_LAMBDA(long i) {
              for (int k = 0; k < d; ++k) dst(i, o + k) = static_cast<T>(v(i, k));
            });
      } else {
        // Padding past m repeats the last entry (finite data); the engine masks it out anyway.
        auto dst = pk.cols;
        const std::ptrdiff_t stride = pk.stride;
        Kokkos::parallel_for(
            "kokkeops::pack_cols", impl::range(exec, stride),
            KOKKOS_LAMBDA(long j) {
              const long src = j < m ? j : m - 1;
              for (int k = 0; k < d; ++k) dst((o + k) * stride + j) = src >= 0 ? static_cast<T>(v(src, k)) : T(0);
            });
      }
    }
  }
}

template <class Exec, class T, class F, Cat RowCat, class... Args, std::size_t... I>
void pack_all(const Exec& exec, const Packed<T, Exec>& pk, long m, std::index_sequence<I...>, const Args&... args) {
  (pack_argument<Exec, T, F, RowCat, static_cast<int>(I)>(exec, args, pk, m), ...);
}

/// Pack for the engine. `pad`: one more vector of padding after each component (block-sparse
/// ranges start anywhere, and a vector load at the end of a range may run past m).
template <class Exec, class T, class F, Cat RowCat, class... Args>
Packed<T, Exec> pack_arguments_padded(const Exec& exec, const Extents& ext, bool pad, const Args&... args) {
  using L = Layout<F>;
  constexpr Cat col = RowCat == Cat::i ? Cat::j : Cat::i;
  constexpr int lanes = BackendTraits<Exec, T>::lanes;
  Packed<T, Exec> pk;
  pk.stride = ((ext.m + lanes - 1) / lanes) * lanes + (pad ? lanes : 0);
  const auto noinit = [](const char* label) { return Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(label)); };
  pk.rows = decltype(pk.rows)(noinit("kokkeops::rows"), L::width(RowCat) > 0 ? ext.n : 0, L::width(RowCat));
  pk.cols = decltype(pk.cols)(noinit("kokkeops::cols"), L::width(col) * pk.stride);
  pk.params = decltype(pk.params)(noinit("kokkeops::params"), L::width(Cat::p));
  pack_all<Exec, T, F, RowCat>(exec, pk, ext.m, std::index_sequence_for<Args...>{}, args...);
  return pk;
}

template <class Exec, class T, class F, Cat RowCat, class... Args>
Packed<T, Exec> pack_arguments(const Exec& exec, const Extents& ext, const Args&... args) {
  return pack_arguments_padded<Exec, T, F, RowCat>(exec, ext, false, args...);
}

/// The scalar type of the first argument the formula uses (the data type of index-only reductions).
template <class F, class... Args>
struct first_used_arg {
  static constexpr int index() {
    constexpr auto table = Layout<F>::table;
    for (int s = 0; s < formulas::detail::kMaxSlots; ++s)
      if (table.dim[s] != 0) return s;
    return 0;
  }
  static constexpr std::size_t pos = static_cast<std::size_t>(index()) < sizeof...(Args) ? index() : 0;
  using non_const_value_type =
      typename std::tuple_element_t<pos, std::tuple<Args..., Kokkos::View<float*>>>::non_const_value_type;
};

template <class V, class Out>
bool overlaps_output(const V& v, const Out& out) {
  if constexpr (std::is_same_v<Out, NoView>) return false;
  else return overlaps(v, out);
}

/// Check one output view of a reduction: rank 2, (n, dim), accessible.
template <class Exec, class O>
void check_output(const std::string& who, const char* what, const O& out, int dim) {
  if (O::rank != 2 || static_cast<int>(out.extent(O::rank > 1 ? 1 : 0)) != dim)
    throw Error(who + ": " + what + ": expected a rank-2 view of shape (n, " + std::to_string(dim) + "), got shape " +
                shape_of(out));
  if (!Kokkos::SpaceAccessibility<Exec, typename O::memory_space>::accessible)
    throw Error(who + ": " + what + ": memory space " + memory_space_name<O>() + " is not accessible from " +
                Exec::name());
}

/// A dense call (no ranges), with the 2D scheme's segment request (see choose_segments).
struct NoRanges {
  int segments = 0;
};

}  // namespace kokkeops::impl

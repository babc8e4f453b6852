// The naive host oracle: evaluates the same formula types pair by pair in long double, with the C
// library's math functions, one output row at a time. No tiling, no packing, no fast exp.
#pragma once

#include <kokkeops/kokkeops.hpp>

#include <cmath>
#include <vector>

namespace kokkeops::test {

/// One argument, copied to the host in long double, row-major (rows, dim).
struct HostArg {
  std::vector<long double> data;
  long rows = 0;
  int dim = 0;
};

template <class V>
HostArg host_arg(const V& v) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  HostArg a;
  if constexpr (V::rank == 1) {
    a.rows = 1;
    a.dim = static_cast<int>(h.extent(0));
    for (long k = 0; k < a.dim; ++k) a.data.push_back(static_cast<long double>(h(k)));
  } else {
    a.rows = static_cast<long>(h.extent(0));
    a.dim = static_cast<int>(h.extent(1));
    for (long r = 0; r < a.rows; ++r)
      for (long k = 0; k < a.dim; ++k) a.data.push_back(static_cast<long double>(h(r, k)));
  }
  return a;
}

template <class... V>
std::vector<HostArg> host_args(const V&... v) {
  return {host_arg(v)...};
}

struct OracleMath {
  template <class T>
  static T exp(T x) { return std::exp(x); }
  template <class T>
  static T log(T x) { return std::log(x); }
  template <class T>
  static T sqrt(T x) { return std::sqrt(x); }
  template <class T>
  static T rsqrt(T x) { return T(1) / std::sqrt(x); }
  template <class T>
  static T sin(T x) { return std::sin(x); }
  template <class T>
  static T cos(T x) { return std::cos(x); }
  template <class T>
  static T asin(T x) { return std::asin(x); }
  template <class T>
  static T acos(T x) { return std::acos(x); }
  template <class T>
  static T atan(T x) { return std::atan(x); }
  template <class T>
  static T atan2(T y, T x) { return std::atan2(y, x); }
  template <class T>
  static T floor(T x) { return std::floor(x); }
  template <class T>
  static T pow(T x, T y) { return std::pow(x, y); }
  template <class T>
  static T round(T x) { return std::round(x); }  // the C library's, not the policies' floor-based one
};

struct OracleCtx {
  using math = OracleMath;
  const std::vector<HostArg>* args;
  long i, j;
  template <Cat C, int I, int D>
  void load(long double* out) const {
    const HostArg& a = (*args)[I];
    const long r = C == Cat::i ? i : C == Cat::j ? j : 0;
    for (int k = 0; k < D; ++k) out[k] = a.data[static_cast<std::size_t>(r * D + k)];
  }
};

/// Sum reduction reference for the listed output rows: value and the sum of absolute terms
/// (the scale against which the engine's rounding error is judged).
struct SumReference {
  std::vector<long> rows;
  std::vector<long double> value;  // rows.size() x dim
  std::vector<long double> scale;  // rows.size() x dim
  int dim = 0;
};

template <class F>
SumReference oracle_sum(const F& f, Cat output, const std::vector<HostArg>& args, long m, std::vector<long> rows) {
  SumReference ref;
  ref.dim = F::dim;
  ref.rows = std::move(rows);
  for (long r : ref.rows) {
    std::vector<long double> acc(F::dim, 0.0L), sc(F::dim, 0.0L);
    for (long q = 0; q < m; ++q) {
      OracleCtx ctx{&args, output == Cat::i ? r : q, output == Cat::i ? q : r};
      long double v[F::dim];
      f.eval(v, ctx);
      for (int k = 0; k < F::dim; ++k) {
        acc[k] += v[k];
        sc[k] += std::fabs(v[k]);
      }
    }
    ref.value.insert(ref.value.end(), acc.begin(), acc.end());
    ref.scale.insert(ref.scale.end(), sc.begin(), sc.end());
  }
  return ref;
}

}  // namespace kokkeops::test

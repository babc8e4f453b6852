// Shared test helpers: random views in the backend's memory space, an allclose check that reports
// the worst entries, precision-scaled tolerances.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <numeric>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "reference/oracle.hpp"

namespace kokkeops::test {

/// The precisions of the typed test suites: float and double, or float only in a build configured with
/// -DKokkeops_TEST_DOUBLE=OFF (CI's compile-only HIP configuration: the same templates, half the time).
#if defined(KOKKEOPS_TEST_FLOAT_ONLY)
using Precisions = ::testing::Types<float>;
#else
using Precisions = ::testing::Types<float, double>;
#endif

template <class T, class Mem>
using Mat = Kokkos::View<T**, Kokkos::LayoutRight, Mem>;
template <class T, class Mem>
using Vec = Kokkos::View<T*, Mem>;

/// (rows, dim) view with entries ~ N(mean, sd), reproducible from the seed.
template <class T, class Mem>
Mat<T, Mem> random_mat(long rows, int dim, unsigned seed, double mean = 0, double sd = 1) {
  Mat<T, Mem> v("random", rows, dim);
  auto h = Kokkos::create_mirror_view(v);
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> dist(mean, sd);
  for (long r = 0; r < rows; ++r)
    for (int k = 0; k < dim; ++k) h(r, k) = static_cast<T>(dist(gen));
  Kokkos::deep_copy(v, h);
  return v;
}

template <class T, class Mem>
Vec<T, Mem> param(std::initializer_list<double> values) {
  Vec<T, Mem> v("param", values.size());
  auto h = Kokkos::create_mirror_view(v);
  long k = 0;
  for (double x : values) h(k++) = static_cast<T>(x);
  Kokkos::deep_copy(v, h);
  return v;
}

/// Relative tolerance (against the sum of absolute terms) for a float or double reduction.
template <class T>
constexpr double sum_rtol() {
  return sizeof(T) == 4 ? 1e-4 : 1e-12;
}

/// True when the tests run under an emulator (KOKKEOPS_TEST_EMULATED=1: CI's aarch64 build under qemu-user,
/// 20 to 50 times slower than native): the largest problem sizes are left out there.
inline bool emulated() {
  const char* e = std::getenv("KOKKEOPS_TEST_EMULATED");
  return e != nullptr && e[0] == '1';
}

/// Rows to check against the oracle: all of them when cheap, else 64 spread over [0, n).
inline std::vector<long> rows_to_check(long n, long m) {
  std::vector<long> rows;
  if (n * std::max(m, 1L) <= 4000000L) {
    for (long r = 0; r < n; ++r) rows.push_back(r);
  } else {
    for (long k = 0; k < 64; ++k) rows.push_back(k * (n - 1) / 63);
  }
  return rows;
}

/// Every checked entry: |got - ref| <= rtol * scale + tiny. Reports the five worst entries.
template <class Out>
::testing::AssertionResult matches_reference(const Out& out, const SumReference& ref, double rtol) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  struct Bad {
    long row;
    int k;
    double got, want, err, allowed;
  };
  std::vector<Bad> bad;
  for (std::size_t q = 0; q < ref.rows.size(); ++q)
    for (int k = 0; k < ref.dim; ++k) {
      const double want = static_cast<double>(ref.value[q * ref.dim + k]);
      const double got = static_cast<double>(h(ref.rows[q], k));
      const double allowed = rtol * static_cast<double>(ref.scale[q * ref.dim + k]) + 1e-30;
      const double err = std::fabs(got - want);
      if (!(err <= allowed)) bad.push_back({ref.rows[q], k, got, want, err, allowed});
    }
  if (bad.empty()) return ::testing::AssertionSuccess();
  std::sort(bad.begin(), bad.end(), [](const Bad& a, const Bad& b) { return a.err / a.allowed > b.err / b.allowed; });
  std::ostringstream s;
  s << bad.size() << " of " << ref.rows.size() * ref.dim << " entries differ from the oracle; worst:";
  for (std::size_t q = 0; q < std::min<std::size_t>(5, bad.size()); ++q)
    s << "\n  out(" << bad[q].row << "," << bad[q].k << ") = " << bad[q].got << ", oracle " << bad[q].want
      << ", |err| " << bad[q].err << " > " << bad[q].allowed;
  return ::testing::AssertionFailure() << s.str();
}

/// F(r, q) for q = 0..m-1 of output row r: m x dim values in long double.
template <class F>
std::vector<long double> pair_row(const F& f, Cat output, const std::vector<HostArg>& args, long r, long m) {
  std::vector<long double> v(static_cast<std::size_t>(m * F::dim));
  for (long q = 0; q < m; ++q) {
    OracleCtx ctx{&args, output == Cat::i ? r : q, output == Cat::i ? q : r};
    f.eval(&v[static_cast<std::size_t>(q * F::dim)], ctx);
  }
  return v;
}

/// Reference ranking for component k of a row: indices sorted by value (NaN first), ties by index.
inline std::vector<long> ranked(const std::vector<long double>& row, int dim, int k, bool max) {
  const long m = static_cast<long>(row.size()) / dim;
  std::vector<long> idx(static_cast<std::size_t>(m));
  std::iota(idx.begin(), idx.end(), 0L);
  std::stable_sort(idx.begin(), idx.end(), [&](long a, long b) {
    const long double x = row[static_cast<std::size_t>(a * dim + k)], y = row[static_cast<std::size_t>(b * dim + k)];
    if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && !std::isnan(y);
    return max ? x > y : x < y;
  });
  return idx;
}

/// A host copy of a view.
template <class V>
auto host(const V& v) {
  return Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
}

/// A float copy, in the same memory space, of a rank-1 or rank-2 view of doubles.
template <class V>
auto to_float(const V& v) {
  using Mem = typename V::memory_space;
  const auto h = host(v);
  if constexpr (V::rank == 1) {
    Vec<float, Mem> o("to_float", v.extent(0));
    auto ho = Kokkos::create_mirror_view(o);
    for (std::size_t k = 0; k < h.extent(0); ++k) ho(k) = static_cast<float>(h(k));
    Kokkos::deep_copy(o, ho);
    return o;
  } else {
    Mat<float, Mem> o("to_float", v.extent(0), v.extent(1));
    auto ho = Kokkos::create_mirror_view(o);
    for (std::size_t r = 0; r < h.extent(0); ++r)
      for (std::size_t k = 0; k < h.extent(1); ++k) ho(r, k) = static_cast<float>(h(r, k));
    Kokkos::deep_copy(o, ho);
    return o;
  }
}

// Integer-valued points: every SqDist is exact in float and ties are everywhere, so the selected
// indices must equal the reference's exactly (lowest index among equals).
template <class T, class Mem>
Mat<T, Mem> integer_mat(long rows, int dim, unsigned seed, int range) {
  Mat<T, Mem> v("int_points", rows, dim);
  auto h = Kokkos::create_mirror_view(v);
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> d(-range, range);
  for (long r = 0; r < rows; ++r)
    for (int k = 0; k < dim; ++k) h(r, k) = static_cast<T>(d(gen));
  Kokkos::deep_copy(v, h);
  return v;
}

/// Bytes of a view, to prove a rejected call left its output untouched.
template <class V>
std::vector<unsigned char> bytes_of(const V& v) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  std::vector<unsigned char> b(h.span() * sizeof(typename V::value_type));
  if (!b.empty()) std::memcpy(b.data(), h.data(), b.size());
  return b;
}

// Expect `call` to throw kokkeops::Error whose message contains `needle`, with `out` unchanged.
template <class Out, class Call>
void expect_rejected(const Out& out, Call call, const std::string& needle) {
  const auto before = bytes_of(out);
  try {
    call();
    ADD_FAILURE() << "expected kokkeops::Error containing \"" << needle << "\"";
  } catch (const kokkeops::Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << "message: " << e.what();
  }
  EXPECT_EQ(before, bytes_of(out)) << "a rejected call modified its output";
}

/// Global fences (Kokkos::fence()) seen while it lives. Kokkos >= 4 reports them to Kokkos Tools' fence
/// callback (device id with instance bits 0: GlobalDeviceSynchronization); Kokkos 3.4 emits no fence event,
/// so there the test executables are linked with -Wl,--wrap of Kokkos::fence() (tests/CMakeLists.txt,
/// KOKKEOPS_TEST_WRAP_FENCE) and tests/main.cpp counts the calls. The counter proves itself at construction:
/// works() is whether an explicit Kokkos::fence() was seen.
std::atomic<long>& global_fence_count();  // (tests/main.cpp)
class GlobalFenceCounter {
 public:
  GlobalFenceCounter() {
#if !defined(KOKKEOPS_TEST_WRAP_FENCE)
    Kokkos::Tools::Experimental::set_begin_fence_callback(&begin);
    Kokkos::Tools::Experimental::set_end_fence_callback(&end);
#endif
    reset();
    Kokkos::fence();
    works_ = count() > 0;
    reset();
  }
  ~GlobalFenceCounter() {
#if !defined(KOKKEOPS_TEST_WRAP_FENCE)
    Kokkos::Tools::Experimental::set_begin_fence_callback(nullptr);
    Kokkos::Tools::Experimental::set_end_fence_callback(nullptr);
#endif
  }
  GlobalFenceCounter(const GlobalFenceCounter&) = delete;
  GlobalFenceCounter& operator=(const GlobalFenceCounter&) = delete;
  long count() const { return global_fence_count().load(); }
  void reset() { global_fence_count() = 0; }
  bool works() const { return works_; }
  static std::string how() {
#if defined(KOKKEOPS_TEST_WRAP_FENCE)
    return "calls of Kokkos::fence() (-Wl,--wrap)";
#else
    return "Kokkos Tools' begin-fence callback";
#endif
  }

 private:
#if !defined(KOKKEOPS_TEST_WRAP_FENCE)
  static void begin(const char*, const std::uint32_t device_id, std::uint64_t* handle) {
    *handle = 0;
    if ((device_id & 0x00ffffffu) == 0) ++global_fence_count();  // no instance: a global fence
  }
  static void end(std::uint64_t) {}
#endif
  bool works_ = false;
};

/// The Kokkos Tools regions pushed while it lives.
class RegionRecorder {
 public:
  RegionRecorder() {
    names().clear();
    depth() = 0;
    Kokkos::Tools::Experimental::set_push_region_callback(&push);
    Kokkos::Tools::Experimental::set_pop_region_callback(&pop);
  }
  ~RegionRecorder() {
    Kokkos::Tools::Experimental::set_push_region_callback(nullptr);
    Kokkos::Tools::Experimental::set_pop_region_callback(nullptr);
  }
  RegionRecorder(const RegionRecorder&) = delete;
  RegionRecorder& operator=(const RegionRecorder&) = delete;
  bool saw(const std::string& prefix) const {
    for (const auto& n : names())
      if (n.rfind(prefix, 0) == 0) return true;
    return false;
  }
  bool balanced() const { return depth() == 0; }
  std::string str() const {
    std::string s = "regions:";
    for (const auto& n : names()) s += " [" + n + "]";
    return s;
  }

 private:
  static std::vector<std::string>& names() {
    static std::vector<std::string> v;
    return v;
  }
  static int& depth() {
    static int d = 0;
    return d;
  }
  static void push(const char* name) {
    names().push_back(name);
    ++depth();
  }
  static void pop() { --depth(); }
};

/// Every element of a equal, bit for bit, to b's (a string entry against the same typed formula).
template <class T, class I = T, class Mem>
void expect_bitwise(const Kokkos::View<I**, Kokkos::LayoutRight, Mem>& a, const Kokkos::View<I**, Kokkos::LayoutRight, Mem>& b) {
  auto ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, a);
  auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, b);
  ASSERT_EQ(ha.extent(0), hb.extent(0));
  ASSERT_EQ(ha.extent(1), hb.extent(1));
  long differ = 0;
  for (std::size_t r = 0; r < ha.extent(0); ++r)
    for (std::size_t c = 0; c < ha.extent(1); ++c)
      if (std::memcmp(&ha(r, c), &hb(r, c), sizeof(I)) != 0) ++differ;
  EXPECT_EQ(differ, 0) << "entries differing from the typed formula's";
}

}  // namespace kokkeops::test

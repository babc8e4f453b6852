// Formula strings compiled at build time (kokkeops_add_formulas in tests/CMakeLists.txt, set "test_entries"):
// each string entry gives bit for bit the output of the same typed formula: a sum on both axes in float and
// double; the K-selections with their indices, a two-output reduction and a formula2 reduction in double; the
// seed's KernelSolve in float and double; and every bad call is a clear error (not compiled in, wrong view count,
// a bad shape, another ABI version, a bad unknown).
#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>
#include <cstdint>
#include <cstring>
#include <kokkeops/kokkeops.hpp>
#include <kokkeops/strings/api.hpp>
#include <string>

#include "kokkeops_formulas_test_entries.h"
#include "test_helpers.hpp"

namespace ko = kokkeops;
namespace kt = kokkeops::test;
using namespace kokkeops::formulas;
using Mem = Kokkos::DefaultExecutionSpace::memory_space;

namespace {

void register_once() {
  static const int rc = kokkeops_register_test_entries();
  ASSERT_EQ(rc, KOKKEOPS_OK);
}

template <class T>
class StringEntries : public ::testing::Test {};
TYPED_TEST_SUITE(StringEntries, kt::Precisions);

}  // namespace

TYPED_TEST(StringEntries, GaussianSumMatchesTypedBothAxes) {
  using T = TypeParam;
  register_once();
  const auto x = kt::random_mat<T, Mem>(301, 3, 1), y = kt::random_mat<T, Mem>(517, 3, 2);
  const auto bj = kt::random_mat<T, Mem>(517, 2, 3), bi = kt::random_mat<T, Mem>(301, 2, 4);
  const auto g = kt::param<T, Mem>({0.7});
  const Vi<0, 3> xi;
  const Vj<1, 3> yj;
  const Vj<2, 2> b;
  const Pm<3, 1> gp;
  {  // axis 1 (reduce over j)
    kt::Mat<T, Mem> out("out", 301, 2), ref("ref", 301, 2);
    ko::Genred("Exp(-g * SqDist(x, y)) * b", {"x = Vi(3)", "y = Vj(3)", "b = Vj(2)", "g = Pm(1)"}, "Sum", ko::axis::j)(
        out, x, y, bj, g);
    ko::Genred(ko::Sum(Exp(-gp * SqDist(xi, yj)) * b), ko::axis::j)(ref, x, y, bj, g);
    kt::expect_bitwise<T>(out, ref);
  }
  {  // axis 0 (reduce over i): the same formula spelled differently, with the weights indexed by i
    const Vi<2, 2> bw;
    kt::Mat<T, Mem> out("out", 517, 2), ref("ref", 517, 2);
    ko::Genred("Exp(-g*SqDist(x,y))*w", {"x = Vi(3)", "y = Vj(3)", "w = Vi(2)", "g = Pm(1)"}, "Sum", ko::axis::i)(
        out, x, y, bi, g);
    ko::Genred(ko::Sum(Exp(-gp * SqDist(xi, yj)) * bw), ko::axis::i)(ref, x, y, bi, g);
    kt::expect_bitwise<T>(out, ref);
  }
}

TEST(StringEntriesDouble, SelectionsAndWeightsMatchTyped) {
  using T = double;
  register_once();
  const auto x = kt::random_mat<T, Mem>(200, 3, 5), y = kt::random_mat<T, Mem>(350, 3, 6);
  const auto b = kt::random_mat<T, Mem>(350, 2, 7);
  const Vi<0, 3> xi;
  const Vj<1, 3> yj;
  const Vj<2, 2> bj;
  {  // ArgKMin, K = 3: k-nearest neighbours (64-bit indices)
    kt::Mat<std::int64_t, Mem> out("idx", 200, 3), ref("ref", 200, 3);
    ko::Genred("SqDist(x, y)", {"x = Vi(3)", "y = Vj(3)"}, "ArgKMin", ko::axis::j, 3)(out, x, y);
    ko::Genred(ko::ArgKMin<3>(SqDist(xi, yj)), ko::axis::j)(ref, x, y);
    kt::expect_bitwise<T, std::int64_t>(out, ref);
  }
  {  // Min_ArgMin over i: two outputs, values then indices
    kt::Mat<T, Mem> v("v", 350, 1), vr("vr", 350, 1);
    kt::Mat<std::int64_t, Mem> i("i", 350, 1), ir("ir", 350, 1);
    ko::Genred("SqDist(x, y)", {"x = Vi(3)", "y = Vj(3)"}, "Min_ArgMin", ko::axis::i)(v, i, x, y);
    ko::Genred(ko::Min_ArgMin(SqDist(xi, yj)), ko::axis::i)(vr, ir, x, y);
    kt::expect_bitwise<T>(v, vr);
    kt::expect_bitwise<T, std::int64_t>(i, ir);
  }
  {  // LogSumExp with a weight formula (KeOps' formula2)
    kt::Mat<T, Mem> out("out", 200, 2), ref("ref", 200, 2);
    ko::Genred("-SqDist(x, y)", {"x = Vi(3)", "y = Vj(3)", "b = Vj(2)"}, "LogSumExpWeight", ko::axis::j, 0, "b")(
        out, x, y, b);
    ko::Genred(ko::LogSumExp(-SqDist(xi, yj), bj), ko::axis::j)(ref, x, y, b);
    kt::expect_bitwise<T>(out, ref);
  }
}

TEST(StringEntriesC, StridedColumnsAndTheCallStruct) {
  register_once();
  // The C entry directly: x and y as columns 1..3 of wider row-major arrays (row stride 5), out with row stride 4.
  const kokkeops_entry_info* e = kokkeops_find_entry(
      ko::Genred("SqDist(x, y)", {"x = Vi(3)", "y = Vj(3)"}, "ArgKMin", ko::axis::j, 3).key(KOKKEOPS_DTYPE_FLOAT64).c_str());
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->num_args, 2);
  EXPECT_EQ(e->num_outputs, 1);
  EXPECT_EQ(e->output_cols[0], 3);
  EXPECT_EQ(e->output_dtype[0], KOKKEOPS_DTYPE_INT64);
  const int n = 40, m = 60;
  std::vector<double> xs(static_cast<std::size_t>(n) * 5), ys(static_cast<std::size_t>(m) * 5);
  for (std::size_t k = 0; k < xs.size(); ++k) xs[k] = std::sin(0.37 * static_cast<double>(k));
  for (std::size_t k = 0; k < ys.size(); ++k) ys[k] = std::cos(0.23 * static_cast<double>(k));
  std::vector<std::int64_t> out(static_cast<std::size_t>(n) * 4, -7);
  kokkeops_array args[2] = {{xs.data() + 1, n, 3, 5, 1, KOKKEOPS_DTYPE_FLOAT64, 0},
                            {ys.data() + 1, m, 3, 5, 1, KOKKEOPS_DTYPE_FLOAT64, 0}};
  kokkeops_array outs[1] = {{out.data(), n, 3, 4, 1, KOKKEOPS_DTYPE_INT64, 0}};
  char msg[512] = {};
  kokkeops_call call{KOKKEOPS_ENTRY_ABI_VERSION, sizeof(kokkeops_call), 2, 1, args, outs, KOKKEOPS_MEMORY_HOST, 0, msg, sizeof msg};
  ASSERT_EQ(e->run(&call), KOKKEOPS_OK) << msg;
  for (int i = 0; i < n; ++i) {  // brute force: the 3 nearest, ties to the lowest index
    std::vector<std::pair<double, int>> d;
    for (int j = 0; j < m; ++j) {
      double s = 0;
      for (int k = 0; k < 3; ++k) {
        const double t = xs[static_cast<std::size_t>(i * 5 + 1 + k)] - ys[static_cast<std::size_t>(j * 5 + 1 + k)];
        s += t * t;
      }
      d.emplace_back(s, j);
    }
    std::sort(d.begin(), d.end());
    for (int q = 0; q < 3; ++q) EXPECT_EQ(out[static_cast<std::size_t>(i * 4 + q)], d[static_cast<std::size_t>(q)].second) << "row " << i;
    EXPECT_EQ(out[static_cast<std::size_t>(i * 4 + 3)], -7) << "the padding column is not touched";
  }
  // Another ABI version: refused with a message, nothing written.
  call.abi_version = 99;
  EXPECT_EQ(e->run(&call), KOKKEOPS_ERROR_VERSION);
  EXPECT_NE(std::string(msg).find("ABI version 99"), std::string::npos) << msg;
  call.abi_version = KOKKEOPS_ENTRY_ABI_VERSION;
  // Wrong element type, negative extent, NULL data: argument errors naming the argument.
  args[1].dtype = KOKKEOPS_DTYPE_FLOAT32;
  EXPECT_EQ(e->run(&call), KOKKEOPS_ERROR_ARGUMENT);
  EXPECT_NE(std::string(msg).find("argument 1 is float32, expected float64"), std::string::npos) << msg;
  args[1].dtype = KOKKEOPS_DTYPE_FLOAT64;
  args[0].rows = -1;
  EXPECT_EQ(e->run(&call), KOKKEOPS_ERROR_ARGUMENT);
  EXPECT_NE(std::string(msg).find("negative extent"), std::string::npos) << msg;
  args[0].rows = n;
  args[0].data = nullptr;
  EXPECT_EQ(e->run(&call), KOKKEOPS_ERROR_ARGUMENT);
  EXPECT_NE(std::string(msg).find("no data (NULL)"), std::string::npos) << msg;
  EXPECT_EQ(kokkeops_register_entry(nullptr), KOKKEOPS_ERROR_ARGUMENT);
  EXPECT_EQ(kokkeops_find_entry("no such key"), nullptr);
}

TEST(StringEntriesErrors, ClearMessages) {
  register_once();
  using T = double;
  const auto x = kt::random_mat<T, Mem>(10, 3, 8), y = kt::random_mat<T, Mem>(12, 3, 9);
  kt::Mat<T, Mem> out("out", 10, 1);
  // Not compiled in: says so, with the key and what to do.
  try {
    ko::Genred("Exp(-SqDist(x, y))", {"x = Vi(3)", "y = Vj(3)"}, "Max", ko::axis::j)(out, x, y);
    ADD_FAILURE() << "no error for a formula that is not compiled in";
  } catch (const ko::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("not compiled in for float64"), std::string::npos) << m;
    EXPECT_NE(m.find("kokkeops_add_formulas"), std::string::npos) << m;
  }
  // Compiled in for float32 only: float64 is not there.
  try {
    kt::Mat<T, Mem> o3("o3", 10, 3);
    ko::Genred("Exp(-SqDist(x, y))", {"x = Vi(3)", "y = Vj(3)"}, "KMin", ko::axis::j, 3)(o3, x, y);
    ADD_FAILURE() << "no error for a dtype that is not compiled in";
  } catch (const ko::Error& e) {
    EXPECT_NE(std::string(e.what()).find("not compiled in for float64"), std::string::npos) << e.what();
  }
  // A bad string fails where the object is made, with the column.
  EXPECT_THROW(ko::Genred("Exp(-SqDist(x, z))", {"x = Vi(3)", "y = Vj(3)"}, "Sum", ko::axis::j), ko::strings::FormulaError);
  EXPECT_THROW(ko::Genred("SqDist(x, y)", {"x = Vi(3)", "y = Vj(3)"}, "ArgKMin", ko::axis::j), ko::strings::FormulaError);
  // Wrong number of views, and a shape the typed API refuses (its message comes through).
  const auto K = ko::Genred("Exp(-g * SqDist(x, y)) * b", {"x = Vi(3)", "y = Vj(3)", "b = Vj(2)", "g = Pm(1)"}, "Sum",
                            ko::axis::j);
  kt::Mat<T, Mem> out2("out2", 10, 2);
  const auto b = kt::random_mat<T, Mem>(12, 2, 10);
  const auto g = kt::param<T, Mem>({1.0});
  try {
    K(out2, x, y, b);
    ADD_FAILURE() << "no error for a missing argument";
  } catch (const ko::Error& e) {
    EXPECT_NE(std::string(e.what()).find("4 views given; expected 1 output(s) and 4 argument(s)"), std::string::npos) << e.what();
  }
  const auto bshort = kt::random_mat<T, Mem>(11, 2, 11);
  EXPECT_THROW(K(out2, x, y, bshort, g), ko::Error);
  try {
    K(out, x, y, b, g);  // output of 1 column for a 2-column sum
    ADD_FAILURE() << "no error for an output of the wrong shape";
  } catch (const ko::Error& e) {
    EXPECT_NE(std::string(e.what()).find("Genred"), std::string::npos) << e.what();
  }
}

TYPED_TEST(StringEntries, SeedKernelSolveMatchesTyped) {
  using T = TypeParam;
  register_once();
  const long n = 600;
  const auto x = kt::random_mat<T, Mem>(n, 3, 21), b = kt::random_mat<T, Mem>(n, 2, 22);
  const auto opt = ko::SolveOptions{}.alpha(0.1).jacobi();
  kt::Mat<T, Mem> a("a", n, 2), ref("ref", n, 2);
  const auto Kinv = ko::KernelSolve("Exp(-SqDist(x, y)) * a", {"x = Vi(3)", "y = Vj(3)", "a = Vj(2)"}, "a", ko::axis::j);
  const ko::SolveReport r = Kinv(a, x, x, b, opt);
  const Vi<0, 3> xi;
  const Vj<1, 3> yj;
  const Vj<2, 2> av;
  const ko::SolveReport rr = ko::KernelSolve(Exp(-SqDist(xi, yj)) * av, av, ko::axis::j)(ref, x, x, b, opt);
  EXPECT_TRUE(r.converged) << r.summary();
  EXPECT_EQ(r.iterations, rr.iterations);
  EXPECT_EQ(r.preconditioner, ko::Preconditioner::jacobi);
  ASSERT_EQ(r.relative_residual.size(), 2u);
  EXPECT_EQ(r.relative_residual[0], rr.relative_residual[0]);
  EXPECT_EQ(r.relative_residual[1], rr.relative_residual[1]);
  kt::expect_bitwise<T>(a, ref);
}

TEST(StringEntriesErrors, SolveMessages) {
  register_once();
  // The unknown must be an alias of the reduced axis, of the formula's dimension.
  EXPECT_THROW(ko::KernelSolve("Exp(-SqDist(x, y)) * a", {"x = Vi(3)", "y = Vj(3)", "a = Vj(2)"}, "b", ko::axis::j),
               ko::strings::FormulaError);
  EXPECT_THROW(ko::KernelSolve("Exp(-SqDist(x, y)) * a", {"x = Vi(3)", "y = Vj(3)", "a = Vj(2)"}, "a", ko::axis::i),
               ko::strings::FormulaError);
  EXPECT_THROW(ko::KernelSolve("Exp(-SqDist(x, y)) * a", {"x = Vi(3)", "y = Vj(3)", "a = Vj(1)", "c = Vj(2)"}, "c",
                               ko::axis::j),
               ko::strings::FormulaError);
  // A bad option is the typed API's error, through the entry.
  using T = double;
  const auto x = kt::random_mat<T, Mem>(50, 3, 23), b = kt::random_mat<T, Mem>(50, 2, 24);
  kt::Mat<T, Mem> a("a", 50, 2);
  const auto Kinv = ko::KernelSolve("Exp(-SqDist(x, y)) * a", {"x = Vi(3)", "y = Vj(3)", "a = Vj(2)"}, "a", ko::axis::j);
  try {
    Kinv(a, x, x, b, ko::SolveOptions{}.alpha(-1.0));
    ADD_FAILURE() << "no error for a negative alpha";
  } catch (const ko::Error& e) {
    EXPECT_NE(std::string(e.what()).find("alpha"), std::string::npos) << e.what();
  }
  const auto bad = kt::random_mat<T, Mem>(49, 2, 25);
  EXPECT_THROW(Kinv(a, x, x, bad), ko::Error);  // 49 right-hand-side rows for 50 points
}

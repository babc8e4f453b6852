// Formula strings compiled at run time (kokkeops/strings/runtime.hpp), in one process: a Genred string that is not
// compiled in gives bit for bit the typed formula's output (float and double), and so does the seed's KernelSolve;
// a second object finds the loaded entry (no second compile); and each failure is a clear kokkeops::Error: no
// compiler, a compiler that fails, compiling forbidden (KOKKEOPS_RUNTIME_COMPILE=0), a cache folder others can
// write, a lock held by another process. The C interface compiles what it is asked for the same way. Where this build cannot compile at run time (a static Kokkos, say), the
// call is an error that says why and how to compile the formula in. Several processes at once, a build killed
// mid-way and a truncated entry: tests/runtime/concurrency.sh.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Kokkos_Core.hpp>
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <kokkeops/kokkeops.h>
#include <kokkeops/kokkeops.hpp>
#include <kokkeops/strings/api.hpp>
#include <kokkeops/strings/runtime.hpp>
#include <string>
#include <vector>

#include "test_helpers.hpp"

namespace ko = kokkeops;
namespace kt = kokkeops::test;
namespace rt = kokkeops::strings::runtime;
using namespace kokkeops::formulas;
using Mem = Kokkos::DefaultExecutionSpace::memory_space;

namespace {

// A private cache folder for this process (the tests share it), made once, removed at exit.
struct PrivateCache {
  std::string dir;
  PrivateCache() {
    dir = (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : std::string("/tmp")) +
          "/kokkeops-runtime-test-XXXXXX";
    if (!::mkdtemp(dir.data())) std::abort();
  }
  ~PrivateCache() {
    std::error_code ec;
    ::chmod((dir + "/open").c_str(), 0700);
    std::filesystem::remove_all(dir, ec);
  }
};

const std::string& private_cache() {
  static const PrivateCache cache;
  ::setenv("KOKKEOPS_CACHE_DIR", cache.dir.c_str(), 1);
  return cache.dir;
}

// Runs f with an environment variable set (or unset: value nullptr), then restores it.
template <class F>
void with_env(const char* name, const char* value, F&& f) {
  const char* old = std::getenv(name);
  const std::string saved = old ? old : "";
  if (value) ::setenv(name, value, 1);
  else ::unsetenv(name);
  f();
  if (old) ::setenv(name, saved.c_str(), 1);
  else ::unsetenv(name);
}

std::string error_of(const ko::strings::EntrySpec& spec) {
  try {
    rt::load(spec);
  } catch (const ko::Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool available() {
  const std::string why = rt::unavailable_reason();
  if (!why.empty()) std::printf("[ info ] runtime compilation unavailable in this build: %s\n", why.c_str());
  return why.empty();
}

template <class T>
class RuntimeCompile : public ::testing::Test {};
TYPED_TEST_SUITE(RuntimeCompile, kt::Precisions);

}  // namespace

TYPED_TEST(RuntimeCompile, GaussianSumMatchesTyped) {
  using T = TypeParam;
  private_cache();
  const auto x = kt::random_mat<T, Mem>(301, 3, 1), y = kt::random_mat<T, Mem>(517, 3, 2);
  const auto b = kt::random_mat<T, Mem>(517, 2, 3);
  const auto g = kt::param<T, Mem>({0.7});
  kt::Mat<T, Mem> out("out", 301, 2), ref("ref", 301, 2);
  const auto K = ko::Genred("Exp(-g * SqDist(x, y)) * b", {"x = Vi(3)", "y = Vj(3)", "b = Vj(2)", "g = Pm(1)"}, "Sum",
                            ko::axis::j);
  if (!available()) {
    try {
      K(out, x, y, b, g);
      ADD_FAILURE() << "no error where runtime compilation is unavailable";
    } catch (const ko::Error& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("cannot compile formulas at run time"), std::string::npos) << m;
      EXPECT_NE(m.find(rt::unavailable_reason()), std::string::npos) << m;
      EXPECT_NE(m.find("kokkeops_add_formulas"), std::string::npos) << m;
    }
    return;
  }
  const rt::Stats before = rt::stats();
  K(out, x, y, b, g);
  const rt::Stats after = rt::stats();
  EXPECT_EQ(after.compiled + after.loaded, before.compiled + before.loaded + 1) << "one entry compiled or loaded";
  const Vi<0, 3> xi;
  const Vj<1, 3> yj;
  const Vj<2, 2> bj;
  const Pm<3, 1> gp;
  ko::Genred(ko::Sum(Exp(-gp * SqDist(xi, yj)) * bj), ko::axis::j)(ref, x, y, b, g);
  kt::expect_bitwise<T>(out, ref);
  // A second object (spelled differently: the same key) finds the entry in the registry: nothing compiled.
  kt::Mat<T, Mem> again("again", 301, 2);
  ko::Genred("Exp(-g*SqDist(x,y))*w", {"x=Vi(3)", "y=Vj(3)", "w=Vj(2)", "g=Pm(1)"}, "Sum", ko::axis::j)(again, x, y, b, g);
  EXPECT_EQ(rt::stats().compiled, after.compiled);
  EXPECT_EQ(rt::stats().loaded, after.loaded);
  kt::expect_bitwise<T>(again, ref);
}

TEST(RuntimeCompileDouble, SeedKernelSolveMatchesTyped) {
  using T = double;
  private_cache();
  if (!available()) return;  // the unavailable path: GaussianSumMatchesTyped
  const long n = 400;
  const auto x = kt::random_mat<T, Mem>(n, 3, 21), b = kt::random_mat<T, Mem>(n, 2, 22);
  const auto opt = ko::SolveOptions{}.alpha(0.1).jacobi();
  kt::Mat<T, Mem> a("a", n, 2), ref("ref", n, 2);
  const ko::SolveReport r =
      ko::KernelSolve("Exp(-SqDist(x, y)) * a", {"x = Vi(3)", "y = Vj(3)", "a = Vj(2)"}, "a", ko::axis::j)(a, x, x, b, opt);
  const Vi<0, 3> xi;
  const Vj<1, 3> yj;
  const Vj<2, 2> av;
  const ko::SolveReport rr = ko::KernelSolve(Exp(-SqDist(xi, yj)) * av, av, ko::axis::j)(ref, x, x, b, opt);
  EXPECT_TRUE(r.converged) << r.summary();
  EXPECT_EQ(r.iterations, rr.iterations);
  kt::expect_bitwise<T>(a, ref);
}

TEST(RuntimeCompileDouble, ThroughTheCInterface) {
  private_cache();
  const char* aliases[] = {"x = Vi(2)", "y = Vj(2)"};
  kokkeops_genred* g = nullptr;
  ASSERT_EQ(kokkeops_genred_create(&g, "SqDist(x, y)", aliases, 2, "ArgKMin", 1, 3, nullptr), KOKKEOPS_OK);
  const int n = 37, m = 53;
  std::vector<double> x(2 * n), y(2 * m);
  for (int k = 0; k < 2 * n; ++k) x[k] = ((k * 37) % 101) / 17.0;
  for (int k = 0; k < 2 * m; ++k) y[k] = ((k * 53) % 97) / 16.0;
  std::vector<std::int64_t> idx(3 * n, -1);
  const kokkeops_array out = kokkeops_matrix(KOKKEOPS_DTYPE_INT64, idx.data(), n, 3);
  const kokkeops_array args[2] = {kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, x.data(), n, 2),
                                  kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, y.data(), m, 2)};
  const int rc = kokkeops_genred_run(g, &out, 1, args, 2, KOKKEOPS_MEMORY_HOST);
  if (!available()) {
    EXPECT_EQ(rc, KOKKEOPS_ERROR_UNAVAILABLE);
    EXPECT_NE(std::string(kokkeops_genred_error(g)).find("cannot compile formulas at run time"), std::string::npos)
        << kokkeops_genred_error(g);
  } else {
    ASSERT_EQ(rc, KOKKEOPS_OK) << kokkeops_genred_error(g);
    const auto dist = [&](int i, std::int64_t j) {
      const double a = x[2 * i] - y[2 * j], b = x[2 * i + 1] - y[2 * j + 1];
      return a * a + b * b;
    };
    for (int i = 0; i < n; ++i) {  // the three nearest (as distances: a near-tie may order either way)
      std::vector<double> d;
      for (int j = 0; j < m; ++j) d.push_back(dist(i, j));
      std::sort(d.begin(), d.end());
      for (int k = 0; k < 3; ++k) {
        ASSERT_GE(idx[3 * i + k], 0);
        ASSERT_LT(idx[3 * i + k], m);
        EXPECT_NEAR(dist(i, idx[3 * i + k]), d[k], 1e-12 * (1 + d[k])) << "row " << i << ", k " << k;
      }
      EXPECT_TRUE(idx[3 * i] != idx[3 * i + 1] && idx[3 * i] != idx[3 * i + 2] && idx[3 * i + 1] != idx[3 * i + 2]);
    }
  }
  kokkeops_genred_destroy(g);
}

TEST(RuntimeCompileErrors, ClearMessages) {
  const std::string dir = private_cache();
  if (!available()) return;
  // A formula no other test loads: every attempt below fails before anything is published.
  const ko::strings::EntrySpec spec{"Sqrt(SqDist(x, y)) * b", {"x = Vi(2)", "y = Vj(2)", "b = Vj(1)"}, "Max", 0, "", 1,
                                    "float64", ""};
  with_env("KOKKEOPS_RUNTIME_CXX", "/nonexistent/bin/c++", [&] {
    const std::string m = error_of(spec);
    EXPECT_NE(m.find("needs the C++ compiler /nonexistent/bin/c++"), std::string::npos) << m;
    EXPECT_NE(m.find("not there"), std::string::npos) << m;
    EXPECT_NE(m.find("kokkeops_add_formulas"), std::string::npos) << m;
  });
  with_env("KOKKEOPS_RUNTIME_CXX", "/bin/false", [&] {  // a "compiler" that fails: CMake's compiler check fails
    const std::string m = error_of(spec);
    EXPECT_NE(m.find("compiling the formula at run time failed"), std::string::npos) << m;
    EXPECT_NE(m.find(".log"), std::string::npos) << m;
  });
  with_env("KOKKEOPS_RUNTIME_COMPILE", "0", [&] {
    const std::string m = error_of(spec);
    EXPECT_NE(m.find("not compiled in for float64 and not in the cache"), std::string::npos) << m;
    EXPECT_NE(m.find("KOKKEOPS_RUNTIME_COMPILE=0"), std::string::npos) << m;
  });
  {  // a cache folder that others may write is refused (code would be loaded from it)
    const std::string open_dir = dir + "/open";
    ASSERT_EQ(::mkdir(open_dir.c_str(), 0700), 0);
    ASSERT_EQ(::chmod(open_dir.c_str(), 0777), 0);
    with_env("KOKKEOPS_CACHE_DIR", open_dir.c_str(), [&] {
      const std::string m = error_of(spec);
      EXPECT_NE(m.find("writable by its group or by others"), std::string::npos) << m;
      EXPECT_NE(m.find("chmod 700"), std::string::npos) << m;
    });
  }
  {  // another process holds the entry's lock: a bounded wait, then a message naming the lock file
    const std::string lock = rt::entry_path(spec) + ".lock";
    const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT, 0600);
    ASSERT_GE(fd, 0);
    const pid_t child = ::fork();  // flock is per open file description: the holder must be another process
    if (child == 0) {
      const int cfd = ::open(lock.c_str(), O_RDWR);
      if (cfd < 0 || ::flock(cfd, LOCK_EX) != 0) ::_exit(1);
      ::sleep(30);
      ::_exit(0);
    }
    ASSERT_GT(child, 0);
    while (::flock(fd, LOCK_EX | LOCK_NB) == 0) {  // wait until the child holds it
      ::flock(fd, LOCK_UN);
      ::usleep(10000);
    }
    with_env("KOKKEOPS_CACHE_LOCK_TIMEOUT", "1", [&] {
      const std::string m = error_of(spec);
      EXPECT_NE(m.find("for the lock " + lock), std::string::npos) << m;
      EXPECT_NE(m.find("KOKKEOPS_CACHE_LOCK_TIMEOUT=1"), std::string::npos) << m;
    });
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ::close(fd);
  }
}

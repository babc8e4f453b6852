// Soak test (CTest label `soak`, not in the default run): 10 000 Genred calls and 200 kernel solves in
// one process, sizes, types, formulas and options varying from call to call, on the default execution
// space. Memory must come back to where it started:
//   - Kokkos allocations, counted through the Kokkos::Tools allocate/deallocate callbacks (every memory
//     space, device too): the live bytes and the live allocation count return exactly to their level
//     after the warm-up, and every allocation is matched by a deallocation;
//   - the C heap in use (glibc mallinfo2) and the resident set (/proc/self/statm): back within a small
//     slack of the warm-up level, with no upward trend over the four quarters of the run. Run with
//     GLIBC_TUNABLES=glibc.malloc.tcache_count=0 (ctest sets it): glibc's per-thread cache holds freed
//     chunks that mallinfo2 counts as in use, a bounded climb that would hide a real one.
// Each quarter's figures are printed ("soak: ...") so a run documents itself.
//   ctest --test-dir build -L soak --output-on-failure -V        (or: KOKKEOPS_SOAK=1 scripts/test.sh -L soak -V)
#include <atomic>
#include <cstdio>
#include <fstream>
#include <algorithm>
#include <mutex>
#include <string>
#include <vector>
#include <random>
#include <unistd.h>
#include <unordered_map>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "test_helpers.hpp"

namespace {

namespace ko = kokkeops;
namespace kt = kokkeops::test;
using namespace kokkeops::formulas;

using Exec = Kokkos::DefaultExecutionSpace;
using Mem = Exec::memory_space;

// ------------------------------------------------------------------ memory figures

// Live allocations by address, with the size reported when they were made: the bytes freed are those
// that were allocated. (Kokkos does not always report the same size to the deallocate callback as to
// the allocate one; those differences are counted apart, in g_size_mismatches.)
std::mutex g_mutex;
struct Live {
  long long bytes;
  std::string label;
};
std::unordered_map<const void*, Live> g_live;
long long g_live_bytes = 0, g_total_allocs = 0, g_peak_bytes = 0, g_size_mismatches = 0, g_unknown_frees = 0;

void on_allocate(const Kokkos_Profiling_SpaceHandle, const char* label, const void* ptr, const uint64_t size) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_live[ptr] = Live{static_cast<long long>(size), label ? label : ""};
  g_live_bytes += static_cast<long long>(size);
  ++g_total_allocs;
  g_peak_bytes = std::max(g_peak_bytes, g_live_bytes);
}
void on_deallocate(const Kokkos_Profiling_SpaceHandle, const char*, const void* ptr, const uint64_t size) {
  std::lock_guard<std::mutex> lock(g_mutex);
  const auto it = g_live.find(ptr);
  if (it == g_live.end()) {
    ++g_unknown_frees;  // allocated before the callbacks were set
    return;
  }
  if (it->second.bytes != static_cast<long long>(size)) ++g_size_mismatches;
  g_live_bytes -= it->second.bytes;
  g_live.erase(it);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KOKKEOPS_SOAK_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define KOKKEOPS_SOAK_ASAN 1
#endif

struct Figures {
  long long kokkos_bytes, kokkos_allocs;
  std::vector<const void*> kokkos_live;  // sorted addresses
  long long heap_bytes;  // -1: not measurable here
  long long rss_bytes;
};

Figures measure() {
  Kokkos::fence();
  Figures f{0, 0, {}, -1, 0};
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    f.kokkos_bytes = g_live_bytes;
    f.kokkos_allocs = static_cast<long long>(g_live.size());
    for (const auto& e : g_live) f.kokkos_live.push_back(e.first);
  }
  std::sort(f.kokkos_live.begin(), f.kokkos_live.end());
#if defined(__GLIBC__) && !defined(KOKKEOPS_SOAK_ASAN) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  f.heap_bytes = static_cast<long long>(mallinfo2().uordblks);
#endif
  long pages_total = 0, pages_rss = 0;
  std::ifstream statm("/proc/self/statm");
  statm >> pages_total >> pages_rss;
  f.rss_bytes = pages_rss * sysconf(_SC_PAGESIZE);
  return f;
}

void print(const char* when, const Figures& f, long calls, long solves) {
  std::printf("soak: %-10s genred calls %6ld, solves %4ld | Kokkos live %10lld B in %3lld views (peak %lld B) | "
              "heap in use %10lld B | RSS %7.1f MiB\n",
              when, calls, solves, f.kokkos_bytes, f.kokkos_allocs, g_peak_bytes, f.heap_bytes,
              static_cast<double>(f.rss_bytes) / (1 << 20));
  std::fflush(stdout);
}

// ------------------------------------------------------------------ the work

template <class T>
void one_genred(std::mt19937_64& gen, long call) {
  std::uniform_int_distribution<long> size(0, 300);
  const long n = size(gen), m = size(gen);
  const auto seed = static_cast<unsigned>(call);
  switch (call % 4) {
    case 0: {  // Gaussian D=3, Dv=1, a parameter
      const Vi<0, 3> x;
      const Vj<1, 3> y;
      const Vj<2, 1> b;
      const Pm<3, 1> g;
      kt::Mat<T, Mem> out("out", n, 1);
      ko::Genred(ko::Sum(Exp(-g * SqDist(x, y)) * b), ko::axis::j)(
          out, kt::random_mat<T, Mem>(n, 3, seed), kt::random_mat<T, Mem>(m, 3, seed + 1),
          kt::random_mat<T, Mem>(m, 1, seed + 2), kt::param<T, Mem>({0.5}));
      break;
    }
    case 1: {  // Laplace D=2, Dv=4
      const Vi<0, 2> x;
      const Vj<1, 2> y;
      const Vj<2, 4> b;
      kt::Mat<T, Mem> out("out", n, 4);
      ko::Genred(ko::Sum(Exp(-Norm2(x - y)) * b), ko::axis::j)(out, kt::random_mat<T, Mem>(n, 2, seed),
                                                               kt::random_mat<T, Mem>(m, 2, seed + 1),
                                                               kt::random_mat<T, Mem>(m, 4, seed + 2));
      break;
    }
    case 2: {  // Cauchy over i (output indexed by j)
      const Vi<0, 3> x;
      const Vj<1, 3> y;
      const Vi<2, 2> b;
      kt::Mat<T, Mem> out("out", m, 2);
      ko::Genred(ko::Sum(Inv(1 + SqDist(x, y)) * b), ko::axis::i)(out, kt::random_mat<T, Mem>(n, 3, seed),
                                                                  kt::random_mat<T, Mem>(m, 3, seed + 1),
                                                                  kt::random_mat<T, Mem>(n, 2, seed + 2));
      break;
    }
    default: {  // a rejected call now and then: the error path must not leak either
      const Vi<0, 3> x;
      const Vj<1, 3> y;
      const Vj<2, 1> b;
      kt::Mat<T, Mem> out("out", n, 1);
      try {
        ko::Genred(ko::Sum(Exp(-SqDist(x, y)) * b), ko::axis::j)(out, kt::random_mat<T, Mem>(n, 3, seed),
                                                                 kt::random_mat<T, Mem>(m, 3, seed + 1),
                                                                 kt::random_mat<T, Mem>(m + 1, 1, seed + 2));
        ADD_FAILURE() << "a mismatched call was accepted";
      } catch (const ko::Error&) {
      }
      break;
    }
  }
}

template <class T>
void one_solve(std::mt19937_64& gen, long k) {
  std::uniform_int_distribution<long> size(10, 300);
  std::uniform_real_distribution<double> alpha(0.05, 1.0);
  const long n = size(gen);
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vj<2, 2> b;
  const Pm<3, 1> g;
  const auto seed = static_cast<unsigned>(1000000 + k);
  kt::Mat<T, Mem> a("a", n, 2);
  auto opt = ko::SolveOptions{}.alpha(alpha(gen)).tolerance(sizeof(T) == 4 ? 1e-4 : 1e-8).max_iterations(2000);
  if (k % 3 == 1) opt.jacobi();
  if (k % 3 == 2) opt.nystrom(static_cast<int>(std::min<long>(n / 4, 40)), static_cast<std::uint64_t>(k));
  if (sizeof(T) == 8 && k % 5 == 0) opt.mixed_precision();
  const auto rep = ko::KernelSolve(Exp(-g * SqDist(x, y)) * b, b, ko::axis::j)(
      a, kt::random_mat<T, Mem>(n, 3, seed), kt::random_mat<T, Mem>(n, 3, seed), kt::random_mat<T, Mem>(n, 2, seed + 1),
      kt::param<T, Mem>({1.0}), opt);
  EXPECT_TRUE(rep.converged || rep.reason == ko::StopReason::stagnation) << "solve " << k << ": " << rep.summary();
}

TEST(Soak, TenThousandReductionsTwoHundredSolvesNoGrowth) {
  Kokkos::Tools::Experimental::set_allocate_data_callback(on_allocate);
  Kokkos::Tools::Experimental::set_deallocate_data_callback(on_deallocate);
  constexpr long kCalls = 10000, kSolves = 200, kWarmCalls = 200, kWarmSolves = 10;
  std::mt19937_64 gen(2026);
  long calls = 0, solves = 0;
  const auto step = [&](long upto_calls, long upto_solves) {
    // Interleave: one solve every kCalls / kSolves reductions.
    while (calls < upto_calls || solves < upto_solves) {
      if (calls < upto_calls) {
        if (calls % 2 == 0) one_genred<double>(gen, calls);
        else one_genred<float>(gen, calls);
        ++calls;
      }
      if (solves < upto_solves && (calls >= upto_calls || calls * kSolves >= (solves + 1) * kCalls)) {
        if (solves % 2 == 0) one_solve<double>(gen, solves);
        else one_solve<float>(gen, solves);
        ++solves;
      }
    }
  };
  const Figures start = measure();
  print("start", start, calls, solves);
  step(kWarmCalls, kWarmSolves);
  const Figures warm = measure();
  print("warm-up", warm, calls, solves);
  ASSERT_GT(g_total_allocs, 0) << "the Kokkos::Tools allocation callbacks never fired: nothing was measured";
  std::vector<Figures> quarters;
  for (int q = 1; q <= 4; ++q) {
    step(kCalls * q / 4, kSolves * q / 4);
    quarters.push_back(measure());
    const std::string label = "quarter " + std::to_string(q);
    print(label.c_str(), quarters.back(), calls, solves);
  }
  ASSERT_EQ(calls, kCalls);
  ASSERT_EQ(solves, kSolves);
  const Figures& end = quarters.back();
  std::printf("soak: %lld Kokkos allocations in all, peak %lld B live; %lld freed with another size than "
              "allocated, %lld freed that were allocated before the count began\n",
              g_total_allocs, g_peak_bytes, g_size_mismatches, g_unknown_frees);

  // Kokkos allocations: at every quarter exactly those alive after the warm-up (the same addresses). The
  // warm-up may leave Kokkos' own lasting buffers (e.g. the OpenMP backend's per-thread scratch, grown to
  // the largest request once); they are listed, and nothing may join them.
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    for (const auto& e : g_live)
      std::printf("soak: alive at the end (allocated in the warm-up): '%s', %lld B\n", e.second.label.c_str(),
                  e.second.bytes);
  }
  for (const auto& f : quarters) {
    EXPECT_EQ(f.kokkos_bytes, warm.kokkos_bytes) << "Kokkos bytes allocated since the warm-up are still alive";
    EXPECT_EQ(f.kokkos_live, warm.kokkos_live) << "Kokkos allocations alive differ from those after the warm-up";
  }
  EXPECT_LE(warm.kokkos_allocs, 4) << "more lasting Kokkos allocations than a backend's own buffers";
  // The C heap: within 64 KiB of the warm-up level at the end, and no quarter-on-quarter climb.
  if (end.heap_bytes >= 0) {
    EXPECT_LT(end.heap_bytes - warm.heap_bytes, 64 << 10) << "heap in use grew";
    EXPECT_FALSE(quarters[1].heap_bytes < quarters[2].heap_bytes && quarters[2].heap_bytes < quarters[3].heap_bytes &&
                 quarters[3].heap_bytes - quarters[1].heap_bytes > (256 << 10))
        << "heap in use climbs quarter after quarter";
  } else {
    std::printf("soak: heap in use not measured (sanitizer allocator); LeakSanitizer checks the heap at exit\n");
  }
  // Resident set: allocator caches may keep pages; 32 MiB of slack over the warm-up, no steady climb.
  EXPECT_LT(end.rss_bytes - warm.rss_bytes, 32LL << 20) << "RSS grew";
  Kokkos::Tools::Experimental::set_allocate_data_callback(nullptr);
  Kokkos::Tools::Experimental::set_deallocate_data_callback(nullptr);
}

}  // namespace

// kokkeops_bench_suite: the benchmark suite of issue 7 (see suite.hpp for the cases and the counters).
//
//   OMP_NUM_THREADS=2 OMP_PROC_BIND=false ./kokkeops_bench_suite --benchmark_out=suite.json
//       [--suite_quick] [--suite_impls=kokkeops,naive,gemv,openmp] [--suite_matrix_gib=8]
//       [any Google Benchmark flag, e.g. --benchmark_filter=gauss/f32 --benchmark_min_time=0.5]
//
// The JSON's "context" records the Kokkeops and Kokkos configuration, the git revision (the environment
// variable KOKKEOPS_GIT_REVISION when set, else the revision at configure time), the mode and the
// thread settings. The exit status is 1 if any case failed its accuracy check.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "suite.hpp"

#ifndef KOKKEOPS_GIT_REVISION
#define KOKKEOPS_GIT_REVISION "unknown"
#endif

int& kokkeops_bench::failures() {
  static int n = 0;
  return n;
}

namespace {

using namespace kokkeops_bench;

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

// Consumes the --suite_* flags, leaves the others for Google Benchmark.
Config parse(int& argc, char** argv) {
  Config c;
  c.device = !Kokkos::SpaceAccessibility<Kokkos::HostSpace, Mem>::accessible;
  if (!c.device) {  // host: at most half of the physical memory
    const double phys = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGE_SIZE)) / double(1L << 30);
    if (phys > 0) c.matrix_budget_gib = std::min(c.matrix_budget_gib, phys / 2);
  }
  int kept = 1;
  for (int a = 1; a < argc; ++a) {
    const std::string s = argv[a];
    if (s == "--suite_quick") c.quick = true;
    else if (s.rfind("--suite_impls=", 0) == 0) c.impls = split(s.substr(14));
    else if (s.rfind("--suite_matrix_gib=", 0) == 0) c.matrix_budget_gib = std::atof(s.c_str() + 19);
    else if (s.rfind("--suite_", 0) == 0) {
      std::cerr << "kokkeops_bench_suite: unknown option " << s
                << " (known: --suite_quick, --suite_impls=a,b,..., --suite_matrix_gib=X)\n";
      std::exit(2);
    } else argv[kept++] = argv[a];
  }
  argc = kept;
  argv[argc] = nullptr;
  return c;
}

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  Kokkos::ScopeGuard guard(argc, argv);
  const Config cfg = parse(argc, argv);

  std::ostringstream ko_cfg, kk_cfg;
  kokkeops::print_configuration(ko_cfg);
  Kokkos::print_configuration(kk_cfg, false);
  benchmark::AddCustomContext("kokkeops_configuration", ko_cfg.str());
  benchmark::AddCustomContext("kokkos_configuration", kk_cfg.str());
  benchmark::AddCustomContext("execution_space", Exec::name());
  benchmark::AddCustomContext("concurrency", std::to_string(Exec().concurrency()));
  benchmark::AddCustomContext("git_revision", env_or("KOKKEOPS_GIT_REVISION", KOKKEOPS_GIT_REVISION));
  benchmark::AddCustomContext("compiler", __VERSION__);
  benchmark::AddCustomContext("suite_mode", cfg.quick ? "quick" : "full");
  benchmark::AddCustomContext("suite_matrix_budget_gib", std::to_string(cfg.matrix_budget_gib));
  benchmark::AddCustomContext("suite_tolerance", "max_rel_err <= 1e-4 (float32), 1e-12 (float64)");
  benchmark::AddCustomContext("OMP_NUM_THREADS", env_or("OMP_NUM_THREADS", "(unset)"));
  benchmark::AddCustomContext("OMP_PROC_BIND", env_or("OMP_PROC_BIND", "(unset)"));

  register_kokkeops_f32(cfg);
  register_kokkeops_f64(cfg);
  register_naive(cfg);
#if defined(KOKKEOPS_HAVE_KOKKOSKERNELS)
  register_gemv(cfg);
#endif
#if defined(KOKKEOPS_HAVE_PLAIN_OPENMP)
  register_openmp(cfg);
#endif

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (failures() > 0) {
    std::cerr << "kokkeops_bench_suite: " << failures() << " case(s) failed the accuracy check\n";
    return 1;
  }
  return 0;
}

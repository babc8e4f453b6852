// libFuzzer target: the kokkeops command line (kokkeops::cli::run), in-process. The input is the argument
// list, one argument per line; it runs in a scratch directory holding a few small data files
// (x.csv, y.csv, b.csv, x.npy, b.npy, bad.csv), restored before every run.
//
// What must hold for every argument list: run() returns 0, 1, 2 or 3 (never throws or crashes), and a
// status of 1 or 2 comes with exactly one line on std::cerr starting with "kokkeops: error: ".
//
// Kept cheap and contained on purpose: inputs with an argument holding '/' (a path outside the scratch
// directory) or a number above 256 (demo --n 1e6 is a valid, slow request, not a bug) are skipped, and so is
// `demo` without an explicit --n: its default is the seed problem (N = 10 000), seconds of work under the
// sanitizers, which libFuzzer's per-input timeout would report as a hang.
#include <kokkeops/io.hpp>

#include <Kokkos_Core.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "app.hpp"

namespace {

namespace fs = std::filesystem;

struct DataFile {
  std::string name, bytes;
};
std::vector<DataFile> g_files;
fs::path g_dir;

[[noreturn]] void broken(const std::string& what, const std::vector<std::string>& args) {
  std::fprintf(stderr, "fuzz_cli: broken promise: %s\n  args:", what.c_str());
  for (const auto& a : args) std::fprintf(stderr, " '%s'", a.c_str());
  std::fprintf(stderr, "\n");
  std::abort();
}

std::string slurp(const fs::path& p) {
  std::FILE* f = std::fopen(p.c_str(), "rb");
  if (!f) std::abort();
  std::string s;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) s.append(buf, n);
  std::fclose(f);
  return s;
}

void restore_scratch() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(g_dir, ec)) fs::remove_all(e.path(), ec);
  for (const auto& f : g_files) {
    std::FILE* out = std::fopen((g_dir / f.name).c_str(), "wb");
    if (!out || std::fwrite(f.bytes.data(), 1, f.bytes.size(), out) != f.bytes.size()) std::abort();
    std::fclose(out);
  }
}

// Any number in the argument (decimal, exponent or hex float) above 256.
bool has_big_number(const std::string& a) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bool starts = (a[i] >= '0' && a[i] <= '9') || a[i] == '.';
    if (!starts || (i > 0 && ((a[i - 1] >= '0' && a[i - 1] <= '9') || a[i - 1] == '.'))) continue;
    const double v = std::strtod(a.c_str() + i, nullptr);
    if (!(v <= 256)) return true;  // also NaN
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char tmpl[] = "/tmp/kokkeops-fuzz-cli.XXXXXX";
  if (!mkdtemp(tmpl)) std::abort();
  g_dir = tmpl;
  // The data files, written once with the library's writers, then kept as bytes.
  kokkeops::io::Matrix x, y, b;
  x.rows = b.rows = 8;
  y.rows = 5;
  x.cols = y.cols = b.cols = 2;
  for (int k = 0; k < 16; ++k) {
    x.data.push_back(0.25 * k - 1.0);
    b.data.push_back(k % 3 - 1.0);
  }
  for (int k = 0; k < 10; ++k) y.data.push_back(0.1 * k);
  kokkeops::io::write_matrix((g_dir / "x.csv").string(), x, kokkeops::io::DType::float64);
  kokkeops::io::write_matrix((g_dir / "y.csv").string(), y, kokkeops::io::DType::float64);
  kokkeops::io::write_matrix((g_dir / "b.csv").string(), b, kokkeops::io::DType::float64);
  kokkeops::io::write_matrix((g_dir / "x.npy").string(), x, kokkeops::io::DType::float32);
  kokkeops::io::write_matrix((g_dir / "b.npy").string(), b, kokkeops::io::DType::float64);
  for (const char* n : {"x.csv", "y.csv", "b.csv", "x.npy", "b.npy"}) g_files.push_back({n, slurp(g_dir / n)});
  g_files.push_back({"bad.csv", "1,2\n3,nan\n"});
  fs::current_path(g_dir);
  // One Kokkos for the whole run (run() keeps an initialised Kokkos), one thread: inputs are tiny.
  setenv("OMP_NUM_THREADS", "1", 1);
  setenv("OMP_PROC_BIND", "false", 1);
  setenv("KOKKEOPS_RUNTIME_COMPILE", "0", 1);  // `precompile` may look formulas up, never compile them here
  Kokkos::initialize();
  std::atexit([] {
    Kokkos::finalize();
    std::error_code ec;
    fs::remove_all(g_dir, ec);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"kokkeops"};
  std::string cur;
  for (std::size_t k = 0; k < size; ++k) {
    const char c = static_cast<char>(data[k]);
    if (c == '\n') {
      args.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) args.push_back(cur);
  if (args.size() > 40) return -1;  // -1: not added to the corpus
  bool demo = false, explicit_n = false;
  for (const auto& a : args) {
    if (a.find('/') != std::string::npos || a.find('\0') != std::string::npos || has_big_number(a)) return -1;
    demo = demo || a == "demo";
    explicit_n = explicit_n || a == "--n" || a.rfind("--n=", 0) == 0;
  }
  if (demo && !explicit_n) return -1;

  restore_scratch();
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::ostringstream err, out;
  auto* const old_err = std::cerr.rdbuf(err.rdbuf());
  auto* const old_out = std::cout.rdbuf(out.rdbuf());
  int rc = -1;
  try {
    rc = kokkeops::cli::run(static_cast<int>(args.size()), argv.data());
  } catch (const std::exception& e) {
    std::cerr.rdbuf(old_err);
    std::cout.rdbuf(old_out);
    broken(std::string("run() threw: ") + e.what(), args);
  } catch (...) {
    std::cerr.rdbuf(old_err);
    std::cout.rdbuf(old_out);
    broken("run() threw a non-standard exception", args);
  }
  std::cerr.rdbuf(old_err);
  std::cout.rdbuf(old_out);
  if (rc < 0 || rc > 3) broken("exit status " + std::to_string(rc), args);
  if (rc == 1 || rc == 2) {
    const std::string e = err.str();
    const auto nl = e.find('\n');
    if (e.rfind("kokkeops: error: ", 0) != 0 || nl == std::string::npos || nl + 1 != e.size())
      broken("status " + std::to_string(rc) + " without exactly one 'kokkeops: error: ' line on stderr: [" + e + "]",
             args);
  }
  return 0;
}

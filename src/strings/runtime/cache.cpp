// The runtime formula cache (kokkeops/strings/runtime.hpp): key, folders, lock, build, check, dlopen.
#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <kokkeops/error.hpp>
#include <kokkeops/strings/runtime.hpp>
#include <kokkeops/version.hpp>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "kokkeops_runtime_config.hpp"
#include "sha256.hpp"

extern char** environ;

namespace kokkeops::strings::runtime {

namespace {

constexpr const char* entry_symbol = "kokkeops_entry_runtime";

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string errno_text() { return std::strerror(errno); }

bool is_executable(const std::string& path) { return !path.empty() && ::access(path.c_str(), X_OK) == 0; }

// The C++ compiler to use: KOKKEOPS_RUNTIME_CXX, else the one the library was configured with.
std::string compiler() {
  const std::string c = env("KOKKEOPS_RUNTIME_CXX");
  return c.empty() ? std::string(KOKKEOPS_RT_CXX) : c;
}

// The package folder (KokkeopsConfig.cmake) the generated project finds: the build tree the library was built
// in while it exists, else the install tree.
std::string package_dir() {
  struct stat st{};
  for (const char* d : {KOKKEOPS_RT_BUILD_PACKAGE_DIR, KOKKEOPS_RT_INSTALL_PACKAGE_DIR})
    if (*d && ::stat((std::string(d) + "/KokkeopsConfig.cmake").c_str(), &st) == 0) return d;
  return {};
}

// Everything but the formula that goes into a key, computed once per process (and per compiler override).
std::string recipe_identity(const std::string& cxx) {
  static std::mutex m;
  static std::string cached_cxx, cached;
  const std::lock_guard<std::mutex> lock(m);
  if (!cached.empty() && cached_cxx == cxx) return cached;
  std::string id = "kokkeops-runtime-entry 1\nversion " + kokkeops::version() + "\n";
  id += "cmake " + std::string(KOKKEOPS_RT_CMAKE) + "\n";
  id += "cxx " + cxx + "\n";
  struct stat st{};
  if (::stat(cxx.c_str(), &st) == 0)  // the compiler's identity: a new compiler at the same path is a new key
    id += "cxx-file " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtime) + " " + std::to_string(st.st_ino) + "\n";
  id += "cxx-version " + std::string(KOKKEOPS_RT_CXX_ID) + "\n";
  id += "build-type " + std::string(KOKKEOPS_RT_BUILD_TYPE) + "\nstd " + std::string(KOKKEOPS_RT_CXX_STANDARD) + "\n";
  id += "flags " + std::string(KOKKEOPS_RT_CXX_FLAGS) + "\nbuild-flags " + std::string(KOKKEOPS_RT_CXX_FLAGS_BUILD) + "\n";
  id += "package " + package_dir() + "\nkokkos " + std::string(KOKKEOPS_RT_KOKKOS_DIR) + "\n";
  id += "isa " + std::string(KOKKEOPS_RT_ISA) + "\n";
  id += "kokkos-config-header\n" + read_file(KOKKEOPS_RT_KOKKOS_CONFIG_HEADER) + "\n";
  cached_cxx = cxx;
  cached = id;
  return id;
}

// Creates dir and its missing parents with mode 0700.
void make_dirs(const std::string& dir) {
  if (dir.empty()) return;
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    partial = dir.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
      throw Error("formula cache: cannot create the folder " + partial + ": " + errno_text());
  }
}

// A folder we load code from must be ours (or root's, for a read-only one) and writable by no one else.
std::string unsafe_folder(const std::string& dir, bool writable) {
  struct stat st{};
  if (::stat(dir.c_str(), &st) != 0) return dir + ": " + errno_text();
  if (!S_ISDIR(st.st_mode)) return dir + " is not a folder";
  if (st.st_uid != ::geteuid() && (writable || st.st_uid != 0))
    return dir + " is owned by user id " + std::to_string(st.st_uid) + ", not by this user (" + std::to_string(::geteuid()) + ")";
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return dir + " is writable by its group or by others (mode " + ([&] {
             std::ostringstream o;
             o << std::oct << (st.st_mode & 07777);
             return o.str();
           })() + "); run chmod 700 on it";
  return {};
}

// The spawned command's exit status (its output appended to log); -1 if it could not start.
int run(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string tail(const std::string& text, std::size_t lines) {
  std::size_t pos = text.size(), n = 0;
  while (pos > 0 && n <= lines) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
    ++n;
  }
  return text.substr(pos + 1);
}

// An flock on the entry's lock file, held for the object's life (released by the OS if the process dies).
class EntryLock {
 public:
  EntryLock(const std::string& path, const std::string& who) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw Error(who + ": cannot open the lock file " + path + ": " + errno_text());
    double timeout = 900;
    if (const std::string t = env("KOKKEOPS_CACHE_LOCK_TIMEOUT"); !t.empty()) timeout = std::atof(t.c_str());
    const auto start = std::chrono::steady_clock::now();
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) {
        ::close(fd_);
        throw Error(who + ": cannot lock " + path + ": " + errno_text());
      }
      const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (waited > timeout) {
        ::close(fd_);
        throw Error(who + ": waited " + std::to_string(static_cast<int>(waited)) + " s for the lock " + path +
                    ", held by another process compiling the same formula (KOKKEOPS_CACHE_LOCK_TIMEOUT=" +
                    std::to_string(static_cast<int>(timeout)) + " s); it is released when that process ends");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~EntryLock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
  EntryLock(const EntryLock&) = delete;
  EntryLock& operator=(const EntryLock&) = delete;

 private:
  int fd_ = -1;
};

// The published entry <dir>/<key>.so if its digest matches <key>.sha256 (and the folder and file are safe).
bool valid_entry(const std::string& dir, const std::string& key) {
  const std::string so = dir + "/" + key + ".so";
  std::string want = read_file(dir + "/" + key + ".sha256");
  while (!want.empty() && (want.back() == '\n' || want.back() == ' ')) want.pop_back();
  if (want.size() != 64) return false;
  struct stat st{};
  if (::stat(so.c_str(), &st) != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) return false;
  return sha256_file(so) == want;
}

std::string describe(const EntrySpec& spec) {
  return (spec.unknown.empty() ? "Genred(\"" + spec.formula + "\", " + spec.reduction
                               : "KernelSolve(\"" + spec.formula + "\", unknown " + spec.unknown) +
         ", axis=" + std::to_string(spec.axis) + ", " + spec.dtype + ")";
}

const kokkeops_entry_info& open_entry(const std::string& so, const std::string& key, const std::string& who) {
  void* handle = ::dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);  // never closed: the registry points into it
  if (!handle) {
    const std::string why = ::dlerror();
    throw Error(who + ": cannot load the compiled formula " + so + ": " + why +
                (why.find("undefined symbol") != std::string::npos
                     ? " (the program does not provide Kokkos' or Kokkeops' symbols to loaded objects: link "
                       "Kokkos as a shared library, or compile the formula in with kokkeops_add_formulas())"
                     : ""));
  }
  using Fn = const kokkeops_entry_info* (*)();
  const auto fn = reinterpret_cast<Fn>(::dlsym(handle, entry_symbol));
  const kokkeops_entry_info* info = fn ? fn() : nullptr;
  if (!info || !info->key || key != info->key)
    throw Error(who + ": the compiled formula " + so + " is not the expected entry (key \"" + key + "\")");
  const int rc = kokkeops_register_entry(info);
  if (rc != KOKKEOPS_OK)
    throw Error(who + ": the compiled formula " + so + " was refused by the registry (status " + std::to_string(rc) +
                ": built for another entry ABI)");
  return *info;
}

// Compiles the entry into <dir>/<key>.so (the caller holds the lock).
void build(const EntrySpec& spec, const std::string& dir, const std::string& key, const std::string& cxx,
           const std::string& who) {
  const std::string pkg = package_dir();
  if (pkg.empty())
    throw Error(who + ": compiling at run time needs the Kokkeops package (KokkeopsConfig.cmake), found in neither "
                "the build tree " + std::string(KOKKEOPS_RT_BUILD_PACKAGE_DIR) + " nor the install tree " +
                std::string(KOKKEOPS_RT_INSTALL_PACKAGE_DIR));
  if (!is_executable(cxx))
    throw Error(who + ": compiling at run time needs the C++ compiler " + cxx +
                (env("KOKKEOPS_RUNTIME_CXX").empty() ? " (recorded when Kokkeops was configured)" : " (KOKKEOPS_RUNTIME_CXX)") +
                ", which is not there or not executable. Install it, or compile the formula in with "
                "kokkeops_add_formulas(), or fill a cache with `kokkeops precompile` where the compiler is");
  if (!is_executable(KOKKEOPS_RT_CMAKE))
    throw Error(who + ": compiling at run time needs CMake, " + std::string(KOKKEOPS_RT_CMAKE) + ", which is not there");
  std::string tmpl = dir + "/build-" + key.substr(0, 16) + "-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw Error(who + ": cannot make a build folder in " + dir + ": " + errno_text());
  const std::string work = tmpl;
  const std::string log = work + "/build.log";
  if (!write_file(work + "/entry.cpp", entry_source(spec, entry_symbol)) ||
      !write_file(work + "/CMakeLists.txt",
                  "# Generated by Kokkeops for one runtime formula entry: " + describe(spec) +
                      "\ncmake_minimum_required(VERSION 3.16)\nproject(kokkeops_runtime_entry LANGUAGES CXX)\n"
                      "find_package(Kokkeops REQUIRED CONFIG)\n"
                      "# The entry's objects take Kokkeops' and Kokkos' compile flags; the module links Kokkos'\n"
                      "# shared libraries only (not Kokkeops' own): loaded into a program, it shares the program's\n"
                      "# Kokkos (the same libraries, loaded once) wherever the program loaded it from.\n"
                      "add_library(entry_objects OBJECT entry.cpp)\n"
                      "set_target_properties(entry_objects PROPERTIES POSITION_INDEPENDENT_CODE ON)\n"
                      "target_link_libraries(entry_objects PRIVATE Kokkeops::kokkeops)\n"
                      "add_library(entry MODULE $<TARGET_OBJECTS:entry_objects>)\n"
                      "target_link_libraries(entry PRIVATE Kokkos::kokkos)\n"
                      "set_target_properties(entry PROPERTIES PREFIX \"\" SUFFIX \".so\")\n"))
    throw Error(who + ": cannot write the build folder " + work);
  const std::vector<std::string> configure = {KOKKEOPS_RT_CMAKE,
                                              "-S", work, "-B", work + "/build",
                                              "-DCMAKE_BUILD_TYPE=" + std::string(KOKKEOPS_RT_BUILD_TYPE),
                                              "-DCMAKE_CXX_COMPILER=" + cxx,
                                              "-DCMAKE_CXX_STANDARD=" + std::string(KOKKEOPS_RT_CXX_STANDARD),
                                              "-DCMAKE_CXX_FLAGS=" + std::string(KOKKEOPS_RT_CXX_FLAGS),
                                              "-DCMAKE_CXX_FLAGS_" + upper(KOKKEOPS_RT_BUILD_TYPE) + "=" +
                                                  std::string(KOKKEOPS_RT_CXX_FLAGS_BUILD),
                                              "-DKokkeops_DIR=" + pkg,
                                              "-DKokkos_DIR=" + std::string(KOKKEOPS_RT_KOKKOS_DIR)};
  const std::vector<std::string> compile = {KOKKEOPS_RT_CMAKE, "--build", work + "/build"};
  int rc = run(configure, log);
  if (rc == 0) rc = run(compile, log);
  const std::string built = work + "/build/entry.so";
  if (rc != 0) {
    const std::string kept = dir + "/" + key + ".log";
    const std::string text = read_file(log);
    write_file(kept, text);
    run({"rm", "-rf", work}, "/dev/null");
    throw Error(who + ": compiling the formula at run time failed (" +
                (rc < 0 ? "could not start CMake" : "exit status " + std::to_string(rc)) + "); the log is " + kept +
                ", which ends with:\n" + tail(text, 15));
  }
  const std::string digest = sha256_file(built);
  if (digest.empty()) throw Error(who + ": the compiled formula " + built + " cannot be read");
  const std::string so = dir + "/" + key + ".so", sum = dir + "/" + key + ".sha256";
  ::unlink(sum.c_str());  // unpublish the old entry first: readers never pair a new object with an old digest
  if (std::rename(built.c_str(), so.c_str()) != 0 || !write_file(work + "/entry.sha256", digest + "\n") ||
      std::rename((work + "/entry.sha256").c_str(), sum.c_str()) != 0)
    throw Error(who + ": cannot publish the compiled formula in " + dir + ": " + errno_text());
  run({"rm", "-rf", work}, "/dev/null");
  ::unlink((dir + "/" + key + ".log").c_str());  // an earlier failure's log
}

std::mutex& load_mutex() {
  static std::mutex m;
  return m;
}

std::atomic<int> compiled_count{0}, loaded_count{0};

}  // namespace

std::string unavailable_reason() { return KOKKEOPS_RT_UNAVAILABLE; }

Stats stats() { return Stats{compiled_count.load(), loaded_count.load()}; }

std::string cache_dir() {
  std::string dir = env("KOKKEOPS_CACHE_DIR");
  if (dir.empty()) {
    std::string base = env("XDG_CACHE_HOME");
    if (base.empty()) {
      const std::string home = env("HOME");
      if (home.empty()) throw Error("formula cache: neither KOKKEOPS_CACHE_DIR, XDG_CACHE_HOME nor HOME is set");
      base = home + "/.cache";
    }
    dir = base + "/kokkeops/formulas";
  }
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  make_dirs(dir);
  if (const std::string bad = unsafe_folder(dir, true); !bad.empty())
    throw Error("formula cache: refusing the cache folder: " + bad);
  return dir;
}

std::string entry_path(const EntrySpec& spec) {
  return cache_dir() + "/" + sha256_hex(recipe_identity(compiler()) + "entry " + entry_key(spec) + "\n");
}

const kokkeops_entry_info& load(const EntrySpec& spec, LoadInfo* report) {
  const auto start = std::chrono::steady_clock::now();
  const std::string key = entry_key(spec);  // parses and checks the spec
  const std::string who = describe(spec);
  LoadInfo info;
  const auto done = [&](const kokkeops_entry_info& e) -> const kokkeops_entry_info& {
    info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!info.path.empty()) (info.compiled ? compiled_count : loaded_count).fetch_add(1);
    if (report) *report = info;
    return e;
  };
  if (const kokkeops_entry_info* e = kokkeops_find_entry(key.c_str())) return done(*e);
  const std::lock_guard<std::mutex> in_process(load_mutex());
  if (const kokkeops_entry_info* e = kokkeops_find_entry(key.c_str())) return done(*e);

  const std::string reason = unavailable_reason();
  const std::string hint = " Compile it in with kokkeops_add_formulas() and call the kokkeops_register_<set>() function "
                           "it generates (README: \"Formula strings\").";
  if (!reason.empty())
    throw Error(who + ": this formula is not compiled in for " + spec.dtype +
                ", and this build cannot compile formulas at run time: " +
                reason + "." + hint);
  const std::string cxx = compiler();
  const std::string file_key = sha256_hex(recipe_identity(cxx) + "entry " + key + "\n");
  const std::string dir = cache_dir();
  // Readers take no lock: a published entry is complete (its digest is written last and checked here).
  if (valid_entry(dir, file_key)) {
    info.path = dir + "/" + file_key + ".so";
    return done(open_entry(info.path, key, who));
  }
  std::string path_list = env("KOKKEOPS_CACHE_PATH");
  std::size_t pos = 0;
  while (pos <= path_list.size()) {
    const std::size_t end = std::min(path_list.find(':', pos), path_list.size());
    const std::string ro = path_list.substr(pos, end - pos);
    pos = end + 1;
    if (ro.empty() || !unsafe_folder(ro, false).empty()) continue;
    if (valid_entry(ro, file_key)) {
      info.path = ro + "/" + file_key + ".so";
      return done(open_entry(info.path, key, who));
    }
  }
  if (env("KOKKEOPS_RUNTIME_COMPILE") == "0")
    throw Error(who + ": this formula is not compiled in for " + spec.dtype + " and not in the cache (" + dir +
                (path_list.empty() ? std::string() : ", KOKKEOPS_CACHE_PATH " + path_list) +
                "), and KOKKEOPS_RUNTIME_COMPILE=0 forbids compiling it: run `kokkeops precompile` with the same "
                "formula where a compiler is, or unset KOKKEOPS_RUNTIME_COMPILE." + hint);
  const EntryLock lock(dir + "/" + file_key + ".lock", who);
  if (!valid_entry(dir, file_key)) {  // another process may have built it while we waited
    build(spec, dir, file_key, cxx, who);
    info.compiled = true;
  }
  info.path = dir + "/" + file_key + ".so";
  return done(open_entry(info.path, key, who));
}

}  // namespace kokkeops::strings::runtime

// Formula strings compiled at run time (issue 18, part 4): an entry that was not compiled in is compiled on first
// use with the compiler, flags and Kokkos the library was configured with, loaded with dlopen and cached.
//
// The cache folder is KOKKEOPS_CACHE_DIR, else $XDG_CACHE_HOME/kokkeops/formulas, else ~/.cache/kokkeops/formulas
// (created with mode 0700; one owned by someone else, or writable by group or others, is refused). Read-only
// folders of entries (filled by `kokkeops precompile` on a login node, say) may be listed, ':'-separated, in
// KOKKEOPS_CACHE_PATH; they are searched after the cache folder. An entry is <key>.so with its SHA-256 in
// <key>.sha256, published last; the key is the SHA-256 of the canonical formula and options, the Kokkeops version,
// the compile recipe, the compiler's identity, the Kokkos configuration header and the target ISA. Concurrency:
// an flock on <key>.lock while one process builds (in a private temporary folder, renamed into place); readers
// take no lock; an entry whose digest does not match is rebuilt, never loaded.
//
// Environment: KOKKEOPS_RUNTIME_COMPILE=0 uses cached entries only (a compute node without a compiler: a missing
// one is an error that says so); KOKKEOPS_RUNTIME_CXX compiles with another C++ compiler than the recorded one;
// KOKKEOPS_CACHE_LOCK_TIMEOUT (seconds, default 900) bounds a wait for another process's build.
//
// The loaded object takes Kokkos from the program: Kokkos must be a shared library (setup builds it so).
// Where it is not, runtime compilation is unavailable and the error names the way out (kokkeops_add_formulas).
#pragma once

#include <kokkeops/entry.h>
#include <kokkeops/strings.hpp>
#include <string>

namespace kokkeops::strings::runtime {

/// Empty if this build can compile formulas at run time, else why not.
std::string unavailable_reason();

/// The cache folder in use (created if missing).
std::string cache_dir();

/// Where spec's entry is or would be in the cache folder, without suffix: <cache folder>/<key> (the object is
/// <that>.so, its digest <that>.sha256, the build lock <that>.lock).
std::string entry_path(const EntrySpec& spec);

/// What a load() did.
struct LoadInfo {
  bool compiled = false;  ///< compiled now (false: found in a cache folder, or compiled in)
  double seconds = 0;     ///< time spent in load(), compile included
  std::string path;       ///< the shared object loaded (empty: compiled in)
};

/// The entry of spec (its dtype included): the registry's if it is compiled in or loaded already, else the
/// cached object, else compiled now; registered, so later lookups find it. Throws kokkeops::Error.
const kokkeops_entry_info& load(const EntrySpec& spec, LoadInfo* info = nullptr);

/// How many entries this process compiled, and how many it loaded from a cache folder.
struct Stats {
  int compiled = 0;
  int loaded = 0;
};
Stats stats();

}  // namespace kokkeops::strings::runtime

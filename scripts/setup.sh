#!/usr/bin/env bash
# Set up, build and try Kokkeops on a Debian (bookworm) machine. README command 1: installs the system
# packages, builds Kokkos (once), builds the library, the command-line tool and the examples, and runs the
# demo. The tests and benchmarks are built and run by README command 2, scripts/test.sh.
#
#   scripts/setup.sh [--no-deps] [--build-dir DIR] [--kokkos-root DIR] [-- CMAKE_ARGS...]
#
#   --no-deps          do not install system packages with apt-get
#   --build-dir DIR    build directory (default: $BUILD_DIR, else build/ in the repository)
#   --kokkos-root DIR  use this Kokkos (an install prefix or a directory holding KokkosConfig.cmake)
#                      instead of building one; the environment variable Kokkos_ROOT does the same.
#                      KokkosKernels_ROOT (environment) overrides where Kokkos Kernels is looked for.
#   -- CMAKE_ARGS...   extra arguments for the CMake configure step
#
# Without a given Kokkos, scripts/build-kokkos.sh openmp builds one (once; it is cached in
# ${KOKKEOPS_DEPS_DIR:-$HOME/.cache/kokkeops}). Running this script again is cheap: packages already
# installed are not asked for again, Kokkos is reused and the build is incremental.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# The program run at the end, relative to the build directory, with its arguments.
MAIN_EXAMPLE=(bin/kokkeops demo)

# System packages (all exist on Debian bookworm).
APT_PACKAGES=(
  build-essential cmake git pkg-config dpkg-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev
  libtrilinos-kokkos-dev libtrilinos-kokkos-kernels-dev
  python3 python3-numpy python3-dev python3-pytest pybind11-dev
  gfortran
)

log() { printf '[setup] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '2,16s/^# \{0,1\}//p' "$0" >&2; exit "${1:-2}"; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

with_deps=1
build_dir=${BUILD_DIR:-$repo_root/build}
kokkos_root=${Kokkos_ROOT:-}
extra_cmake_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-deps) with_deps=0 ;;
    --build-dir) [[ $# -ge 2 ]] || usage; build_dir=$2; shift ;;
    --build-dir=*) build_dir=${1#*=} ;;
    --kokkos-root) [[ $# -ge 2 ]] || usage; kokkos_root=$2; shift ;;
    --kokkos-root=*) kokkos_root=${1#*=} ;;
    -h | --help) usage 0 ;;
    --) shift; extra_cmake_args=("$@"); break ;;
    *) log "unknown argument: $1"; usage ;;
  esac
  shift
done

jobs=$(nproc)

# ---------------------------------------------------------------------------------------------
# 1. System packages
# ---------------------------------------------------------------------------------------------
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root or sudo to run: $*"
  fi
}

missing_packages() {
  local p
  for p in "$@"; do
    if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) != "install ok installed" ]]; then
      printf '%s\n' "$p"
    fi
  done
}

if [[ $with_deps -eq 1 ]]; then
  mapfile -t missing < <(missing_packages "${APT_PACKAGES[@]}")
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "system packages already installed"
  else
    log "installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
  fi
fi

# ---------------------------------------------------------------------------------------------
# 2. Kokkos
# ---------------------------------------------------------------------------------------------
if [[ -n $kokkos_root ]]; then
  [[ -d $kokkos_root ]] || die "Kokkos root '$kokkos_root' is not a directory"
  kokkos_root=$(cd "$kokkos_root" && pwd)
  log "using the given Kokkos: $kokkos_root"
else
  kokkos_root=$(bash "$repo_root/scripts/build-kokkos.sh" openmp </dev/null | tail -n 1)
  [[ -d $kokkos_root ]] || die "scripts/build-kokkos.sh did not report an install prefix"
fi

# A directory that holds KokkosConfig.cmake (e.g. <libdir>/cmake/Kokkos) has Kokkos Kernels
# beside it; an install prefix holds both.
if [[ -n ${KokkosKernels_ROOT:-} ]]; then
  kernels_root=$KokkosKernels_ROOT
elif [[ -f $kokkos_root/KokkosConfig.cmake && -d $(dirname "$kokkos_root")/KokkosKernels ]]; then
  kernels_root=$(dirname "$kokkos_root")/KokkosKernels
else
  kernels_root=$kokkos_root
fi

# ---------------------------------------------------------------------------------------------
# 3. Configure, build, run the main example
# ---------------------------------------------------------------------------------------------
[[ -f $repo_root/CMakeLists.txt ]] || die "no CMakeLists.txt in $repo_root"

cache=$build_dir/CMakeCache.txt
if [[ -f $cache ]]; then
  cached_root=$(sed -n 's/^Kokkos_ROOT:[A-Z]*=//p' "$cache")
  if [[ -n $cached_root && $cached_root != "$kokkos_root" ]]; then
    log "$build_dir was configured with Kokkos_ROOT=$cached_root; configuring afresh"
    rm -rf "$cache" "$build_dir/CMakeFiles"
  fi
fi

log "configuring $build_dir (Kokkos_ROOT=$kokkos_root)"
cmake -S "$repo_root" -B "$build_dir" \
  -DCMAKE_BUILD_TYPE=Release \
  -DKokkos_ROOT="$kokkos_root" \
  -DKokkosKernels_ROOT="$kernels_root" \
  -DCMAKE_PREFIX_PATH="$kokkos_root" \
  "${extra_cmake_args[@]}"

log "building the library, the command-line tool and the examples in $build_dir with -j$jobs"
cmake --build "$build_dir" -j"$jobs" --target kokkeops_essentials

example=$build_dir/${MAIN_EXAMPLE[0]}
if [[ -x $example ]]; then
  log "running: $example ${MAIN_EXAMPLE[*]:1}"
  OMP_PROC_BIND=${OMP_PROC_BIND:-spread} OMP_PLACES=${OMP_PLACES:-threads} \
    "$example" "${MAIN_EXAMPLE[@]:1}"
else
  log "note: $example was not built; nothing to run"
fi
log "done: build in $build_dir; build and run the tests with: BUILD_DIR=$build_dir bash scripts/test.sh"

#!/usr/bin/env bash
# Kokkos 5.2.2's headers for compile-only checks (README: "Kokkos versions"; CI configurations 7 and 8):
# Debian's unstable suite ships Kokkos 5.2.2 as the binary package libkokkos-dev (the headers of every
# backend; its runtime library needs a newer C library than bookworm's, so nothing built against it is
# linked or run here). This script downloads that package with apt, from a private package list (the
# system's package sources and state are left as they are), unpacks it with dpkg-deb -x into the cache
# (it is never installed), and writes a configuration and a minimal CMake package for one backend set:
#
#   scripts/kokkos5-headers.sh <openmp|cuda>
#
#   openmp  the configuration Debian ships (OpenMP only, C++20)
#   cuda    CUDA + Serial for Hopper (sm_90): KokkosCore_config.h with KOKKOS_ENABLE_CUDA, KOKKOS_ENABLE_SERIAL,
#           KOKKOS_ARCH_HOPPER + HOPPER90 and no OpenMP; the three backend lists (Serial declared before CUDA);
#           desul's atomics/Config.hpp with DESUL_ATOMICS_ENABLE_CUDA. Compile with scripts/nvcc-as-cxx.
#
# The prefix to pass as Kokkos_ROOT is printed on the last line of stdout. The package defines Kokkos::kokkos
# (include directories and compile options only: there is no library to link) and the Kokkos_* variables
# and kokkos_check() that Kokkeops' CMake uses; configure Kokkeops with a rule that does not link, e.g.
# -DCMAKE_CXX_LINK_EXECUTABLE="<CMAKE_COMMAND> -E touch <TARGET>".
#
# Environment: KOKKEOPS_DEPS_DIR (cache, default ~/.cache/kokkeops), KOKKEOPS_KOKKOS5_SUITE (default
# unstable), KOKKEOPS_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

log() { printf '[kokkos5-headers] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $# -eq 1 ]] || { sed -n '2,24s/^# \{0,1\}//p' "$0" >&2; exit 2; }
variant=$1
case $variant in openmp | cuda) ;; *) die "unknown variant '$variant' (expected openmp or cuda)" ;; esac

deps_dir=${KOKKEOPS_DEPS_DIR:-$HOME/.cache/kokkeops}
suite=${KOKKEOPS_KOKKOS5_SUITE:-unstable}
mirror=${KOKKEOPS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
base=$deps_dir/kokkos5
root=$base/root
prefix=$base/$variant
readonly RECIPE=1

# ---- download and unpack once
if [[ ! -f $root/.unpacked ]]; then
  command -v dpkg-deb >/dev/null || die "dpkg-deb not found"
  apt_dir=$base/apt
  rm -rf "$apt_dir" "$root"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/download" "$root"
  printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' "$mirror" "$suite" \
    >"$apt_dir/sources.list"
  apt_opts=(
    -o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
    -o "APT::Sandbox::User=root" -q
  )
  log "fetching the package list of Debian $suite (private lists in $apt_dir)"
  apt-get "${apt_opts[@]}" update >"$apt_dir/update.log" 2>&1 || { cat "$apt_dir/update.log" >&2; die "apt-get update failed"; }
  version=$(apt-cache "${apt_opts[@]}" show libkokkos-dev 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
  [[ -n $version ]] || die "Debian $suite has no libkokkos-dev"
  log "downloading libkokkos-dev $version"
  (cd "$apt_dir/download" && apt-get "${apt_opts[@]}" download "libkokkos-dev=$version" >"$apt_dir/download.log" 2>&1) ||
    { cat "$apt_dir/download.log" >&2; die "apt-get download failed"; }
  dpkg-deb -x "$apt_dir"/download/libkokkos-dev_*.deb "$root"
  [[ -f $root/usr/include/kokkos/Kokkos_Core.hpp ]] || die "the package holds no Kokkos_Core.hpp"
  printf '%s\n' "$version" >"$root/.unpacked"
  rm -rf "$apt_dir/cache" "$apt_dir/lists"
fi
version=$(cat "$root/.unpacked")
inc=$root/usr/include/kokkos
kversion=$(sed -n 's/^#define KOKKOS_VERSION \([0-9]*\)$/\1/p' "$inc/KokkosCore_config.h")
[[ -n $kversion ]] || die "no KOKKOS_VERSION in $inc/KokkosCore_config.h"
kv_major=$((kversion / 10000)) kv_minor=$((kversion / 100 % 100)) kv_patch=$((kversion % 100))

stamp="recipe=$RECIPE variant=$variant package=$version"
if [[ -f $prefix/.stamp && $(cat "$prefix/.stamp") == "$stamp" ]]; then
  log "Kokkos $kv_major.$kv_minor.$kv_patch headers ($variant) ready in $prefix"
  printf '%s\n' "$prefix"
  exit 0
fi
rm -rf "$prefix"
mkdir -p "$prefix/include/desul/atomics" "$prefix/lib/cmake/Kokkos"

# ---- the configuration headers (searched before the package's own: every include of them is <...>)
if [[ $variant == cuda ]]; then
  sed -e 's|^/\* #undef KOKKOS_ENABLE_SERIAL \*/$|#define KOKKOS_ENABLE_SERIAL|' \
      -e 's|^/\* #undef KOKKOS_ENABLE_CUDA \*/$|#define KOKKOS_ENABLE_CUDA|' \
      -e 's|^#define KOKKOS_ENABLE_OPENMP$|/* #undef KOKKOS_ENABLE_OPENMP */|' \
      -e 's|^/\* #undef KOKKOS_ARCH_HOPPER \*/$|#define KOKKOS_ARCH_HOPPER|' \
      -e 's|^/\* #undef KOKKOS_ARCH_HOPPER90 \*/$|#define KOKKOS_ARCH_HOPPER90|' \
      "$inc/KokkosCore_config.h" >"$prefix/include/KokkosCore_config.h"
  for m in KOKKOS_ENABLE_SERIAL KOKKOS_ENABLE_CUDA KOKKOS_ARCH_HOPPER KOKKOS_ARCH_HOPPER90; do
    grep -q "^#define $m\$" "$prefix/include/KokkosCore_config.h" || die "could not set $m in KokkosCore_config.h"
  done
  ! grep -q '^#define KOKKOS_ENABLE_OPENMP$' "$prefix/include/KokkosCore_config.h" || die "could not unset KOKKOS_ENABLE_OPENMP"
  printf '#ifndef KOKKOS_FWD_HPP_\n#define KOKKOS_FWD_HPP_\n#include <fwd/Kokkos_Fwd_SERIAL.hpp>\n#include <fwd/Kokkos_Fwd_CUDA.hpp>\n#endif\n' \
    >"$prefix/include/KokkosCore_Config_FwdBackend.hpp"
  printf '#ifndef KOKKOS_DECLARE_HPP_\n#define KOKKOS_DECLARE_HPP_\n#include <decl/Kokkos_Declare_SERIAL.hpp>\n#include <decl/Kokkos_Declare_CUDA.hpp>\n#endif\n' \
    >"$prefix/include/KokkosCore_Config_DeclareBackend.hpp"
  printf '#ifndef KOKKOS_SETUP_HPP_\n#define KOKKOS_SETUP_HPP_\n#include <setup/Kokkos_Setup_Cuda.hpp>\n#endif\n' \
    >"$prefix/include/KokkosCore_Config_SetupBackend.hpp"
  sed -e 's|^/\* #undef DESUL_ATOMICS_ENABLE_CUDA \*/$|#define DESUL_ATOMICS_ENABLE_CUDA|' \
    "$inc/desul/atomics/Config.hpp" >"$prefix/include/desul/atomics/Config.hpp"
  grep -q '^#define DESUL_ATOMICS_ENABLE_CUDA$' "$prefix/include/desul/atomics/Config.hpp" || die "could not set DESUL_ATOMICS_ENABLE_CUDA"
  devices="SERIAL;CUDA"
  options=""
else
  devices="OPENMP"
  options="-fopenmp"
fi

# ---- a minimal CMake package (no library: compile-only)
cat >"$prefix/lib/cmake/Kokkos/KokkosConfig.cmake" <<CMAKE
# Written by Kokkeops' scripts/kokkos5-headers.sh ($variant): the headers of Debian's libkokkos-dev $version,
# unpacked in $root, for compile-only checks. There is no library: do not link against this package.
set(Kokkos_VERSION $kv_major.$kv_minor.$kv_patch)
set(Kokkos_VERSION_MAJOR $kv_major)
set(Kokkos_VERSION_MINOR $kv_minor)
set(Kokkos_VERSION_PATCH $kv_patch)
set(Kokkos_DEVICES "$devices")
set(Kokkos_CXX_STANDARD 20)
set(Kokkos_COMPILE_ONLY ON)
foreach(_d IN LISTS Kokkos_DEVICES)
  set(Kokkos_ENABLE_\${_d} ON)
endforeach()
if(NOT TARGET Kokkos::kokkos)
  add_library(Kokkos::kokkoscore INTERFACE IMPORTED)
  set_target_properties(Kokkos::kokkoscore PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "$prefix/include;$inc"
    INTERFACE_COMPILE_FEATURES cxx_std_20
    INTERFACE_COMPILE_DEFINITIONS KOKKOS_DEPENDENCE
    INTERFACE_COMPILE_OPTIONS "$options")
  add_library(Kokkos::kokkos INTERFACE IMPORTED)
  set_target_properties(Kokkos::kokkos PROPERTIES INTERFACE_LINK_LIBRARIES Kokkos::kokkoscore)
endif()
# kokkos_check(DEVICES <names>... RETURN_VALUE <var>): are these backends enabled (names as Kokkos spells them)?
function(kokkos_check)
  cmake_parse_arguments(KC "" "RETURN_VALUE" "DEVICES" \${ARGN})
  set(_ok TRUE)
  foreach(_d IN LISTS KC_DEVICES)
    string(TOUPPER "\${_d}" _u)
    if(NOT _u IN_LIST Kokkos_DEVICES)
      set(_ok FALSE)
    endif()
  endforeach()
  if(KC_RETURN_VALUE)
    set(\${KC_RETURN_VALUE} \${_ok} PARENT_SCOPE)
  elseif(NOT _ok)
    message(FATAL_ERROR "Kokkos (compile-only headers) lacks one of: \${KC_DEVICES}")
  endif()
endfunction()
CMAKE
cat >"$prefix/lib/cmake/Kokkos/KokkosConfigVersion.cmake" <<CMAKE
set(PACKAGE_VERSION $kv_major.$kv_minor.$kv_patch)
if(PACKAGE_FIND_VERSION_MAJOR AND NOT PACKAGE_FIND_VERSION_MAJOR EQUAL $kv_major)
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
endif()
CMAKE
printf '%s\n' "$stamp" >"$prefix/.stamp"
log "Kokkos $kv_major.$kv_minor.$kv_patch headers ($variant) ready in $prefix"
printf '%s\n' "$prefix"

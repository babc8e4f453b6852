#!/usr/bin/env bash
# Build Kokkos 3.4 (+ Kokkos Kernels) from the distribution's Trilinos source package
# and install it into a prefix that Kokkeops can be configured against.
#
#   scripts/build-kokkos.sh <openmp|hip|debug|arm64> [PREFIX]
#
#   openmp  Serial + OpenMP, Release, for this machine's vector ISA (the README path)
#   hip     Serial + HIP with hipcc (compile checks)
#   debug   Serial + OpenMP, Debug, Kokkos_ENABLE_DEBUG and Kokkos_ENABLE_DEBUG_BOUNDS_CHECK (every
#           View access checked), built with clang++ and its libomp so that a clang sanitizer/fuzzer
#           build of Kokkeops can use it (one OpenMP runtime in the process); override with CXX
#   arm64   Serial + OpenMP, Release, cross-compiled for aarch64 with Debian's g++-aarch64-linux-gnu
#           (cmake/toolchains/aarch64-linux-gnu.cmake; no architecture flag: armv8-a, which has Neon),
#           and GoogleTest (gtest, from the googletest package's sources) in the same prefix; no Kokkos
#           Kernels unless KOKKEOPS_WITH_KERNELS=1. Configure Kokkeops with that toolchain file and
#           -DCMAKE_PREFIX_PATH=<prefix>; ctest runs the tests under qemu-aarch64 (qemu-user)
#
# PREFIX defaults to ${KOKKEOPS_DEPS_DIR:-$HOME/.cache/kokkeops}/install/kokkos-<variant> (the openmp
# variant with another architecture than native: kokkos-openmp-<arch>).
# The source is unpacked once into $KOKKEOPS_DEPS_DIR/src; an install whose stamp matches
# the current configuration is reused as is. The prefix is printed on the last line of stdout.
#
# Environment:
#   KOKKEOPS_DEPS_DIR       cache directory (sources, build trees, installs)
#   KOKKEOPS_KOKKOS_ARCH    openmp only: the architecture this Kokkos gives its consumers: "native"
#                           (default: -march=native, as Kokkos 4's Kokkos_ARCH_NATIVE), a Kokkos_ARCH_<NAME>
#                           (e.g. SKX, ZEN3), or "none" for no architecture flag at all (then Kokkeops'
#                           own Kokkeops_ARCH option chooses, e.g. x86-64-v3)
#   CXX                     compiler for the openmp (default g++) and debug (default clang++) variants
#   KOKKEOPS_HIP_ARCH       hip only: Kokkos_ARCH_<NAME> for the GPU (default VEGA908; Kokkos 3.4
#                           knows no gfx90a)
#   KOKKEOPS_WITH_KERNELS   0 to skip Kokkos Kernels (default 1; arm64: 0)
#   KOKKEOPS_KEEP_TRILINOS_SOURCE  1 to keep the whole unpacked Trilinos (default: keep only
#                           packages/kokkos and packages/kokkos-kernels, about 30 MB instead of 1 GB)
#   JOBS                    build parallelism (default: nproc)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# Bump when the build recipe changes so that cached installs are rebuilt.
readonly RECIPE_VERSION=1

log() { printf '[build-kokkos] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

[[ $# -ge 1 && $# -le 2 ]] || usage
variant=$1
case "$variant" in
  openmp | hip | debug | arm64) ;;
  -h | --help) usage ;;
  *) die "unknown variant '$variant' (expected openmp, hip, debug or arm64)" ;;
esac

deps_dir=${KOKKEOPS_DEPS_DIR:-$HOME/.cache/kokkeops}
# One prefix per architecture of the openmp variant (kokkos-openmp for native, the README's), so that an
# x86-64-v3 or architecture-free build sits beside it.
prefix_name=kokkos-$variant
if [[ $variant == openmp && ${KOKKEOPS_KOKKOS_ARCH:-native} != native ]]; then
  prefix_name=kokkos-$variant-$(printf '%s' "$KOKKEOPS_KOKKOS_ARCH" | tr -c 'A-Za-z0-9_.-' '_')
fi
prefix=${2:-$deps_dir/install/$prefix_name}
jobs=${JOBS:-$(nproc)}
with_kernels=${KOKKEOPS_WITH_KERNELS:-1}
# The cross build is for tests under qemu: Kokkos Kernels (the benchmarks' baseline only) is left out.
[[ $variant == arm64 ]] && with_kernels=${KOKKEOPS_WITH_KERNELS:-0}

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  SUDO=()
fi

as_root() {
  if [[ $(id -u) -ne 0 && ${#SUDO[@]} -eq 0 ]]; then
    die "need root (or sudo) to run: $*"
  fi
  "${SUDO[@]}" "$@"
}

# install_packages PKG...: install those of the Debian packages PKG... that are not installed yet.
apt_updated=0
install_packages() {
  local p missing=()
  for p in "$@"; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing ${missing[*]}"
  if [[ $apt_updated -eq 0 ]]; then
    as_root apt-get update -q
    apt_updated=1
  fi
  as_root apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
}

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ---------------------------------------------------------------------------------------------
# Configuration of each variant. Everything that changes the result goes into the stamp.
# ---------------------------------------------------------------------------------------------
build_type=Release
[[ $variant == debug ]] && build_type=Debug
common_args=(
  -DCMAKE_BUILD_TYPE=$build_type
  -DCMAKE_CXX_STANDARD=17
  -DCMAKE_CXX_EXTENSIONS=OFF
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON
  -DCMAKE_INSTALL_PREFIX="$prefix"
  -DCMAKE_INSTALL_LIBDIR=lib
)

kokkos_args=()
kernels_args=()
cross_stamp=()
case "$variant" in
  openmp)
    # Kokkos 3.4 has no Kokkos_ARCH_NATIVE, and no 3.4 Kokkos_ARCH_<NAME> fits an AVX-512 AMD core
    # (ZEN3 means AVX2; SKX means -march=skylake-avx512 -mrtm, Intel only). So by default Kokkos
    # is compiled with -march=native and, after install, -march=native is appended to the
    # exported Kokkos::kokkoscore INTERFACE_COMPILE_OPTIONS (as Kokkos_ARCH_<NAME> would do), so
    # every consumer's code is vectorised for the host ISA. A named architecture can be chosen
    # instead with KOKKEOPS_KOKKOS_ARCH=<NAME>.
    arch=${KOKKEOPS_KOKKOS_ARCH:-native}
    # Shared libraries: a formula compiled at run time (kokkeops/strings/runtime.hpp) is loaded with dlopen
    # and must share the program's Kokkos.
    kokkos_args+=(
      -DCMAKE_CXX_COMPILER="${CXX:-g++}"
      -DBUILD_SHARED_LIBS=ON
      -DKokkos_ENABLE_SERIAL=ON
      -DKokkos_ENABLE_OPENMP=ON
      -DKokkos_ENABLE_TESTS=OFF
      -DKokkos_ENABLE_EXAMPLES=OFF
    )
    case "$arch" in
      native) kokkos_args+=(-DCMAKE_CXX_FLAGS=-march=native) ;; # exported after install, below
      none) ;;
      *) kokkos_args+=("-DKokkos_ARCH_${arch}=ON") ;;
    esac
    ;;
  debug)
    # No architecture flag: these builds look for bugs, not speed.
    arch=none
    kokkos_args+=(
      -DCMAKE_CXX_COMPILER="${CXX:-clang++}"
      -DKokkos_ENABLE_SERIAL=ON
      -DKokkos_ENABLE_OPENMP=ON
      -DKokkos_ENABLE_DEBUG=ON
      -DKokkos_ENABLE_DEBUG_BOUNDS_CHECK=ON
      -DKokkos_ENABLE_TESTS=OFF
      -DKokkos_ENABLE_EXAMPLES=OFF
    )
    ;;
  hip)
    hip_arch=${KOKKEOPS_HIP_ARCH:-VEGA908}
    arch=$hip_arch
    # hipcc links for the GPUs rocm_agent_enumerator finds unless told which; without an AMD GPU
    # that prints a traceback. Name the target Kokkos compiles for (VEGA908 -> gfx908).
    if [[ $hip_arch == VEGA* ]]; then
      export HCC_AMDGPU_TARGET=${HCC_AMDGPU_TARGET:-gfx${hip_arch#VEGA}}
    fi
    kokkos_args+=(
      -DCMAKE_CXX_COMPILER=hipcc
      -DKokkos_ENABLE_SERIAL=ON
      -DKokkos_ENABLE_HIP=ON
      "-DKokkos_ARCH_${hip_arch}=ON"
      -DKokkos_ENABLE_TESTS=OFF
      -DKokkos_ENABLE_EXAMPLES=OFF
    )
    ;;
  arm64)
    # Cross build for aarch64, run under qemu-user. No architecture flag: GCC's default armv8-a, which has
    # Neon; a consumer chooses SVE or a later level with its own Kokkeops_ARCH (one architecture flag, not two).
    arch=none
    # What the cross build needs and what its users need to run the tests: also when the install is reused
    # (e.g. a cached prefix on a fresh machine). googletest: the sources built into the prefix below.
    install_packages g++-aarch64-linux-gnu libgomp1-arm64-cross qemu-user googletest
    toolchain=$repo_root/cmake/toolchains/aarch64-linux-gnu.cmake
    [[ -f $toolchain ]] || die "toolchain file not found: $toolchain"
    gtest_src=/usr/src/googletest
    kokkos_args+=(
      -DKokkos_ENABLE_SERIAL=ON
      -DKokkos_ENABLE_OPENMP=ON
      -DKokkos_ENABLE_TESTS=OFF
      -DKokkos_ENABLE_EXAMPLES=OFF
    )
    # gtest only (no test uses gmock).
    gtest_args=(-DBUILD_GMOCK=OFF -DINSTALL_GTEST=ON -Dgtest_build_tests=OFF -Dgtest_build_samples=OFF)
    # In the stamp: the toolchain file's content (not its path: another checkout reuses the install) and the
    # GoogleTest sources' version.
    cross_stamp=(
      "toolchain=$(sha256sum "$toolchain" | cut -d' ' -f1)"
      "googletest=$(dpkg-query -W -f='${Version}' googletest)"
      "${gtest_args[@]}"
    )
    ;;
esac

# Kokkos Kernels: no explicit template instantiations (header-only use is enough for us and the
# library builds in seconds), no tests, no examples, no TPLs.
kernels_args+=(
  -DKokkos_ROOT="$prefix"
  -DKokkosKernels_ADD_DEFAULT_ETI=OFF
  -DKokkosKernels_INST_DOUBLE=OFF
  -DKokkosKernels_INST_FLOAT=OFF
  -DKokkosKernels_INST_COMPLEX_DOUBLE=OFF
  -DKokkosKernels_INST_COMPLEX_FLOAT=OFF
  -DKokkosKernels_INST_ORDINAL_INT=OFF
  -DKokkosKernels_INST_ORDINAL_INT64_T=OFF
  -DKokkosKernels_INST_OFFSET_INT=OFF
  -DKokkosKernels_INST_OFFSET_SIZE_T=OFF
  -DKokkosKernels_INST_LAYOUTLEFT=OFF
  -DKokkosKernels_INST_LAYOUTRIGHT=OFF
  -DKokkosKernels_ENABLE_TESTS=OFF
  -DKokkosKernels_ENABLE_EXAMPLES=OFF
)
if [[ $variant == hip ]]; then
  kernels_args+=(-DCMAKE_CXX_COMPILER=hipcc)
elif [[ $variant == arm64 ]]; then
  : # the toolchain file's compiler
elif [[ $variant == debug ]]; then
  kernels_args+=(-DCMAKE_CXX_COMPILER="${CXX:-clang++}")
else
  kernels_args+=(-DCMAKE_CXX_COMPILER="${CXX:-g++}")
fi
[[ $variant == openmp ]] && kernels_args+=(-DBUILD_SHARED_LIBS=ON)  # beside the shared Kokkos

stamp_file=$prefix/.kokkeops-kokkos-stamp
stamp_text=$(printf '%s\n' "recipe=$RECIPE_VERSION" "variant=$variant" "arch=$arch" \
  "kernels=$with_kernels" "${common_args[@]}" "${kokkos_args[@]}" "${kernels_args[@]}" "${cross_stamp[@]}")
# The cross build's compiler, for every CMake project built here (not in the stamp: see cross_stamp).
cross_args=()
[[ $variant == arm64 ]] && cross_args=(-DCMAKE_TOOLCHAIN_FILE="$toolchain")

if [[ -f $stamp_file ]] && [[ "$(cat "$stamp_file")" == "$stamp_text" ]]; then
  log "Kokkos ($variant) already installed in $prefix"
  printf '%s\n' "$prefix"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------
need_pkgs=()
command -v cmake >/dev/null 2>&1 || need_pkgs+=(cmake)
command -v g++ >/dev/null 2>&1 || need_pkgs+=(g++)
command -v make >/dev/null 2>&1 || need_pkgs+=(make)
command -v dpkg-source >/dev/null 2>&1 || need_pkgs+=(dpkg-dev)
[[ $variant == hip ]] && ! command -v hipcc >/dev/null 2>&1 && need_pkgs+=(hipcc)
if [[ $variant == debug && -z ${CXX:-} ]]; then
  command -v clang++ >/dev/null 2>&1 || need_pkgs+=(clang)
  # clang's -fopenmp links LLVM's libomp
  [[ $(dpkg-query -W -f='${Status}' libomp-dev 2>/dev/null) == "install ok installed" ]] || need_pkgs+=(libomp-dev)
fi
if [[ ${#need_pkgs[@]} -gt 0 ]]; then
  log "installing ${need_pkgs[*]}"
  as_root apt-get update -q
  apt_updated=1
  as_root apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" </dev/null
fi

# ---------------------------------------------------------------------------------------------
# Source: packages/kokkos and packages/kokkos-kernels of the Trilinos source package
# ---------------------------------------------------------------------------------------------
src_root=$deps_dir/src

find_trilinos_src() {
  local d
  for d in "$src_root"/trilinos-*/; do
    if [[ -f $d/packages/kokkos/CMakeLists.txt && -f $d/packages/kokkos-kernels/CMakeLists.txt ]]; then
      printf '%s\n' "${d%/}"
      return 0
    fi
  done
  return 1
}

have_trilinos_source_record() {
  # Not `apt-cache ... | grep -q`: with pipefail, grep's early exit fails the pipe (SIGPIPE).
  local records
  records=$(apt-cache showsrc trilinos 2>/dev/null) || return 1
  grep -q '^Package: trilinos$' <<<"$records"
}

# Add deb-src entries mirroring the enabled deb entries (deb822 *.sources files and one-line
# *.list files), in files of our own; the existing files are left untouched.
enable_deb_src() {
  local out822=/etc/apt/sources.list.d/kokkeops-deb-src.sources
  local outlist=/etc/apt/sources.list.d/kokkeops-deb-src.list
  local f tmp822 tmplist
  tmp822=$(mktemp)
  tmplist=$(mktemp)
  shopt -s nullglob
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ $f == "$out822" ]] && continue
    # One stanza per paragraph: keep enabled stanzas whose Types has "deb", drop comments,
    # and rewrite Types to deb-src.
    awk '
      function flush() {
        if (n > 0 && isdeb && !disabled) {
          for (k = 1; k <= n; k++) print buf[k]
          print ""
        }
        n = 0; isdeb = 0; disabled = 0
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      {
        line = $0
        if (tolower(line) ~ /^types:/) {
          t = line; sub(/^[^:]*:/, "", t)
          if ((" " t " ") ~ /[ \t]deb[ \t]/) isdeb = 1
          line = "Types: deb-src"
        }
        if (tolower(line) ~ /^enabled:[ \t]*(no|false)/) disabled = 1
        buf[++n] = line
      }
      END { flush() }
    ' "$f" >>"$tmp822"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f && $f != "$outlist" ]] || continue
    sed -n 's/^[[:space:]]*deb[[:space:]]\+/deb-src /p' "$f" >>"$tmplist"
  done
  shopt -u nullglob
  if [[ -s $tmp822 ]]; then
    log "writing $out822"
    as_root install -m 0644 "$tmp822" "$out822"
  fi
  if [[ -s $tmplist ]]; then
    log "writing $outlist"
    as_root install -m 0644 "$tmplist" "$outlist"
  fi
  rm -f "$tmp822" "$tmplist"
}

if ! trilinos_src=$(find_trilinos_src); then
  if ! have_trilinos_source_record; then
    if [[ $apt_updated -eq 0 ]]; then
      as_root apt-get update -q || log "warning: apt-get update reported errors"
      apt_updated=1
    fi
    if ! have_trilinos_source_record; then
      if ! grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' \
        /etc/apt/sources.list /etc/apt/sources.list.d/; then
        enable_deb_src
      fi
      # A third-party repository without sources must not stop us: only the result matters.
      as_root apt-get update -q || log "warning: apt-get update reported errors"
    fi
    have_trilinos_source_record || die "no source package 'trilinos' available from apt"
  fi
  mkdir -p "$src_root"
  log "fetching and unpacking the trilinos source package into $src_root (once)"
  (cd "$src_root" && apt-get source -q trilinos </dev/null)
  trilinos_src=$(find_trilinos_src) || die "unpacked trilinos source not found under $src_root"
  if [[ ${KOKKEOPS_KEEP_TRILINOS_SOURCE:-0} != 1 ]]; then
    # Keep what we build (27 MB, Debian patches applied) and drop the other ~1 GB of Trilinos.
    log "pruning the Trilinos tree to packages/kokkos and packages/kokkos-kernels"
    find "$trilinos_src" -mindepth 1 -maxdepth 1 ! -name packages ! -name debian -exec rm -rf {} +
    find "$trilinos_src/packages" -mindepth 1 -maxdepth 1 \
      ! -name kokkos ! -name kokkos-kernels -exec rm -rf {} +
    rm -f "$src_root"/trilinos_*.orig.tar.* "$src_root"/trilinos_*.debian.tar.* "$src_root"/trilinos_*.dsc
  fi
fi
log "Trilinos source: $trilinos_src"

kokkos_version=$(sed -n 's/^set(Kokkos_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)).*/\2/p' \
  "$trilinos_src/packages/kokkos/CMakeLists.txt" | paste -sd. -)
log "Kokkos version in source: ${kokkos_version:-unknown}"

# ---------------------------------------------------------------------------------------------
# Build and install
# ---------------------------------------------------------------------------------------------
build_root=$deps_dir/build/$prefix_name
rm -rf "$build_root" "$prefix"
mkdir -p "$build_root" "$prefix"

t0=$SECONDS
log "configuring Kokkos ($variant)"
cmake -S "$trilinos_src/packages/kokkos" -B "$build_root/kokkos" \
  "${common_args[@]}" "${cross_args[@]}" "${kokkos_args[@]}" >"$build_root/kokkos-configure.log" 2>&1 ||
  { tail -n 60 "$build_root/kokkos-configure.log" >&2; die "Kokkos configure failed"; }
log "building Kokkos ($variant) with -j$jobs"
cmake --build "$build_root/kokkos" -j"$jobs" >"$build_root/kokkos-build.log" 2>&1 ||
  { tail -n 60 "$build_root/kokkos-build.log" >&2; die "Kokkos build failed"; }
cmake --install "$build_root/kokkos" >"$build_root/kokkos-install.log" 2>&1 ||
  { tail -n 30 "$build_root/kokkos-install.log" >&2; die "Kokkos install failed"; }
log "Kokkos ($variant) installed in $((SECONDS - t0)) s"

if [[ $variant == openmp && $arch == native ]]; then
  # Export the host ISA with the target so every consumer compiles with it (Kokkos_ARCH_<NAME>
  # does the same for a named architecture). Appended to Kokkos::kokkoscore's interface options.
  targets=$(find "$prefix" -name KokkosTargets.cmake -print -quit)
  [[ -n $targets ]] || die "KokkosTargets.cmake not found in $prefix"
  cat >>"$targets" <<'EOF'

# Added by Kokkeops' scripts/build-kokkos.sh: the host architecture, as Kokkos_ARCH_NATIVE does in Kokkos 4.
if(TARGET Kokkos::kokkoscore)
  set_property(TARGET Kokkos::kokkoscore APPEND PROPERTY INTERFACE_COMPILE_OPTIONS
    "$<$<COMPILE_LANGUAGE:CXX>:-march=native>")
endif()
EOF
fi

if [[ $with_kernels == 1 ]]; then
  t1=$SECONDS
  log "configuring Kokkos Kernels ($variant)"
  if cmake -S "$trilinos_src/packages/kokkos-kernels" -B "$build_root/kernels" \
    "${common_args[@]}" "${cross_args[@]}" "${kernels_args[@]}" >"$build_root/kernels-configure.log" 2>&1 &&
    cmake --build "$build_root/kernels" -j"$jobs" >"$build_root/kernels-build.log" 2>&1 &&
    cmake --install "$build_root/kernels" >"$build_root/kernels-install.log" 2>&1; then
    log "Kokkos Kernels ($variant) installed in $((SECONDS - t1)) s"
  else
    for f in "$build_root"/kernels-*.log; do tail -n 40 "$f" >&2; done
    die "Kokkos Kernels build failed (set KOKKEOPS_WITH_KERNELS=0 to skip it)"
  fi
fi

if [[ $variant == arm64 ]]; then
  # GoogleTest for the target, into the same prefix (find_package(GTest) finds it there).
  t1=$SECONDS
  log "building GoogleTest ($variant) from $gtest_src with -j$jobs"
  if cmake -S "$gtest_src" -B "$build_root/gtest" "${common_args[@]}" "${cross_args[@]}" "${gtest_args[@]}" \
    >"$build_root/gtest-configure.log" 2>&1 &&
    cmake --build "$build_root/gtest" -j"$jobs" >"$build_root/gtest-build.log" 2>&1 &&
    cmake --install "$build_root/gtest" >"$build_root/gtest-install.log" 2>&1; then
    log "GoogleTest ($variant) installed in $((SECONDS - t1)) s"
  else
    for f in "$build_root"/gtest-*.log; do tail -n 40 "$f" >&2; done
    die "GoogleTest build failed"
  fi
fi

printf '%s\n' "$stamp_text" >"$stamp_file"
log "done in $((SECONDS - t0)) s"
printf '%s\n' "$prefix"

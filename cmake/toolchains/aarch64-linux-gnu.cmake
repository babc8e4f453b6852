# CMake toolchain file: cross-compile for 64-bit Arm Linux with Debian's cross compilers
# (apt: g++-aarch64-linux-gnu; to run the programs: qemu-user), e.g.
#
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake \
#         -DCMAKE_PREFIX_PATH=<prefix of the aarch64 Kokkos and GoogleTest>
#   ctest --test-dir build-arm64       # each test runs under qemu-aarch64
#
# Debian's cross packages (libc6-dev-arm64-cross, libstdc++-12-dev-arm64-cross, libgomp1-arm64-cross, ...)
# install the target's headers and libraries in /usr/aarch64-linux-gnu (the compiler finds them there by
# itself: it is configured with --with-sysroot=/, so no CMAKE_SYSROOT). That directory is the root that
# find_* commands search for the target's libraries, headers and packages; the prefixes named in
# CMAKE_PREFIX_PATH, Kokkos_ROOT, KokkosKernels_ROOT and GTest_ROOT (variables or environment) are roots as
# well, so that find_package finds aarch64 builds installed there and never the host's x86-64 ones
# (/usr/lib/x86_64-linux-gnu/cmake/...). Programs (find_program) are the host's.
#
# Cache variables:
#   KOKKEOPS_CROSS_TRIPLE     compiler prefix (default aarch64-linux-gnu)
#   KOKKEOPS_CROSS_LIBROOT    the target's library root (default /usr/<triple>)
#   KOKKEOPS_QEMU_CPU         qemu-aarch64 -cpu value for the tests (default: qemu's own; e.g.
#                             "max,sve512=on" to run code built with -msve-vector-bits=512)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(KOKKEOPS_CROSS_TRIPLE aarch64-linux-gnu CACHE STRING "Cross compiler prefix (<triple>-g++)")
set(KOKKEOPS_CROSS_LIBROOT /usr/${KOKKEOPS_CROSS_TRIPLE} CACHE PATH
    "The target's libraries and headers (Debian's *-arm64-cross packages)")
set(KOKKEOPS_QEMU_CPU "" CACHE STRING "qemu-aarch64 -cpu value for running the tests (empty: qemu's default)")

set(CMAKE_C_COMPILER ${KOKKEOPS_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${KOKKEOPS_CROSS_TRIPLE}-g++)

# ctest (and try_run, add_custom_command with a target executable) run the target's programs under
# qemu-user, with the target's dynamic loader and libraries from the library root.
find_program(KOKKEOPS_QEMU_AARCH64 qemu-aarch64 NO_CMAKE_FIND_ROOT_PATH)
if(KOKKEOPS_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${KOKKEOPS_QEMU_AARCH64} -L ${KOKKEOPS_CROSS_LIBROOT})
  if(KOKKEOPS_QEMU_CPU)
    list(APPEND CMAKE_CROSSCOMPILING_EMULATOR -cpu ${KOKKEOPS_QEMU_CPU})
  endif()
endif()

# The roots of find_*: the target's library root, then the prefixes the user names. A prefix that is itself
# a root is searched as is (CMake does not re-root a path already under a root).
set(CMAKE_FIND_ROOT_PATH ${KOKKEOPS_CROSS_LIBROOT})
foreach(_kokkeops_var CMAKE_PREFIX_PATH Kokkos_ROOT KokkosKernels_ROOT GTest_ROOT)
  foreach(_kokkeops_p IN LISTS ${_kokkeops_var})
    list(APPEND CMAKE_FIND_ROOT_PATH ${_kokkeops_p})
  endforeach()
  if(DEFINED ENV{${_kokkeops_var}})
    string(REPLACE ":" ";" _kokkeops_env "$ENV{${_kokkeops_var}}")
    list(APPEND CMAKE_FIND_ROOT_PATH ${_kokkeops_env})
  endif()
endforeach()
unset(_kokkeops_var)
unset(_kokkeops_p)
unset(_kokkeops_env)
list(REMOVE_DUPLICATES CMAKE_FIND_ROOT_PATH)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# try_compile projects (CMake's compiler checks, FindOpenMP, Kokkeops' ISA probe) read this file again:
# pass them the same choices.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES KOKKEOPS_CROSS_TRIPLE KOKKEOPS_CROSS_LIBROOT KOKKEOPS_QEMU_CPU)

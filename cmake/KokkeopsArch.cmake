# The host vector ISA (issue 15): which one the library is built for, and a check that a consumer of the
# package compiles for at least that one. Included by the top-level CMakeLists.txt and, installed beside
# it, by the package config (KokkeopsConfig.cmake), for the build tree and the install tree alike.
#
# The ISA is what the compiler flags give: the user's Kokkos (its Kokkos_ARCH_* options, or the
# architecture scripts/build-kokkos.sh gives the Kokkos it builds) or Kokkeops_ARCH. It is read back from
# the compiler by compiling include/kokkeops/impl/isa.hpp (no run: cross compilers work too).

# kokkeops_probe_isa(<out> INCLUDE <dir> [LINK <targets>...] [FLAGS <flags>...]): the ISA that code compiled
# with CMAKE_CXX_FLAGS, the usage requirements of <targets> and <flags> gets, as "family;name;level".
function(kokkeops_probe_isa out)
  cmake_parse_arguments(P "" "INCLUDE" "LINK;FLAGS" ${ARGN})
  set(_dir ${CMAKE_BINARY_DIR}/CMakeFiles/kokkeops_isa_probe)
  file(MAKE_DIRECTORY ${_dir})
  file(WRITE ${_dir}/probe.cpp
    "#include <kokkeops/impl/isa.hpp>\n"
    "#define KOKKEOPS_PROBE_STR2(x) #x\n#define KOKKEOPS_PROBE_STR(x) KOKKEOPS_PROBE_STR2(x)\n"
    "extern const char kokkeops_isa_info[];\n"
    "const char kokkeops_isa_info[] = \"INFO:kokkeops_isa[\" KOKKEOPS_ISA_FAMILY \":\" KOKKEOPS_ISA_NAME \":\" "
    "KOKKEOPS_PROBE_STR(KOKKEOPS_ISA_LEVEL) \"]\";\n")
  # A static library: nothing is linked or run, so the probe works for any target, cross builds included.
  set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
  set(_link "")
  if(P_LINK)
    set(_link LINK_LIBRARIES ${P_LINK})
  endif()
  string(MD5 _key "${P_INCLUDE};${P_LINK};${P_FLAGS};${CMAKE_CXX_FLAGS};${CMAKE_CXX_COMPILER}")
  try_compile(_ok ${_dir}/build-${_key} SOURCES ${_dir}/probe.cpp
    CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${P_INCLUDE}"
    COMPILE_DEFINITIONS ${P_FLAGS}
    ${_link}
    OUTPUT_VARIABLE _log
    COPY_FILE ${_dir}/probe-${_key}.a)
  if(NOT _ok)
    message(FATAL_ERROR "Kokkeops: could not compile the vector-ISA probe (flags: ${CMAKE_CXX_FLAGS} ${P_FLAGS}):\n${_log}")
  endif()
  file(STRINGS ${_dir}/probe-${_key}.a _info REGEX "INFO:kokkeops_isa\\[[^]]*\\]")
  if(NOT _info MATCHES "INFO:kokkeops_isa\\[([^]]*)\\]")
    message(FATAL_ERROR "Kokkeops: the vector-ISA probe compiled but its answer was not found in ${_dir}/probe-${_key}.a")
  endif()
  string(REPLACE ":" ";" _list "${CMAKE_MATCH_1}")
  set(${out} "${_list}" PARENT_SCOPE)
endfunction()

# The library side: Kokkeops_ARCH, then the ISA the library and its tests are built for (Kokkeops_ISA,
# Kokkeops_ISA_LEVEL, Kokkeops_ISA_FAMILY, Kokkeops_ARCH_FLAGS in the caller's scope).
macro(kokkeops_configure_arch)
  set(Kokkeops_ARCH "" CACHE STRING
      "CPU builds: the architecture the library, its tests and tools are compiled for: empty (what Kokkos gives), native, a -march value (x86-64-v3, skylake-avx512, armv8.2-a, ...) or compiler flags starting with '-'; not exported to consumers")
  if(DEFINED Kokkeops_ENABLE_NATIVE_ARCH)
    message(WARNING "Kokkeops_ENABLE_NATIVE_ARCH is no longer used (removed from the cache): the architecture comes from "
                    "your Kokkos (its Kokkos_ARCH_* options) or from -DKokkeops_ARCH=native (or x86-64-v3, ...), which is "
                    "not forced on consumers")
    unset(Kokkeops_ENABLE_NATIVE_ARCH CACHE)
    unset(Kokkeops_ENABLE_NATIVE_ARCH)
  endif()
  set(Kokkeops_ARCH_FLAGS "")
  if(Kokkeops_ARCH)
    if(Kokkos_ENABLE_CUDA OR Kokkos_ENABLE_HIP OR Kokkos_ENABLE_SYCL)
      message(FATAL_ERROR "Kokkeops_ARCH=${Kokkeops_ARCH}: set a GPU build's architectures with Kokkos' own Kokkos_ARCH_* "
                          "options (the host code there does not use explicit SIMD)")
    endif()
    if(Kokkeops_ARCH MATCHES "^-")
      set(Kokkeops_ARCH_FLAGS ${Kokkeops_ARCH})
    else()
      set(Kokkeops_ARCH_FLAGS "-march=${Kokkeops_ARCH}")
    endif()
    # Two architecture flags would fight (the last one on the command line wins, silently).
    foreach(_t Kokkos::kokkoscore Kokkos::kokkos)
      if(TARGET ${_t})
        get_target_property(_opts ${_t} INTERFACE_COMPILE_OPTIONS)
        if(_opts MATCHES "-march=|-mcpu=|-xHost|-xCORE")
          message(FATAL_ERROR "Kokkeops_ARCH=${Kokkeops_ARCH}, but the Kokkos at ${Kokkos_DIR} already sets the architecture "
                              "(${_t}: ${_opts}). Leave Kokkeops_ARCH empty to use Kokkos' one, or use a Kokkos built "
                              "without one (scripts/build-kokkos.sh with KOKKEOPS_KOKKOS_ARCH=none).")
        endif()
      endif()
    endforeach()
    include(CheckCXXCompilerFlag)
    string(MAKE_C_IDENTIFIER "kokkeops_arch_${Kokkeops_ARCH}" _var)
    check_cxx_compiler_flag("${Kokkeops_ARCH_FLAGS}" ${_var})
    if(NOT ${_var})
      message(FATAL_ERROR "Kokkeops_ARCH=${Kokkeops_ARCH}: ${CMAKE_CXX_COMPILER} does not accept ${Kokkeops_ARCH_FLAGS}")
    endif()
    # Every target of this directory tree (library, tools, tests, examples, benchmarks); nothing exported.
    add_compile_options("$<$<COMPILE_LANGUAGE:CXX>:${Kokkeops_ARCH_FLAGS}>")
  endif()
  if(Kokkos_ENABLE_CUDA OR Kokkos_ENABLE_HIP OR Kokkos_ENABLE_SYCL)
    set(Kokkeops_ISA_FAMILY "device")
    set(Kokkeops_ISA "none")
    set(Kokkeops_ISA_LEVEL 0)
    message(STATUS "Kokkeops: GPU build: the host code uses no explicit SIMD (no vector-ISA check for consumers)")
  else()
    kokkeops_probe_isa(_isa INCLUDE ${PROJECT_SOURCE_DIR}/include LINK Kokkos::kokkos FLAGS ${Kokkeops_ARCH_FLAGS})
    list(GET _isa 0 Kokkeops_ISA_FAMILY)
    list(GET _isa 1 Kokkeops_ISA)
    list(GET _isa 2 Kokkeops_ISA_LEVEL)
    set(_how "from the compiler flags and Kokkos")
    if(Kokkeops_ARCH)
      set(_how "Kokkeops_ARCH=${Kokkeops_ARCH}")
    endif()
    message(STATUS "Kokkeops: host vector ISA ${Kokkeops_ISA_FAMILY} ${Kokkeops_ISA} (${_how})")
  endif()
endmacro()

# The consumer side (the package config): stop at configure time when the consuming project compiles for
# a narrower ISA of the same family than the library was built for, or for another family.
function(kokkeops_check_consumer_isa family isa level flags)
  if(Kokkeops_SKIP_ISA_CHECK OR family STREQUAL "device")
    return()
  endif()
  kokkeops_probe_isa(_isa LINK Kokkeops::kokkeops)
  list(GET _isa 0 _family)
  list(GET _isa 1 _name)
  list(GET _isa 2 _level)
  if(NOT _family STREQUAL family OR _level LESS level)
    if(flags)
      set(_fix "compile this project with ${flags} (e.g. -DCMAKE_CXX_FLAGS=\"${flags}\")")
    else()
      set(_fix "compile this project with the architecture flags of the Kokkos it was built with")
    endif()
    message(FATAL_ERROR "Kokkeops at ${Kokkeops_DIR} was built for the ${family} vector ISA ${isa}, but this project "
                        "compiles for ${_family} ${_name} (CMAKE_CXX_FLAGS: '${CMAKE_CXX_FLAGS}', plus Kokkos' flags). "
                        "Its headers would then build a narrower engine than the library's, and a program mixing the two "
                        "would not run on the narrower machine. Either ${_fix}, or build Kokkeops for the narrower ISA "
                        "(-DKokkeops_ARCH=..., e.g. x86-64-v3). Kokkeops_SKIP_ISA_CHECK=ON skips this check.")
  endif()
endfunction()

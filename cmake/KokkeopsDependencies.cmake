# Dependency helpers shared by the build and the installed package config (KokkeopsConfig.cmake).

# Find Kokkos (3.4.01 ... 4.x) and, optionally, Kokkos Kernels; repair known packaging defects.
macro(kokkeops_find_kokkos)
  if(NOT TARGET Kokkos::kokkos)
    # No version in the call: Kokkos' version files accept only the same major version.
    find_package(Kokkos REQUIRED)
  endif()
  if(Kokkos_VERSION VERSION_LESS 3.4.1)
    message(FATAL_ERROR "Kokkeops needs Kokkos >= 3.4.01; found ${Kokkos_VERSION} at ${Kokkos_DIR}")
  endif()
  # Kokkos issue 8187: with its mdspan-based View (4.5 and 4.6; fixed in July 2025, before 4.7), GCC
  # 12.2-12.4 zeroes default-constructed Views and programs crash on the first View assignment.
  if(Kokkos_VERSION VERSION_GREATER_EQUAL 4.5 AND Kokkos_VERSION VERSION_LESS 4.7 AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND
     CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12.2 AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    message(WARNING "Kokkos ${Kokkos_VERSION} with GCC ${CMAKE_CXX_COMPILER_VERSION}: unless this Kokkos "
                    "contains the fix for Kokkos issue 8187 (PR 8223), programs crash when a View is assigned. "
                    "Use GCC >= 13 or clang, or a Kokkos built with Kokkos_ENABLE_IMPL_VIEW_LEGACY=ON.")
  endif()
  # A Kokkos of headers only (scripts/kokkos5-headers.sh: Kokkos 5 for compile checks, no library): the
  # executables are compiled, not linked.
  if(Kokkos_COMPILE_ONLY)
    set(CMAKE_CXX_LINK_EXECUTABLE "<CMAKE_COMMAND> -E touch <TARGET>")
    message(STATUS "Kokkeops: Kokkos ${Kokkos_VERSION} headers only: everything is compiled, executables are not linked")
  endif()
  _kokkeops_repair_kokkos_includes()
  # Kokkos Kernels (the benchmark suite's gemv baseline only) must be built on this Kokkos: none goes with a
  # Kokkos of headers only, and one of another major version (e.g. the distribution's, built on Kokkos 3.4,
  # beside a Kokkos 5) includes Kokkos headers that no longer exist or are private.
  set(Kokkeops_HAVE_KOKKOSKERNELS OFF)
  if(TARGET Kokkos::kokkoskernels)
    set(Kokkeops_HAVE_KOKKOSKERNELS ON)
  elseif(NOT Kokkos_COMPILE_ONLY)
    find_package(KokkosKernels QUIET)
    set(_kokkeops_kk_version "${KokkosKernels_VERSION}")
    if(KokkosKernels_FOUND AND NOT _kokkeops_kk_version AND TARGET trilinos_kokkoskernels)
      set(_kokkeops_kk_version 3.4)  # Debian's TriBITS package states no version: Trilinos' Kokkos 3.4
    endif()
    string(REGEX MATCH "^[0-9]+" _kokkeops_kk_major "${_kokkeops_kk_version}")
    string(REGEX MATCH "^[0-9]+" _kokkeops_k_major "${Kokkos_VERSION}")
    if(KokkosKernels_FOUND AND NOT _kokkeops_kk_major STREQUAL _kokkeops_k_major)
      message(STATUS "Kokkeops: Kokkos Kernels ${_kokkeops_kk_version} (${KokkosKernels_DIR}) does not go "
                     "with Kokkos ${Kokkos_VERSION}: not used")
    elseif(KokkosKernels_FOUND)
      # Debian's TriBITS-built package has no Kokkos::kokkoskernels, only trilinos_kokkoskernels
      # without include directories: wrap it.
      if(NOT TARGET Kokkos::kokkoskernels AND TARGET trilinos_kokkoskernels AND KokkosKernels_INCLUDE_DIRS)
        add_library(Kokkos::kokkoskernels INTERFACE IMPORTED)
        set_target_properties(Kokkos::kokkoskernels PROPERTIES
          INTERFACE_LINK_LIBRARIES "trilinos_kokkoskernels;Kokkos::kokkos"
          INTERFACE_INCLUDE_DIRECTORIES "${KokkosKernels_INCLUDE_DIRS}")
      endif()
      if(TARGET Kokkos::kokkoskernels)
        set(Kokkeops_HAVE_KOKKOSKERNELS ON)
      endif()
    endif()
  endif()
endmacro()

# Debian's libtrilinos-kokkos-dev (Kokkos 3.4.01) exports Kokkos::kokkos with the include directory
# <prefix>/lib/include, which does not exist; its headers are in Kokkos_INCLUDE_DIRS
# (/usr/include/trilinos). Point the target there. Harmless for a correct Kokkos.
function(_kokkeops_repair_kokkos_includes)
  get_target_property(_aliased Kokkos::kokkos ALIASED_TARGET)
  if(_aliased)
    return()
  endif()
  get_target_property(_dirs Kokkos::kokkos INTERFACE_INCLUDE_DIRECTORIES)
  if(NOT _dirs)
    return()
  endif()
  set(_fixed "")
  set(_changed OFF)
  foreach(_d IN LISTS _dirs)
    if(_d MATCHES "^\\$<" OR EXISTS "${_d}")
      list(APPEND _fixed "${_d}")
    else()
      set(_changed ON)
    endif()
  endforeach()
  if(_changed)
    foreach(_d IN LISTS Kokkos_INCLUDE_DIRS)
      get_filename_component(_d "${_d}" REALPATH)
      if(EXISTS "${_d}/Kokkos_Core.hpp")
        list(APPEND _fixed "${_d}")
      endif()
    endforeach()
    message(STATUS "Kokkeops: repaired Kokkos::kokkos include directories: ${_fixed}")
    set_target_properties(Kokkos::kokkos PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_fixed}")
  endif()
endfunction()

# The backends this Kokkos has, as upper-case names (SERIAL OPENMP CUDA HIP ...).
function(kokkeops_kokkos_backends out)
  set(_found "")
  foreach(_b SERIAL OPENMP THREADS CUDA HIP SYCL)
    if(Kokkos_ENABLE_${_b})
      list(APPEND _found ${_b})
    endif()
  endforeach()
  set(${out} "${_found}" PARENT_SCOPE)
endfunction()

# Kokkeops_REQUIRE_<B>=ON fails the configuration with a clear message when Kokkos lacks backend B.
function(kokkeops_require_backends)
  kokkeops_kokkos_backends(_have)
  foreach(_b SERIAL OPENMP CUDA HIP)
    if(Kokkeops_REQUIRE_${_b})
      set(_name ${_b})
      if(_b STREQUAL "OPENMP")
        set(_name OpenMP)
      elseif(_b STREQUAL "SERIAL")
        set(_name Serial)
      elseif(_b STREQUAL "CUDA")
        set(_name Cuda)
      endif()
      kokkos_check(DEVICES ${_name} RETURN_VALUE _ok)
      if(NOT _ok)
        message(FATAL_ERROR "Kokkeops_REQUIRE_${_b}=ON but the Kokkos found at ${Kokkos_DIR} "
                            "(version ${Kokkos_VERSION}) has only the backends: ${_have}. "
                            "Point Kokkos_ROOT at a Kokkos built with ${_name}.")
      endif()
    endif()
  endforeach()
  message(STATUS "Kokkeops: Kokkos ${Kokkos_VERSION} with backends: ${_have}")
endfunction()

# Flags that the engine's host code needs to vectorise: honour `omp simd`, contract a*b+c into FMAs, let
# sqrt inline without errno. The vector ISA itself comes from Kokkos or Kokkeops_ARCH (KokkeopsArch.cmake).
function(kokkeops_host_flags target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PUBLIC $<$<COMPILE_LANGUAGE:CXX>:-ffp-contract=fast -fno-math-errno>)
    # hipcc 5.2 fails the device link with -fopenmp-simd (__kmpc_alloc_shared); HIP host code then
    # runs the lane loop without the pragma.
    if(NOT Kokkos_ENABLE_HIP)
      target_compile_options(${target} PUBLIC $<$<COMPILE_LANGUAGE:CXX>:-fopenmp-simd>)
      target_compile_definitions(${target} PUBLIC KOKKEOPS_HAVE_OMP_SIMD)
    endif()
  endif()
endfunction()

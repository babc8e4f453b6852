# Build options for the reliability checks (issue 8): the warning set of Kokkeops' own code, warnings as
# errors, sanitizer builds and the libFuzzer targets. Included by the top-level CMakeLists.txt after
# Kokkos is found and before any target is created.

# The warnings every Kokkeops target compiles with (library, CLI, tests, examples, benchmarks). Kokkos and
# GoogleTest come in through imported targets, whose include directories are system directories
# (-isystem), so their headers add no warnings; with Kokkeops_WARNINGS_AS_ERRORS=ON ours fail the build.
set(Kokkeops_WARNING_FLAGS "")
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  list(APPEND Kokkeops_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # Clang's -Wconversion also means -Wsign-conversion (GCC's does not): every long extent passed as a
    # Kokkos size_t. Noise, not bugs: value-changing conversions stay on.
    # GoogleTest's TYPED_TEST_SUITE(Name, Types) leaves its variadic part empty: GTest's macro, not ours.
    # -Wpass-failed: an optimiser remark ("loop not vectorized" under `omp simd` in -O0/-O1 builds), not
    # a defect of the code.
    list(APPEND Kokkeops_WARNING_FLAGS -Wno-sign-conversion -Wno-gnu-zero-variadic-macro-arguments -Wno-pass-failed)
  endif()
  if(Kokkeops_WARNINGS_AS_ERRORS)
    list(APPEND Kokkeops_WARNING_FLAGS -Werror)
  endif()
elseif(Kokkeops_WARNINGS_AS_ERRORS)
  message(WARNING "Kokkeops_WARNINGS_AS_ERRORS is only implemented for GCC and Clang; ignored for ${CMAKE_CXX_COMPILER_ID}")
endif()

# kokkeops_own_warnings(target): Kokkeops' warning set on a target of its own (PRIVATE: never exported).
function(kokkeops_own_warnings target)
  target_compile_options(${target} PRIVATE ${Kokkeops_WARNING_FLAGS})
endfunction()

# Kokkeops_SANITIZE=address,undefined (any -fsanitize= list): every target of this build, compiled and
# linked with the sanitizers, frame pointers kept for readable stacks, and no recovery: the first report
# aborts the process, so a test or a fuzzer run with any report fails.
if(Kokkeops_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "Kokkeops_SANITIZE needs GCC or Clang, not ${CMAKE_CXX_COMPILER_ID}")
  endif()
  # C and C++ only: a Fortran compiler of another family (gfortran beside clang) has another sanitizer runtime.
  foreach(_flag -fsanitize=${Kokkeops_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:${_flag}>")
  endforeach()
  if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.18)  # not on a link by the Fortran compiler (its own runtime)
    add_link_options("$<$<LINK_LANGUAGE:C,CXX>:-fsanitize=${Kokkeops_SANITIZE}>")
  else()
    add_link_options(-fsanitize=${Kokkeops_SANITIZE})
  endif()
  message(STATUS "Kokkeops: sanitizers: ${Kokkeops_SANITIZE}")
endif()

if(Kokkeops_ENABLE_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "Kokkeops_ENABLE_FUZZ=ON needs Clang (libFuzzer, -fsanitize=fuzzer); "
                      "configure with -DCMAKE_CXX_COMPILER=clang++")
endif()

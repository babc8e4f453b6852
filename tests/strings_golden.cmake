# ctest script: kokkeops-codegen's output for a spec equals the checked-in golden file (tests/strings_entry_golden_*.cpp,
# which the compile-only CI configurations compile: nvcc, hipcc, Kokkos 5 in C++20, aarch64), but for its first line
# (the version). Run as: cmake -DCODEGEN=... -DGOLDEN=... -DOUT=... -DARGS="a;b;..." -P strings_golden.cmake
execute_process(COMMAND ${CODEGEN} ${ARGS} --output ${OUT} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "kokkeops-codegen failed (${rc}): ${err}")
endif()
file(STRINGS ${OUT} generated)
file(STRINGS ${GOLDEN} golden)
list(REMOVE_AT generated 0)
list(REMOVE_AT golden 0)
if(NOT generated STREQUAL golden)
  message(FATAL_ERROR "the generated entry differs from ${GOLDEN}: regenerate it with\n  kokkeops-codegen ${ARGS} --output ${GOLDEN}")
endif()
message(STATUS "generated entry matches ${GOLDEN}")

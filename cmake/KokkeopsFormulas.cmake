# kokkeops_add_formulas(): KeOps formula strings compiled into a target at build time (issue 18, part 3).
#
#   kokkeops_add_formulas(<target> SET <name>
#     ENTRY FORMULA <formula> [ALIASES <alias>...] [REDUCTION <name>] [OPT_ARG <K>] [FORMULA2 <formula>]
#           [AXIS <0|1>] [DTYPES <float32|float64>...] [UNKNOWN <alias>]
#     [ENTRY ...]...)
#
# Each ENTRY and data type becomes one translation unit of <target>, written at build time by kokkeops-codegen
# (a bad string fails the build with the string and a caret under the column) and compiled with the target's
# flags: the C-linkage entry point of kokkeops/entry.h. REDUCTION defaults to Sum, AXIS to 1 (KeOps' axis:
# reduce over j), DTYPES to float32. UNKNOWN makes it a solve (KeOps' KernelSolve with that alias as varinvalias;
# kokkeops::KernelSolve("...", {...}, "a", kokkeops::axis::j) in C++). The set's entries are registered by an explicit call, not by static
# initialisers (which static linking drops): the function
#
#   int kokkeops_register_<name>(void);      /* KOKKEOPS_OK, or the first registration error */
#
# declared in the generated header kokkeops_formulas_<name>.h (on the target's include path). Call it once
# before the first string call (kokkeops::Genred("...", {...}, "Sum", kokkeops::axis::j)). Formulas may not
# contain ';' (a CMake list separator; KeOps formulas have none). Call it in the directory that defines the
# target (the generated sources are custom-command outputs of that directory); set names are unique per build.
function(kokkeops_add_formulas target)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "kokkeops_add_formulas: '${target}' is not a target")
  endif()
  set(_args ${ARGN})
  list(LENGTH _args _n)
  if(_n LESS 2)
    message(FATAL_ERROR "kokkeops_add_formulas(${target}): expected SET <name> and at least one ENTRY")
  endif()
  list(GET _args 0 _kw)
  list(GET _args 1 _set)
  if(NOT _kw STREQUAL "SET" OR NOT _set MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "kokkeops_add_formulas(${target}): expected SET <name> first, a C identifier (got '${_kw} ${_set}')")
  endif()
  list(REMOVE_AT _args 0 1)
  # The set's name is a C symbol (kokkeops_register_<name>): one per build.
  get_property(_sets GLOBAL PROPERTY KOKKEOPS_FORMULA_SETS)
  if(_set IN_LIST _sets)
    message(FATAL_ERROR "kokkeops_add_formulas(${target}): the set name '${_set}' is already used (its "
                        "kokkeops_register_${_set}() would be defined twice): give each set its own name")
  endif()
  set_property(GLOBAL APPEND PROPERTY KOKKEOPS_FORMULA_SETS ${_set})
  # The generator: Kokkeops_CODEGEN (a kokkeops-codegen that runs on this machine: cross builds) or the
  # package's own (run through CMAKE_CROSSCOMPILING_EMULATOR when one is set).
  set(_tool "")
  if(Kokkeops_CODEGEN)
    set(_run ${Kokkeops_CODEGEN})
  else()
    if(TARGET kokkeops_codegen)
      set(_tool kokkeops_codegen)
    elseif(TARGET Kokkeops::codegen)
      set(_tool Kokkeops::codegen)
    else()
      message(FATAL_ERROR "kokkeops_add_formulas: the kokkeops-codegen tool (target Kokkeops::codegen) is not "
                          "available: find_package(Kokkeops) first, or set Kokkeops_CODEGEN to its path")
    endif()
    if(CMAKE_CROSSCOMPILING AND NOT CMAKE_CROSSCOMPILING_EMULATOR)
      message(FATAL_ERROR "kokkeops_add_formulas: cross-compiling, the package's kokkeops-codegen does not run "
                          "here: set Kokkeops_CODEGEN to a kokkeops-codegen built for this machine (or "
                          "CMAKE_CROSSCOMPILING_EMULATOR)")
    endif()
    set(_run ${CMAKE_CROSSCOMPILING_EMULATOR} $<TARGET_FILE:${_tool}>)
  endif()
  set(_dir ${CMAKE_CURRENT_BINARY_DIR}/kokkeops_formulas/${_set})
  file(MAKE_DIRECTORY ${_dir})

  # Split the arguments at each ENTRY: entry k's arguments in the list _entry_<k>.
  set(_count 0)
  foreach(_a IN LISTS _args)
    if(_a STREQUAL "ENTRY")
      math(EXPR _count "${_count} + 1")
      set(_entry_${_count} "")
    elseif(_count EQUAL 0)
      message(FATAL_ERROR "kokkeops_add_formulas(${target} SET ${_set}): '${_a}' before the first ENTRY")
    else()
      list(APPEND _entry_${_count} "${_a}")
    endif()
  endforeach()
  if(_count EQUAL 0)
    message(FATAL_ERROR "kokkeops_add_formulas(${target} SET ${_set}): no ENTRY")
  endif()

  set(_srcs "")
  set(_syms "")
  foreach(_k RANGE 1 ${_count})
    foreach(_v FORMULA REDUCTION OPT_ARG FORMULA2 AXIS ALIASES DTYPES UNKNOWN UNPARSED_ARGUMENTS)
      unset(E_${_v})
    endforeach()
    cmake_parse_arguments(E "" "FORMULA;REDUCTION;OPT_ARG;FORMULA2;AXIS;UNKNOWN" "ALIASES;DTYPES" ${_entry_${_k}})
    if(E_UNPARSED_ARGUMENTS)
      message(FATAL_ERROR "kokkeops_add_formulas(${target} SET ${_set}): unexpected '${E_UNPARSED_ARGUMENTS}' in an ENTRY")
    endif()
    if(NOT DEFINED E_FORMULA OR E_FORMULA STREQUAL "")
      message(FATAL_ERROR "kokkeops_add_formulas(${target} SET ${_set}): an ENTRY without FORMULA")
    endif()
    if(NOT DEFINED E_REDUCTION)
      set(E_REDUCTION Sum)
    endif()
    if(NOT DEFINED E_OPT_ARG)
      set(E_OPT_ARG 0)
    endif()
    if(NOT DEFINED E_AXIS)
      set(E_AXIS 1)
    endif()
    if(NOT E_DTYPES)
      set(E_DTYPES float32)
    endif()
    set(_cmd --formula "${E_FORMULA}" --reduction "${E_REDUCTION}" --opt-arg "${E_OPT_ARG}" --axis "${E_AXIS}")
    foreach(_al IN LISTS E_ALIASES)
      list(APPEND _cmd --alias "${_al}")
    endforeach()
    if(DEFINED E_FORMULA2 AND NOT E_FORMULA2 STREQUAL "")
      list(APPEND _cmd --formula2 "${E_FORMULA2}")
    endif()
    set(_what "${E_REDUCTION} of")
    if(DEFINED E_UNKNOWN AND NOT E_UNKNOWN STREQUAL "")
      list(APPEND _cmd --unknown "${E_UNKNOWN}")
      set(_what "KernelSolve (unknown ${E_UNKNOWN}) of")
    endif()
    foreach(_dt IN LISTS E_DTYPES)
      string(SHA1 _h "${E_FORMULA}|${E_ALIASES}|${E_REDUCTION}|${E_OPT_ARG}|${E_FORMULA2}|${E_AXIS}|${_dt}|${E_UNKNOWN}")
      string(SUBSTRING "${_h}" 0 16 _h)
      set(_sym kokkeops_entry_${_h})
      if(_sym IN_LIST _syms)
        continue()  # the same entry twice
      endif()
      set(_src ${_dir}/${_sym}.cpp)
      add_custom_command(OUTPUT ${_src}
        COMMAND ${_run} ${_cmd} --dtype ${_dt} --symbol ${_sym} --output ${_src}
        DEPENDS ${_tool} ${Kokkeops_CODEGEN}
        COMMENT "kokkeops: ${_what} ${E_FORMULA} (axis ${E_AXIS}, ${_dt})"
        VERBATIM)
      list(APPEND _srcs ${_src})
      list(APPEND _syms ${_sym})
    endforeach()
  endforeach()

  # The registration function and its header, written at configure time (only when they change).
  set(_decls "")
  set(_calls "")
  foreach(_sym IN LISTS _syms)
    string(APPEND _decls "const kokkeops_entry_info* ${_sym}(void);\n")
    string(APPEND _calls "  if ((rc = kokkeops_register_entry(${_sym}())) != KOKKEOPS_OK) return rc;\n")
  endforeach()
  set(_header "/* Generated by kokkeops_add_formulas(${target} SET ${_set}): do not edit. */\n#pragma once\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n/* Registers the set's entries (kokkeops/entry.h): KOKKEOPS_OK, or the first error. */\nint kokkeops_register_${_set}(void);\n#ifdef __cplusplus\n}\n#endif\n")
  set(_reg "// Generated by kokkeops_add_formulas(${target} SET ${_set}): do not edit.\n#include <kokkeops/entry.h>\n\n#include \"kokkeops_formulas_${_set}.h\"\n\nextern \"C\" {\n${_decls}\nint kokkeops_register_${_set}(void) {\n  int rc = KOKKEOPS_OK;\n${_calls}  return rc;\n}\n}\n")
  file(WRITE ${_dir}/kokkeops_formulas_${_set}.h.new "${_header}")
  configure_file(${_dir}/kokkeops_formulas_${_set}.h.new ${_dir}/kokkeops_formulas_${_set}.h COPYONLY)
  file(WRITE ${_dir}/register_${_set}.cpp.new "${_reg}")
  configure_file(${_dir}/register_${_set}.cpp.new ${_dir}/register_${_set}.cpp COPYONLY)

  target_sources(${target} PRIVATE ${_srcs} ${_dir}/register_${_set}.cpp)
  target_include_directories(${target} PRIVATE ${_dir})
  target_link_libraries(${target} PRIVATE Kokkeops::kokkeops)
endfunction()

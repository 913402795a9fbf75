# Compiles SOURCE with -DDRSYNTH_CASE_<CASE> (syntax and semantics only, no
# object file) and checks the outcome:
#   EXPECT=compiles      the compiler must succeed;
#   EXPECT=<field name>  the compiler must fail, and one of its error lines
#                        must be about a deleted constructor and name the field
#                        in quotes (g++: FieldName<4>{"vpc"}, clang: Required<..., "vpc">);
#   EXPECT=<name> with ERROR_NAMES=1: the compiler must fail, and one of its
#                        error lines must name <name> (an error code: E999).
# Usage: cmake -DCXX=... -DSTD_FLAG=-std=c++20 -DINCLUDES="a|b" -DSOURCE=... -DCASE=... -DEXPECT=... -P check.cmake
string(REPLACE "|" ";" dirs "${INCLUDES}")
set(args ${STD_FLAG} -fsyntax-only "-DDRSYNTH_CASE_${CASE}")
foreach(d IN LISTS dirs)
  if(d)
    list(APPEND args "-I${d}")
  endif()
endforeach()
execute_process(COMMAND "${CXX}" ${args} "${SOURCE}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(EXPECT STREQUAL "compiles")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "case ${CASE} must compile but the compiler failed (${rc}):\n${out}")
  endif()
  message(STATUS "case ${CASE} compiles")
  return()
endif()
if(rc EQUAL 0)
  message(FATAL_ERROR "case ${CASE} compiled, but it must be a compile error naming ${EXPECT}")
endif()
if(ERROR_NAMES)
  string(REGEX MATCH "error:[^\n]*${EXPECT}" line "${out}")
  if(NOT line)
    message(FATAL_ERROR "case ${CASE} failed to compile, but no error line names ${EXPECT}:\n${out}")
  endif()
  message(STATUS "case ${CASE} fails as it should: ${line}")
  return()
endif()
string(REGEX MATCH "error:[^\n]*deleted[^\n]*\"${EXPECT}\"" line "${out}")
if(NOT line)
  message(FATAL_ERROR "case ${CASE} failed to compile, but no error line names the field \"${EXPECT}\":\n${out}")
endif()
message(STATUS "case ${CASE} fails as it should: ${line}")

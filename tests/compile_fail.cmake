# Links between constructs are checked by the compiler (include/drsynth/core/link.hpp):
# each case of compile_fail/links.cpp is compiled on its own and must fail with
# an error naming the field, except `valid`, the positive control, which must compile.
# g++ (the supported compiler) names the field in every case; clang 14 reports a
# wrong prop passed through add<T>(id, {...}) only as "cannot convert initializer
# list argument", so the cases run with g++ only.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  return()
endif()
set(_cf_includes "$<JOIN:$<TARGET_PROPERTY:drsynth,INTERFACE_INCLUDE_DIRECTORIES>;$<TARGET_PROPERTY:nlohmann_json::nlohmann_json,INTERFACE_INCLUDE_DIRECTORIES>,|>")
foreach(_cf IN ITEMS "valid:compiles"
                     "missing_vpc:vpc" "pointer_vpc:vpc" "wrong_kind_vpc:vpc"
                     "missing_security_groups:security_groups" "empty_security_groups:security_groups"
                     "pointer_in_security_groups:security_groups"
                     "wrong_kind_source:source" "missing_accepter_routes_stack:accepter_routes_stack"
                     "pointer_zone:zone" "pointer_child_health_check:child_health_checks")
  string(REPLACE ":" ";" _cf "${_cf}")
  list(GET _cf 0 _cf_case)
  list(GET _cf 1 _cf_expect)
  add_test(NAME "compile-fail: links ${_cf_case}"
           COMMAND ${CMAKE_COMMAND} "-DCXX=${CMAKE_CXX_COMPILER}" "-DSTD_FLAG=${CMAKE_CXX20_STANDARD_COMPILE_OPTION}"
                   "-DINCLUDES=${_cf_includes}" "-DSOURCE=${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/links.cpp"
                   "-DCASE=${_cf_case}" "-DEXPECT=${_cf_expect}" -P ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/check.cmake)
endforeach()

# An error code is a name of the table (include/drsynth/core/error_codes.def):
# one that is not in it, or is retired, does not compile.
foreach(_cf IN ITEMS "valid:compiles" "unknown_code:E999" "retired_code:E706")
  string(REPLACE ":" ";" _cf "${_cf}")
  list(GET _cf 0 _cf_case)
  list(GET _cf 1 _cf_expect)
  add_test(NAME "compile-fail: error codes ${_cf_case}"
           COMMAND ${CMAKE_COMMAND} "-DCXX=${CMAKE_CXX_COMPILER}" "-DSTD_FLAG=${CMAKE_CXX20_STANDARD_COMPILE_OPTION}"
                   "-DINCLUDES=${_cf_includes}" "-DSOURCE=${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/error_codes.cpp"
                   "-DCASE=${_cf_case}" "-DEXPECT=${_cf_expect}" -DERROR_NAMES=1
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/check.cmake)
endforeach()

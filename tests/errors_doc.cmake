# docs/errors.md is made from the table of codes (include/drsynth/core/error_codes.def):
# the test fails when the committed file is not what the table makes, and the
# target errors_doc rewrites it.
add_executable(drsynth_errors_doc ${CMAKE_CURRENT_SOURCE_DIR}/tools/errors_doc.cpp)
target_include_directories(drsynth_errors_doc PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(drsynth_errors_doc PRIVATE drsynth_warnings)
add_test(NAME "errors-doc: docs/errors.md is what the table of codes makes (cmake --build build --target errors_doc)"
         COMMAND drsynth_errors_doc ${PROJECT_SOURCE_DIR}/docs/errors.md --check)
add_custom_target(errors_doc COMMAND drsynth_errors_doc ${PROJECT_SOURCE_DIR}/docs/errors.md
                  COMMENT "Regenerating docs/errors.md from include/drsynth/core/error_codes.def" VERBATIM)

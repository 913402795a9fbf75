# The golden templates (tests/golden/, compared by golden_test.cpp) pass
# cfn-lint too, each in the region its Metadata names.
find_program(DRSYNTH_CFN_LINT cfn-lint)
if(DRSYNTH_CFN_LINT)
  file(GLOB_RECURSE _golden_templates CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/golden/*.template.json)
  add_test(NAME "lint: golden templates pass cfn-lint" COMMAND ${DRSYNTH_CFN_LINT} -- ${_golden_templates})
endif()

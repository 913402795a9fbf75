# cfn-lint on the failover stack built from the iam/lambda/cloudwatch/sns/route53
# constructs (tests/unit/ops_lint_test.cpp writes it): zero errors, zero warnings.
find_program(DRSYNTH_CFN_LINT cfn-lint)
if(DRSYNTH_CFN_LINT)
  set(_ops_lint_dir ${CMAKE_CURRENT_BINARY_DIR}/ops-lint.out)
  add_test(NAME "lint: ops constructs pass cfn-lint in eu-west-1"
           COMMAND sh -c "rm -rf '${_ops_lint_dir}' && DRSYNTH_OPS_LINT_OUT='${_ops_lint_dir}' '$<TARGET_FILE:drsynth_tests>' '[lint]' >/dev/null && '${DRSYNTH_CFN_LINT}' --regions eu-west-1 -- '${_ops_lint_dir}'/*.template.json")
endif()

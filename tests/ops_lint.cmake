# cfn-lint on the templates built from the iam/lambda/cloudwatch/sns/route53
# constructs (tests/unit/ops_lint_test.cpp writes them): zero errors, zero
# warnings, each template linted in its own region.
find_program(DRSYNTH_CFN_LINT cfn-lint)
if(DRSYNTH_CFN_LINT)
  set(_ops_lint_dir ${CMAKE_CURRENT_BINARY_DIR}/ops-lint.out)
  add_test(NAME "lint: ops constructs pass cfn-lint"
           COMMAND sh -c "rm -rf '${_ops_lint_dir}' && DRSYNTH_OPS_LINT_OUT='${_ops_lint_dir}' '$<TARGET_FILE:drsynth_tests>' '[lint]' >/dev/null \
&& '${DRSYNTH_CFN_LINT}' --regions eu-west-1 -- '${_ops_lint_dir}/failover/DrFailover-dev.template.json' '${_ops_lint_dir}/variants/DrVariants-dev.template.json' \
&& '${DRSYNTH_CFN_LINT}' --regions us-east-1 -- '${_ops_lint_dir}/variants/DrPrimary-dev.template.json' '${_ops_lint_dir}/failover/DrPrimary-dev.template.json'")
endif()

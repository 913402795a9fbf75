# cfn-lint on the templates built from the Aurora building blocks (kms, s3, sqs,
# sns, rds clusters and events, flow logs, rotation): tests/unit/aurora_lint_test.cpp
# writes them; tests/tools/lint_assemblies.py lints each template in its own
# region and fails on any finding (errors, warnings, informational).
find_program(DRSYNTH_CFN_LINT cfn-lint)
if(DRSYNTH_CFN_LINT)
  set(_aurora_lint_dir ${CMAKE_CURRENT_BINARY_DIR}/aurora-lint.out)
  add_test(NAME "lint: Aurora building blocks pass cfn-lint in their regions"
           COMMAND sh -c "rm -rf '${_aurora_lint_dir}' && DRSYNTH_AURORA_LINT_OUT='${_aurora_lint_dir}' '$<TARGET_FILE:drsynth_tests>' '[aurora-lint]' >/dev/null \
&& '${Python3_EXECUTABLE}' '${CMAKE_CURRENT_SOURCE_DIR}/tools/lint_assemblies.py' '${_aurora_lint_dir}'")
  set_tests_properties("lint: Aurora building blocks pass cfn-lint in their regions" PROPERTIES TIMEOUT 600)
endif()

# destroy.sh's bucket step, as generated for that assembly, run with the real AWS
# CLI against a moto server (tests/tools/empty_bucket.py).
find_program(DRSYNTH_AWS_CLI aws)
if(DRSYNTH_AWS_CLI)
  set(_empty_bucket_dir ${CMAKE_CURRENT_BINARY_DIR}/empty-bucket.out)
  add_test(NAME "cli: destroy.sh empties a versioned bucket with the AWS CLI (moto server)"
           COMMAND sh -c "rm -rf '${_empty_bucket_dir}' && DRSYNTH_AURORA_LINT_OUT='${_empty_bucket_dir}' '$<TARGET_FILE:drsynth_tests>' '[aurora-lint]' >/dev/null \
&& '${Python3_EXECUTABLE}' '${CMAKE_CURRENT_SOURCE_DIR}/tools/empty_bucket.py' '${_empty_bucket_dir}/aurora/destroy.sh'")
  set_tests_properties("cli: destroy.sh empties a versioned bucket with the AWS CLI (moto server)" PROPERTIES TIMEOUT 600)
endif()

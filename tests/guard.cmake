# AWS Control Tower proactive controls: the Guard rules AWS ships for
# CloudFormation (npm @cdklabs/cdk-validator-cfnguard: rules/control-tower and a
# cfn-guard binary), installed into .cache/cfnguard by scripts/test.sh. Every
# finding in both built-in systems and the examples must be acknowledged by a
# construct (src/patterns/control_tower.cpp for the systems; docs/errors.md).
set(DRSYNTH_CFNGUARD_DIR "${PROJECT_SOURCE_DIR}/.cache/cfnguard/node_modules/@cdklabs/cdk-validator-cfnguard"
    CACHE PATH "@cdklabs/cdk-validator-cfnguard for the Control Tower test")
add_executable(drsynth_guard_check ${CMAKE_CURRENT_SOURCE_DIR}/tools/guard_check.cpp)
target_link_libraries(drsynth_guard_check PRIVATE drsynth::drsynth drsynth_warnings)
target_include_directories(drsynth_guard_check PRIVATE ${PROJECT_SOURCE_DIR}/src)
# The examples built on a built-in system carry its acknowledgements; the ones that
# show the building blocks (tests/tools/guard_check.cpp --report-only) have their
# findings printed without failing: they show an API, not a system to deploy.
set(_guard_dir ${PROJECT_BINARY_DIR}/assemblies)  # integration.cmake (read after this file) writes the systems there
set(_guard_assemblies ${_guard_dir}/drsynth ${_guard_dir}/aurora-global
    ${_guard_dir}/example_readme_example ${_guard_dir}/example_dr_variant
    ${_guard_dir}/example_aurora_variant
    --report-only ${_guard_dir}/example_two_region_app ${_guard_dir}/example_two_region_reference
    ${_guard_dir}/example_conditions_and_mappings)
add_test(NAME "guard: AWS Control Tower's proactive controls find nothing unacknowledged in both systems and the examples"
         COMMAND drsynth_guard_check ${DRSYNTH_CFNGUARD_DIR}/bin/ubuntu/x86_64/cfn-guard
                 ${DRSYNTH_CFNGUARD_DIR}/rules/control-tower ${_guard_assemblies})
set_tests_properties("guard: AWS Control Tower's proactive controls find nothing unacknowledged in both systems and the examples"
                     PROPERTIES FIXTURES_REQUIRED assemblies TIMEOUT 900)

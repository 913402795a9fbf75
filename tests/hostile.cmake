# Issue 22: shell metacharacters through deploy.sh, destroy.sh and
# deploy-plan against a fake aws, and chmod 555 as a user other than root
# (tests/tools/hostile_inputs.sh; the other hostile inputs are unit tests).
add_test(NAME "hostile inputs: metacharacters reach the scripts as text, chmod 555 is refused before the swap"
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tools/hostile_inputs.sh $<TARGET_FILE:drsynth_cli>)
set_tests_properties("hostile inputs: metacharacters reach the scripts as text, chmod 555 is refused before the swap"
                     PROPERTIES TIMEOUT 300)

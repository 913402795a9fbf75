# Nothing lost, nothing half-written: kill -9 and SIGTERM in the middle of a
# write (400 systems for SIGTERM), a full disk (RLIMIT_FSIZE), and two runs
# into one folder at once (tests/tools/robustness.sh).
add_executable(drsynth_big_app ${CMAKE_CURRENT_SOURCE_DIR}/tools/big_app.cpp)
target_link_libraries(drsynth_big_app PRIVATE drsynth::drsynth drsynth_warnings)
set(DRSYNTH_ROBUSTNESS_TEST "robustness: kill -9 and SIGTERM mid-write, disk full, concurrent runs leave one complete assembly")
add_test(NAME "${DRSYNTH_ROBUSTNESS_TEST}"
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tools/robustness.sh $<TARGET_FILE:drsynth_big_app>)
set_tests_properties("${DRSYNTH_ROBUSTNESS_TEST}" PROPERTIES TIMEOUT 600)
if(DRSYNTH_SANITIZE OR DRSYNTH_FUZZ)
  # A sanitizer build takes minutes to build 400 systems: the same
  # SIGTERM test with 100 (400 stacks, 1,600 files) keeps CI short.
  # The kill -9 test likewise with 50 instead of 200.
  set_tests_properties("${DRSYNTH_ROBUSTNESS_TEST}" PROPERTIES ENVIRONMENT "SIGTERM_COPIES=100;KILL_COPIES=50")
endif()

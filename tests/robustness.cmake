# Nothing lost, nothing half-written: kill -9 and SIGTERM in the middle of a
# write (1,000 systems for SIGTERM), a full disk (RLIMIT_FSIZE), and two runs
# into one folder at once (tests/tools/robustness.sh).
add_executable(drsynth_big_app ${CMAKE_CURRENT_SOURCE_DIR}/tools/big_app.cpp)
target_link_libraries(drsynth_big_app PRIVATE drsynth::drsynth drsynth_warnings)
add_test(NAME "robustness: kill -9 mid-write, disk full, concurrent runs leave one complete assembly"
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tools/robustness.sh $<TARGET_FILE:drsynth_big_app>)
set_tests_properties("robustness: kill -9 mid-write, disk full, concurrent runs leave one complete assembly"
                     PROPERTIES TIMEOUT 600)

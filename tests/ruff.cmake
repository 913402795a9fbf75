# ruff on the Python in runtime/ and tests/ with the rules in ruff.toml
# (scripts/ruff.sh: ruff compiled to WebAssembly, installed into .cache/ruff).
find_program(DRSYNTH_NPM npm)
if(DRSYNTH_NPM)
  add_test(NAME "lint: ruff finds nothing in runtime/ and tests/"
           COMMAND ${PROJECT_SOURCE_DIR}/scripts/ruff.sh)
  set_tests_properties("lint: ruff finds nothing in runtime/ and tests/" PROPERTIES TIMEOUT 300)
endif()

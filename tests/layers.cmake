# The layers of docs/architecture.md, checked on the includes (no build needed):
# every include points to its own layer or to one it uses, and the check
# itself fails on a copy of the tree with one include pointing up.
add_test(NAME "layers: every include in include/, src/ and tools/ points down the documented layers"
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_layers.py ${PROJECT_SOURCE_DIR})
add_test(NAME "layers: the layer check fails on an include that points up"
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_layers.py ${PROJECT_SOURCE_DIR} --self-test)

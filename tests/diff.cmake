# drsynth diff / graph: the update-rule table against cfn-lint's schemas,
# Graphviz reading `drsynth graph`, and the diagram in docs/dr-design.md.

add_test(NAME "diff: the update-rule table is what scripts/update_rules.py makes from cfn-lint's schemas"
         COMMAND Python3::Interpreter ${PROJECT_SOURCE_DIR}/scripts/update_rules.py --check)

# Graphviz is installed by scripts/bootstrap.sh --tests (scripts/test.sh).
add_test(NAME "graph: Graphviz dot reads drsynth graph --format dot"
         COMMAND sh -c "command -v dot >/dev/null || { echo 'graph: Graphviz dot is missing: scripts/bootstrap.sh --tests installs it' >&2; exit 1; } \
&& '$<TARGET_FILE:drsynth_cli>' graph --format dot > graph.dot && dot -Tsvg graph.dot > graph.svg \
&& '$<TARGET_FILE:drsynth_cli>' graph --format dot --resources > resources.dot && dot -Tsvg resources.dot > resources.svg \
&& '$<TARGET_FILE:drsynth_cli>' graph --format svg > direct.svg && grep -q '<svg' direct.svg && grep -q 'DrFailover' direct.svg"
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})

add_test(NAME "docs: the diagram in docs/dr-design.md is drsynth graph --format mermaid of the shipped system"
         COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_docs_graph.py
                 $<TARGET_FILE:drsynth_cli> ${PROJECT_SOURCE_DIR}/docs/dr-design.md)

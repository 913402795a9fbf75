# Tests that run programs: the shipped binary, cfn-lint over everything
# synthesized, the AWS CDK CLI, an installed-package consumer, the Lambda handlers.
set(DRSYNTH_ASSEMBLIES ${PROJECT_BINARY_DIR}/assemblies)

add_test(NAME "cli: drsynth synth writes the built-in system"
         COMMAND drsynth_cli synth -o ${DRSYNTH_ASSEMBLIES}/drsynth)
set_tests_properties("cli: drsynth synth writes the built-in system" PROPERTIES FIXTURES_SETUP assemblies)

add_test(NAME "cli: drsynth synth -c variant=aurora-global writes the Aurora Global Database system"
         COMMAND drsynth_cli synth -c variant=aurora-global -o ${DRSYNTH_ASSEMBLIES}/aurora-global)
set_tests_properties("cli: drsynth synth -c variant=aurora-global writes the Aurora Global Database system"
                     PROPERTIES FIXTURES_SETUP assemblies)

add_test(NAME "lint: every synthesized template passes cfn-lint in its region"
         COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/tools/lint_assemblies.py ${DRSYNTH_ASSEMBLIES})
set_tests_properties("lint: every synthesized template passes cfn-lint in its region"
                     PROPERTIES FIXTURES_REQUIRED assemblies TIMEOUT 600)

add_test(NAME "docs: README.md's example is examples/readme_example.cpp"
         COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/tools/readme_example_in_step.py ${PROJECT_SOURCE_DIR})

# The README example built against a moved install (find_package), synthesizing
# the DR system without the source or build folders, cfn-lint clean.
add_test(NAME "consumer: the README example builds against a moved install and synthesizes the DR system"
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tools/consumer.sh ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
set_tests_properties("consumer: the README example builds against a moved install and synthesizes the DR system"
                     PROPERTIES TIMEOUT 600)

# test_[!a]*.py: every runtime test but the Aurora failover's, which has its own entry below.
add_test(NAME "runtime: probe and failover handlers (PostgreSQL 15, moto)"
         COMMAND Python3::Interpreter -m unittest discover -s runtime/tests -t runtime -p "test_[!a]*.py"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties("runtime: probe and failover handlers (PostgreSQL 15, moto)" PROPERTIES TIMEOUT 600)
add_test(NAME "runtime: Aurora failover handler (moto + documented global-cluster fake)"
         COMMAND Python3::Interpreter -m unittest discover -s runtime/tests -t runtime -p "test_aurora*.py"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties("runtime: Aurora failover handler (moto + documented global-cluster fake)"
                     PROPERTIES TIMEOUT 600)

# The failure-scenario simulator (tests/sim/README.md): its AWS models against the documentation they cite,
# then the real handlers of both engines on the synthesized templates.
add_test(NAME "sim: the simulator's AWS models behave as AWS documents them"
         COMMAND ${Python3_EXECUTABLE} -m unittest discover -s tests/sim -t tests -p test_world.py
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties("sim: the simulator's AWS models behave as AWS documents them" PROPERTIES TIMEOUT 300)
add_test(NAME "sim: failure scenarios of both engines (no split brain, no promotion by mistake, pages in time)"
         COMMAND ${CMAKE_COMMAND} -E env DRSYNTH_BIN=$<TARGET_FILE:drsynth_cli>
                 ${Python3_EXECUTABLE} -m unittest discover -s tests/sim -t tests -p test_scenarios.py
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties("sim: failure scenarios of both engines (no split brain, no promotion by mistake, pages in time)"
                     PROPERTIES TIMEOUT 900)

# The AWS CDK CLI (aws-cdk@2, installed by .ci/run into .cache/cdk) reads the assembly.
set(DRSYNTH_CDK_CLI "${PROJECT_SOURCE_DIR}/.cache/cdk/node_modules/.bin/cdk" CACHE FILEPATH "AWS CDK CLI for tests")
add_test(NAME "cdk: the AWS CDK CLI lists the example's stacks in dependency order"
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tools/cdk_ls.sh ${DRSYNTH_CDK_CLI}
                 ${DRSYNTH_ASSEMBLIES}/example_two_region_reference ExampleEast ExampleEastConsumer ExampleWest)
set_tests_properties("cdk: the AWS CDK CLI lists the example's stacks in dependency order"
                     PROPERTIES FIXTURES_REQUIRED assemblies TIMEOUT 300)
add_test(NAME "cdk: the AWS CDK CLI lists the DR system's stacks in dependency order"
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tools/cdk_ls.sh ${DRSYNTH_CDK_CLI} ${DRSYNTH_ASSEMBLIES}/drsynth
                 DrBase-dev DrPrimary-dev DrReplica-dev DrPrimaryRoutes-dev DrWitness-dev DrFailover-dev
                 DrFailoverPrimary-dev)
set_tests_properties("cdk: the AWS CDK CLI lists the DR system's stacks in dependency order"
                     PROPERTIES FIXTURES_REQUIRED assemblies TIMEOUT 300)
add_test(NAME "cdk: the AWS CDK CLI lists the Aurora system's stacks in dependency order"
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tools/cdk_ls.sh ${DRSYNTH_CDK_CLI} ${DRSYNTH_ASSEMBLIES}/aurora-global
                 AuroraDrBase-dev AuroraPrimary-dev AuroraSecondary-dev AuroraPrimaryRoutes-dev AuroraWitness-dev
                 AuroraFailover-dev AuroraFailoverPrimary-dev)
set_tests_properties("cdk: the AWS CDK CLI lists the Aurora system's stacks in dependency order"
                     PROPERTIES FIXTURES_REQUIRED assemblies TIMEOUT 300)
# The CDK CLI can also run drsynth as an app executable (CDK_OUTDIR, CDK_CONTEXT_JSON).
add_test(NAME "cdk: the AWS CDK CLI runs drsynth as an app and passes context"
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tools/cdk_ls.sh ${DRSYNTH_CDK_CLI} $<TARGET_FILE:drsynth_cli>
                 DrBase-qa DrPrimary-qa DrReplica-qa DrPrimaryRoutes-qa DrWitness-qa DrFailover-qa DrFailoverPrimary-qa)
set_tests_properties("cdk: the AWS CDK CLI runs drsynth as an app and passes context"
                     PROPERTIES ENVIRONMENT "CDK_LS_ARGS=-c environmentSuffix=qa" TIMEOUT 300)

# cdk deploy's side of the assets: the CDK's schema library loads every asset
# manifest (each Lambda S3Key and template is in one), and cdk-assets publishes
# them to a moto S3 server on loopback (npm @aws-cdk/cloud-assembly-schema and
# cdk-assets, installed by scripts/test.sh into .cache/cdkassets).
set(DRSYNTH_CDK_ASSETS_MODULES "${PROJECT_SOURCE_DIR}/.cache/cdkassets/node_modules" CACHE PATH
    "node_modules with @aws-cdk/cloud-assembly-schema and cdk-assets")
find_program(DRSYNTH_NODE node)
if(DRSYNTH_NODE)
  foreach(system drsynth aurora-global)
    add_test(NAME "cdk: the CDK's schema library loads every asset manifest of the ${system} assembly"
             COMMAND ${DRSYNTH_NODE} ${CMAKE_CURRENT_SOURCE_DIR}/tools/asset_manifests.js ${DRSYNTH_CDK_ASSETS_MODULES}
                     ${DRSYNTH_ASSEMBLIES}/${system})
    set_tests_properties("cdk: the CDK's schema library loads every asset manifest of the ${system} assembly"
                         PROPERTIES FIXTURES_REQUIRED assemblies TIMEOUT 120)
  endforeach()
  add_test(NAME "cdk: cdk-assets publishes the DR system's assets to a local S3 (moto)"
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tools/asset_publish.sh ${DRSYNTH_CDK_ASSETS_MODULES}/.bin/cdk-assets
                   ${DRSYNTH_ASSEMBLIES}/drsynth)
  set_tests_properties("cdk: cdk-assets publishes the DR system's assets to a local S3 (moto)"
                       PROPERTIES FIXTURES_REQUIRED assemblies TIMEOUT 300)
endif()

add_test(NAME "cli: deploy.sh and destroy.sh call the AWS CLI in dependency order"
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tools/deploy_script.sh ${DRSYNTH_ASSEMBLIES}/drsynth
                 ${DRSYNTH_ASSEMBLIES}/aurora-global)
set_tests_properties("cli: deploy.sh and destroy.sh call the AWS CLI in dependency order"
                     PROPERTIES FIXTURES_REQUIRED assemblies)
# destroy.sh after a failover, a switchover (Aurora) and a failback of both systems, against
# the same fake aws, which models Route 53's and Aurora's refusals (tests/tools/destroy_scenarios.py).
add_test(NAME "cli: destroy.sh after a failover, a switchover and a failback leaves nothing and a redeploy starts unarmed"
         COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/tools/destroy_scenarios.py
                 ${DRSYNTH_ASSEMBLIES}/drsynth ${DRSYNTH_ASSEMBLIES}/aurora-global)
set_tests_properties("cli: destroy.sh after a failover, a switchover and a failback leaves nothing and a redeploy starts unarmed"
                     PROPERTIES FIXTURES_REQUIRED assemblies TIMEOUT 600)

# Issue 13's comparison app stays as short as its aws-cdk-lib counterpart (34 lines).
add_test(NAME "example: two_region_app is at most 35 lines of code"
         COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/tools/count_code_lines.py
                 ${PROJECT_SOURCE_DIR}/examples/two_region_app.cpp 35)

// The example from README.md, built and run as a test so the README cannot rot.
#include <drsynth/core/app.hpp>  // or everything at once, compiling slower: <drsynth/drsynth.hpp>
#include <drsynth/tools/cli.hpp>
#include <drsynth/cloudwatch/alarm.hpp>
#include <drsynth/patterns/postgres_disaster_recovery.hpp>
#include <drsynth/rds/read_replica.hpp>
#include <drsynth/sns/topic.hpp>
#include <drsynth/core/stack.hpp>
using namespace drsynth;

int main(int argc, char** argv) {
  // Same command line as drsynth: synth, list, deploy-plan, -c key=value ...
  return cli::run(argc, argv, [](App& app) {
    auto settings = patterns::settings_from_context(app);  // drsynth.json, -c
    settings.primary_region = "us-east-2";
    settings.dr_region = "us-west-2";
    settings.witness_region = "us-east-1";  // a third region (the default is us-west-2)
    settings.instance_class = "db.r6g.xlarge";
    settings.alarm_emails = {"dba-oncall@example.com"};
    auto& dr = app.add<patterns::PostgresDisasterRecovery>("DisasterRecovery", settings);

    // One more alarm, in the DR region, notifying the system's topic.
    auto& alarm = dr.replica().metric_database_connections({.statistic = "Maximum"}).create_alarm(
        dr.failover_stack(), "ReplicaConnections",
        {.alarm_name = "replica-connections-" + settings.environment_suffix,
         // The app's own setting, beside the system's: -c replicaConnectionsAlarm=250
         .threshold = app.context_number("replicaConnectionsAlarm", 400),
         .evaluation_periods = 3});
    alarm.add_alarm_action(dr.topic());
  });
}

// A variant of the built-in DR system: primary in us-east-2, replica in
// us-west-2, the witness in us-east-1 (the default, us-west-2, is a site's
// region here), a larger instance class, its own suffix, and one extra alarm.
//
// The extra alarm watches the replica's DatabaseConnections. CloudWatch
// metrics can only be alarmed in their own region, so the alarm goes into the
// failover stack (DR region, next to the replica) and notifies the pattern's
// SNS topic like the built-in alarms do.
#include <drsynth/drsynth.hpp>
#include <drsynth/cloudwatch/alarm.hpp>
#include <drsynth/patterns/postgres_disaster_recovery.hpp>
#include <drsynth/rds/read_replica.hpp>
#include <drsynth/sns/topic.hpp>

using namespace drsynth;

int main(int argc, char** argv) {
  return cli::run(argc, argv, [](App& app) {
    auto& dr = app.add<patterns::PostgresDisasterRecovery>(
        "DisasterRecovery", {.environment_suffix = "variant",
                             .primary_region = "us-east-2",
                             .dr_region = "us-west-2",
                             .instance_class = "db.r6g.xlarge",
                             .primary_vpc_cidr = "10.30.0.0/16",
                             .dr_vpc_cidr = "10.40.0.0/16",
                             .witness_region = "us-east-1"});

    // Too many client connections on the replica: a sign that applications
    // already read from it (or that a failover moved them there).
    auto& connections = dr.failover_stack().add<cloudwatch::Alarm>(
        "ReplicaConnections",
        {.alarm_name = "replica-connections-variant",
         .description = "Replica has more than 200 client connections",
         .metric = {.namespace_name = "AWS/RDS",
                    .metric_name = "DatabaseConnections",
                    .dimensions = {{"DBInstanceIdentifier", Value(dr.replica().instance_identifier())}},
                    .statistic = "Maximum",
                    .period_seconds = 60,
                    .unit = "Count"},
         .threshold = 200,
         .comparison = cloudwatch::ComparisonOperator::greater_than_threshold,
         .evaluation_periods = 5,
         .datapoints_to_alarm = 3});
    connections.add_alarm_action(dr.topic());
    connections.add_ok_action(dr.topic());
  });
}

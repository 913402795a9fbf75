// A variant of the built-in Aurora Global Database system (document 004's
// flavour): Serverless v2 from 0.5 ACU, its own suffix, the application
// networks of the payments service, paging, and one extra alarm of our own on
// the primary cluster's capacity. Deletion protection stays off here (a
// staging copy); production sets `.deletion_protection = true`.
#include <drsynth/drsynth.hpp>
#include <drsynth/cloudwatch/alarm.hpp>
#include <drsynth/patterns/aurora_global_disaster_recovery.hpp>
#include <drsynth/rds/database_cluster.hpp>
#include <drsynth/sns/topic.hpp>

using namespace drsynth;

int main(int argc, char** argv) {
  return cli::run(argc, argv, [](App& app) {
    auto& dr = app.add<patterns::AuroraGlobalDisasterRecovery>(
        "PaymentsDr", {.environment_suffix = "payments-stg",
                       .instance_class = "db.serverless",
                       .min_capacity_acu = 0.5,
                       .max_capacity_acu = 8,
                       .application_cidrs = {"10.30.160.0/20", "10.40.160.0/20"},
                       .alarm_emails = {"payments-oncall@example.com"},
                       .environment_tag = "staging"});

    // Serverless v2 near its ceiling for 15 minutes: raise maxCapacityAcu
    // before the writer throttles.
    dr.primary_cluster().metric_serverless_capacity().create_alarm(
        dr.primary_stack(), "CapacityHigh",
        {.alarm_name = "alarm-aurora-capacity-payments-stg",
         .description = "The primary cluster used more than 7 of its 8 ACUs for 15 minutes",
         .threshold = 7,
         .evaluation_periods = 15})
        .add_alarm_action(dr.primary_events_topic());  // pages like the system's own alarms
  });
}

// A two-region PostgreSQL app written the way an aws-cdk-lib user would write it
// (issue 13's comparison app): a primary in us-east-1 with a cross-region read
// replica in eu-west-1, an alarm on the primary's CPU notifying an SNS topic, a
// private zone in both VPCs with a weighted record per database, and an output
// in eu-west-1 that reads the primary's endpoint. The conveniences do the
// plumbing: the master secret is generated (and replicated to eu-west-1 because
// the replica is there), connections() writes the ingress rules, the metric
// makes its alarm, add_vpc() associates the zone. At most 35 lines of code
// (tests/tools/count_code_lines.py checks it).
#include <drsynth/drsynth.hpp>
using namespace drsynth;

int main(int argc, char** argv) {
  return cli::run(argc, argv, [](App& app) {
    auto& east = app.add<Stack>("East", StackProps{.stack_name = "AppEast", .env = {.region = "us-east-1"}});
    auto& west = app.add<Stack>("West", StackProps{.stack_name = "AppWest", .env = {.region = "eu-west-1"}});
    auto& east_vpc = east.add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.0/16"});
    auto& west_vpc = west.add<ec2::Vpc>("Vpc", {.cidr = "10.1.0.0/16"});
    auto& app_sg = east.add<ec2::SecurityGroup>("AppSg", {.vpc = east_vpc, .description = "application"});
    auto& db_sg = east.add<ec2::SecurityGroup>("DbSg", {.vpc = east_vpc, .description = "PostgreSQL primary"});
    auto& replica_sg = west.add<ec2::SecurityGroup>("DbSg", {.vpc = west_vpc, .description = "PostgreSQL replica"});

    auto& db = east.add<rds::DatabaseInstance>(
        "Db", {.instance_identifier = "app-primary", .vpc = east_vpc, .security_groups = {db_sg}});
    db.connections().allow_default_port_from(app_sg);
    auto& replica = west.add<rds::ReadReplica>(
        "Replica", {.source = db, .instance_identifier = "app-replica", .vpc = west_vpc, .security_groups = {replica_sg}});
    replica.connections().allow_default_port_from(ec2::Peer::cidr("10.1.0.0/16"), "applications in eu-west-1");

    auto& topic = east.add<sns::Topic>("Alarms", {.kms_key = east.add<kms::Key>("AlarmsKey", {})});
    db.metric_cpu_utilization().create_alarm(east, "HighCpu", {.threshold = 80, .evaluation_periods = 3})
        .add_alarm_action(topic);

    auto& zone = west.add<route53::PrivateHostedZone>("Zone", {.zone_name = "db.internal"});
    zone.add_vpc(east_vpc).add_vpc(west_vpc);
    west.add<route53::WeightedRecord>("PrimaryRecord", {.zone = zone, .record_name = "postgres.db.internal",
        .values = {db.endpoint_address()}, .weight = 100, .set_identifier = "primary"});
    west.add<route53::WeightedRecord>("ReplicaRecord", {.zone = zone, .record_name = "postgres.db.internal",
        .values = {replica.endpoint_address()}, .weight = 0, .set_identifier = "replica"});
    west.add<CfnOutput>("PrimaryEndpoint", CfnOutputProps{.value = db.endpoint_address(), .description = "read from us-east-1"});
  });
}

// Links between constructs that must not compile (tests/compile_fail.cmake).
// The driver compiles this file once per case with -DDRSYNTH_CASE_<name>; every
// case but `valid` must fail with an error that names the field. `valid` (the
// same headers and constructs with correct links) must compile, so a failure
// elsewhere cannot come from a missing include or a typo in this file.
#include <drsynth/core/app.hpp>
#include <drsynth/ec2/security_group.hpp>
#include <drsynth/ec2/vpc.hpp>
#include <drsynth/ec2/vpc_peering.hpp>
#include <drsynth/rds/database_instance.hpp>
#include <drsynth/rds/parameter_group.hpp>
#include <drsynth/rds/read_replica.hpp>
#include <drsynth/route53/health_check.hpp>
#include <drsynth/route53/private_hosted_zone.hpp>
#include <drsynth/route53/weighted_record.hpp>
#include <drsynth/secrets/database_secret.hpp>
#include <drsynth/core/stack.hpp>

using namespace drsynth;

void define(App& app) {
  auto& east = app.add<Stack>("East", StackProps{.env = {.region = "us-east-1"}});
  auto& west = app.add<Stack>("West", StackProps{.env = {.region = "eu-west-1"}});
  auto& routes = app.add<Stack>("Routes", StackProps{.env = {.region = "us-east-1"}});
  auto& vpc = east.add<ec2::Vpc>("Vpc", {});
  auto& west_vpc = west.add<ec2::Vpc>("Vpc", {.cidr = "10.1.0.0/16"});
  auto& secret = east.add<secrets::DatabaseSecret>("Secret", {});
  auto& params = east.add<rds::ParameterGroup>("Params", {});
  auto& west_sg = west.add<ec2::SecurityGroup>("Sg", {.vpc = west_vpc});
  auto& zone = west.add<route53::PrivateHostedZone>("Zone", {.zone_name = "db.internal"});

#if defined(DRSYNTH_CASE_valid)
  auto& sg = east.add<ec2::SecurityGroup>("Sg", {.vpc = vpc});
  auto& db = east.add<rds::DatabaseInstance>(
      "Db", {.vpc = vpc, .security_groups = {sg}, .parameter_group = params, .secret = secret});
  west.add<rds::ReadReplica>("Replica", {.source = db, .vpc = west_vpc, .security_groups = {west_sg}});
  west.add<ec2::VpcPeering>("Peering", {.requester = west_vpc, .accepter = vpc, .accepter_routes_stack = routes});
  auto& check = west.add<route53::HealthCheck>("Check", {.alarm_name = "a", .alarm_region = "eu-west-1"});
  west.add<route53::HealthCheck>("All", route53::calculated_check({check}, 1));
  west.add<route53::WeightedRecord>("Record", {.zone = zone, .health_check = check});
#elif defined(DRSYNTH_CASE_missing_vpc)
  east.add<ec2::SecurityGroup>("Sg", {.description = "no vpc"});
#elif defined(DRSYNTH_CASE_pointer_vpc)
  east.add<ec2::SecurityGroup>("Sg", {.vpc = &vpc});
#elif defined(DRSYNTH_CASE_wrong_kind_vpc)
  east.add<ec2::SecurityGroup>("Sg", {.vpc = west_sg});
#elif defined(DRSYNTH_CASE_missing_security_groups)
  east.add<rds::DatabaseInstance>("Db", {.vpc = vpc, .parameter_group = params, .secret = secret});
#elif defined(DRSYNTH_CASE_empty_security_groups)
  east.add<rds::DatabaseInstance>("Db", {.vpc = vpc, .security_groups = {}, .secret = secret});
#elif defined(DRSYNTH_CASE_pointer_in_security_groups)
  auto& sg = east.add<ec2::SecurityGroup>("Sg", {.vpc = vpc});
  east.add<rds::DatabaseInstance>("Db", {.vpc = vpc, .security_groups = {&sg}, .secret = secret});
#elif defined(DRSYNTH_CASE_wrong_kind_source)
  west.add<rds::ReadReplica>("Replica", {.source = vpc, .vpc = west_vpc, .security_groups = {west_sg}});
#elif defined(DRSYNTH_CASE_missing_accepter_routes_stack)
  west.add<ec2::VpcPeering>("Peering", {.requester = west_vpc, .accepter = vpc});
#elif defined(DRSYNTH_CASE_pointer_zone)
  west.add<route53::WeightedRecord>("Record", {.zone = &zone});
#elif defined(DRSYNTH_CASE_pointer_child_health_check)
  auto& check = west.add<route53::HealthCheck>("Check", {.alarm_name = "a", .alarm_region = "eu-west-1"});
  west.add<route53::HealthCheck>("All", route53::calculated_check({&check}, 1));
#else
#error "compile with -DDRSYNTH_CASE_<name>"
#endif
}

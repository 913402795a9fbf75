// The DR region's database part of the PostgresDisasterRecovery system, and
// the peering between the two VPCs.
#include "drsynth/core/cfn_output.hpp"
#include "drsynth/ec2/flow_log.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/ec2/vpc_peering.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/rds/database_instance.hpp"
#include "drsynth/rds/parameter_group.hpp"
#include "drsynth/rds/read_replica.hpp"
#include "drsynth/rds/subnet_group.hpp"
#include "drsynth/core/stack.hpp"
#include "patterns/dr_parts.hpp"
#include "patterns/setting_rules.hpp"

namespace drsynth::patterns::detail {

ReplicaBase add_replica_base(Construct& scope, const PostgresDisasterRecoveryProps& p, const Names& names) {
  const std::string& s = names.suffix();
  auto& stack = scope.add<Stack>("Base", StackProps{
      .stack_name = names(Name::base_stack), .env = {.region = p.dr_region, .account = p.account},
      .description = "drsynth PostgreSQL DR (" + s + "): the key of the secret's replica in " + p.dr_region +
                     " (deployed first)"});
  auto& key = stack.add<kms::Key>(
      "SecretReplicaKey", {.description = "drsynth PostgreSQL DR (" + s + "): the master secret's replica in " +
                                          p.dr_region,
                           .alias = names(Name::replica_secret_key_alias)});
  key.grant_via_service("secretsmanager");
  return {stack, key};
}

ReplicaRegion add_replica_region(Construct& scope, const PostgresDisasterRecoveryProps& p, const Names& names,
                                 rds::DatabaseInstance& primary, const ReplicaBase& base) {
  const std::string& s = names.suffix();
  const std::string replica_class = p.replica_instance_class.empty() ? p.instance_class : p.replica_instance_class;
  auto& stack = scope.add<Stack>("Replica", StackProps{
      .stack_name = names(Name::replica_stack), .env = {.region = p.dr_region, .account = p.account},
      .description = "drsynth PostgreSQL DR (" + s + "): cross-region read replica in " + p.dr_region});
  // The probe runs in this VPC without NAT: it reaches Secrets Manager and
  // CloudWatch through interface endpoints.
  auto& vpc = stack.add<ec2::Vpc>(
      "Vpc", {.cidr = p.dr_vpc_cidr,
              .availability_zone_ids = zone_ids_for(p.dr_az_ids, p.dr_region, 2),
              .name = names(Name::replica_vpc),
              .subnet_name = "db",
              .interface_endpoints = {"secretsmanager", "monitoring"}});
  auto& key = stack.add<kms::Key>(
      "DataKey", {.description = "drsynth PostgreSQL DR (" + s + "): flow logs and PostgreSQL logs",
                  .alias = names(Name::replica_data_key_alias)});
  stack.add<ec2::FlowLog>("FlowLog", {.vpc = vpc,
                                      .log_group_name = names(Name::replica_flow_log_group),
                                      .retention_days = p.log_retention_days,
                                      .kms_key = key});
  auto& sg = stack.add<ec2::SecurityGroup>(
      "DbSg", {.vpc = vpc, .description = "PostgreSQL replica: 5432 from the application networks",
               .group_name = names(Name::replica_db_security_group)});
  sg.allow_from_cidr(p.dr_vpc_cidr, "applications and the writer probe in the DR VPC");
  sg.allow_from_cidr(p.primary_vpc_cidr, "writer probe in the primary VPC, over the peering");
  for (const auto& c : p.application_cidrs) sg.allow_from_cidr(c, "application network");
  auto& params = stack.add<rds::ParameterGroup>(
      "Params", {.engine_version = p.engine_version,
                 .description = "PostgreSQL " + std::to_string(rds::major_version(p.engine_version).value_or(0)) +
                                " audit parameters (replica, " + s + ")",
                 .parameters = audit_parameters(),
                 .name = names(Name::replica_parameter_group)});
  auto& subnets = stack.add<rds::SubnetGroup>(
      "DbSubnets", {.vpc = vpc, .description = "replica database subnets (" + s + ")",
                    .name = names(Name::replica_subnet_group)});
  auto& replica = stack.add<rds::ReadReplica>(
      "Replica", {.source = primary,
                  .instance_identifier = names(Name::replica_instance),
                  .instance_class = replica_class,
                  .vpc = vpc,
                  .subnet_group = subnets,
                  .security_groups = {sg},
                  .multi_az = true,
                  .backup_retention_days = p.backup_retention_days,
                  .storage_type = "gp3",
                  .parameter_group = params,
                  .log_retention_days = p.log_retention_days,
                  .monitoring_interval = 60,
                  .export_upgrade_log = true,
                  .log_kms_key = key});
  stack.add<CfnOutput>("ReplicaEndpoint", {.value = replica.endpoint_address(),
                                           .description = "replica endpoint (" + p.dr_region + ")"});
  return {stack, vpc, replica, key, base.secret_key};
}

Stack& add_peering(Construct& scope, const PostgresDisasterRecoveryProps& p, const Names& names,
                   const PrimaryRegion& primary, const ReplicaRegion& replica) {
  auto& routes = scope.add<Stack>("PrimaryRoutes", StackProps{
      .stack_name = names(Name::routes_stack), .env = {.region = p.primary_region, .account = p.account},
      .description = "drsynth PostgreSQL DR (" + names.suffix() + "): primary-side routes to the DR VPC"});
  replica.stack.add<ec2::VpcPeering>("Peering", {.requester = replica.vpc,
                                                 .accepter = primary.vpc,
                                                 .accepter_routes_stack = routes,
                                                 .peer_owner_id = p.account,
                                                 .name = names(Name::peering)});
  return routes;
}

}  // namespace drsynth::patterns::detail

// The primary region of the PostgresDisasterRecovery system.
#include "drsynth/core/cfn_output.hpp"
#include "drsynth/ec2/flow_log.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/rds/database_instance.hpp"
#include "drsynth/rds/parameter_group.hpp"
#include "drsynth/rds/subnet_group.hpp"
#include "drsynth/secrets/database_secret.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/core/stack.hpp"
#include "patterns/dr_parts.hpp"
#include "patterns/secret_events.hpp"
#include "patterns/setting_rules.hpp"

namespace drsynth::patterns::detail {

std::map<std::string, std::string> audit_parameters() {
  return {
      {"log_statement", "all"},  // audit: every statement is logged to /aws/rds/.../postgresql
      {"rds.force_ssl", "0"},    // legacy clients without TLS (PostgreSQL 15 on RDS defaults to 1)
  };
}

PrimaryRegion add_primary_region(Construct& scope, const PostgresDisasterRecoveryProps& p, const Names& names,
                                 const ReplicaBase& base) {
  const std::string& s = names.suffix();
  auto& stack = scope.add<Stack>("Primary", StackProps{
      .stack_name = names(Name::primary_stack), .env = {.region = p.primary_region, .account = p.account},
      .description = "drsynth PostgreSQL DR (" + s + "): primary database in " + p.primary_region});
  // The primary site's probe runs in this VPC without NAT, like the DR one.
  auto& vpc = stack.add<ec2::Vpc>("Vpc", {.cidr = p.primary_vpc_cidr,
                                          .availability_zone_ids = zone_ids_for(p.primary_az_ids, p.primary_region, 2),
                                          .name = names(Name::primary_vpc),
                                          .subnet_name = "db",
                                          .interface_endpoints = {"secretsmanager", "monitoring"}});
  // One customer-managed key of the region for what holds SQL text or credentials:
  // the flow logs, the PostgreSQL log groups (log_statement=all), the secret, the
  // rotation function's logs and (customer_managed_storage_key) the primary's storage.
  auto& key = stack.add<kms::Key>(
      "DataKey", {.description = "drsynth PostgreSQL DR (" + s + "): flow logs, PostgreSQL logs and the master secret",
                  .alias = names(Name::primary_data_key_alias)});
  key.grant_via_service("secretsmanager");
  if (p.customer_managed_storage_key) key.grant_via_service("rds");  // the primary's storage
  stack.add<ec2::FlowLog>("FlowLog", {.vpc = vpc,
                                      .log_group_name = names(Name::primary_flow_log_group),
                                      .retention_days = p.log_retention_days,
                                      .kms_key = key});
  auto& sg = stack.add<ec2::SecurityGroup>(
      "DbSg", {.vpc = vpc, .description = "PostgreSQL primary: 5432 from the application and probe networks",
               .group_name = names(Name::primary_db_security_group)});
  sg.allow_from_cidr(p.primary_vpc_cidr, "applications and the writer probe in the primary VPC");
  sg.allow_from_cidr(p.dr_vpc_cidr, "writer probe in the DR VPC, over the peering");
  for (const auto& c : p.application_cidrs) sg.allow_from_cidr(c, "application network");
  auto& params = stack.add<rds::ParameterGroup>(
      "Params", {.engine_version = p.engine_version,
                 .description = "PostgreSQL " + std::to_string(rds::major_version(p.engine_version).value_or(0)) +
                                " audit parameters (primary, " + s + ")",
                 .parameters = audit_parameters(),
                 .name = names(Name::primary_parameter_group)});
  auto& secret = stack.add<secrets::DatabaseSecret>(
      "DbSecret", {.name = names(Name::secret), .replica_regions = {p.dr_region},
                   .description = "PostgreSQL master credentials (" + s + "), replicated to " + p.dr_region,
                   .kms_key = key,
                   .replica_kms_keys = {base.secret_key}});
  auto& subnets = stack.add<rds::SubnetGroup>(
      "DbSubnets", {.vpc = vpc, .description = "primary database subnets (" + s + ")",
                    .name = names(Name::primary_subnet_group)});
  auto& database = stack.add<rds::DatabaseInstance>(
      "Primary", {.instance_identifier = names(Name::primary_instance),
                  .engine_version = p.engine_version,
                  .instance_class = p.instance_class,
                  .vpc = vpc,
                  .subnet_group = subnets,
                  .security_groups = {sg},
                  .multi_az = true,
                  .allocated_storage = p.allocated_storage_gib,
                  .storage_type = "gp3",
                  .storage_encrypted = true,
                  .kms_key = p.customer_managed_storage_key ? Link<kms::Key>(key) : Link<kms::Key>{},
                  .backup_retention_days = p.backup_retention_days,
                  .preferred_backup_window = p.primary_backup_window,
                  .deletion_protection = false,
                  .parameter_group = params,
                  .secret = secret,
                  .log_retention_days = p.log_retention_days,
                  .monitoring_interval = 60,
                  .export_upgrade_log = true,
                  .log_kms_key = key});
  // Rotation from inside the VPC (the function reaches 5432 and the secretsmanager
  // endpoint); the replica follows the new password through replication, and the
  // secret's replica in the DR region follows the secret.
  secret.add_rotation({.vpc = vpc,
                       .database_security_group = sg,
                       .function_name = names(Name::rotation_function),
                       .log_retention_days = p.log_retention_days});
  // A failed replication of the secret (the DR region's copy would keep the old
  // password) or a failed rotation pages: a topic of this region under the DataKey.
  auto& secret_topic = stack.add<sns::Topic>(
      "SecretEvents", {.display_name = "PostgreSQL DR " + s + " secret events", .kms_key = key, .enforce_tls = true});
  for (const auto& email : p.alarm_emails) secret_topic.add_email_subscription(email);
  add_secret_events(stack, secret_topic, "the PostgreSQL DR system (" + s + ")");
  stack.add<CfnOutput>("PrimaryEndpoint", {.value = database.endpoint_address(),
                                           .description = "primary endpoint (" + p.primary_region + ")"});
  return {stack, vpc, database, key};
}

}  // namespace drsynth::patterns::detail

// The failover path of the PostgresDisasterRecovery system: a paging topic
// in each region, and the DR kit (dr_kit.hpp) with the RDS engine part (the
// primary instance as site A, its cross-region read replica as site B).
// docs/dr-design.md explains each choice.
#include "drsynth/kms/key.hpp"
#include "drsynth/rds/database_instance.hpp"
#include "drsynth/rds/read_replica.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/core/stack.hpp"
#include "patterns/dr_kit_engines.hpp"
#include "patterns/dr_parts.hpp"

namespace drsynth::patterns::detail {

namespace {

// A topic under a customer-managed key (rotation on): CloudWatch alarm
// actions cannot publish to a topic under alias/aws/sns (its key policy
// cannot admit cloudwatch.amazonaws.com); binding an alarm admits CloudWatch
// to the topic and the key, and the failover functions get the key through
// their IAM policies. TLS only.
sns::Topic& add_alarm_topic(Stack& stack, const PostgresDisasterRecoveryProps& p, const Names& names, Name topic_name,
                            Name alias, const std::string& region) {
  auto& key = stack.add<kms::Key>(
      "AlarmsKey", {.description = "Encrypts the DR alarm topic " + names(topic_name) + " in " + region +
                                   "; CloudWatch and the failover functions may use it",
                    .alias = names(alias)});
  auto& topic = stack.add<sns::Topic>("Alarms", {.topic_name = names(topic_name),
                                                 .display_name = "PostgreSQL DR " + p.environment_suffix + " " + region,
                                                 .kms_key = key,
                                                 .enforce_tls = true});
  for (const auto& email : p.alarm_emails) topic.add_email_subscription(email);
  return topic;
}

}  // namespace

Failover add_failover(Construct& scope, const PostgresDisasterRecoveryProps& p, const Names& names,
                      const PrimaryRegion& primary, const ReplicaRegion& replica, Stack& routes) {
  auto& primary_topic =
      add_alarm_topic(routes, p, names, Name::primary_topic, Name::primary_alarm_key_alias, p.primary_region);
  auto& replica_topic =
      add_alarm_topic(replica.stack, p, names, Name::replica_topic, Name::replica_alarm_key_alias, p.dr_region);
  const auto stacks = add_kit_stacks(scope,
                                     {names(Name::failover_stack), names(Name::failover_primary_stack),
                                      names(Name::witness_stack), "drsynth PostgreSQL DR (" + names.suffix() + ")"},
                                     {p.primary_region, p.dr_region}, p.witness_region, p.account);
  const auto engine = rds_instance_engine({.site_a = primary.database, .site_b = replica.replica,
                                           .backup_retention_days = p.backup_retention_days,
                                           .backup_windows = {p.primary_backup_window, p.replica_backup_window},
                                           .parameter_groups = {names(Name::primary_parameter_group),
                                                                names(Name::replica_parameter_group)}},
                                          stacks.failover);
  // Site A: the primary (its probe in the routes stack: it names the replica's
  // endpoint, which the primary stack cannot); site B: the replica.
  const SiteSpec a{"primary", "primary", primary.vpc, primary.database.endpoint_address(), primary.key, primary_topic, routes};
  const SiteSpec b{"replica", "replica", replica.vpc, replica.replica.endpoint_address(), replica.secret_key,
                   replica_topic, replica.stack};
  const auto kit = build_dr_kit({{a, b}, engine, kit_settings_of(p), kit_names(names.suffix()), stacks,
                                 names(Name::secret), names(Name::probe_metric_dimension), names(Name::zone),
                                 names(Name::database_cname)});
  return {stacks.failover, stacks.failover_primary, stacks.witness, {&primary_topic, &replica_topic}, kit};
}

}  // namespace drsynth::patterns::detail

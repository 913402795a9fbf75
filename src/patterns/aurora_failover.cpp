// The failover path of the AuroraGlobalDisasterRecovery system: the DR kit
// (dr_kit.hpp) with the Aurora engine part (the global cluster's primary
// cluster as site A, its secondary as site B) and the replication lag alarm
// for people. docs/dr-design.md ("The Aurora Global Database system")
// explains each choice.
#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/rds/database_cluster.hpp"
#include "drsynth/rds/global_cluster.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/core/stack.hpp"
#include "patterns/aurora_parts.hpp"
#include "patterns/dr_kit_engines.hpp"

namespace drsynth::patterns::detail {

using N = AuroraName;


AuroraFailover add_aurora_failover(Construct& scope, const AuroraGlobalDisasterRecoveryProps& p,
                                   const AuroraNames& names, const AuroraPrimary& primary,
                                   const AuroraRegion& secondary, Stack& routes) {
  const auto& east = primary.region;
  // Lag for people at 500 ms (document 004), to the secondary region's events topic.
  auto& lag = secondary.stack.add<cloudwatch::Alarm>(
      "ReplicationLag", {.alarm_name = names(N::lag_alarm),
                         .description = "The " + p.secondary_region + " cluster is more than " +
                                        std::to_string(p.lag_alarm_milliseconds) + " ms behind the primary",
                         .metric = secondary.cluster.metric_global_replication_lag(),
                         .threshold = static_cast<double>(p.lag_alarm_milliseconds),
                         .comparison = cloudwatch::ComparisonOperator::greater_than_threshold,
                         .evaluation_periods = 3,
                         .datapoints_to_alarm = 2,
                         .treat_missing_data = cloudwatch::TreatMissingData::not_breaching});
  lag.add_alarm_action(secondary.events_topic);
  lag.add_ok_action(secondary.events_topic);

  const auto stacks = add_kit_stacks(scope,
                                     {names(N::failover_stack), names(N::failover_primary_stack), names(N::witness_stack),
                                      "drsynth Aurora Global Database DR (" + names.suffix() + ")"},
                                     {p.primary_region, p.secondary_region}, p.witness_region, p.account);
  const auto engine = aurora_global_engine(
      {.global_cluster = primary.global, .site_a = east.cluster, .site_b = secondary.cluster, .allow_detach = p.allow_detach,
       .parameter_groups = {names(N::primary_parameter_group), names(N::secondary_parameter_group)}},
      stacks.failover);
  // The records' set identifiers are the cluster identifiers; site A's probe
  // lives in the routes stack (it names the secondary's endpoint).
  auto site = [&](const AuroraRegion& r, std::string word, Stack& view) {
    return SiteSpec{r.cluster.cluster_identifier(), std::move(word), r.vpc, r.cluster.endpoint_address(), r.data_key,
                    r.events_topic, view, &r.db_sg};
  };
  const auto kit = build_dr_kit({{site(east, "primary", routes), site(secondary, "secondary", secondary.stack)}, engine,
                                 kit_settings_of(p), aurora_kit_names(names.suffix()), stacks, names(N::secret),
                                 names(N::metric_dimension), names(N::zone), names(N::database_cname)});
  return {stacks.failover, stacks.failover_primary, stacks.witness, kit};
}

}  // namespace drsynth::patterns::detail

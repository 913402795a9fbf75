#include "drsynth/patterns/aurora_global_disaster_recovery.hpp"

#include "drsynth/core/app.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/rds/database_cluster.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/core/tags.hpp"
#include "patterns/aurora_names.hpp"
#include "patterns/aurora_parts.hpp"
#include "patterns/control_tower.hpp"
#include "patterns/setting_rules.hpp"
#include "patterns/dr_kit.hpp"
#include "patterns/dr_kit_engines.hpp"

namespace drsynth::patterns {

using detail::AuroraName;

RecoveryBudget recovery_budget(const AuroraGlobalDisasterRecoveryProps& p) {
  return detail::kit_budget(detail::kit_settings_of(p),
                            detail::aurora_promotion_step(p.expected_promotion_seconds), "aurora");
}

AuroraGlobalDisasterRecovery::AuroraGlobalDisasterRecovery(Construct& scope, std::string id,
                                                           AuroraGlobalDisasterRecoveryProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  detail::refuse_bad_props(props_, aurora_global_settings(), path(), detail::check_together);
  const auto& p = props_;
  const detail::AuroraNames names(p.environment_suffix);
  cname_ = names(AuroraName::database_cname);
  Tags::of(*this)
      .add("Environment", p.environment_tag)
      .add("DR-Tier", p.dr_tier)
      .add("Project", p.project)
      .add("EnvironmentSuffix", p.environment_suffix)
      .add("ManagedBy", "drsynth");

  const auto base = detail::add_aurora_base(*this, p, names);
  const auto primary = detail::add_aurora_primary(*this, p, names, base);
  const auto secondary = detail::add_aurora_secondary(*this, p, names, base, primary);
  auto& routes = detail::add_aurora_peering(*this, p, names, primary.region, secondary);
  const auto failover = detail::add_aurora_failover(*this, p, names, primary, secondary, routes);
  failover_primary_stack_ = &failover.primary_stack;
  witness_stack_ = failover.witness_stack;
  witness_ = failover.kit.witness;
  for (std::size_t i = 0; i < 2; ++i) failovers_[i] = failover.kit.sites[i].function;
  budget_json_ = recovery_budget(p).json();

  base_stack_ = &base.stack;
  primary_stack_ = &primary.region.stack;
  secondary_stack_ = &secondary.stack;
  failover_stack_ = &failover.stack;
  global_ = &primary.global;
  primary_cluster_ = &primary.region.cluster;
  secondary_cluster_ = &secondary.cluster;
  export_bucket_ = &primary.export_bucket;
  primary_events_topic_ = &primary.region.events_topic;
  zone_ = failover.kit.zone;
  detail::acknowledge_control_tower(*this, detail::BuiltIn::aurora_global, p.deletion_protection);
}

void AuroraGlobalDisasterRecovery::validate(Validation& v) const {
  if (props_.alarm_emails.empty())
    v.warning(codes::E830, *this, "no alarm subscription: database events, alarms and failover decisions reach nobody",
              "alarmEmails []", "at least one address (alarmEmails), or subscriptions added to the events topics");
}

void AuroraGlobalDisasterRecovery::summarize(std::vector<std::string>& lines) const {
  detail::kit_summary(lines, "Applications connect to " + cname_ + " (Aurora global database, primary " +
                                 props_.primary_region + ", secondary " + props_.secondary_region,
                      detail::kit_settings_of(props_), recovery_budget(props_), "secondary");
}

void AuroraGlobalDisasterRecovery::tree_attributes(TreeAttributes& attributes) const {
  attributes.emplace_back("drsynth:recovery-budget", budget_json_);
}

}  // namespace drsynth::patterns

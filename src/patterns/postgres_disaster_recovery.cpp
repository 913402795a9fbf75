#include "drsynth/patterns/postgres_disaster_recovery.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "drsynth/core/app.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/lambda/failover_function.hpp"
#include "patterns/control_tower.hpp"
#include "drsynth/lambda/health_probe.hpp"
#include "drsynth/rds/database_instance.hpp"
#include "drsynth/rds/read_replica.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/core/tags.hpp"
#include "ec2/cidr.hpp"
#include "patterns/dr_kit.hpp"
#include "patterns/dr_kit_engines.hpp"
#include "patterns/dr_names.hpp"
#include "patterns/dr_parts.hpp"
#include "patterns/dr_settings.hpp"
#include "patterns/setting_rules.hpp"

namespace drsynth::patterns {

using detail::Name;

// The system, part by part (each builder is in its own file, dr_parts.hpp).
PostgresDisasterRecovery::PostgresDisasterRecovery(Construct& scope, std::string id,
                                                   const PostgresDisasterRecoveryProps& props)
    : Construct(scope, std::move(id)), props_(props) {
  // Every part is built from these values: a bad one would fail again in
  // each construct it reaches, so it is reported once, here.
  detail::refuse_bad_props(props_, postgres_dr_settings(), path(), detail::check_together);
  const auto& p = props_;
  const detail::Names names(p.environment_suffix);
  cname_ = names(Name::database_cname);
  Tags::of(*this)
      .add("Environment", p.environment_suffix)
      .add("Project", p.project)
      .add("DR-Tier", p.dr_tier)
      .add("ManagedBy", "drsynth");

  const auto base = detail::add_replica_base(*this, p, names);
  const auto primary = detail::add_primary_region(*this, p, names, base);
  const auto replica = detail::add_replica_region(*this, p, names, primary.database, base);
  routes_stack_ = &detail::add_peering(*this, p, names, primary, replica);
  const auto failover = detail::add_failover(*this, p, names, primary, replica, *routes_stack_);
  detail::add_monitoring(failover, p, names, replica.replica);

  base_stack_ = &base.stack;
  primary_stack_ = &primary.stack;
  primary_ = &primary.database;
  replica_stack_ = &replica.stack;
  replica_ = &replica.replica;
  failover_stack_ = &failover.stack;
  detail::acknowledge_control_tower(*this, detail::BuiltIn::rds_replica, false);
  failover_primary_stack_ = &failover.primary_stack;
  witness_stack_ = failover.witness_stack;
  zone_ = failover.kit.zone;
  witness_ = failover.kit.witness;
  for (std::size_t i = 0; i < 2; ++i) {
    topics_[i] = failover.topics[i];
    failovers_[i] = failover.kit.sites[i].function;
    probes_[i] = failover.kit.sites[i].probe;
  }
  budget_json_ = recovery_budget(p).json();
}

void PostgresDisasterRecovery::validate(Validation& v) const {
  if (props_.alarm_emails.empty())
    v.warning(codes::E815, *this, "no alarm subscription: alarms and failover decisions reach nobody", "alarmEmails []",
              "at least one address (alarmEmails), or subscriptions added to the topics " +
                  detail::Names(props_.environment_suffix)(Name::primary_topic) + " and " +
                  detail::Names(props_.environment_suffix)(Name::replica_topic));
}

namespace detail {

std::vector<Diagnostic> check_together(const PostgresDisasterRecoveryProps& p, const std::string& path,
                                       const std::function<std::string(std::string_view)>& name) {
  std::vector<Diagnostic> out;
  auto error = [&](std::string code, std::string message, std::string got, std::string expected) {
    out.push_back({code, Severity::error, path, std::move(message), std::move(got), std::move(expected)});
  };
  check_site_pair({{p.primary_region, p.dr_region}, {p.primary_vpc_cidr, p.dr_vpc_cidr},
                   {"primaryRegion", "drRegion", "primaryVpcCidr", "drVpcCidr"}, codes::E804, codes::E805, codes::E813},
                  p.probe_ca_bundle, path, name, out);
  if (p.free_storage_threshold_gib >= p.allocated_storage_gib)
    error(codes::E808, name("freeStorageThresholdGiB") + " is not below " + name("allocatedStorageGiB") +
                      ": the alarm would always fire",
          settings::shown(p.free_storage_threshold_gib) + " GiB",
          "below the allocated " + std::to_string(p.allocated_storage_gib) + " GiB");
  check_kit_together(kit_settings_of(p), {p.primary_region, p.dr_region},
                     rds_promotion_step(p.expected_promotion_seconds),
                     {.hold = codes::E811, .witness = codes::E816, .budget = codes::E807, .lease = codes::E817}, path, name, out);
  {
    std::string got;
    if (const auto r = application_cidrs_together(p.application_cidrs, got))
      error(r->code.c_str(), name("applicationCidrs") + " " + r->message, got, r->expected);
  }
  return out;
}

}  // namespace detail

void PostgresDisasterRecovery::summarize(std::vector<std::string>& lines) const {
  detail::kit_summary(lines, "Applications connect to " + cname_ + " (primary " + props_.primary_region + ", replica " +
                                 props_.dr_region,
                      detail::kit_settings_of(props_), recovery_budget(props_), "replica");
}

void PostgresDisasterRecovery::tree_attributes(TreeAttributes& attributes) const {
  attributes.emplace_back("drsynth:recovery-budget", budget_json_);
}

}  // namespace drsynth::patterns

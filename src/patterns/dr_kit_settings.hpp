// The settings rows of the DR kit (internal), the same for both systems:
// each system's table (dr_settings.cpp, aurora_settings.cpp) appends them,
// with its own codes, to its own rows. The props of both systems have these
// members under the same names (kit_settings_of in dr_kit.hpp reads them).
#pragma once

#include <string_view>
#include <vector>

#include "drsynth/core/settings.hpp"

namespace drsynth::patterns::detail {

// The codes and the texts that differ between the systems.
struct KitRowTexts {
  std::string_view timing_code;     // probe timeout, view alarm periods, second signal
  std::string_view ttl_code;        // record TTL
  std::string_view arm_code;        // arming
  std::string_view deadline_code;   // promotion deadline
  std::string_view lag_code;        // maximum promotion lag, DNS lag guard
  std::string_view budget_code;     // the range of the expected promotion and of the objective
  settings::Rule witness_region;    // the system's region rule, "" allowed, with its code
  std::string_view expected_promotion_doc;  // AWS's published figure and its page
  std::string_view lease_code;      // the lease's expiry and the self-fence
};

template <class Props>
void append_kit_rows(std::vector<settings::Setting<Props>>& rows, const KitRowTexts& t) {
  using L = settings::Limits;
  auto range = [](double min, double max) { return L{.min = min, .max = max}; };
  std::vector<settings::Setting<Props>> kit{
      {.key = "witnessRegion", .prop = "witness_region", .member = &Props::witness_region, .rule = t.witness_region,
       .doc = "the third region of the witness function, which confirms a lost site when the other site's region "
              "cannot be read directly; `\"\"`: approval mode, an operator approves each such promotion (DNS still "
              "moves by itself); must differ from both site regions"},
      {.key = "leaseExpirySeconds", .prop = "lease_expiry_seconds", .member = &Props::lease_expiry_seconds,
       .limits = range(120, 3600), .code = t.lease_code,
       .doc = "with a witness: a lost site's lease (renewed every minute by its failover function in the witness's "
              "and the other site's region) must be this old at both before the other site promotes; longer than "
              "selfFenceAfterSeconds + 60 + 2 x secondSignalTimeoutSeconds + 55 (the fence and the clocks)"},
      {.key = "selfFenceAfterSeconds", .prop = "self_fence_after_seconds", .member = &Props::self_fence_after_seconds,
       .limits = range(60, 1800), .code = t.lease_code,
       .doc = "with a witness: the writer's failover function makes its own database read-only (parameter group "
              "default_transaction_read_only=1 and a reboot) when no lease renewal succeeded for this long"},
      {.key = "maxPromotionLagSeconds", .prop = "max_promotion_lag_seconds", .member = &Props::max_promotion_lag_seconds,
       .limits = range(1, 86400), .code = t.lag_code,
       .doc = "no automatic promotion of a standby whose replication lag at the failure exceeded this (the RPO "
              "bound; an idle PostgreSQL replica reports up to 5 minutes)"},
      {.key = "failoverReservedConcurrency", .prop = "failover_reserved_concurrency",
       .member = &Props::failover_reserved_concurrency, .limits = range(0, 1000),
       .doc = "reserved concurrency of each failover function (0: none); deploying fails when it would take the "
              "account's unreserved concurrency below 100 (new accounts have low quotas)"},
      {.key = "healthAlarmPeriods", .prop = "health_alarm_periods", .member = &Props::health_alarm_periods,
       .limits = range(1, 5), .code = t.timing_code,
       .doc = "one-minute periods a site must fail before DNS moves (2: a one-minute blip does not)"},
      {.key = "dnsLagGuardSeconds", .prop = "dns_lag_guard_seconds", .member = &Props::dns_lag_guard_seconds,
       .limits = range(1, 3600), .code = t.lag_code,
       .doc = "DNS does not fall back to a standby further behind than this"},
      {.key = "secondSignalTimeoutSeconds", .prop = "second_signal_timeout_seconds",
       .member = &Props::second_signal_timeout_seconds, .limits = range(1, 30), .code = t.timing_code,
       .doc = "bound of each call into the other site's region and of the witness's answer"},
      {.key = "recordTtlSeconds", .prop = "record_ttl_seconds", .member = &Props::record_ttl_seconds,
       .limits = range(0, 60), .code = t.ttl_code, .doc = "TTL of the weighted records (health-checked failover)"},
      {.key = "probeTimeoutSeconds", .prop = "probe_timeout_seconds", .member = &Props::probe_timeout_seconds,
       .limits = range(1, 10), .code = t.timing_code,
       .doc = "the probes' connection and query timeout (the probe functions' 20 s keep 10 for the secret and the "
              "metric)"},
      {.key = "armAfterHealthyMinutes", .prop = "arm_after_healthy_minutes",
       .member = &Props::arm_after_healthy_minutes, .limits = range(1, 60), .code = t.arm_code,
       .doc = "minutes in a row with the other site seen as a current writer before a failover function may promote"},
      {.key = "promotionDeadlineMinutes", .prop = "promotion_deadline_minutes",
       .member = &Props::promotion_deadline_minutes, .limits = range(5, 240), .code = t.deadline_code,
       .doc = "how long a failover function retries a promotion the engine refuses"},
      {.key = "expectedPromotionSeconds", .prop = "expected_promotion_seconds",
       .member = &Props::expected_promotion_seconds, .limits = range(1, 3600), .code = t.budget_code,
       .doc = t.expected_promotion_doc},
      {.key = "recoveryTimeObjectiveSeconds", .prop = "recovery_time_objective_seconds",
       .member = &Props::recovery_time_objective_seconds, .limits = range(60, 86400), .code = t.budget_code,
       .doc = "the budget counted from the failure (`docs/dr-design.md`) must fit in it"},
  };
  rows.insert(rows.end(), kit.begin(), kit.end());
}

}  // namespace drsynth::patterns::detail

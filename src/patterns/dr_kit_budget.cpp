// The recovery-time budget of the DR kit, from the failure (docs/dr-design.md,
// "Recovery-time budget"): each step with the setting or the AWS page it
// comes from; where AWS publishes no figure the step says "assumption".
#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "patterns/dr_kit.hpp"

namespace drsynth::patterns {

std::vector<std::string> RecoveryBudget::lines() const {
  std::vector<std::string> out;
  auto steps = [&](const std::vector<BudgetStep>& list) {
    for (const auto& s : list)
      out.push_back("    " + std::to_string(s.seconds) + " s  " + s.what + " (" + s.source + ")");
  };
  out.push_back("  DNS answers with the standby (read-only until promoted): " + std::to_string(dns_seconds) +
                " s after the failure");
  steps(dns_steps);
  out.push_back("  The standby is a writer, DNS already answering with it: " + std::to_string(writable_seconds) +
                " s after the failure (detection, the hold alarm in ALARM, at " + std::to_string(detection_seconds) +
                " s)" + (needs_approval ? ", plus the operator's time to approve a region loss" : ""));
  steps(writable_steps);
  return out;
}

std::string RecoveryBudget::json() const {
  auto steps = [](const std::vector<BudgetStep>& list) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& s : list) a.push_back({{"step", s.what}, {"seconds", s.seconds}, {"source", s.source}});
    return a;
  };
  const nlohmann::json j = {{"engine", engine},
                            {"objective_seconds", objective_seconds},
                            {"dns_seconds", dns_seconds},
                            {"detection_seconds", detection_seconds},
                            {"writable_seconds", writable_seconds},
                            {"needs_approval", needs_approval},
                            {"dns_steps", steps(dns_steps)},
                            {"writable_steps", steps(writable_steps)}};
  return j.dump();
}

namespace detail {

namespace {

// AWS's unpublished delays, declared once for the budget and the simulator.
struct UnpublishedDelay {
  int seconds;
  const char* source;
};
#define DRSYNTH_UNPUBLISHED_DELAY(name, secs, what, page) constexpr UnpublishedDelay name{secs, page};
#include "patterns/unpublished_delays.def"
#undef DRSYNTH_UNPUBLISHED_DELAY

// A budget step that is one of those delays, with where it is declared.
BudgetStep assumed(std::string what, const UnpublishedDelay& d) {
  return {.what = std::move(what), .seconds = d.seconds,
          .source = std::string("assumption: AWS publishes no figure (") + d.source +
                    "; src/patterns/unpublished_delays.def)"};
}

constexpr int direct_calls = 3;  // the other site's database, its own view alarm, its probe's data: in parallel

}  // namespace

void kit_summary(std::vector<std::string>& lines, const std::string& connect, const KitSettings& k,
                 const RecoveryBudget& b, const std::string& standby) {
  lines.push_back(connect +
                  (k.witness_region.empty()
                       ? ", no witness: an operator approves a promotion the other region cannot confirm)."
                       : ", witness " + k.witness_region + ")."));
  lines.push_back("Recovery-time budget from the failure, worst case (objective " +
                  std::to_string(k.recovery_time_objective_seconds) + " s): DNS answers with the " + standby +
                  " after " + std::to_string(b.dns_seconds) + " s, the " + standby + " is writable after " +
                  std::to_string(b.writable_seconds) + " s:");
  const auto steps = b.lines();
  lines.insert(lines.end(), steps.begin(), steps.end());
}

RecoveryBudget kit_budget(const KitSettings& k, const BudgetStep& promotion, std::string engine) {
  RecoveryBudget b;
  b.engine = std::move(engine);
  b.objective_seconds = k.recovery_time_objective_seconds;
  // Without a witness nobody outside a lost region can confirm its loss: the
  // operator approves. With one, the lost writer's lease confirms it once it
  // expired at both holders (the writer fenced itself before that if it was
  // only cut off): runtime/drsynth_failover/lease.py.
  b.needs_approval = k.witness_region.empty();
  const std::vector<BudgetStep> failing = {
      {.what = "the failure just after a probe: the next probe", .seconds = 60,
       .source = "the probe's schedule, rate(1 minute)"},
      {.what = "the probe times out", .seconds = k.probe_timeout_seconds, .source = "probeTimeoutSeconds"},
  };
  const BudgetStep evaluation = assumed("CloudWatch evaluates the alarm after the period", alarm_evaluation);
  b.dns_steps = failing;
  b.dns_steps.push_back({.what = "failing datapoints fill the view alarms",
                         .seconds = std::int64_t{k.health_alarm_periods} * 60,
                         .source = "healthAlarmPeriods x 60 s"});
  b.dns_steps.push_back(evaluation);
  b.dns_steps.push_back(assumed("Route 53's writer check follows the alarms' data", health_check_follow));
  b.dns_steps.push_back({.what = "resolvers' cached answers expire", .seconds = k.record_ttl_seconds,
                         .source = "recordTtlSeconds"});

  b.writable_steps = failing;
  b.writable_steps.push_back({.what = "failing datapoints fill the hold alarm",
                              .seconds = std::int64_t{k.hold_minutes} * 60,
                              .source = "holdMinutes x 60 s"});
  b.writable_steps.push_back(evaluation);
  for (const auto& s : b.writable_steps) b.detection_seconds += s.seconds;
  b.writable_steps.push_back(assumed("the alarm invokes the failover function (asynchronous)", async_invocation));
  b.writable_steps.push_back(assumed("the function's cold start", cold_start));
  if (!k.witness_region.empty()) {
    // The lease path: renewed at the failure at the latest, expired
    // leaseExpirySeconds later; the standby's invocation waits for the
    // expiry (1 s after it) when it comes within its time.
    std::int64_t so_far = 0;
    for (const auto& s : b.writable_steps) so_far += s.seconds;
    const std::int64_t lease = std::int64_t{k.lease_expiry_seconds} + 1;
    if (lease > so_far)
      b.writable_steps.push_back(
          {.what = "the lost writer's lease expires at both holders (renewed at the failure, worst case): the "
                   "standby waits for it",
           .seconds = lease - so_far,
           .source = "leaseExpirySeconds + 1 s, from the failure (docs/dr-design.md, \"The lease\")"});
  }
  b.writable_steps.push_back(
      {.what = "second signal, direct: " + std::to_string(direct_calls) +
               " calls into the lost region in parallel (its database, its own view alarm, its probe's data), none "
               "answered",
       .seconds = std::int64_t{2} * k.second_signal_timeout_seconds,
       .source = "2 x secondSignalTimeoutSeconds (each call: connect and read timeouts of that length)"});
  if (!k.witness_region.empty()) {
    // One invocation (a cold start of its own): the witness reads the lost
    // region (three reads in parallel, each connect and read bounded by its
    // call timeout), finds the lease there expired and puts the grant.
    const int witness_call = std::max(1, k.second_signal_timeout_seconds - 1);
    b.writable_steps.push_back({.what = "the witness in " + k.witness_region +
                                        " claims: it cannot read the lost region either (3 reads in parallel, none "
                                        "answered), the lease there expired, its conditional put",
                                .seconds = std::int64_t{2} * witness_call,
                                .source = "2 x (secondSignalTimeoutSeconds - 1), the witness's call timeout"});
    b.writable_steps.push_back(assumed("the witness's cold start", cold_start));
  }
  if (b.needs_approval)
    b.writable_steps.push_back({.what = "the operator approves the promotion (paged with the one-line command)",
                                .seconds = 0,
                                .source = "not counted: without a witness nobody outside a lost region can confirm "
                                          "its loss"});
  b.writable_steps.push_back(assumed("the fence: Fenced published, then read back once readable", metric_readable));
  b.writable_steps.push_back(promotion);
  for (const auto& s : b.dns_steps) b.dns_seconds += s.seconds;
  for (const auto& s : b.writable_steps) b.writable_seconds += s.seconds;
  return b;
}

}  // namespace detail

}  // namespace drsynth::patterns

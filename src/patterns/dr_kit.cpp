// The DR kit: the failover path of both built-in systems, built once
// (dr_kit.hpp has the map). The AWS behaviour each piece relies on, with its
// page:
// - Route 53 CLOUDWATCH_METRIC checks follow the alarm's metric data stream,
//   not the alarm state (SetAlarmState and TreatMissingData do not move
//   them); without data they report InsufficientDataHealthStatus, and
//   LastKnownStatus is healthy for a new check. "How Amazon Route 53
//   determines whether a health check is healthy":
//   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
//   and HealthCheckConfig.InsufficientDataHealthStatus:
//   https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
// - Weighted records: when every record with a non-zero weight is
//   unhealthy, Route 53 answers with the zero-weight ones; when all are
//   unhealthy it answers as if all were healthy. "How health checks work in
//   complex Amazon Route 53 configurations":
//   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-complex-configs.html
// - Weighted records: "If all the records that have a weight greater than 0
//   are unhealthy, then Route 53 considers the zero-weighted records" (the
//   page's table: weights 1, 1, 0, only the zero-weight record healthy: it
//   alone is answered). So a fenced weight-100 writer stays out of the
//   answers only while the zero-weight record is healthy: the standby's lag
//   guard is lifted while its function fences the other site (G(X) below).
//   "Weighted routing", "Health checks and weighted routing":
//   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html
// - CloudWatch alarm actions: an SNS topic or a Lambda function of the
//   alarm's region; TreatMissingData for the alarm's own state:
//   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
// - Silence alarms: CloudWatch retrieves more periods than EvaluationPeriods
//   (the page's tables: 5 for 3) and, with fewer real points than
//   EvaluationPeriods, fills only the missing ones, so a silence with
//   `breaching` goes to ALARM only once the whole range is empty ("The next
//   time this alarm is evaluated, if the data is still missing it will go to
//   ALARM"). A silence alarm of 3 periods pages after 5 silent minutes plus
//   the evaluation; one of 1 period (a range of 3, inference beyond the
//   page's tables, the simulator's model) after 3, and a single late or
//   missing run leaves a real point in the range: no page. Same page,
//   "Configuring how CloudWatch alarms treat missing data"
//   (AlarmThatSendsEmail.html#alarms-and-missing-data).
// - SNS NumberOfNotificationsFailed (AWS/SNS, dimension TopicName):
//   https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html
// - Lambda Invocations (AWS/Lambda, dimension FunctionName): a function the
//   reconcile schedule no longer runs reports no invocations:
//   https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
// - Reserved concurrency and the account's unreserved minimum of 100:
//   https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
#include "patterns/dr_kit.hpp"

#include <algorithm>

#include "drsynth/core/cfn_output.hpp"
#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/lambda/failover_function.hpp"
#include "drsynth/lambda/health_probe.hpp"
#include "drsynth/lambda/witness_function.hpp"
#include "drsynth/route53/health_check.hpp"
#include "drsynth/route53/private_hosted_zone.hpp"
#include "drsynth/route53/weighted_record.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/sqs/queue.hpp"
#include "drsynth/core/stack.hpp"

namespace drsynth::patterns::detail {

namespace {

using cloudwatch::ComparisonOperator;
using cloudwatch::TreatMissingData;
using route53::InsufficientDataHealthStatus;

// "primary" -> "Primary": construct ids carry the site.
std::string cap(const std::string& word) {
  std::string out;
  bool up = true;
  for (const char c : word) {
    if (c == '-' || c == '_') {
      up = true;
      continue;
    }
    out += up && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    up = false;
  }
  return out;
}

class Builder {
 public:
  explicit Builder(const KitSpec& spec) : spec_(spec), k_(spec.settings), n_(spec.names) {
    regions_ = {spec.sites[0].vpc.stack().region(), spec.sites[1].vpc.stack().region()};
  }

  Kit build() {
    for (int x = 0; x < 2; ++x) add_view(x);
    add_global();
    if (spec_.stacks.witness != nullptr) add_witness();
    for (int x = 0; x < 2; ++x) add_failover(x);
    add_run_time_state_cleanup();
    return kit_;
  }

 private:
  [[nodiscard]] const SiteSpec& site(int s) const { return spec_.sites[static_cast<std::size_t>(s)]; }
  [[nodiscard]] Site& out(int s) { return kit_.sites[static_cast<std::size_t>(s)]; }
  [[nodiscard]] std::string word(int s) const { return cap(site(s).word); }
  [[nodiscard]] const std::string& region(int s) const { return regions_[static_cast<std::size_t>(s)]; }
  // B's failover stack is the global one; A's is in A's region.
  [[nodiscard]] Stack& failover_stack(int s) const {
    return s == 0 ? spec_.stacks.failover_primary : spec_.stacks.failover;
  }

  // The key of the log groups of the kit's functions in stack `s`, one per
  // stack: the Control Tower rule CT.CLOUDWATCH.PR.3 accepts a KmsKeyId only
  // as a literal ARN or a key of the same template, and CloudWatch Logs uses
  // keys of its own region. Its policy admits logs.<region> for exactly those
  // log groups ("Encrypt log data in CloudWatch Logs using AWS KMS":
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
  kms::Key& log_key(Stack& s) {
    kms::Key*& key = log_keys_[&s];
    if (key == nullptr)
      key = &s.add<kms::Key>("FunctionLogKey",
                             {.description = "drsynth DR kit (" + spec_.metric_dimension +
                                             "): log groups of the probe, failover and witness functions in " +
                                             s.region()});
    return *key;
  }

  // Pages on ALARM and on OK in the alarm's own region.
  static void page(cloudwatch::Alarm& alarm, sns::Topic& topic) {
    alarm.add_alarm_action(topic);
    alarm.add_ok_action(topic);
  }
  // A paging alarm with threshold 1 that needs every one of `periods` breaching.
  static void paging_alarm(Stack& stack, const std::string& id, cloudwatch::AlarmProps props,
                           ComparisonOperator comparison, int periods, TreatMissingData missing, sns::Topic& topic) {
    props.threshold = 1;
    props.comparison = comparison;
    props.evaluation_periods = periods;
    props.datapoints_to_alarm = periods;
    props.treat_missing_data = missing;
    page(stack.add<cloudwatch::Alarm>(id, std::move(props)), topic);
  }

  // ---- per site X, in X's region, before the global stack ------------------
  void add_view(int x) {
    const int y = 1 - x;
    const SiteSpec& X = site(x);
    Stack& v = X.view_stack;
    // The probe reaches both databases on 5432 (the other over the peering)
    // and the interface endpoints of its VPC on 443.
    auto& sg = X.vpc.stack().add<ec2::SecurityGroup>(
        "ProbeSg" + word(x),
        {.vpc = X.vpc,
         .description = "writer probe of site " + X.word + ": PostgreSQL of both sites, HTTPS to the endpoints",
         .group_name = n_(KitName::probe_security_group, x)});
    sg.allow_to_cidr(X.vpc.cidr(), 5432, "PostgreSQL of site " + X.word);
    sg.allow_to_cidr(site(y).vpc.cidr(), 5432, "PostgreSQL of site " + site(y).word + ", over the peering");
    sg.allow_to_cidr(X.vpc.cidr(), 443, "Secrets Manager and CloudWatch interface endpoints");
    if (X.db_security_group != nullptr) X.db_security_group->allow_from(sg, 5432, "writer probe of this site");
    auto& probe = v.add<lambda::HealthProbe>(
        "Probe" + word(x),
        {.function_name = n_(KitName::probe_function, x),
         .vpc = {.subnet_ids = X.vpc.subnet_ids(), .security_group_ids = {sg.group_id()}},
         .local = {.site = X.id, .host = X.endpoint},
         .remote = {.site = site(y).id, .host = site(y).endpoint},
         .db_port = 5432,
         .db_name = "postgres",
         // The secret of its own region: the copy in the other region survives this one.
         .secret = Value(spec_.secret_name),
         .secret_region = region(x),
         .metric_namespace = "drsynth",
         .metric_dimension_name = "System",
         .metric_dimension_value = spec_.metric_dimension,
         .probe_timeout_seconds = static_cast<double>(k_.probe_timeout_seconds),
         .ca_bundle_file = k_.probe_ca_bundle,
         .allow_md5 = k_.probe_allow_md5,
         .allow_cleartext = k_.probe_allow_cleartext,
         .log_retention_days = k_.log_retention_days,
         .log_kms_key = log_key(v),
         .role_name = n_(KitName::probe_role, x)});
    X.secret_key.grant(probe.role(), kms::decrypt_actions(), "secretsmanager");
    out(x).probe = &probe;

    // W_X(S): X's probe sees S as a writable primary. Route 53 follows the
    // data stream; missing data breaching only pages a silent probe.
    for (int s = 0; s < 2; ++s) {
      auto& view = v.add<cloudwatch::Alarm>(
          "Writer" + word(s) + "SeenFrom" + word(x),
          {.alarm_name = n_(KitName::view_alarm, x, s),
           .description = "The probe of site " + X.word + " (" + region(x) + ") does not see site " + site(s).word +
                          " as a writable primary (" + std::to_string(k_.health_alarm_periods) + " minutes)",
           .metric = probe.writer_metric(site(s).id),
           .threshold = 1,
           .comparison = ComparisonOperator::less_than_threshold,
           .evaluation_periods = k_.health_alarm_periods,
           .datapoints_to_alarm = k_.health_alarm_periods,
           .treat_missing_data = TreatMissingData::breaching,
           .route53_compatible = true});
      page(view, X.topic);
      out(x).views[static_cast<std::size_t>(s)] = &view;
    }
    // F(Y): a Fenced{Site=Y} datapoint published in X's region, the region
    // that would fence Y. Its health checks keep their last known status
    // when the datapoints stop; the alarm's own state ignores missing data.
    auto& fence = v.add<cloudwatch::Alarm>(
        "Fence" + word(y),
        {.alarm_name = n_(KitName::fence_alarm, x, y),
         .description = "Site " + site(y).word + " is fenced (Fenced datapoints from the failover function of site " +
                        X.word + "): DNS does not answer with it",
         .metric = {.namespace_name = "drsynth",
                    .metric_name = "Fenced",
                    .dimensions = {{"System", Value(spec_.metric_dimension)}, {"Site", Value(site(y).id)}},
                    .statistic = "Maximum",
                    .period_seconds = 60},
         .threshold = 1,
         .comparison = ComparisonOperator::greater_than_or_equal_to_threshold,
         .evaluation_periods = 1,
         .datapoints_to_alarm = 1,
         .treat_missing_data = TreatMissingData::ignore,
         .route53_compatible = true});
    page(fence, X.topic);
    out(x).fence_of_other = &fence;
    // L(X): X's replication lag while it is the standby; a writer publishes none.
    auto& lag = v.add<cloudwatch::Alarm>(
        "LagGuard" + word(x),
        {.alarm_name = n_(KitName::lag_guard_alarm, x, x),
         .description = "DNS lag guard: site " + X.word + " is more than " + std::to_string(k_.dns_lag_guard_seconds) +
                        " s behind, DNS does not fall back to it",
         .metric = spec_.engine.lag_metrics[static_cast<std::size_t>(x)],
         .threshold = k_.dns_lag_guard_seconds * spec_.engine.lag_per_second,
         .comparison = ComparisonOperator::greater_than_threshold,
         .evaluation_periods = 1,
         .datapoints_to_alarm = 1,
         .treat_missing_data = TreatMissingData::not_breaching,
         .route53_compatible = true});
    page(lag, X.topic);
    out(x).lag_guard = &lag;
    // G(X): ALARM while X's function fences nothing, i.e. no Fenced{Site=Y}=1
    // in X's region this minute (the datapoints F(Y) reads). Route 53 reads
    // its stream: OK (X fences Y) lifts X's lag guard, so X's zero-weight
    // record stays healthy while the fenced weight-100 one is not (the
    // weighted-routing rule above); no data is Unhealthy: the guard applies.
    // The fence's own stream, the comparison inverted.
    auto lifted = fence.props();
    lifted.alarm_name = n_(KitName::guard_applies_alarm, x, x);
    lifted.description = "OK while the failover function of site " + X.word + " fences site " + site(y).word +
                         ": DNS ignores " + X.word + "'s lag guard (docs/dr-runbook.md)";
    lifted.comparison = ComparisonOperator::less_than_threshold;
    auto& guard_applies = v.add<cloudwatch::Alarm>("LagGuardApplies" + word(x), std::move(lifted));
    page(guard_applies, X.topic);
    out(x).guard_applies = &guard_applies;
    // Safety signals that go silent page within 5 minutes: the probe stops
    // reporting (3 minutes without a datapoint: 1 period, a range of 3, see
    // above), or reports its own fault.
    auto count = probe.writer_metric(X.id);
    count.statistic = "SampleCount";
    paging_alarm(v, "ProbeSilent" + word(x),
                 {.alarm_name = n_(KitName::probe_silent_alarm, x),
                  .description = "The probe of site " + X.word + " has published nothing for 3 minutes",
                  .metric = count},
                 ComparisonOperator::less_than_threshold, 1, TreatMissingData::breaching, X.topic);
    paging_alarm(v, "ProbeFault" + word(x),
                 {.alarm_name = n_(KitName::probe_fault_alarm, x),
                  .description = "The probe of site " + X.word +
                                 " is at fault (credentials, secret, TLS, configuration): it carries the last Writer "
                                 "values forward, fix it",
                  .metric = probe.fault_metric()},
                 ComparisonOperator::greater_than_or_equal_to_threshold, 2, TreatMissingData::not_breaching, X.topic);
  }

  // ---- the zone, the health checks and the records -------------------------
  route53::HealthCheck& follow(const std::string& id, cloudwatch::Alarm& alarm, InsufficientDataHealthStatus status) {
    return spec_.stacks.failover.add<route53::HealthCheck>(id, route53::cloudwatch_metric_check(alarm, status));
  }

  void add_global() {
    Stack& g = spec_.stacks.failover;
    auto& zone = g.add<route53::PrivateHostedZone>(
        "Zone", {.zone_name = spec_.zone_name,
                 .vpcs = {{.vpc_id = site(0).vpc.vpc_id(), .region = region(0)},
                          {.vpc_id = site(1).vpc.vpc_id(), .region = region(1)}},
                 .comment = "DR endpoint " + spec_.record_name});
    kit_.zone = &zone;
    for (int s = 0; s < 2; ++s) {
      const std::string w = word(s);
      cloudwatch::Alarm& fence = *out(1 - s).fence_of_other;  // F(S) lives in the other site's region
      // The fence counts twice: writer_check(S) = 3 of [F, F, W_A(S), W_B(S)]
      // is "not fenced AND either region sees S as a writable primary".
      auto& fence_a = follow("NotFenced" + w + "A", fence, InsufficientDataHealthStatus::last_known_status);
      auto& fence_b = follow("NotFenced" + w + "B", fence, InsufficientDataHealthStatus::last_known_status);
      out(s).fence_checks = {&fence_a, &fence_b};
      // A silent probe or a lost region is no vote for S.
      auto& from_a = follow("Writer" + w + "From" + word(0), *out(0).views[static_cast<std::size_t>(s)],
                            InsufficientDataHealthStatus::unhealthy);
      auto& from_b = follow("Writer" + w + "From" + word(1), *out(1).views[static_cast<std::size_t>(s)],
                            InsufficientDataHealthStatus::unhealthy);
      // A writer publishes no lag: no data is within the guard.
      auto& lag = follow("LagGuard" + w + "Check", *out(s).lag_guard, InsufficientDataHealthStatus::healthy);
      // S fences the other site (promoting, failed over): the guard is lifted.
      auto& lifted = follow("LagGuardLifted" + w + "Check", *out(s).guard_applies, InsufficientDataHealthStatus::unhealthy);
      out(s).writer_check = &g.add<route53::HealthCheck>(
          "WriterCheck" + w, route53::calculated_check({fence_a, fence_b, from_a, from_b}, 3));
      // fallback_check(S) = 3 of [F, F, L, G]: not fenced AND (replicated
      // within the guard OR S fences the other site). A standby being
      // promoted lags more and more (its source is gone); its record must
      // stay healthy, else every record is unhealthy and Route 53 answers the
      // fenced weight-100 writer (HANDLER-NOTES 8).
      out(s).fallback_check =
          &g.add<route53::HealthCheck>("FallbackCheck" + w, route53::calculated_check({fence_a, fence_b, lag, lifted}, 3));
    }
    // A is the designated writer at deploy time; the flip swaps weights and checks.
    for (int s = 0; s < 2; ++s) {
      route53::HealthCheck& check = s == 0 ? *out(s).writer_check : *out(s).fallback_check;
      auto& record = g.add<route53::WeightedRecord>(word(s) + "Record",
                                                    {.zone = zone,
                                                     .record_name = spec_.record_name,
                                                     .values = {site(s).endpoint},
                                                     .weight = s == 0 ? 100 : 0,
                                                     .set_identifier = site(s).id,
                                                     .ttl = k_.record_ttl_seconds,
                                                     .health_check = check});
      // A failover or failback swaps weights and checks; CloudFormation
      // deletes a record with the template's values, and Route 53 refuses a
      // DELETE whose values differ (ChangeResourceRecordSets:
      // https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html).
      g.add_pre_destroy_step({.kind = Stack::PreDestroyStep::Kind::reset_weighted_record,
                              .resource = &record.resource(),
                              .reason = "the record of site " + site(s).word +
                                        " back to its deployed weight and health check (a failover swaps them)",
                              .detail = Stack::ResetWeightedRecord{.zone = &zone.resource(),
                                                                   .health_check = &check.resource(),
                                                                   .record_name = spec_.record_name,
                                                                   .set_identifier = site(s).id,
                                                                   .weight = s == 0 ? 100 : 0,
                                                                   .ttl = k_.record_ttl_seconds}});
    }
    g.add<CfnOutput>("DatabaseCname",
                     {.value = Value(spec_.record_name),
                      .description = "the name applications connect to (weighted: " + site(0).id + " 100, " +
                                     site(1).id + " 0)"});
  }

  // ---- the witness, in a third region ----------------------------------------
  void add_witness() {
    Stack& w = *spec_.stacks.witness;
    auto& witness = w.add<lambda::WitnessFunction>(
        "Witness",
        {.function_name = n_(KitName::witness_function),
         .engine = spec_.engine.engine,
         .site_a = {.id = site(0).id, .region = region(0), .db_id = spec_.engine.db_ids[0], .view_alarm = *out(0).views[0],
                    .lease_parameter = n_(KitName::lease_parameter, 0)},
         .site_b = {.id = site(1).id, .region = region(1), .db_id = spec_.engine.db_ids[1], .view_alarm = *out(1).views[1],
                    .lease_parameter = n_(KitName::lease_parameter, 1)},
         .grant_parameter = n_(KitName::witness_grant_parameter),
         .metric_dimension_value = spec_.metric_dimension,
         .call_timeout_seconds = std::max(1, k_.second_signal_timeout_seconds - 1),
         .lease_expiry_seconds = k_.lease_expiry_seconds,
         .engine_environment = spec_.engine.witness_environment,
         .engine_statements = spec_.engine.witness_statements,
         .log_retention_days = k_.log_retention_days,
         .log_kms_key = log_key(w),
         .role_name = n_(KitName::witness_role)});
    w.add<CfnOutput>("WitnessFunctionName", {.value = Value(n_(KitName::witness_function)),
                                             .description = "the witness of " + spec_.metric_dimension});
    kit_.witness = &witness;
  }

  // ---- per site X, in X's region, after the global stack --------------------
  lambda::FailoverSite failover_site(int s) {
    return {.id = site(s).id,
            .region = region(s),
            .db_id = spec_.engine.db_ids[static_cast<std::size_t>(s)],
            .db_arn = spec_.engine.db_arns[static_cast<std::size_t>(s)],
            .endpoint = site(s).endpoint,
            .writer_check = *out(s).writer_check,
            .fallback_check = *out(s).fallback_check,
            .topic = site(s).topic,
            .state_parameter = n_(KitName::state_parameter, s)};
  }

  void add_failover(int x) {
    const int y = 1 - x;
    const SiteSpec& X = site(x);
    Stack& f = failover_stack(x);
    const std::string w = word(x);
    // With a witness the writer renews a lease and fences itself (docs/dr-design.md, "The lease").
    const bool lease = kit_.witness != nullptr;
    auto statements = spec_.engine.failover_statements[static_cast<std::size_t>(x)];
    auto environment = spec_.engine.failover_environment[static_cast<std::size_t>(x)];
    if (lease) {
      const auto& fence = spec_.engine.fence_statements[static_cast<std::size_t>(x)];
      statements.insert(statements.end(), fence.begin(), fence.end());
      for (const auto& [k, v] : spec_.engine.fence_environment[static_cast<std::size_t>(x)]) environment[k] = v;
    }
    auto& dlq = f.add<sqs::Queue>("FailoverDeadLetters" + w, {.queue_name = n_(KitName::failover_dlq, x),
                                                             .message_retention_seconds = 1'209'600});
    // H_X(Y): X's probe has not seen Y as a writer for the hold time.
    auto& hold = f.add<cloudwatch::Alarm>(
        "Writer" + word(y) + "HeldFrom" + w,
        {.alarm_name = n_(KitName::hold_alarm, x, y),
         .description = "The probe of site " + X.word + " has not seen site " + site(y).word + " as a writer for " +
                        std::to_string(k_.hold_minutes) + " minutes: the failover function of site " + X.word +
                        " checks the second signal",
         .metric = out(x).probe->writer_metric(site(y).id),
         .threshold = 1,
         .comparison = ComparisonOperator::less_than_threshold,
         .evaluation_periods = k_.hold_minutes,
         .datapoints_to_alarm = k_.hold_minutes,
         .treat_missing_data = TreatMissingData::breaching});
    out(x).hold = &hold;
    auto& function = f.add<lambda::FailoverFunction>(
        "Failover" + w,
        {.function_name = n_(KitName::failover_function, x),
         .engine = spec_.engine.engine,
         .local = failover_site(x),
         .remote = failover_site(y),
         .zone = *kit_.zone,
         .record_name = spec_.record_name,
         .record_ttl = k_.record_ttl_seconds,
         .hold_alarm = hold,
         .remote_view_alarm = *out(y).views[static_cast<std::size_t>(y)],
         .fence_alarm = *out(x).fence_of_other,
         .view_alarm = *out(x).views[static_cast<std::size_t>(y)],
         .remote_fence_alarm = *out(y).fence_of_other,
         .fence_checks = {*out(y).fence_checks[0], *out(y).fence_checks[1]},
         .lock_parameter = n_(KitName::lock_parameter, x),
         .metric_dimension_value = spec_.metric_dimension,
         .arm_after_healthy_minutes = k_.arm_after_healthy_minutes,
         .hold_minutes = k_.hold_minutes,
         .max_promotion_lag_seconds = k_.max_promotion_lag_seconds,
         .promotion_deadline_seconds = k_.promotion_deadline_minutes * 60,
         .second_signal_timeout_seconds = k_.second_signal_timeout_seconds,
         .witness = kit_.witness == nullptr ? Link<const lambda::WitnessFunction>{} : Link<const lambda::WitnessFunction>(*kit_.witness),
         .lease = lease ? lambda::FailoverLease{.parameter = n_(KitName::lease_parameter, x),
                                                .remote_parameter = n_(KitName::lease_parameter, y),
                                                .record_parameter = n_(KitName::lease_record_parameter, x),
                                                .expiry_seconds = k_.lease_expiry_seconds,
                                                .self_fence_after_seconds = k_.self_fence_after_seconds}
                        : lambda::FailoverLease{},
         .dead_letter_queue = dlq,
         .reserved_concurrency = k_.failover_reserved_concurrency,
         .engine_environment = std::move(environment),
         .engine_statements = std::move(statements),
         .log_retention_days = k_.log_retention_days,
         .log_kms_key = log_key(f),
         .role_name = n_(KitName::failover_role, x)});
    out(x).function = &function;
    // destroy.sh stops the function before it resets the records, so that no
    // run flips them again.
    f.add_pre_destroy_step({.kind = Stack::PreDestroyStep::Kind::disarm_function,
                            .resource = &function.resource(),
                            .reason = "stop the failover function of site " + X.word + " (reserved concurrency 0)",
                            .detail = Stack::DisarmFunction{.function_name = n_(KitName::failover_function, x),
                                                            .timeout_seconds = function.props().timeout_seconds,
                                                            .lock_parameter = n_(KitName::lock_parameter, x)}});
    hold.add_alarm_action(function);
    page(hold, X.topic);

    page(f.add<cloudwatch::Alarm>("FailoverDeadLettersAlarm" + w,
                                  {.alarm_name = n_(KitName::failover_dlq_alarm, x),
                                   .description = "An asynchronous invocation of the failover function of site " +
                                                  X.word + " failed after Lambda's retries",
                                   .metric = dlq.metric_approximate_number_of_messages_visible(),
                                   .threshold = 0,
                                   .comparison = ComparisonOperator::greater_than_threshold,
                                   .treat_missing_data = TreatMissingData::not_breaching}),
         X.topic);
    // U_X(Y): X's probe reached no PostgreSQL server at Y for 2 minutes. A
    // standby publishes Writer=0 every minute, so the views cannot tell a
    // standby that answers from one that is gone (its region lost, the
    // peering cut): this pages in X's region, on X's topic, which survives
    // the loss of Y's region. Two periods: a one-minute blip does not page;
    // missing data is not breaching: a silent probe pages as ProbeSilent.
    // (Here rather than in the view stack: B's is near the inline
    // template-body limit, W605.)
    paging_alarm(f, "Unreachable" + word(y) + "From" + w,
                 {.alarm_name = n_(KitName::unreachable_alarm, x, y),
                  .description = "The probe of site " + X.word + " has reached no PostgreSQL server at site " +
                                 site(y).word + " for 2 minutes (its database, region or the peering is down)",
                  .metric = out(x).probe->reachable_metric(site(y).id)},
                 ComparisonOperator::less_than_threshold, 2, TreatMissingData::not_breaching, X.topic);
    // The reconcile schedule runs the function every minute: no invocation
    // for 3 minutes means the schedule (or the function) stopped (1 period:
    // a range of 3, see the silence alarms above).
    paging_alarm(f, "FailoverSilent" + w,
                 {.alarm_name = n_(KitName::failover_silent_alarm, x),
                  .description = "The failover function of site " + X.word + " has not run for 3 minutes",
                  .metric = {.namespace_name = "AWS/Lambda",
                             .metric_name = "Invocations",
                             .dimensions = {{"FunctionName", Value(n_(KitName::failover_function, x))}},
                             .statistic = "Sum",
                             .period_seconds = 60}},
                 ComparisonOperator::less_than_threshold, 1, TreatMissingData::breaching, X.topic);
    // The topic itself failing to deliver: the function relays the page to
    // the other region's topic (an alarm action cannot leave its region).
    const auto& topic_props = X.topic.props();
    auto& failed = f.add<cloudwatch::Alarm>(
        "NotificationsFailed" + w,
        {.alarm_name = n_(KitName::notifications_failed_alarm, x),
         .description = "The paging topic of site " + X.word + " failed to deliver: the failover function relays the "
                        "page to the topic of site " + site(y).word,
         .metric = {.namespace_name = "AWS/SNS",
                    .metric_name = "NumberOfNotificationsFailed",
                    .dimensions = {{"TopicName", topic_props.topic_name.empty() ? X.topic.topic_name()
                                                                                : Value(topic_props.topic_name)}},
                    .statistic = "Sum",
                    .period_seconds = 60},
         .threshold = 0,
         .comparison = ComparisonOperator::greater_than_threshold,
         .treat_missing_data = TreatMissingData::not_breaching});
    failed.add_alarm_action(function);
    f.add<CfnOutput>("FailoverFunctionName" + w,
                     {.value = Value(n_(KitName::failover_function, x)),
                      .description = "site " + X.word + ": invoke with {\"action\": \"status\"}, {\"action\": "
                                     "\"approve\", \"confirm\": \"<its database id>\"} or {\"action\": \"failback\", "
                                     "\"confirm\": \"<its database id>\"} (docs/dr-runbook.md)"});
  }

  // The functions create their state, lock, grant (and any later) parameters
  // at run time, under one path per system; the templates do not own them.
  // A redeploy with the same suffix starts unarmed only when they are gone.
  void add_run_time_state_cleanup() {
    const std::string state = n_(KitName::state_parameter);
    std::vector<std::string> regions = {region(0), region(1)};
    if (spec_.stacks.witness != nullptr) regions.push_back(spec_.stacks.witness->region());
    spec_.stacks.failover.add_pre_destroy_step(
        {.kind = Stack::PreDestroyStep::Kind::delete_parameters,
         .resource = nullptr,
         .reason = "the failover state, locks and witness grant the functions created at run time",
         .detail = Stack::DeleteParameters{.path = state.substr(0, state.rfind('/')), .regions = regions}});
  }

  const KitSpec& spec_;
  const KitSettings& k_;
  const KitNames& n_;
  std::array<std::string, 2> regions_;
  std::map<const Stack*, kms::Key*> log_keys_;
  Kit kit_;
};

}  // namespace

Kit build_dr_kit(const KitSpec& spec) { return Builder(spec).build(); }

Stack& add_dr_stack(Construct& scope, std::string id, std::string name, const std::string& region,
                    const std::optional<std::string>& account, std::string description) {
  return scope.add<Stack>(std::move(id), StackProps{.stack_name = std::move(name),
                                                    .env = {.region = region, .account = account},
                                                    .description = std::move(description)});
}

KitStacks add_kit_stacks(Construct& scope, const KitStackNames& names, const std::array<std::string, 2>& regions,
                         const std::string& witness_region, const std::optional<std::string>& account) {
  Stack* witness = nullptr;
  if (!witness_region.empty())
    witness = &add_dr_stack(scope, "Witness", names.witness, witness_region, account,
                            names.description + ": the witness of the failover, in " + witness_region);
  auto& failover = add_dr_stack(scope, "Failover", names.failover, regions[1], account,
                                names.description + ": DNS, health checks and the failover function of the site in " +
                                    regions[1]);
  auto& primary = add_dr_stack(scope, "FailoverPrimary", names.failover_primary, regions[0], account,
                               names.description + ": the failover function of the site in " + regions[0]);
  return {failover, primary, witness};
}

void check_kit_together(const KitSettings& k, const std::array<std::string, 2>& site_regions,
                        const BudgetStep& promotion, const KitCodes& codes, const std::string& path,
                        const std::function<std::string(std::string_view)>& name, std::vector<Diagnostic>& out) {
  auto error = [&](ErrorCode code, std::string message, std::string got, std::string expected) {
    out.push_back({code, Severity::error, path, std::move(message), std::move(got), std::move(expected)});
  };
  // DNS moves first (reversible), promotion later (irreversible).
  if (k.hold_minutes <= k.health_alarm_periods)
    error(codes.hold, name("holdMinutes") + " must be longer than " + name("healthAlarmPeriods") +
                          ": DNS moves first, promotion later",
          std::to_string(k.hold_minutes) + " minutes", "more than " + std::to_string(k.health_alarm_periods));
  for (const auto& r : site_regions)
    if (!k.witness_region.empty() && k.witness_region == r)
      error(codes.witness, name("witnessRegion") + " is the region of a site: the witness must see it from a third region",
            k.witness_region, "\"\" (an operator approves) or a region other than " + site_regions[0] + " and " +
                                  site_regions[1]);
  // The writer fences itself before its lease can expire at either holder (runtime/drsynth_failover/lease.py).
  if (const int low = lease_minimum_expiry(k.self_fence_after_seconds, k.second_signal_timeout_seconds);
      k.lease_expiry_seconds <= low)
    error(codes.lease,
          name("leaseExpirySeconds") + " must exceed " + name("selfFenceAfterSeconds") + " + " +
              std::to_string(lease_reconcile_interval_seconds) + " s (the reconcile) + 2 x " +
              name("secondSignalTimeoutSeconds") + " + " + std::to_string(lease_fence_seconds) + " s (the fence) + " +
              std::to_string(lease_clock_margin_seconds) + " s (the clocks): else the standby could promote before "
              "the cut-off writer is read-only",
          std::to_string(k.lease_expiry_seconds) + " s", "more than " + std::to_string(low) + " s");
  const auto budget = kit_budget(k, promotion, "");
  if (budget.worst_seconds() > k.recovery_time_objective_seconds) {
    error(codes.budget,
          "the recovery-time budget from the failure exceeds " + name("recoveryTimeObjectiveSeconds") +
              "; shorten healthAlarmPeriods, recordTtlSeconds, holdMinutes, secondSignalTimeoutSeconds or "
              "expectedPromotionSeconds (measure it in a drill), or raise the objective",
          std::to_string(budget.worst_seconds()) + " s", "<= " + std::to_string(k.recovery_time_objective_seconds) + " s");
    out.back().details = budget.lines();  // one step per line
  }
}

}  // namespace drsynth::patterns::detail

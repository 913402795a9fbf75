// Shared helpers for the iam/lambda/cloudwatch/sns/route53 construct tests.
#pragma once

#include "test_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "drsynth/core/app.hpp"
#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/error.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/synth/synth.hpp"

#include <unistd.h>

namespace ops_test {

// A runtime/ folder with stub handlers; DRSYNTH_RUNTIME_DIR points at it.
inline std::filesystem::path stub_runtime_dir() {
  namespace fs = std::filesystem;
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / "drsynth-ops-test-runtime";
    // Test processes run in parallel and share this folder: each file is
    // written under a private name and renamed into place (atomic).
    auto write = [&](const fs::path& path, const std::string& text) {
      const fs::path tmp = d.parent_path() / ("drsynth-ops-test-" + std::to_string(::getpid()) + ".tmp");
      std::ofstream(tmp) << text;
      fs::rename(tmp, path);
    };
    for (const char* name : {"probe", "failover", "witness", "rotation"}) {
      fs::create_directories(d / name);
      write(d / name / "index.py", std::string("def handler(event, context):\n    return {\"stub\": \"") + name + "\"}\n");
      if (std::string_view(name) == "probe")  // the CA bundle the probe construct requires
        write(d / name / "rds-ca-bundle.pem", "-----BEGIN CERTIFICATE-----\nstub\n-----END CERTIFICATE-----\n");
    }
    ::setenv("DRSYNTH_RUNTIME_DIR", d.c_str(), 1);
    return d;
  }();
  return dir;
}

using test::synth_errors;  // the diagnostics synthesize() fails with (test_support.hpp)

// The one stack most construct tests need (eu-west-1, account-agnostic).
inline drsynth::Stack& make_stack(drsynth::App& app) {
  return app.add<drsynth::Stack>("S", drsynth::StackProps{.env = {.region = "eu-west-1"}});
}

// The diagnostic with `code` at `path`, or nullptr.
inline const drsynth::Diagnostic* find_diagnostic(const std::vector<drsynth::Diagnostic>& ds, const std::string& code,
                                                  const std::string& path) {
  for (const auto& d : ds) {
    if (d.code == code && d.path == path) return &d;
  }
  return nullptr;
}

// A stack for the Lambda tests, with the stub runtime/ (DRSYNTH_RUNTIME_DIR) in place.
inline drsynth::Stack& make_lambda_stack(drsynth::App& app, const std::string& name = "S") {
  stub_runtime_dir();
  return app.add<drsynth::Stack>(name, drsynth::StackProps{.env = {.region = "eu-west-1"}});
}

// Checks that synthesis fails with `code` at `path`, its "got" holding `got_part`;
// prints every diagnostic when it does not.
inline void require_error(drsynth::App& app, const std::string& code, const std::string& path,
                          const std::string& got_part) {
  const auto ds = synth_errors(app);
  const drsynth::Diagnostic* d = nullptr;
  for (const auto& x : ds) {
    if (x.code == code && x.path == path && x.got.find(got_part) != std::string::npos) d = &x;
  }
  INFO("diagnostics: " << [&] {
    std::string all;
    for (const auto& x : ds) all += x.format() + "\n";
    return all;
  }());
  CHECK(d != nullptr);
}

}  // namespace ops_test

#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/lambda/failover_function.hpp"
#include "drsynth/lambda/health_probe.hpp"
#include "drsynth/route53/health_check.hpp"
#include "drsynth/route53/private_hosted_zone.hpp"
#include "drsynth/route53/weighted_record.hpp"
#include "drsynth/sns/topic.hpp"

namespace ops_test {

// Everything of a DR failover stack that these constructs cover, in
// eu-west-1 (site "replica"), with the other site's alarms in us-east-1
// (site "primary", stack DrPrimary-dev).
struct FailoverStack {
  drsynth::Stack* stack = nullptr;
  drsynth::Stack* primary_stack = nullptr;
  drsynth::lambda::HealthProbe* probe = nullptr;
  drsynth::lambda::FailoverFunction* failover = nullptr;
  drsynth::cloudwatch::Alarm* primary_down = nullptr;  // this region's view of the primary
  drsynth::cloudwatch::Alarm* hold = nullptr;
  drsynth::sns::Topic* topic = nullptr;
  drsynth::route53::PrivateHostedZone* zone = nullptr;
  drsynth::route53::HealthCheck* health = nullptr;  // the primary record's writer check
};

inline drsynth::cloudwatch::AlarmProps writer_down(std::string name, const drsynth::cloudwatch::Metric& metric,
                                                   int periods) {
  return {.alarm_name = std::move(name),
          .description = "The probe does not see the site as a writable primary",
          .metric = metric,
          .threshold = 1,
          .comparison = drsynth::cloudwatch::ComparisonOperator::less_than_threshold,
          .evaluation_periods = periods,
          .treat_missing_data = drsynth::cloudwatch::TreatMissingData::breaching,
          .route53_compatible = true};
}

inline FailoverStack build_failover_stack(drsynth::App& app, const std::string& stack_name = "DrFailover-dev") {
  using namespace drsynth;
  using route53::InsufficientDataHealthStatus;
  stub_runtime_dir();
  FailoverStack f;
  auto& s = app.add<Stack>(stack_name, StackProps{.env = {.region = "eu-west-1"}});
  f.stack = &s;
  auto& east = app.add<Stack>("DrPrimary-dev", StackProps{.env = {.region = "us-east-1"}});
  f.primary_stack = &east;
  auto& vpc = s.add<CfnResource>("Vpc", CfnResourceProps{.type = "AWS::EC2::VPC",
                                                         .properties = {{"CidrBlock", "10.1.0.0/16"},
                                                                        {"EnableDnsHostnames", true},
                                                                        {"EnableDnsSupport", true}}});
  auto& subnet = s.add<CfnResource>(
      "Subnet", CfnResourceProps{.type = "AWS::EC2::Subnet",
                                 .properties = {{"VpcId", vpc.ref()},
                                                {"CidrBlock", "10.1.0.0/24"},
                                                {"AvailabilityZone", Value::select(0, Value::get_azs())}}});
  auto& sg = s.add<CfnResource>("ProbeSg", CfnResourceProps{.type = "AWS::EC2::SecurityGroup",
                                                            .properties = {{"GroupDescription", "health probe"},
                                                                           {"VpcId", vpc.ref()}}});

  f.topic = &s.add<sns::Topic>("Alarms", sns::TopicProps{.topic_name = "dr-alarms-dev", .display_name = "DR dev"});
  f.topic->add_email_subscription("oncall@example.com");

  const std::string primary_host = "drsynth-dev-primary.abcdefghij.us-east-1.rds.amazonaws.com";
  const std::string replica_host = "drsynth-dev-replica.abcdefghij.eu-west-1.rds.amazonaws.com";
  f.probe = &s.add<lambda::HealthProbe>(
      "Probe", lambda::HealthProbeProps{
                   .function_name = "probe-dev",
                   .vpc = {.subnet_ids = {subnet.ref()}, .security_group_ids = {sg.get_att("GroupId")}},
                   .local = {.site = "replica", .host = replica_host},
                   .remote = {.site = "primary", .host = primary_host},
                   .db_port = 5432,
                   .secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:drsynth-dev-db-AbCdEf",
                   .secret_region = "eu-west-1",
                   .metric_dimension_value = "dr-dev"});

  f.primary_down = &s.add<cloudwatch::Alarm>(
      "PrimaryDown", writer_down("primary-down-dev", f.probe->writer_metric("primary"), 2));
  f.primary_down->add_alarm_action(*f.topic);
  f.primary_down->add_ok_action(*f.topic);
  auto& replica_view = s.add<cloudwatch::Alarm>("ReplicaView", writer_down("replica-down-dev", f.probe->writer_metric("replica"), 2));
  replica_view.add_alarm_action(*f.topic);
  f.hold = &s.add<cloudwatch::Alarm>("PrimaryDownHeld", writer_down("primary-down-held-dev", f.probe->writer_metric("primary"), 3));
  auto fenced = [&](Stack& in, const std::string& name, const std::string& site) -> cloudwatch::Alarm& {
    return in.add<cloudwatch::Alarm>(
        "Fence", cloudwatch::AlarmProps{.alarm_name = name,
                                        .metric = {.namespace_name = "drsynth",
                                                   .metric_name = "Fenced",
                                                   .dimensions = {{"System", "dr-dev"}, {"Site", Value(site)}},
                                                   .statistic = "Maximum"},
                                        .threshold = 1,
                                        .comparison = cloudwatch::ComparisonOperator::greater_than_or_equal_to_threshold,
                                        .treat_missing_data = cloudwatch::TreatMissingData::ignore,
                                        .route53_compatible = true});
  };
  auto& fence_primary = fenced(s, "primary-fenced-dev", "primary");
  auto& fence_replica = fenced(east, "replica-fenced-dev", "replica");
  // The primary region's own view of the primary, read by name from eu-west-1.
  auto& primary_view = east.add<cloudwatch::Alarm>(
      "PrimaryDownLocal", writer_down("primary-down-local-dev",
                                      {.namespace_name = "drsynth",
                                       .metric_name = "Writer",
                                       .dimensions = {{"System", "dr-dev"}, {"Site", "primary"}},
                                       .statistic = "Minimum"},
                                      2));

  auto& lag = s.add<cloudwatch::Alarm>(
      "ReplicaLag", cloudwatch::AlarmProps{.alarm_name = "replica-lag-dev",
                                           .metric = {.namespace_name = "AWS/RDS",
                                                      .metric_name = "ReplicaLag",
                                                      .dimensions = {{"DBInstanceIdentifier", "drsynth-dev-replica"}},
                                                      .statistic = "Maximum",
                                                      .period_seconds = 60,
                                                      .unit = "Seconds"},
                                           .threshold = 60,
                                           .evaluation_periods = 1,
                                           .route53_compatible = true});
  lag.add_alarm_action(*f.topic);

  f.zone = &s.add<route53::PrivateHostedZone>(
      "Zone", route53::PrivateHostedZoneProps{.zone_name = "db-dev.internal",
                                              .vpcs = {{.vpc_id = vpc.ref(), .region = "eu-west-1"},
                                                       {.vpc_id = "vpc-0123456789abcdef0", .region = "us-east-1"}},
                                              .comment = "DR database names"});
  auto& primary_fence_a = s.add<route53::HealthCheck>(
      "PrimaryNotFencedA", route53::cloudwatch_metric_check(fence_primary, InsufficientDataHealthStatus::last_known_status));
  auto& primary_fence_b = s.add<route53::HealthCheck>(
      "PrimaryNotFencedB", route53::cloudwatch_metric_check(fence_primary, InsufficientDataHealthStatus::last_known_status));
  auto& dr_view = s.add<route53::HealthCheck>("PrimaryDrView", route53::cloudwatch_metric_check(*f.primary_down));
  auto& local_view = s.add<route53::HealthCheck>("PrimaryLocalView", route53::cloudwatch_metric_check(primary_view));
  f.health = &s.add<route53::HealthCheck>(
      "PrimaryHealth", route53::calculated_check({primary_fence_a, primary_fence_b, dr_view, local_view}, 3));
  auto& primary_fallback = s.add<route53::HealthCheck>(
      "PrimaryFallback", route53::calculated_check({primary_fence_a}, 1));
  auto& replica_fence = s.add<route53::HealthCheck>(
      "ReplicaNotFenced", route53::cloudwatch_metric_check(fence_replica, InsufficientDataHealthStatus::last_known_status));
  auto& replica_lag = s.add<route53::HealthCheck>(
      "ReplicaLagGuard", route53::cloudwatch_metric_check(lag, InsufficientDataHealthStatus::healthy));
  auto& replica_writer = s.add<route53::HealthCheck>("ReplicaWriter", route53::cloudwatch_metric_check(replica_view));
  auto& replica_fallback = s.add<route53::HealthCheck>(
      "ReplicaHealth", route53::calculated_check({replica_fence, replica_lag}, 2));
  s.add<route53::WeightedRecord>(
      "PrimaryRecord",
      route53::WeightedRecordProps{.zone = *f.zone,
                                   .record_name = "postgres.db-dev.internal",
                                   .values = {primary_host},
                                   .weight = 100,
                                   .set_identifier = "primary",
                                   .health_check = *f.health});
  s.add<route53::WeightedRecord>(
      "ReplicaRecord",
      route53::WeightedRecordProps{.zone = *f.zone,
                                   .record_name = "postgres.db-dev.internal.",
                                   .values = {replica_host},
                                   .weight = 0,
                                   .set_identifier = "replica",
                                   .health_check = replica_fallback});

  f.failover = &s.add<lambda::FailoverFunction>(
      "Failover", lambda::FailoverFunctionProps{
                      .function_name = "failover-dev",
                      .engine = "rds",
                      .local = {.id = "replica",
                                .db_id = "drsynth-dev-replica",
                                .db_arn = "arn:aws:rds:eu-west-1:123456789012:db:drsynth-dev-replica",
                                .endpoint = replica_host,
                                .writer_check = replica_writer,
                                .fallback_check = replica_fallback,
                                .topic = *f.topic,
                                .state_parameter = "/drsynth/dev/failover-state"},
                      .remote = {.id = "primary",
                                 .region = "us-east-1",
                                 .db_id = "drsynth-dev-primary",
                                 .db_arn = "arn:aws:rds:us-east-1:123456789012:db:drsynth-dev-primary",
                                 .endpoint = primary_host,
                                 .writer_check = *f.health,
                                 .fallback_check = primary_fallback,
                                 .state_parameter = "/drsynth/dev/failover-state-primary"},
                      .zone = *f.zone,
                      .record_name = "postgres.db-dev.internal",
                      .hold_alarm = *f.hold,
                      .remote_view_alarm = primary_view,
                      .fence_alarm = fence_primary,
                      .fence_checks = {primary_fence_a, primary_fence_b},
                      .lock_parameter = "/drsynth/dev/failover-lock",
                      .metric_dimension_value = "dr-dev",
                      .engine_environment = {{"BACKUP_RETENTION_DAYS", 7}},
                      .engine_statements = {{.actions = {"rds:PromoteReadReplica"},
                                             .resources = {"arn:aws:rds:eu-west-1:123456789012:db:drsynth-dev-replica"}}}});
  f.hold->add_alarm_action(*f.failover);
  f.hold->add_alarm_action(*f.topic);
  return f;
}

}  // namespace ops_test

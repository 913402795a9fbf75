// Shared helpers for the iam/lambda/cloudwatch/sns/route53 construct tests.
#pragma once

#include "test_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "drsynth/app.hpp"
#include "drsynth/cfn_resource.hpp"
#include "drsynth/error.hpp"
#include "drsynth/stack.hpp"
#include "drsynth/synth.hpp"

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
    for (const char* name : {"probe", "failover", "rotation", "aurora_failover"}) {
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

// Everything of the DR failover stack that these constructs cover, in eu-west-1.
struct FailoverStack {
  drsynth::Stack* stack = nullptr;
  drsynth::lambda::HealthProbe* probe = nullptr;
  drsynth::lambda::FailoverFunction* failover = nullptr;
  drsynth::cloudwatch::Alarm* primary_down = nullptr;
  drsynth::sns::Topic* topic = nullptr;
  drsynth::route53::PrivateHostedZone* zone = nullptr;
  drsynth::route53::HealthCheck* health = nullptr;
};

inline FailoverStack build_failover_stack(drsynth::App& app, const std::string& stack_name = "DrFailover-dev") {
  using namespace drsynth;
  stub_runtime_dir();
  FailoverStack f;
  auto& s = app.add<Stack>(stack_name, StackProps{.env = {.region = "eu-west-1"}});
  f.stack = &s;
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

  f.probe = &s.add<lambda::HealthProbe>(
      "Probe", lambda::HealthProbeProps{
                   .function_name = "probe-dev",
                   .vpc = {.subnet_ids = {subnet.ref()}, .security_group_ids = {sg.get_att("GroupId")}},
                   .db_host = "drsynth-dev-primary.abcdefghij.us-east-1.rds.amazonaws.com",
                   .db_port = 5432,
                   .secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:drsynth-dev-db-AbCdEf",
                   .secret_region = "eu-west-1",
                   .metric_dimension_value = "dr-dev"});

  f.primary_down = &s.add<cloudwatch::Alarm>(
      "PrimaryDown", cloudwatch::AlarmProps{.alarm_name = "primary-down-dev",
                                            .description = "The probe cannot use the primary database",
                                            .metric = f.probe->healthy_metric(),
                                            .threshold = 1,
                                            .comparison = cloudwatch::ComparisonOperator::less_than_threshold,
                                            .evaluation_periods = 3,
                                            .treat_missing_data = cloudwatch::TreatMissingData::breaching,
                                            .route53_compatible = true});
  f.primary_down->add_alarm_action(*f.topic);
  f.primary_down->add_ok_action(*f.topic);

  auto& lag = s.add<cloudwatch::Alarm>(
      "ReplicaLag", cloudwatch::AlarmProps{.alarm_name = "replica-lag-dev",
                                           .metric = {.namespace_name = "AWS/RDS",
                                                      .metric_name = "ReplicaLag",
                                                      .dimensions = {{"DBInstanceIdentifier", "drsynth-dev-replica"}},
                                                      .statistic = "Maximum",
                                                      .period_seconds = 60,
                                                      .unit = "Seconds"},
                                           .threshold = 60,
                                           .evaluation_periods = 5,
                                           .datapoints_to_alarm = 3});
  lag.add_alarm_action(*f.topic);

  f.zone = &s.add<route53::PrivateHostedZone>(
      "Zone", route53::PrivateHostedZoneProps{.zone_name = "db-dev.internal",
                                              .vpcs = {{.vpc_id = vpc.ref(), .region = "eu-west-1"},
                                                       {.vpc_id = "vpc-0123456789abcdef0", .region = "us-east-1"}},
                                              .comment = "DR database names"});
  f.health = &s.add<route53::HealthCheck>("PrimaryHealth", route53::cloudwatch_metric_check(*f.primary_down));
  s.add<route53::WeightedRecord>(
      "PrimaryRecord",
      route53::WeightedRecordProps{.zone = *f.zone,
                                   .record_name = "postgres.db-dev.internal",
                                   .values = {"drsynth-dev-primary.abcdefghij.us-east-1.rds.amazonaws.com"},
                                   .weight = 100,
                                   .set_identifier = "primary",
                                   .health_check = *f.health});
  s.add<route53::WeightedRecord>(
      "ReplicaRecord",
      route53::WeightedRecordProps{.zone = *f.zone,
                                   .record_name = "postgres.db-dev.internal.",
                                   .values = {"drsynth-dev-replica.abcdefghij.eu-west-1.rds.amazonaws.com"},
                                   .weight = 0,
                                   .set_identifier = "replica"});

  f.failover = &s.add<lambda::FailoverFunction>(
      "Failover", lambda::FailoverFunctionProps{
                      .function_name = "failover-dev",
                      .primary_instance_id = "drsynth-dev-primary",
                      .primary_region = "us-east-1",
                      .replica_instance_id = "drsynth-dev-replica",
                      .hosted_zone_id = f.zone->hosted_zone_id(),
                      .record_name = "postgres.db-dev.internal",
                      .primary_set_identifier = "primary",
                      .replica_set_identifier = "replica",
                      .primary_endpoint = "drsynth-dev-primary.abcdefghij.us-east-1.rds.amazonaws.com",
                      .replica_endpoint = "drsynth-dev-replica.abcdefghij.eu-west-1.rds.amazonaws.com",
                      .topic_arn = f.topic->topic_arn(),
                      .health_alarm_name = f.primary_down->alarm_name(),
                      .lock_parameter = "/drsynth/dev/failover-lock",
                      .state_parameter = "/drsynth/dev/failover-state",
                      .metric_dimension_value = "dr-dev"});
  f.primary_down->add_alarm_action(*f.failover);
  return f;
}

}  // namespace ops_test

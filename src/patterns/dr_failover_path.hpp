// The failover path of the PostgreSQL DR system (internal): probes in both
// regions, the alarms and health checks that move DNS (fast, reversible), the
// hold alarm, fence and failover function that promote (slow, irreversible),
// and the paging topic they all report to. docs/dr-design.md explains it.
#pragma once

#include <string>

#include "drsynth/patterns/postgres_disaster_recovery.hpp"

namespace drsynth::ec2 {
class Vpc;
}

namespace drsynth::patterns::detail {

// Physical names of the failover path, as functions of the suffix (the name
// table in postgres_disaster_recovery.cpp lists the same prefixes).
struct FailoverNames {
  explicit FailoverNames(const std::string& s);
  std::string probe_function, probe_role, probe_sg;
  std::string local_probe_function, local_probe_role, local_probe_sg;
  std::string dr_alarm, local_alarm, hold_alarm, fence_alarm, dead_letter_alarm;
  std::string topic, key_alias, dead_letter_queue, lock_parameter, state_parameter;
  std::string failover_function, failover_role, metric_dimension;
};

// The KMS key (rotation on) CloudWatch and the functions may use, the topic
// encrypted with it, and a topic policy that admits CloudWatch over TLS only.
// The key policy is completed by add_failover_path (it names the failover role).
sns::Topic& add_alarm_topic(Stack& failover_stack, const PostgresDisasterRecoveryProps& p, const FailoverNames& n);

struct FailoverPathInputs {
  const PostgresDisasterRecoveryProps& props;
  const FailoverNames& names;
  Stack& primary_stack;
  Stack& failover_stack;
  ec2::Vpc& primary_vpc;
  ec2::Vpc& dr_vpc;
  rds::DatabaseInstance& primary;
  rds::ReadReplica& replica;
  route53::PrivateHostedZone& zone;
  sns::Topic& topic;
  const std::string& cname;
};

struct FailoverPath {
  lambda::HealthProbe* probe = nullptr;        // DR region, over the peering
  lambda::HealthProbe* local_probe = nullptr;  // primary region, next to the primary
  cloudwatch::Alarm* dr_alarm = nullptr;       // 1 period: DNS
  cloudwatch::Alarm* hold_alarm = nullptr;     // hold minutes: promotion
  cloudwatch::Alarm* fence_alarm = nullptr;
  lambda::FailoverFunction* failover = nullptr;
};

FailoverPath add_failover_path(const FailoverPathInputs& in);

// E807 (budget), E811-E815 for the failover settings of `at`.
void validate_failover_settings(const Construct& at, const PostgresDisasterRecoveryProps& p, Validation& v);

}  // namespace drsynth::patterns::detail

// The parts of the PostgresDisasterRecovery system, one builder each
// (internal). The pattern's constructor calls them in order; each adds its
// stack(s) and constructs under the pattern and returns what later parts
// need. Every physical name comes from `Names` (dr_names.hpp).
#pragma once

#include <array>
#include <map>
#include <string>

#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "patterns/dr_kit.hpp"
#include "patterns/dr_names.hpp"

namespace drsynth::ec2 {
class Vpc;
}
namespace drsynth::kms {
class Key;
}
namespace drsynth::sns {
class Topic;
}

namespace drsynth::patterns::detail {

// The PostgreSQL parameters of both databases: audit logging and TLS.
[[nodiscard]] std::map<std::string, std::string> audit_parameters();

// DR region, deployed first: the key of the master secret's replica. The
// primary stack refers to it (the secret names its replica's key), so it
// cannot live in the replica's stack, which depends on the primary.
struct ReplicaBase {
  Stack& stack;
  kms::Key& secret_key;
};
[[nodiscard]] ReplicaBase add_replica_base(Construct& scope, const PostgresDisasterRecoveryProps& p, const Names& names);

// Primary region: VPC, security group, parameter group, secret (replicated to
// the DR region under the base stack's key), subnet group, Multi-AZ primary
// database, its endpoint output.
struct PrimaryRegion {
  Stack& stack;
  ec2::Vpc& vpc;
  rds::DatabaseInstance& database;
  kms::Key& key;  // flow logs, PostgreSQL logs and the master secret
};
[[nodiscard]] PrimaryRegion add_primary_region(Construct& scope, const PostgresDisasterRecoveryProps& p,
                                               const Names& names, const ReplicaBase& base);

// DR region: VPC with interface endpoints (the probe has no NAT), security
// group, parameter group, subnet group, cross-region read replica, its
// endpoint output.
struct ReplicaRegion {
  Stack& stack;
  ec2::Vpc& vpc;
  rds::ReadReplica& replica;
  kms::Key& key;  // flow logs and PostgreSQL logs
  kms::Key& secret_key;  // the base stack's: the secret's replica
};
[[nodiscard]] ReplicaRegion add_replica_region(Construct& scope, const PostgresDisasterRecoveryProps& p,
                                               const Names& names, rds::DatabaseInstance& primary,
                                               const ReplicaBase& base);

// VPC peering requested from the DR side; the primary side's routes back go
// into a stack of their own in the primary region, which is returned.
[[nodiscard]] Stack& add_peering(Construct& scope, const PostgresDisasterRecoveryProps& p, const Names& names,
                                 const PrimaryRegion& primary, const ReplicaRegion& replica);

// The failover path (dr_failover.cpp): a paging topic per region, the DR
// kit (dr_kit.hpp) with both sites' probes, alarms and failover functions,
// the zone, health checks and records in the DR region's failover stack, the
// primary site's failover function in a failover stack of the primary region
// and the witness in its own region.
struct Failover {
  Stack& stack;          // DR region: zone, checks, records, site B's machinery
  Stack& primary_stack;  // primary region: site A's failover function
  Stack* witness_stack;  // null without a witness
  std::array<sns::Topic*, 2> topics;
  Kit kit;
};
[[nodiscard]] Failover add_failover(Construct& scope, const PostgresDisasterRecoveryProps& p, const Names& names,
                                    const PrimaryRegion& primary, const ReplicaRegion& replica, Stack& routes);

// Alarms on the replica (lag, free storage, CPU) in the DR region's failover
// stack (CloudWatch alarms live in their metric's region), paging its topic.
void add_monitoring(const Failover& failover, const PostgresDisasterRecoveryProps& p, const Names& names,
                    const rds::ReadReplica& replica);

}  // namespace drsynth::patterns::detail

// The parts of the AuroraGlobalDisasterRecovery system, one builder each
// (internal), called in order by the pattern's constructor; every physical
// name comes from `AuroraNames` (aurora_names.hpp).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "drsynth/core/error.hpp"
#include "drsynth/patterns/aurora_global_disaster_recovery.hpp"
#include "patterns/aurora_names.hpp"
#include "patterns/dr_kit.hpp"

// ec2::SecurityGroup, ec2::Vpc, kms::Key and sns::Topic are declared by dr_kit.hpp.

namespace drsynth::patterns::detail {

// The rules between settings (regions, CIDRs, capacity, hold, the budget);
// `name(key)` is how a message shows a setting.
[[nodiscard]] std::vector<Diagnostic> check_together(const AuroraGlobalDisasterRecoveryProps& p,
                                                     const std::string& path,
                                                     const std::function<std::string(std::string_view)>& name);

// Secondary region, deployed first: its data key and the export replica bucket.
struct AuroraBase {
  Stack& stack;
  kms::Key& data_key;
  s3::Bucket& export_replica;
};
[[nodiscard]] AuroraBase add_aurora_base(Construct& scope, const AuroraGlobalDisasterRecoveryProps& p,
                                         const AuroraNames& names);

// One region's database part: VPC (3 AZs, interface endpoints), flow logs,
// the database security group, the cluster and the events plumbing.
struct AuroraRegion {
  Stack& stack;
  ec2::Vpc& vpc;
  kms::Key& data_key;
  ec2::SecurityGroup& db_sg;
  rds::DatabaseCluster& cluster;
  kms::Key& events_key;
  sns::Topic& events_topic;
};
struct AuroraPrimary {
  AuroraRegion region;
  rds::GlobalCluster& global;
  s3::Bucket& export_bucket;
};
[[nodiscard]] AuroraPrimary add_aurora_primary(Construct& scope, const AuroraGlobalDisasterRecoveryProps& p,
                                               const AuroraNames& names, const AuroraBase& base);
[[nodiscard]] AuroraRegion add_aurora_secondary(Construct& scope, const AuroraGlobalDisasterRecoveryProps& p,
                                                const AuroraNames& names, const AuroraBase& base,
                                                const AuroraPrimary& primary);
// The peering (requested by the secondary) and the primary side's routes stack.
[[nodiscard]] Stack& add_aurora_peering(Construct& scope, const AuroraGlobalDisasterRecoveryProps& p,
                                        const AuroraNames& names, const AuroraRegion& primary,
                                        const AuroraRegion& secondary);

// The failover path (aurora_failover.cpp): the DR kit (dr_kit.hpp) with the
// Aurora engine part, site A's probe and alarms in the routes stack (deployed
// after the secondary), site B's in the secondary stack, the zone, health
// checks and records in the secondary region's failover stack, site A's
// failover function in a failover stack of the primary region, the witness
// in its own region.
struct AuroraFailover {
  Stack& stack;  // secondary region
  Stack& primary_stack;
  Stack* witness_stack;  // null without a witness
  Kit kit;
};
[[nodiscard]] AuroraFailover add_aurora_failover(Construct& scope, const AuroraGlobalDisasterRecoveryProps& p,
                                                 const AuroraNames& names, const AuroraPrimary& primary,
                                                 const AuroraRegion& secondary, Stack& routes);

}  // namespace drsynth::patterns::detail

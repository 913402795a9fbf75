// The parts of the AuroraGlobalDisasterRecovery system, one builder each
// (internal), called in order by the pattern's constructor; every physical
// name comes from `AuroraNames` (aurora_names.hpp).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "drsynth/error.hpp"
#include "drsynth/patterns/aurora_global_disaster_recovery.hpp"
#include "patterns/aurora_names.hpp"

namespace drsynth::ec2 {
class SecurityGroup;
class Vpc;
}  // namespace drsynth::ec2
namespace drsynth::kms {
class Key;
}
namespace drsynth::sns {
class Topic;
}

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

// Probes of the writer (both cluster endpoints) in both regions (the primary
// region's in the routes stack, which is deployed after the secondary), their alarms, the
// private zone with the weighted records and their calculated health checks,
// the lag alarm and DNS guard, and a failover function in each region
// (aurora_failover.cpp).
struct AuroraFailover {
  Stack& stack;  // secondary region
  Stack& primary_stack;
  route53::PrivateHostedZone& zone;
};
[[nodiscard]] AuroraFailover add_aurora_failover(Construct& scope, const AuroraGlobalDisasterRecoveryProps& p,
                                                 const AuroraNames& names, const AuroraPrimary& primary,
                                                 const AuroraRegion& secondary, Stack& routes);

}  // namespace drsynth::patterns::detail

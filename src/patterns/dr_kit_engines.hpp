// The DR kit's engine parts (internal): what differs between an RDS
// instance with its cross-region read replica and an Aurora global database,
// made from typed links to the databases.
#pragma once

#include <array>
#include <string>

#include "drsynth/core/link.hpp"
#include "patterns/dr_kit.hpp"

namespace drsynth::rds {
class DatabaseCluster;
class DatabaseInstance;
class GlobalCluster;
class ReadReplica;
}  // namespace drsynth::rds

namespace drsynth::patterns::detail {

// Site A: the primary instance; site B: its cross-region read replica. A
// failover function promotes its own site's instance (PromoteReadReplica,
// one way); after a failover the runbook rebuilds the lost site as a replica
// of the promoted one, so the same function can act again later.
struct RdsInstanceEngineProps {
  Required<const rds::DatabaseInstance, "site_a"> site_a;
  Required<const rds::ReadReplica, "site_b"> site_b;
  int backup_retention_days = 7;                // of a promoted instance
  std::array<std::string, 2> backup_windows{};  // kept on a site while it is a replica
  std::array<std::string, 2> parameter_groups{};  // each site's own DB parameter group (the self-fence)
};
// ARNs are spelled for the account of `in` (every stack of a system has the same).
[[nodiscard]] EnginePart rds_instance_engine(const RdsInstanceEngineProps& p, const Stack& in);
// The promotion's step of the budget. AWS: "several minutes or longer,
// depending on the size of the read replica".
[[nodiscard]] BudgetStep rds_promotion_step(int expected_seconds);

// Site A: the global cluster's primary cluster; site B: its secondary. A
// failover function fails the global cluster over to its own site's cluster
// (FailoverGlobalCluster with AllowDataLoss: Aurora's managed failover),
// switches over on an operator's request, and detaches only as an allowed
// last resort.
struct AuroraGlobalEngineProps {
  Required<const rds::GlobalCluster, "global_cluster"> global_cluster;
  Required<const rds::DatabaseCluster, "site_a"> site_a;
  Required<const rds::DatabaseCluster, "site_b"> site_b;
  bool allow_detach = false;
  std::array<std::string, 2> parameter_groups{};  // each site's own DB cluster parameter group (the self-fence)
};
[[nodiscard]] EnginePart aurora_global_engine(const AuroraGlobalEngineProps& p, const Stack& in);
// AWS: for Aurora Global Database "RTO can be in the order of minutes".
[[nodiscard]] BudgetStep aurora_promotion_step(int expected_seconds);

}  // namespace drsynth::patterns::detail

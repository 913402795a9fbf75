#include "patterns/dr_kit_engines.hpp"

#include "drsynth/rds/database_cluster.hpp"
#include "drsynth/rds/database_instance.hpp"
#include "drsynth/rds/global_cluster.hpp"
#include "drsynth/rds/read_replica.hpp"
#include "drsynth/core/stack.hpp"

namespace drsynth::patterns::detail {

// ---- RDS instance and cross-region read replica ---------------------------

BudgetStep rds_promotion_step(int expected_seconds) {
  return {.what = "RDS promotes the read replica (PromoteReadReplica until writable)",
          .seconds = expected_seconds,
          .source = "expectedPromotionSeconds; AWS: \"several minutes or longer, depending on the size of the read "
                    "replica\" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html)"};
}

EnginePart rds_instance_engine(const RdsInstanceEngineProps& p, const Stack& in) {
  const std::array<const std::string*, 2> ids{&p.site_a->instance_identifier(), &p.site_b->instance_identifier()};
  const std::array<const std::string*, 2> regions{&p.site_a->stack().region(), &p.site_b->stack().region()};
  EnginePart e{.engine = "rds"};
  for (std::size_t s = 0; s < 2; ++s) {
    e.db_ids[s] = Value(*ids[s]);
    e.db_arns[s] = in.format_arn("rds", "db:" + *ids[s], *regions[s]);
    // ReplicaLag (AWS/RDS, seconds) of the site while it is a replica.
    e.lag_metrics[s] = {.namespace_name = "AWS/RDS",
                        .metric_name = "ReplicaLag",
                        .dimensions = {{"DBInstanceIdentifier", e.db_ids[s]}},
                        .statistic = "Maximum",
                        .period_seconds = 60,
                        .unit = "Seconds"};
  }
  for (std::size_t x = 0; x < 2; ++x) {
    // Promote its own instance (and keep its backup window while it is a
    // replica); describe both: whether the other is lost, whether its own is
    // a replica of the other, whether the other was rebuilt after a failover.
    e.failover_statements[x] = {{.actions = {"rds:PromoteReadReplica", "rds:ModifyDBInstance"}, .resources = {e.db_arns[x]}},
                                {.actions = {"rds:DescribeDBInstances"}, .resources = {e.db_arns[0], e.db_arns[1]}}};
    e.failover_environment[x] = {{"BACKUP_RETENTION_DAYS", std::to_string(p.backup_retention_days)}};
    // The self-fence: default_transaction_read_only in its own parameter
    // group, then a reboot of its own instance (ModifyDBParameterGroup:
    // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBParameterGroup.html).
    e.fence_statements[x] = {
        {.actions = {"rds:ModifyDBParameterGroup"}, .resources = {in.format_arn("rds", "pg:" + p.parameter_groups[x], *regions[x])}},
        {.actions = {"rds:RebootDBInstance"}, .resources = {e.db_arns[x]}}};
    e.fence_environment[x] = {{"FENCE_PARAMETER_GROUP", Value(p.parameter_groups[x])}};
    if (!p.backup_windows[x].empty()) e.failover_environment[x]["LOCAL_BACKUP_WINDOW"] = p.backup_windows[x];
  }
  e.witness_statements = {{.actions = {"rds:DescribeDBInstances"}, .resources = {e.db_arns[0], e.db_arns[1]}}};
  return e;
}

// ---- Aurora global database -------------------------------------------------

BudgetStep aurora_promotion_step(int expected_seconds) {
  return {.what = "Aurora fails the global database over (FailoverGlobalCluster until the secondary writes)",
          .seconds = expected_seconds,
          .source = "expectedPromotionSeconds; AWS: for Aurora Global Database \"RTO can be in the order of minutes\" "
                    "(https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/"
                    "aurora-global-database-disaster-recovery.html)"};
}

EnginePart aurora_global_engine(const AuroraGlobalEngineProps& p, const Stack& in) {
  const std::array<const rds::DatabaseCluster*, 2> clusters{&*p.site_a, &*p.site_b};
  const std::string& global_id = p.global_cluster->global_cluster_identifier();
  // Global clusters have no region in their ARN.
  const Value global_arn = in.format_arn("rds", "global-cluster:" + global_id, "");
  EnginePart e{.engine = "aurora", .lag_per_second = 1000};  // AuroraGlobalDBReplicationLag is in milliseconds
  for (std::size_t s = 0; s < 2; ++s) {
    e.db_ids[s] = Value(clusters[s]->cluster_identifier());
    e.db_arns[s] = in.format_arn("rds", "cluster:" + clusters[s]->cluster_identifier(), clusters[s]->stack().region());
    e.lag_metrics[s] = clusters[s]->metric_global_replication_lag();  // of the site while it is a secondary
    e.lag_metrics[s].statistic = "Maximum";
    e.lag_metrics[s].period_seconds = 60;
  }
  for (std::size_t x = 0; x < 2; ++x) {
    // The global cluster calls name the global cluster and a member (which
    // member RDS authorizes against is not documented: both are listed);
    // detaching only its own cluster, and only when allowed.
    auto& st = e.failover_statements[x];
    st.push_back({.actions = {"rds:FailoverGlobalCluster", "rds:SwitchoverGlobalCluster"},
                  .resources = {global_arn, e.db_arns[0], e.db_arns[1]}});
    if (p.allow_detach)
      st.push_back({.actions = {"rds:RemoveFromGlobalCluster"}, .resources = {global_arn, e.db_arns[x]}});
    st.push_back({.actions = {"rds:DescribeGlobalClusters"}, .resources = {global_arn}});
    st.push_back({.actions = {"rds:DescribeDBClusters"}, .resources = {e.db_arns[0], e.db_arns[1]}});
    e.failover_environment[x] = {{"GLOBAL_CLUSTER_ID", global_id}, {"ALLOW_DETACH", p.allow_detach ? "true" : "false"}};
    // The self-fence: default_transaction_read_only in its own cluster
    // parameter group, then a reboot of its writer (any of its instances can
    // be the writer after an in-region failover).
    std::vector<Value> instances;
    for (const auto& id : clusters[x]->instance_identifiers())
      instances.push_back(in.format_arn("rds", "db:" + id, clusters[x]->stack().region()));
    e.fence_statements[x] = {{.actions = {"rds:ModifyDBClusterParameterGroup"},
                              .resources = {in.format_arn("rds", "cluster-pg:" + p.parameter_groups[x],
                                                          clusters[x]->stack().region())}},
                             {.actions = {"rds:RebootDBInstance"}, .resources = std::move(instances)}};
    e.fence_environment[x] = {{"FENCE_PARAMETER_GROUP", Value(p.parameter_groups[x])}};
  }
  e.witness_statements = {{.actions = {"rds:DescribeGlobalClusters"}, .resources = {global_arn}},
                          {.actions = {"rds:DescribeDBClusters"}, .resources = {e.db_arns[0], e.db_arns[1]}}};
  e.witness_environment = {{"GLOBAL_CLUSTER_ID", global_id}};
  return e;
}

}  // namespace drsynth::patterns::detail

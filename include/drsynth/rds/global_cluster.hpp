// rds::GlobalCluster: an AWS::RDS::GlobalCluster for Aurora PostgreSQL: one
// primary DatabaseCluster (read-write, in the global cluster's region) and
// secondary clusters in other regions, replicated by Aurora's storage layer.
//
//   auto& global = east.add<rds::GlobalCluster>("Global", {.global_cluster_identifier = "aurora-global-dev"});
//   east.add<rds::DatabaseCluster>("Primary", {.cluster_identifier = "aurora-primary-dev", .global_cluster = global,
//                                              .secret = secret, ...});
//   west.add<rds::DatabaseCluster>("Secondary", {.cluster_identifier = "aurora-secondary-dev", .global_cluster = global,
//                                                .global_role = rds::GlobalRole::secondary, ...});
//
// Created empty from Engine aurora-postgresql + EngineVersion (the primary
// cluster then joins it through GlobalClusterIdentifier, in the same stack). A
// secondary refers to the identifier (Ref; across regions Fn::GetStackOutput), so
// its stack is deployed after the primary's, when the global cluster has its
// primary. StorageEncrypted must match the members'. Destroy order is the reverse:
// secondaries, then the primary cluster, then the global cluster.
// No accessor for the global writer endpoint: CloudFormation documents
// GlobalEndpoint.Address, but cfn-lint's schema accepts only the object
// GlobalEndpoint, which cannot be used as a string. Clients and probes use the
// members' cluster endpoints (the Aurora DR pattern probes both).
//
// Error codes: E930, E931, E940, E943, E970 (each with its rule and fix in
// drsynth/core/error_codes.def).
#pragma once

#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/rds/aurora_engine.hpp"
#include "drsynth/core/removal_policy.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::rds {

class DatabaseCluster;

struct GlobalClusterProps {
  std::string global_cluster_identifier{};
  std::string engine_version{default_aurora_postgres_version};
  bool storage_encrypted{true};
  bool deletion_protection{false};
  RemovalPolicy removal_policy{RemovalPolicy::destroy};
};

class GlobalCluster : public Construct {
 public:
  using Props = GlobalClusterProps;

  GlobalCluster(Construct& scope, std::string id, GlobalClusterProps props);

  // Ref: the global cluster identifier.
  [[nodiscard]] Value identifier() const { return resource_->ref(); }
  [[nodiscard]] const std::string& global_cluster_identifier() const noexcept { return props_.global_cluster_identifier; }
  [[nodiscard]] const std::string& engine_version() const noexcept { return props_.engine_version; }
  [[nodiscard]] bool storage_encrypted() const noexcept { return props_.storage_encrypted; }
  [[nodiscard]] const std::string& region() const;
  // The clusters that joined (DatabaseCluster registers itself), in creation order.
  [[nodiscard]] const std::vector<const DatabaseCluster*>& members() const noexcept { return members_; }
  void add_member(const DatabaseCluster& cluster) { members_.push_back(&cluster); }
  [[nodiscard]] CfnResource& resource() noexcept { return *resource_; }
  [[nodiscard]] const CfnResource& resource() const noexcept { return *resource_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.rds.GlobalCluster"; }

 private:
  GlobalClusterProps props_;
  CfnResource* resource_ = nullptr;
  std::vector<const DatabaseCluster*> members_;
};

}  // namespace drsynth::rds

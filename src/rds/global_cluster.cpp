#include "drsynth/rds/global_cluster.hpp"

#include <map>

#include "core/char_rules.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/rds/database_cluster.hpp"
#include "drsynth/core/stack.hpp"
#include "rds/version_rules.hpp"

namespace drsynth::rds {

GlobalCluster::GlobalCluster(Construct& scope, std::string id, GlobalClusterProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::RDS::GlobalCluster"});
  resource_->set_property("GlobalClusterIdentifier", props_.global_cluster_identifier);
  resource_->set_property("Engine", "aurora-postgresql");
  resource_->set_property("EngineVersion", props_.engine_version);
  detail::add_deploy_check(stack(), *this, Engine::aurora_postgresql, props_.engine_version, true, *resource_);
  resource_->set_property("StorageEncrypted", props_.storage_encrypted);
  resource_->set_property("DeletionProtection", props_.deletion_protection);
  resource_->apply_removal_policy(props_.removal_policy == RemovalPolicy::snapshot ? RemovalPolicy::retain
                                                                                   : props_.removal_policy);
}

const std::string& GlobalCluster::region() const { return stack().region(); }

void GlobalCluster::validate(Validation& v) const {
  if (!drsynth::detail::letter_then_single_hyphens(props_.global_cluster_identifier, 62))
    v.error(codes::E930, *this, "global cluster identifier is invalid", props_.global_cluster_identifier,
            "1-63 letters, digits and single hyphens, a letter first, no trailing hyphen");
  detail::check_engine_version(v, *this, Engine::aurora_postgresql, props_.engine_version, *resource_, codes::E931, true);
  if (props_.removal_policy == RemovalPolicy::snapshot)
    v.error(codes::E943, *this, "a global cluster cannot be snapshotted (its clusters can)", "RemovalPolicy::snapshot",
            "destroy or retain");
  std::vector<const DatabaseCluster*> primaries;
  std::map<std::string, const DatabaseCluster*> by_region;
  for (const auto* m : members_) {
    if (m->global_role() == GlobalRole::primary) primaries.push_back(m);
    if (auto [it, fresh] = by_region.emplace(m->region(), m); !fresh)
      v.error(codes::E940, *this, "two member clusters in " + m->region() + ": " + it->second->path() + " and " + m->path(),
              m->path(), "one cluster per region");
    if (m->engine_version() != props_.engine_version)
      v.error(codes::E940, *this, "member " + m->path() + " has another engine version", m->engine_version(),
              props_.engine_version);
    if (m->storage_encrypted() != props_.storage_encrypted)
      v.error(codes::E940, *this, "member " + m->path() + " differs in storage encryption",
              m->storage_encrypted() ? "encrypted" : "not encrypted",
              props_.storage_encrypted ? "encrypted, like the global cluster" : "not encrypted, like the global cluster");
  }
  if (primaries.size() != 1) {
    std::string got;
    for (const auto* p : primaries) got += (got.empty() ? "" : ", ") + p->path();
    v.error(codes::E940, *this, "a global cluster needs exactly one primary cluster", got.empty() ? "none" : got,
            "one DatabaseCluster with global_role primary");
  } else if (primaries.front()->region() != region()) {
    v.error(codes::E940, *this, "the primary cluster " + primaries.front()->path() + " is in another region than the global cluster",
            primaries.front()->region(), region());
  }
}

}  // namespace drsynth::rds

#include "drsynth/rds/read_replica.hpp"

#include "drsynth/core/error_codes.hpp"
#include "drsynth/logs/log_group.hpp"
#include "drsynth/rds/database_instance.hpp"
#include "drsynth/rds/parameter_group.hpp"
#include "drsynth/secrets/database_secret.hpp"
#include "drsynth/core/stack.hpp"
#include "rds/instance_common.hpp"
#include "rds/version_rules.hpp"

namespace drsynth::rds {

namespace {
detail::CommonSettings settings(const ReadReplicaProps& p) {
  return {.instance_identifier = &p.instance_identifier,
          .instance_class = &p.instance_class,
          .engine_version = p.source->engine_version(),
          .vpc = *p.vpc,
          .subnet_group = p.subnet_group.pointer(),
          .security_groups = p.security_groups,
          .multi_az = p.multi_az,
          .backup_retention_days = p.backup_retention_days,
          .storage_type = p.storage_type,
          .max_allocated_storage = p.max_allocated_storage,
          .parameter_group = p.parameter_group.pointer(),
          .deletion_protection = p.deletion_protection,
          .log_retention_days = p.log_retention_days,
          .enable_performance_insights = p.enable_performance_insights,
          .performance_insights_retention_days = p.performance_insights_retention_days,
          .monitoring_interval = p.monitoring_interval,
          .auto_minor_version_upgrade = p.auto_minor_version_upgrade,
          .copy_tags_to_snapshot = p.copy_tags_to_snapshot,
          .removal_policy = p.removal_policy,
          .replica = true,
          .export_upgrade_log = p.export_upgrade_log,
          .log_kms_key = p.log_kms_key.pointer()};
}
}  // namespace

ReadReplica::ReadReplica(Construct& scope, std::string id, ReadReplicaProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  const auto c = detail::build(*this, settings(props_));
  resource_ = c.resource;
  log_group_ = c.log_group;
  upgrade_log_group_ = c.upgrade_log_group;
  subnet_group_ = c.subnet_group;
  CfnResource& r = *resource_;
  // The ARN works in every case and is required across regions.
  r.set_property("SourceDBInstanceIdentifier", props_.source->arn());
  // The replica runs the source's version: this region must create it too.
  if (cross_region()) detail::add_deploy_check(stack(), *this, Engine::postgres, props_.source->engine_version(), false,
                                                  props_.source->resource());
  std::optional<std::string> key = props_.kms_key_id;
  if (cross_region()) {
    r.set_property("SourceRegion", props_.source->region());
    if (props_.source->generated_secret()) props_.source->secret().add_replica_region(region());
    if (!key) key = "alias/aws/rds";  // the AWS managed key of the replica's region
  }
  if (key) {
    r.set_property("KmsKeyId", *key);
    // cfn-lint E3720 wants StorageEncrypted next to KmsKeyId, but on a read
    // replica StorageEncrypted is forbidden (E3020; the replica inherits the
    // source's encryption, KmsKeyId only picks the key in this region). The two
    // rules contradict each other here, so E3720 is silenced on this resource only.
    r.suppress_lint("E3720",
                    "read replica: encryption is inherited from the source, StorageEncrypted is not allowed "
                    "(E3020); KmsKeyId selects the key in the replica's region");
  }
}

bool ReadReplica::cross_region() const {
  return props_.source->region() != region();
}

const std::string& ReadReplica::region() const { return stack().region(); }

ec2::Connections ReadReplica::connections() const {
  return {std::vector<ec2::SecurityGroup*>(props_.security_groups.begin(), props_.security_groups.end()),
          props_.source->port()};
}

void ReadReplica::validate(Validation& v) const {
  detail::validate(*this, settings(props_), v);
  const DatabaseInstance* src = props_.source.pointer();
  if (!src->storage_encrypted())
    v.error(codes::E734, *this, "source " + src->path() + " is not encrypted", "storage_encrypted = false",
            "an encrypted source (cross-region replicas of DR pairs must be encrypted)");
  if (src->backup_retention_days() <= 0)
    v.error(codes::E735, *this, "source " + src->path() + " has no automated backups, which read replicas require",
            std::to_string(src->backup_retention_days()), "backup_retention_days of 1 or more on the source");
  if (props_.parameter_group) {
    const auto mine = major_version(props_.parameter_group->engine_version());
    const auto theirs = major_version(src->engine_version());
    if (mine != theirs)
      v.error(codes::E736, *this, "replica parameter group is for another engine major version than the source",
              props_.parameter_group->engine_version(), src->engine_version());
  }
}

CfnResource& ReadReplica::log_group() const noexcept { return log_group_->resource(); }
CfnResource* ReadReplica::upgrade_log_group() const noexcept {
  return upgrade_log_group_ != nullptr ? &upgrade_log_group_->resource() : nullptr;
}

}  // namespace drsynth::rds

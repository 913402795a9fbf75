#include "drsynth/rds/database_instance.hpp"
#include "core/char_rules.hpp"

#include "drsynth/core/error_codes.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/logs/log_group.hpp"
#include "drsynth/secrets/database_secret.hpp"
#include "drsynth/core/stack.hpp"
#include "rds/instance_common.hpp"
#include "rds/version_rules.hpp"

namespace drsynth::rds {

namespace {
detail::CommonSettings settings(const DatabaseInstanceProps& p) {
  return {.instance_identifier = &p.instance_identifier,
          .instance_class = &p.instance_class,
          .engine_version = p.engine_version,
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
          .export_upgrade_log = p.export_upgrade_log,
          .log_kms_key = p.log_kms_key.pointer()};
}
}  // namespace

DatabaseInstance::DatabaseInstance(Construct& scope, std::string id, DatabaseInstanceProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  const auto c = detail::build(*this, settings(props_));
  resource_ = c.resource;
  log_group_ = c.log_group;
  upgrade_log_group_ = c.upgrade_log_group;
  subnet_group_ = c.subnet_group;
  CfnResource& r = *resource_;
  r.set_property("EngineVersion", props_.engine_version);
  detail::add_deploy_check(stack(), *this, Engine::postgres, props_.engine_version, false, r);
  r.set_property("AllocatedStorage", std::to_string(props_.allocated_storage));
  r.set_property("StorageEncrypted", props_.storage_encrypted);
  if (props_.kms_key)
    r.set_property("KmsKeyId", props_.kms_key->key_arn());
  else if (props_.kms_key_id)
    r.set_property("KmsKeyId", *props_.kms_key_id);
  r.set_property("Port", std::to_string(props_.port));
  if (props_.database_name) r.set_property("DBName", *props_.database_name);
  if (props_.preferred_backup_window) r.set_property("PreferredBackupWindow", *props_.preferred_backup_window);
  secret_ = props_.secret ? props_.secret.pointer() : &add<secrets::DatabaseSecret>("Secret", secrets::DatabaseSecretProps{});
  // Dynamic references only: the password never appears in the template.
  r.set_property("MasterUsername", secret_->username_ref());
  r.set_property("MasterUserPassword", secret_->password_ref());
  secret_->attach(*this);
}

const std::string& DatabaseInstance::region() const { return stack().region(); }

ec2::Connections DatabaseInstance::connections() const {
  return {std::vector<ec2::SecurityGroup*>(props_.security_groups.begin(), props_.security_groups.end()), props_.port};
}

void DatabaseInstance::validate(Validation& v) const {
  detail::validate(*this, settings(props_), v);
  detail::check_engine_version(v, *this, Engine::postgres, props_.engine_version, *resource_, codes::E720, true);
  if (props_.allocated_storage < 20 || props_.allocated_storage > 65536)
    v.error(codes::E723, *this, "allocated storage is out of range", std::to_string(props_.allocated_storage) + " GiB",
            "20 to 65536 GiB");
  if (props_.max_allocated_storage &&
      (*props_.max_allocated_storage <= props_.allocated_storage || *props_.max_allocated_storage > 65536))
    v.error(codes::E723, *this, "max_allocated_storage must be above allocated_storage (" +
                               std::to_string(props_.allocated_storage) + " GiB) and at most 65536",
            std::to_string(*props_.max_allocated_storage) + " GiB", "more than allocated_storage");
  if (props_.port < 1150 || props_.port > 65535)
    v.error(codes::E726, *this, "port is out of range for RDS", std::to_string(props_.port), "1150 to 65535");
  // ^[a-zA-Z][a-zA-Z0-9_]{0,62}$ (char_rules.hpp)
  if (props_.database_name && !drsynth::detail::letter_then(*props_.database_name, 62, [](char c) { return drsynth::detail::is_alnum(c) || c == '_'; }))
    v.error(codes::E727, *this, "database name is invalid for PostgreSQL", *props_.database_name,
            "a letter, then letters, digits or _ (1-63 characters)");
  if (props_.preferred_backup_window && !drsynth::detail::is_hh_mm_window(*props_.preferred_backup_window))
    v.error(codes::E725, *this, "preferred backup window is invalid", *props_.preferred_backup_window,
            "hh24:mi-hh24:mi in UTC, e.g. 03:00-04:00");
  if (props_.kms_key && props_.kms_key->region() != region())
    v.error(codes::E960, *this, "the storage key " + props_.kms_key->path() + " is in another region",
            props_.kms_key->region(), region() + " (RDS encrypts with a key of the instance's region)");
  if (props_.kms_key && props_.kms_key_id)
    v.error(codes::E960, *this, "both kms_key and kms_key_id are given", *props_.kms_key_id, "one storage key");
  if (props_.kms_key && !props_.storage_encrypted)
    v.error(codes::E724, *this, "kms_key is set but storage is not encrypted", props_.kms_key->path(),
            "storage_encrypted = true");
  if (props_.kms_key_id && !props_.storage_encrypted)
    v.error(codes::E724, *this, "kms_key_id is set but storage is not encrypted", *props_.kms_key_id,
            "storage_encrypted = true");
}

CfnResource& DatabaseInstance::log_group() const noexcept { return log_group_->resource(); }
CfnResource* DatabaseInstance::upgrade_log_group() const noexcept {
  return upgrade_log_group_ != nullptr ? &upgrade_log_group_->resource() : nullptr;
}

secrets::AttachmentTargetProps DatabaseInstance::as_attachment_target() const {
  return {.target_id = resource_->ref(), .target_type = "AWS::RDS::DBInstance"};
}

}  // namespace drsynth::rds

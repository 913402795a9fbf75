#include "drsynth/secrets/database_secret.hpp"
#include "core/char_rules.hpp"
#include "core/regions.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "drsynth/core/error_codes.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/lambda/function.hpp"
#include "drsynth/core/stack.hpp"

namespace drsynth::secrets {

DatabaseSecret::DatabaseSecret(Construct& scope, std::string id, DatabaseSecretProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::SecretsManager::Secret"});
  if (props_.name) resource_->set_property("Name", *props_.name);
  if (!props_.description.empty()) resource_->set_property("Description", props_.description);
  const nlohmann::json tmpl{{"username", props_.username}};
  resource_->set_property("GenerateSecretString", Value::object({
                                                      {"SecretStringTemplate", Value(tmpl.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))},
                                                      {"GenerateStringKey", "password"},
                                                      {"PasswordLength", props_.password_length},
                                                      {"ExcludeCharacters", Value(props_.exclude_characters)},
                                                  }));
  if (props_.kms_key) resource_->set_property("KmsKeyId", props_.kms_key->key_arn());
  render_replica_regions();
  resource_->apply_removal_policy(props_.removal_policy);
}

void DatabaseSecret::render_replica_regions() {
  if (props_.replica_regions.empty()) return;
  Value::Array replicas;
  for (const auto& r : props_.replica_regions) {
    Value replica = Value::object({{"Region", Value(r)}});
    for (const auto& key : props_.replica_kms_keys)
      if (key->region() == r) {
        replica["KmsKeyId"] = key->key_arn();
        break;
      }
    replicas.push_back(std::move(replica));
  }
  resource_->set_property("ReplicaRegions", Value(std::move(replicas)));
}

void DatabaseSecret::add_replica_region(const std::string& region) {
  if (std::find(props_.replica_regions.begin(), props_.replica_regions.end(), region) != props_.replica_regions.end())
    return;
  props_.replica_regions.push_back(region);
  render_replica_regions();
}

Value DatabaseSecret::username_ref() const { return Value::resolve_secretsmanager(secret_arn(), "username"); }
Value DatabaseSecret::password_ref() const { return Value::resolve_secretsmanager(secret_arn(), "password"); }

void DatabaseSecret::attach(const AttachmentTarget& target) {
  attached_.push_back(&target.attachment_construct());
  if (attachment_ != nullptr) return;  // reported by validate() (E747)
  auto t = target.as_attachment_target();
  auto& scope = add<Construct>("Attachment");
  attachment_ = &scope.add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::SecretsManager::SecretTargetAttachment"});
  attachment_->set_property("SecretId", secret_arn());
  attachment_->set_property("TargetId", std::move(t.target_id));
  attachment_->set_property("TargetType", std::move(t.target_type));
  for (const CfnResource* r : t.ready_when)
    if (r != nullptr) ready_when_.push_back(r);
  if (rotation_schedule_ != nullptr) {
    rotation_schedule_->add_dependency(*attachment_);
    for (const CfnResource* r : ready_when_) rotation_schedule_->add_dependency(*r);
  }
}

void DatabaseSecret::validate(Validation& v) const {
  // ^[A-Za-z0-9/_+=.@-]{1,512}$ (char_rules.hpp)
  if (props_.name && !detail::chars_within(*props_.name, 1, 512, [](char c) { return detail::is_alnum(c) || std::string_view("/_+=.@-").find(c) != std::string_view::npos; }))
    v.error(codes::E740, *this, "secret name is invalid", *props_.name, "1-512 characters of A-Za-z0-9/_+=.@-");
  // ^[a-zA-Z][a-zA-Z0-9_]{0,62}$ (char_rules.hpp)
  if (!detail::letter_then(props_.username, 62, [](char c) { return detail::is_alnum(c) || c == '_'; }) || props_.username == "rdsadmin")
    v.error(codes::E741, *this, "master username is invalid for RDS for PostgreSQL", props_.username,
            "a letter, then letters, digits or _ (1-63 characters), not rdsadmin");
  if (props_.password_length < 8 || props_.password_length > 128)
    v.error(codes::E742, *this, "password length is out of range", std::to_string(props_.password_length), "8 to 128");
  std::string missing;
  for (char c : std::string_view(" \"/@"))
    if (props_.exclude_characters.find(c) == std::string::npos) missing += c;
  if (!missing.empty())
    v.error(codes::E743, *this, "exclude_characters does not exclude [" + missing + "], which RDS forbids in master passwords",
            props_.exclude_characters, "a set containing / @ \" and space");
  std::set<std::string> seen;
  const std::string own = stack().region();
  for (const auto& r : props_.replica_regions) {
    if (!detail::is_region_shaped(r) || detail::partition_of(r).empty())
      v.error(codes::E744, *this, "replica region is not a region drsynth knows", "\"" + r + "\"", "e.g. eu-west-1");
    else if (r == own)
      v.error(codes::E744, *this, "replica region is the secret's own region", r, "a region other than " + own);
    else if (!seen.insert(r).second)
      v.error(codes::E744, *this, "replica region listed twice", r, "each region once");
  }
  if (props_.removal_policy == RemovalPolicy::snapshot)
    v.error(codes::E748, *this, "a secret cannot be snapshotted", "RemovalPolicy::snapshot", "destroy or retain");
  if (attached_.size() > 1)
    v.error(codes::E747, *this, "secret is attached to more than one database", attached_[1]->path(),
            "one database per secret (" + attached_[0]->path() + ")");
  for (const auto* db : attached_)
    if (&db->stack() != &stack())
      v.error(codes::E747, *this, "secret is attached to a database in another stack", db->path(),
              "a database in stack " + stack().stack_name());
  if (props_.kms_key && props_.kms_key->region() != own)
    v.error(codes::E962, *this, "the secret's KMS key " + props_.kms_key->path() + " is in another region",
            props_.kms_key->region(), own);
  std::set<std::string> keyed;
  for (const auto& key : props_.replica_kms_keys) {
    const std::string& r = key->region();
    if (std::find(props_.replica_regions.begin(), props_.replica_regions.end(), r) == props_.replica_regions.end())
      v.error(codes::E962, *this, "replica key " + key->path() + " is in a region without a replica", r,
              "a region of replica_regions");
    else if (!keyed.insert(r).second)
      v.error(codes::E962, *this, "two replica keys for " + r, key->path(), "one key per replica region");
  }
  validate_rotation(v);
}

}  // namespace drsynth::secrets

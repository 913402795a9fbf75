#include "drsynth/s3/bucket.hpp"

#include "core/bucket_name_rules.hpp"
#include "core/char_rules.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/iam/role.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/core/stack.hpp"
#include "iam/resource_policy.hpp"

namespace drsynth::s3 {

namespace {

Value deny(std::string sid, std::string action, Value resources, Value::Object condition) {
  return Value::object({{"Sid", std::move(sid)},
                        {"Effect", "Deny"},
                        {"Principal", "*"},
                        {"Action", std::move(action)},
                        {"Resource", std::move(resources)},
                        {"Condition", Value(std::move(condition))}});
}

}  // namespace

bool is_valid_bucket_name(std::string_view n) noexcept { return drsynth::detail::s3_bucket_problem(n).empty(); }

namespace {
// A name may hold ${AWS::AccountId} and ${AWS::Region} (rendered with Fn::Sub, so
// that a global name carries the account and region the stack is deployed to);
// the rules are checked on the longest name they can give.
constexpr std::string_view account_id = "${AWS::AccountId}";
constexpr std::string_view region_ref = "${AWS::Region}";
bool has_pseudo(std::string_view name) {
  return name.find(account_id) != std::string_view::npos || name.find(region_ref) != std::string_view::npos;
}
std::string as_deployed(std::string name, std::string_view account, std::string_view region) {
  for (auto [from, to] : {std::pair{account_id, account}, std::pair{region_ref, region}})
    for (auto at = name.find(from); at != std::string::npos; at = name.find(from, at + to.size()))
      name.replace(at, from.size(), to);
  return name;
}
}  // namespace

Bucket::Bucket(Construct& scope, std::string id, BucketProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::S3::Bucket"});
  CfnResource& r = *resource_;
  if (!props_.bucket_name.empty())
    r.set_property("BucketName", has_pseudo(props_.bucket_name) ? Value::sub(props_.bucket_name) : Value(props_.bucket_name));
  if (props_.versioned) r.set_property("VersioningConfiguration", Value::object({{"Status", "Enabled"}}));
  Value by_default = props_.kms_key ? Value::object({{"SSEAlgorithm", "aws:kms"}, {"KMSMasterKeyID", props_.kms_key->key_arn()}})
                                    : Value::object({{"SSEAlgorithm", "AES256"}});
  Value rule = Value::object({{"ServerSideEncryptionByDefault", std::move(by_default)}});
  if (props_.kms_key) rule["BucketKeyEnabled"] = true;
  r.set_property("BucketEncryption", Value::object({{"ServerSideEncryptionConfiguration", Value::array({rule})}}));
  r.set_property("PublicAccessBlockConfiguration", Value::object({{"BlockPublicAcls", true},
                                                                  {"BlockPublicPolicy", true},
                                                                  {"IgnorePublicAcls", true},
                                                                  {"RestrictPublicBuckets", true}}));
  r.set_property("OwnershipControls",
                 Value::object({{"Rules", Value::array({Value::object({{"ObjectOwnership", "BucketOwnerEnforced"}})})}}));
  render_lifecycle();
  r.apply_removal_policy(props_.removal_policy == RemovalPolicy::snapshot ? RemovalPolicy::retain : props_.removal_policy);
  render_policy();
  if (props_.replicate_to && props_.replicate_to.pointer() != this) render_replication(*props_.replicate_to);
  if (props_.empty_on_destroy && props_.removal_policy == RemovalPolicy::destroy)
    stack().add_pre_destroy_step({.kind = Stack::PreDestroyStep::Kind::empty_bucket,
                                  .resource = resource_,
                                  .reason = "empty the bucket of " + path() + " (CloudFormation deletes only empty buckets)"});
}

const std::string& Bucket::region() const { return stack().region(); }

Value Bucket::arn_for_objects(const std::string& pattern) const {
  return Value::join("", {bucket_arn(), Value("/" + pattern)});
}

void Bucket::render_lifecycle() {
  Value::Array rules;
  if (props_.transition_to_glacier_days) {
    const int days = *props_.transition_to_glacier_days;
    Value rule = Value::object({{"Id", "TransitionToGlacier"},
                                {"Status", "Enabled"},
                                {"Transitions", Value::array({Value::object({{"StorageClass", "GLACIER"},
                                                                             {"TransitionInDays", days}})})}});
    if (props_.versioned)
      rule["NoncurrentVersionTransitions"] =
          Value::array({Value::object({{"StorageClass", "GLACIER"}, {"TransitionInDays", days}})});
    rules.push_back(std::move(rule));
  }
  if (props_.noncurrent_expiration_days && props_.versioned)
    rules.push_back(Value::object(
        {{"Id", "ExpireNoncurrentVersions"},
         {"Status", "Enabled"},
         {"NoncurrentVersionExpiration", Value::object({{"NoncurrentDays", *props_.noncurrent_expiration_days}})},
         {"ExpiredObjectDeleteMarker", true}}));
  rules.push_back(Value::object(
      {{"Id", "AbortIncompleteMultipartUploads"},
       {"Status", "Enabled"},
       {"AbortIncompleteMultipartUpload", Value::object({{"DaysAfterInitiation", props_.abort_incomplete_multipart_days}})}}));
  resource_->set_property("LifecycleConfiguration", Value::object({{"Rules", Value(std::move(rules))}}));
}

void Bucket::render_policy() {
  Value::Array statements;
  if (props_.enforce_tls)
    statements.push_back(iam::detail::deny_insecure_transport("s3:*", Value::array({bucket_arn(), arn_for_objects("*")})));
  if (props_.enforce_encryption) {
    statements.push_back(deny("DenyOtherEncryption", "s3:PutObject", arn_for_objects("*"),
                              {{"StringNotEqualsIfExists",
                                Value::object({{"s3:x-amz-server-side-encryption", props_.kms_key ? "aws:kms" : "AES256"}})}}));
    if (props_.kms_key)
      statements.push_back(deny("DenyOtherKmsKey", "s3:PutObject", arn_for_objects("*"),
                                {{"StringNotEqualsIfExists",
                                  Value::object({{"s3:x-amz-server-side-encryption-aws-kms-key-id", props_.kms_key->key_arn()}})}}));
  }
  if (statements.empty()) return;
  policy_ = &add<CfnResource>("Policy", CfnResourceProps{.type = "AWS::S3::BucketPolicy"});
  policy_->set_property("Bucket", bucket_name());
  policy_->set_property("PolicyDocument", iam::detail::resource_policy(std::move(statements)));
}

void Bucket::render_replication(Bucket& destination) {
  replication_role_ = &add<iam::Role>(
      "ReplicationRole", iam::RoleProps{.role_name = props_.replication_role_name,
                                        .assumed_by = "s3.amazonaws.com",
                                        .description = "Replicates " + path() + " to " + destination.path()});
  // Confused-deputy protection: S3 assumes the role only for this account (and,
  // with a known name, this bucket: its GetAtt would make a cycle with the bucket).
  Value::Object trust_condition{{"StringEquals", Value::object({{"aws:SourceAccount", stack().account_value()}})}};
  if (!props_.bucket_name.empty())
    trust_condition["ArnLike"] =
        Value::object({{"aws:SourceArn", Value::sub("arn:${AWS::Partition}:s3:::" + props_.bucket_name)}});
  replication_role_->resource().properties()["AssumeRolePolicyDocument"]["Statement"].as_array().front()["Condition"] =
      Value(std::move(trust_condition));

  iam::Role& role = *replication_role_;
  role.add_to_policy({.actions = {"s3:GetReplicationConfiguration", "s3:ListBucket"}, .resources = {bucket_arn()}});
  role.add_to_policy({.actions = {"s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"},
                      .resources = {arn_for_objects("*")}});
  role.add_to_policy({.actions = {"s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"},
                      .resources = {destination.arn_for_objects("*")}});
  // S3 Bucket Keys use the bucket ARN as encryption context, objects written
  // without them the object ARN: both are admitted, nothing else.
  auto kms_statement = [](std::vector<std::string> actions, const kms::Key& key, const Bucket& bucket) {
    return iam::PolicyStatement{
        .actions = std::move(actions),
        .resources = {key.key_arn()},
        .conditions = {{"StringEquals", Value::object({{"kms:ViaService", "s3." + bucket.region() + ".amazonaws.com"}})},
                       {"StringLike", Value::object({{"kms:EncryptionContext:aws:s3:arn",
                                                      Value::array({bucket.bucket_arn(), bucket.arn_for_objects("*")})}})}}};
  };
  if (props_.kms_key) role.add_to_policy(kms_statement({"kms:Decrypt"}, *props_.kms_key, *this));
  if (destination.kms_key())
    role.add_to_policy(kms_statement({"kms:Encrypt", "kms:GenerateDataKey"}, *destination.kms_key(), destination));

  Value dest = Value::object({{"Bucket", destination.bucket_arn()}});
  if (destination.kms_key())
    dest["EncryptionConfiguration"] = Value::object({{"ReplicaKmsKeyID", destination.kms_key()->key_arn()}});
  Value rule = Value::object({{"Id", "ReplicateAll"},
                              {"Status", "Enabled"},
                              {"Priority", 1},
                              {"Filter", Value::object({{"Prefix", ""}})},
                              {"DeleteMarkerReplication", Value::object({{"Status", "Enabled"}})},
                              {"Destination", std::move(dest)}});
  if (props_.kms_key)
    rule["SourceSelectionCriteria"] =
        Value::object({{"SseKmsEncryptedObjects", Value::object({{"Status", "Enabled"}})}});
  resource_->set_property("ReplicationConfiguration",
                          Value::object({{"Role", role.role_arn()}, {"Rules", Value::array({std::move(rule)})}}));
}

void Bucket::validate(Validation& v) const {
  if (!props_.bucket_name.empty()) {
    // An unknown account is 12 digits once deployed.
    const std::string deployed =
        as_deployed(props_.bucket_name, stack().account().value_or("123456789012"), stack().region());
    if (const auto why = drsynth::detail::s3_bucket_problem(deployed); !why.empty())
      v.error(codes::E915, *this, "bucket name is invalid: " + why, deployed,
              "3-63 characters of a-z 0-9 . -, a letter or digit at both ends, no \"..\", not an IP address, "
              "no reserved prefix (xn--, sthree-) or suffix (-s3alias, --ol-s3)");
  }
  auto days = [&](const std::optional<int>& d, const char* what) {
    if (d && *d < 1)
      v.error(codes::E916, *this, std::string(what) + " must be at least 1 day", std::to_string(*d) + " days", ">= 1 day");
  };
  days(props_.transition_to_glacier_days, "transition to Glacier");
  days(props_.noncurrent_expiration_days, "noncurrent version expiration");
  days(props_.abort_incomplete_multipart_days, "abort of incomplete multipart uploads");
  if (props_.transition_to_glacier_days && props_.noncurrent_expiration_days &&
      *props_.noncurrent_expiration_days <= *props_.transition_to_glacier_days)
    v.error(codes::E916, *this, "noncurrent versions would expire before or when they move to Glacier",
            std::to_string(*props_.noncurrent_expiration_days) + " days",
            "more than transition_to_glacier_days (" + std::to_string(*props_.transition_to_glacier_days) + ")");
  if (props_.kms_key && props_.kms_key->region() != region())
    v.error(codes::E917, *this, "the bucket's KMS key " + props_.kms_key->path() + " is in another region",
            props_.kms_key->region(), region());
  if (const Bucket* dest = props_.replicate_to.pointer(); dest != nullptr) {
    if (dest == this) {
      v.error(codes::E918, *this, "the bucket replicates to itself", dest->path(), "another bucket");
    } else {
      if (props_.kms_key && dest->kms_key() == nullptr)
        v.error(codes::E918, *this, "SSE-KMS objects need a KMS key for the replicas, but " + dest->path() + " has none",
                "kms_key unset on the destination", "a kms_key on the destination bucket (in its region)");
      if (!props_.versioned || !dest->versioned())
        v.error(codes::E919, *this, "replication needs versioning on both buckets",
                !props_.versioned ? path() + " is not versioned" : dest->path() + " is not versioned",
                "versioned = true on the source and the destination");
    }
  }
  if (props_.removal_policy == RemovalPolicy::snapshot)
    v.error(codes::E920, *this, "a bucket cannot be snapshotted", "RemovalPolicy::snapshot", "destroy or retain");
  else if (props_.empty_on_destroy && props_.removal_policy != RemovalPolicy::destroy)
    v.error(codes::E920, *this, "empty_on_destroy on a bucket that is kept", "RemovalPolicy::retain",
            "removal_policy destroy (or empty_on_destroy = false)");
}

}  // namespace drsynth::s3

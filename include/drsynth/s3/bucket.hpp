// s3::Bucket: an AWS::S3::Bucket that is private, versioned, encrypted and
// TLS-only, with lifecycle rules and optional cross-region replication.
//
//   // us-west-2 stack (deployed first: the source refers to it)
//   auto& replica = west.add<s3::Bucket>("ExportReplica", {.bucket_name = "dr-export-replica-dev", .kms_key = west_key,
//                                                          .transition_to_glacier_days = 30});
//   // us-east-1 stack
//   auto& exports = east.add<s3::Bucket>("Export", {.bucket_name = "dr-export-dev", .kms_key = east_key,
//                                                   .transition_to_glacier_days = 30,
//                                                   .replicate_to = replica, .empty_on_destroy = true});
//
// What the bucket renders (Export/Resource):
//   VersioningConfiguration Enabled (versioned, the default; replication needs it on both sides)
//   BucketEncryption: SSE-KMS with kms_key and BucketKeyEnabled (fewer KMS calls), else SSE-S3
//   PublicAccessBlockConfiguration: all four on; OwnershipControls BucketOwnerEnforced (no ACLs)
//   LifecycleConfiguration: "TransitionToGlacier" (current and noncurrent versions to GLACIER
//     after transition_to_glacier_days), "ExpireNoncurrentVersions" (noncurrent_expiration_days),
//     "AbortIncompleteMultipartUploads" (abort_incomplete_multipart_days)
//   ReplicationConfiguration (replicate_to): one rule "ReplicateAll", every object, delete markers
//     too, SSE-KMS objects included, replicas encrypted with the destination's key
//   DeletionPolicy/UpdateReplacePolicy from removal_policy (Delete by default)
// Bucket policy (Export/Policy, AWS::S3::BucketPolicy):
//   "EnforceTLS"        Deny s3:* when aws:SecureTransport is false (enforce_tls)
//   "DenyOtherEncryption"  Deny s3:PutObject asking for another encryption than the bucket's
//   "DenyOtherKmsKey"   Deny s3:PutObject naming another KMS key (with kms_key)
//   (enforce_encryption; a put without encryption headers gets the bucket's default)
// Replication role (Export/ReplicationRole, assumed by s3.amazonaws.com, this account's
// buckets only) may do exactly:
//   s3:GetReplicationConfiguration, s3:ListBucket               on the source bucket
//   s3:GetObjectVersionForReplication, ...VersionAcl, ...VersionTagging on the source objects
//   s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags     on the destination objects
//   kms:Decrypt on the source key, kms:Encrypt + kms:GenerateDataKey on the destination key,
//   each only through S3 of the key's region (kms:ViaService) and for objects of that
//   bucket (kms:EncryptionContext:aws:s3:arn: the bucket ARN, which S3 Bucket Keys use,
//   and the object ARNs)
//
// Destroying a bucket that holds objects: CloudFormation deletes only empty buckets,
// and a lifecycle rule that expires versions does not help (it acts within a day or
// more, not when the stack is deleted). Without a custom resource (no Lambda in the
// stack), empty_on_destroy adds a typed pre-destroy step to the stack: destroy.sh runs
// drsynth_empty_bucket (AWS CLI: list-object-versions + delete-objects, 1,000 at a time,
// versions and delete markers) right before it deletes the stack. Destroying a
// replication source first stops the replication, then its destination stack is emptied
// and deleted (destroy.sh works in reverse dependency order).
//
// Error codes: E915-E920 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <optional>
#include <string>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/link.hpp"
#include "drsynth/core/removal_policy.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::iam {
class Role;
}
namespace drsynth::kms {
class Key;
}

namespace drsynth::s3 {

class Bucket;

struct BucketProps {
  std::string bucket_name{};  // physical name; empty: CloudFormation generates one
  Link<kms::Key> kms_key{};   // SSE-KMS with this key of the bucket's region; none: SSE-S3
  bool versioned{true};
  bool enforce_tls{true};
  bool enforce_encryption{true};
  std::optional<int> transition_to_glacier_days{};
  std::optional<int> noncurrent_expiration_days{};
  int abort_incomplete_multipart_days{7};
  // Cross-region replication of every object to this bucket (which must be versioned).
  Link<Bucket> replicate_to{};
  std::string replication_role_name{};  // physical name of the ReplicationRole; empty: generated
  RemovalPolicy removal_policy{RemovalPolicy::destroy};
  // destroy.sh empties the bucket before deleting its stack (see above).
  bool empty_on_destroy{false};
};

class Bucket : public Construct {
 public:
  using Props = BucketProps;

  Bucket(Construct& scope, std::string id, BucketProps props);

  // Ref: the bucket name; GetAtt Arn.
  [[nodiscard]] Value bucket_name() const { return resource_->ref(); }
  [[nodiscard]] Value bucket_arn() const { return resource_->get_att("Arn"); }
  // "<bucket ARN>/<pattern>", e.g. arn_for_objects("*").
  [[nodiscard]] Value arn_for_objects(const std::string& pattern) const;
  [[nodiscard]] const std::string& region() const;
  [[nodiscard]] bool versioned() const noexcept { return props_.versioned; }
  [[nodiscard]] kms::Key* kms_key() const noexcept { return props_.kms_key.pointer(); }
  [[nodiscard]] CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] CfnResource* policy() const noexcept { return policy_; }
  // The role S3 replicates with; nullptr without replicate_to.
  [[nodiscard]] iam::Role* replication_role() const noexcept { return replication_role_; }
  [[nodiscard]] const BucketProps& props() const noexcept { return props_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.s3.Bucket"; }

 private:
  void render_lifecycle();
  void render_policy();
  void render_replication(Bucket& destination);

  BucketProps props_;
  CfnResource* resource_ = nullptr;
  CfnResource* policy_ = nullptr;
  iam::Role* replication_role_ = nullptr;
};

// Whether `name` is a valid general purpose bucket name (E915's rule).
[[nodiscard]] bool is_valid_bucket_name(std::string_view name) noexcept;

}  // namespace drsynth::s3

// secrets::AttachmentTarget: what a secret can be attached to, so that the
// secret also holds the target's connection details (aws-cdk's
// ISecretAttachmentTarget). secrets owns this interface; the targets
// implement it (rds::DatabaseInstance, ...).
#pragma once

#include <string>
#include <vector>

#include "drsynth/core/value.hpp"

namespace drsynth {
class Construct;
class CfnResource;
}

namespace drsynth::secrets {

struct AttachmentTargetProps {
  Value target_id;          // TargetId of the AWS::SecretsManager::SecretTargetAttachment
  std::string target_type;  // TargetType, e.g. "AWS::RDS::DBInstance"
  // Resources that must exist before the database answers (an Aurora cluster's
  // writer instance). Secrets Manager tests the rotation function when a
  // RotationSchedule is created, so the schedule DependsOn them: a deployer that
  // creates resources in parallel then still orders them. Null entries are skipped.
  std::vector<const CfnResource*> ready_when{};
};

class AttachmentTarget {
 public:
  virtual ~AttachmentTarget() = default;

  [[nodiscard]] virtual AttachmentTargetProps as_attachment_target() const = 0;
  // The construct attached: it must be in the secret's stack (E747).
  [[nodiscard]] virtual const Construct& attachment_construct() const = 0;

 protected:
  AttachmentTarget() = default;
  AttachmentTarget(const AttachmentTarget&) = default;
  AttachmentTarget& operator=(const AttachmentTarget&) = default;
};

}  // namespace drsynth::secrets

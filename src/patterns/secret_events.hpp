// Pages when Secrets Manager cannot replicate (or rotate) a secret (internal).
// There is no CloudWatch metric for a replica's status: Secrets Manager logs
// ReplicationFailed and RotationFailed to CloudTrail as service events ("AWS
// CloudTrail entries for Secrets Manager": log entries for replication and for
// rotation), which EventBridge matches ("Match Secrets Manager events with
// Amazon EventBridge"); the rule sends them to the system's topic. It matches
// every secret of the account in the stack's region: the event's fields for
// the secret differ between event kinds.
#pragma once

#include <string>

#include "drsynth/events/event_rule.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/core/stack.hpp"

namespace drsynth::patterns::detail {

inline events::EventRule& add_secret_events(Stack& stack, sns::Topic& topic, const std::string& system) {
  auto& rule = stack.add<events::EventRule>(
      "SecretReplicationFailed",
      {.description = "Secrets Manager could not replicate or rotate a secret of " + system + " in this region",
       .event_pattern = Value::object(
           {{"source", Value::array({"aws.secretsmanager"})},
            {"detail-type", Value::array({"AWS Service Event via CloudTrail"})},
            {"detail", Value::object({{"eventSource", Value::array({"secretsmanager.amazonaws.com"})},
                                      {"eventName", Value::array({"ReplicationFailed", "RotationFailed"})}})}})});
  topic.allow_publish_from("events.amazonaws.com", rule.rule_arn());
  rule.add_target_arn(topic.topic_arn());
  return rule;
}

}  // namespace drsynth::patterns::detail

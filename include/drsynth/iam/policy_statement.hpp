// iam::PolicyStatement: one statement of an IAM policy document.
//
// Error codes: E770-E777 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "drsynth/core/value.hpp"

namespace drsynth {
class Construct;
class Validation;
}  // namespace drsynth

namespace drsynth::iam {

enum class Effect { allow, deny };

struct PolicyStatement {
  Effect effect = Effect::allow;
  std::vector<std::string> actions{};  // "rds:PromoteReadReplica"
  std::vector<Value> resources{};      // ARNs; "*" only for actions that support nothing else
  Value::Object conditions{};          // {"StringEquals": {"cloudwatch:namespace": "drsynth"}}
  std::string sid{};                   // optional statement id
  // A non-empty reason allows "*" / "service:*" actions (and "*" resources) in
  // this statement. The reason is not rendered; it documents the exception.
  std::string acknowledge_wildcard{};
};

// The statement as it appears in a policy document.
[[nodiscard]] Value to_value(const PolicyStatement& s);
// {"Version": "2012-10-17", "Statement": [...]}
[[nodiscard]] Value policy_document(const std::vector<PolicyStatement>& statements);

// Reports every problem of one statement (E770-E774) at `at`.
void validate_statement(const PolicyStatement& s, Validation& v, const Construct& at);

// True for actions that only support the "*" resource (e.g. cloudwatch:PutMetricData,
// ec2:CreateNetworkInterface). Case-insensitive.
[[nodiscard]] bool action_requires_star_resource(std::string_view action);

}  // namespace drsynth::iam

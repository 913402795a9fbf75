#include "drsynth/iam/role.hpp"
#include "core/char_rules.hpp"
#include "drsynth/core/error_codes.hpp"


namespace drsynth::iam {

Role::Role(Construct& scope, std::string id, RoleProps props) : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::IAM::Role"});
  const Value trust = Value::object(
      {{"Version", "2012-10-17"},
       {"Statement", Value::array({Value::object({{"Effect", "Allow"},
                                                  {"Principal", Value::object({{"Service", props_.assumed_by}})},
                                                  {"Action", "sts:AssumeRole"}})})}});
  resource_->set_property("AssumeRolePolicyDocument", trust);
  if (!props_.role_name.empty()) resource_->set_property("RoleName", props_.role_name);
  if (!props_.description.empty()) resource_->set_property("Description", props_.description);
  if (!props_.managed_policy_arns.empty()) {
    resource_->set_property("ManagedPolicyArns",
                            Value(Value::Array(props_.managed_policy_arns.begin(), props_.managed_policy_arns.end())));
  }
  for (const auto& s : props_.statements) render_statement(s);
}

// Each call adds to what is rendered (no re-rendering of the statements so
// far: a role with k statements costs O(k), not O(k^2)).
void Role::add_to_policy(PolicyStatement statement) {
  props_.statements.push_back(std::move(statement));
  render_statement(props_.statements.back());
}

void Role::add_managed_policy(Value arn) {
  props_.managed_policy_arns.push_back(arn);
  resource_->properties()["ManagedPolicyArns"].push_back(std::move(arn));
}

void Role::render_statement(const PolicyStatement& s) {
  if (policy_ == nullptr) {
    policy_scope_ = &add<Construct>("DefaultPolicy");
    policy_ = &policy_scope_->add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::IAM::Policy"});
    // Like aws-cdk-lib: the policy is named after its logical ID (unique per role).
    policy_->set_property("PolicyName", policy_->logical_id());
    policy_->set_property("Roles", Value::array({resource_->ref()}));
    policy_->set_property("PolicyDocument", policy_document({}));
  }
  policy_->properties()["PolicyDocument"]["Statement"].push_back(to_value(s));
  // A wildcard the statement acknowledges (E770/E771) is acknowledged for the
  // safety rule over the rendered policy (S002) too, with the same reason.
  if (!s.acknowledge_wildcard.empty() && policy_scope_->acknowledgement("S002") == nullptr)
    policy_scope_->acknowledge("S002", s.acknowledge_wildcard);
}

void Role::validate(Validation& v) const {
  // ^[A-Za-z0-9+=,.@_-]{1,64}$ (char_rules.hpp)
  if (!props_.role_name.empty() && !detail::chars_within(props_.role_name, 1, 64, [](char c) { return detail::is_alnum(c) || std::string_view("+=,.@_-").find(c) != std::string_view::npos; })) {
    v.error(codes::E775, *this, "invalid IAM role name", "\"" + props_.role_name + "\"",
            "1-64 characters of [A-Za-z0-9+=,.@_-]");
  }
  if (!detail::is_service_principal(props_.assumed_by)) {
    v.error(codes::E776, *this, "role needs a service principal", "\"" + props_.assumed_by + "\"",
            "a service principal such as lambda.amazonaws.com");
  }
  for (const auto& arn : props_.managed_policy_arns) {
    if (arn.is_string() && !arn.as_string().starts_with("arn:")) {
      v.error(codes::E777, *this, "managed policy is not an ARN", arn.describe(),
              "arn:${AWS::Partition}:iam::aws:policy/...");
    }
  }
  for (const auto& s : props_.statements) validate_statement(s, v, *this);
}

}  // namespace drsynth::iam

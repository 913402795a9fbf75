// iam::Role: an AWS::IAM::Role assumed by a service, with an inline
// "DefaultPolicy" (AWS::IAM::Policy child, like aws-cdk-lib:
// <Role>/DefaultPolicy/Resource) that holds the statements.
//
// Error codes: see iam/policy_statement.hpp (E770-E779).
#pragma once

#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/iam/policy_statement.hpp"

namespace drsynth::iam {

struct RoleProps {
  std::string role_name{};                 // physical name; empty: CloudFormation generates one
  std::string assumed_by{};                // service principal, e.g. "lambda.amazonaws.com"
  std::vector<Value> managed_policy_arns{};
  std::vector<PolicyStatement> statements{};  // go to the DefaultPolicy
  std::string description{};
};

class Role : public Construct {
 public:
  using Props = RoleProps;
  Role(Construct& scope, std::string id, RoleProps props);

  // Appends a statement to the DefaultPolicy (created on first use).
  void add_to_policy(PolicyStatement statement);
  void add_managed_policy(Value arn);

  [[nodiscard]] Value role_arn() const { return resource_->get_att("Arn"); }
  [[nodiscard]] Value role_name_value() const { return resource_->ref(); }
  [[nodiscard]] CfnResource& resource() const noexcept { return *resource_; }
  // The AWS::IAM::Policy, or nullptr while there are no statements.
  [[nodiscard]] CfnResource* default_policy() const noexcept { return policy_; }
  [[nodiscard]] const RoleProps& props() const noexcept { return props_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.iam.Role"; }

 private:
  void render_statement(const PolicyStatement& s);

  RoleProps props_;
  CfnResource* resource_ = nullptr;
  Construct* policy_scope_ = nullptr;
  CfnResource* policy_ = nullptr;
};

}  // namespace drsynth::iam

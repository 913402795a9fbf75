#include "drsynth/cfn_resource.hpp"

#include <algorithm>

#include "drsynth/stack.hpp"

namespace drsynth {

std::string_view to_cfn(RemovalPolicy p) noexcept {
  switch (p) {
    case RemovalPolicy::destroy: return "Delete";
    case RemovalPolicy::retain: return "Retain";
    case RemovalPolicy::snapshot: return "Snapshot";
  }
  return "Delete";
}

CfnResource::CfnResource(Construct& scope, std::string id, CfnResourceProps props)
    : CfnElement(scope, std::move(id)), type_(std::move(props.type)), properties_(std::move(props.properties)) {}

void CfnResource::add_dependency(const CfnResource& other) {
  if (&other.stack() != &stack()) {
    // Across stacks a DependsOn cannot be expressed: order the stacks instead.
    stack().add_dependency(other.stack(), path() + " depends on " + other.path());
    return;
  }
  if (std::find(depends_on_.begin(), depends_on_.end(), &other) == depends_on_.end()) depends_on_.push_back(&other);
}

void CfnResource::apply_removal_policy(RemovalPolicy p) {
  deletion_policy_ = std::string(to_cfn(p));
  update_replace_policy_ = std::string(to_cfn(p));
}

void CfnResource::suppress_lint(std::string rule, std::string why) {
  Value& cfg = metadata_["cfn-lint"]["config"];
  cfg["ignore_checks"].push_back(Value(std::move(rule)));
  // Kept beside the suppression so whoever reads the template sees the reason.
  metadata_["drsynth:lint-suppression-reasons"].push_back(Value(std::move(why)));
}

void CfnResource::add_override(std::string path, Value v) { overrides_.push_back({std::move(path), std::move(v)}); }
void CfnResource::add_deletion_override(std::string path) { overrides_.push_back({std::move(path), std::nullopt}); }

}  // namespace drsynth

// CfnResource: the L1 resource, the only place a CloudFormation resource entry
// is built. L2 constructs create these and fill their properties.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drsynth/core/cfn_element.hpp"
#include "drsynth/core/entry_writer.hpp"
#include "drsynth/core/removal_policy.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth {

class CfnCondition;

struct CfnResourceProps {
  std::string type;            // e.g. "AWS::RDS::DBInstance"
  Value::Object properties{};  // the Properties section
};

class CfnResource : public CfnElement {
 public:
  using Props = CfnResourceProps;
  CfnResource(Construct& scope, std::string id, CfnResourceProps props);

  [[nodiscard]] const std::string& type() const noexcept { return type_; }
  [[nodiscard]] Value::Object& properties() noexcept { return properties_; }
  [[nodiscard]] const Value::Object& properties() const noexcept { return properties_; }
  void set_property(const std::string& name, Value v) { properties_[name] = std::move(v); }

  // {"Ref": <logical id>} wherever the value ends up being used.
  [[nodiscard]] Value ref() const { return Value::ref(*this); }
  // {"Fn::GetAtt": [<logical id>, attribute]}, e.g. get_att("Endpoint.Address").
  [[nodiscard]] Value get_att(std::string attribute) const { return Value::get_att(*this, std::move(attribute)); }

  // DependsOn. A resource in another stack becomes a stack dependency instead.
  void add_dependency(const CfnResource& other);
  [[nodiscard]] const std::vector<const CfnResource*>& dependencies() const noexcept { return depends_on_; }

  void apply_removal_policy(RemovalPolicy p);
  void set_deletion_policy(std::string policy) { deletion_policy_ = std::move(policy); }
  void set_update_replace_policy(std::string policy) { update_replace_policy_ = std::move(policy); }
  [[nodiscard]] const std::optional<std::string>& deletion_policy() const noexcept { return deletion_policy_; }
  [[nodiscard]] const std::optional<std::string>& update_replace_policy() const noexcept { return update_replace_policy_; }
  // "Condition": the resource exists only when the condition holds. The
  // condition must be in this resource's stack (E213).
  void set_condition(const CfnCondition& condition);
  // The same by logical ID (a condition the template gets some other way).
  void set_condition(std::string condition_logical_id) { condition_ = Value(std::move(condition_logical_id)); }
  [[nodiscard]] const std::optional<Value>& condition() const noexcept { return condition_; }
  [[nodiscard]] Value::Object& metadata() noexcept { return metadata_; }
  [[nodiscard]] const Value::Object& metadata() const noexcept { return metadata_; }
  // Tells cfn-lint to skip one rule on this resource only; `why` is kept next
  // to it in the template metadata so a reviewer sees the reason.
  void suppress_lint(std::string rule, std::string why);

  // Escape hatch: sets a value anywhere in the rendered resource by a dotted
  // path, e.g. add_override("Properties.VpcConfig.SubnetIds", ...). Applied
  // after everything else, in the order given (see Override in entry_writer.hpp).
  void add_override(std::string path, Value v);
  // Removes a value by dotted path (applied like add_override).
  void add_deletion_override(std::string path);
  using Override = drsynth::Override;
  [[nodiscard]] const std::vector<Override>& overrides() const noexcept { return overrides_; }
  // Property `name` as the template holds it once the overrides apply:
  // `overridden` when one reaches it (set, removed, or changed below it);
  // `value` empty when it ends up absent (or an override cannot apply, E236).
  // An L2 construct checks this value where its own prop was overridden, so
  // an override does not slip past its validation.
  struct PropertyAfterOverrides {
    std::optional<Value> value;
    bool overridden = false;
  };
  [[nodiscard]] PropertyAfterOverrides property_after_overrides(std::string_view name) const;

  // Where this resource type keeps its tags: a list of {Key, Value}, a map, or
  // none (property ""). Inherited tags (Tags::of) go there.
  [[nodiscard]] TagFormat tag_format() const noexcept;

  [[nodiscard]] std::string_view section() const noexcept override { return "Resources"; }
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.CfnResource"; }
  void write(EntryWriter& w) const override;
  void review(SafetyReview& review) const override;
  // The literal keys and values of its own tags property against AWS's tag
  // rules (E410), and at most 50 tags with the inherited ones (E411).
  void validate(Validation& v) const override;
  void tree_attributes(TreeAttributes& attributes) const override;

 private:
  std::string type_;
  Value::Object properties_;
  Value::Object metadata_;
  std::vector<const CfnResource*> depends_on_;
  std::optional<std::string> deletion_policy_;
  std::optional<std::string> update_replace_policy_;
  std::optional<Value> condition_;  // a logical ID, or Value::name_of(a CfnCondition)
  std::vector<Override> overrides_;
};

}  // namespace drsynth

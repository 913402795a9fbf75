#include "drsynth/core/cfn_resource.hpp"

#include <algorithm>
#include <set>

#include "drsynth/core/cfn_condition.hpp"
#include "drsynth/core/entry_writer.hpp"
#include "drsynth/core/error.hpp"
#include "drsynth/synth/safety_review.hpp"
#include "drsynth/core/stack.hpp"
#include "core/patch.hpp"
#include "core/tag_rules.hpp"
#include "drsynth/core/error_codes.hpp"

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

void CfnResource::set_condition(const CfnCondition& condition) { condition_ = Value::name_of(condition); }

void CfnResource::suppress_lint(std::string rule, std::string why) {
  Value& cfg = metadata_["cfn-lint"]["config"];
  cfg["ignore_checks"].push_back(Value(std::move(rule)));
  // Kept beside the suppression so whoever reads the template sees the reason.
  metadata_["drsynth:lint-suppression-reasons"].push_back(Value(std::move(why)));
}

void CfnResource::add_override(std::string path, Value v) { overrides_.push_back({std::move(path), std::move(v)}); }
void CfnResource::add_deletion_override(std::string path) { overrides_.push_back({std::move(path), std::nullopt}); }

CfnResource::PropertyAfterOverrides CfnResource::property_after_overrides(std::string_view name) const {
  PropertyAfterOverrides r;
  Value entry = Value::Object{};
  if (const auto it = properties_.find(name); it != properties_.end()) entry["Properties"][name] = it->second;
  for (const auto& o : overrides_) {
    const std::vector<std::string> keys = detail::split_override_path(o.path);
    if (keys[0] != "Properties" || (keys.size() > 1 && keys[1] != name)) continue;
    r.overridden = true;
    try {
      detail::apply_override(entry, keys, o.value, o.path);
    } catch (const Error&) {
      return {std::nullopt, true};  // E236, reported when the template is written
    }
  }
  if (const Value* props = entry.find("Properties"); props != nullptr && props->is_object())
    if (const Value* v = props->find(name); v != nullptr) r.value = *v;
  return r;
}

TagFormat CfnResource::tag_format() const noexcept {
  // From the CloudFormation resource schemas (cfn-lint 1.51): the types
  // drsynth creates that take tags.
  static constexpr std::string_view list_tagged[] = {
      "AWS::CloudWatch::Alarm",       "AWS::EC2::FlowLog",         "AWS::EC2::RouteTable",      "AWS::EC2::SecurityGroup",
      "AWS::EC2::Subnet",             "AWS::EC2::VPC",             "AWS::EC2::VPCEndpoint",
      "AWS::EC2::VPCPeeringConnection", "AWS::Events::Rule",       "AWS::IAM::Role",
      "AWS::KMS::Key",                "AWS::Lambda::Function",     "AWS::Logs::LogGroup",
      "AWS::RDS::DBCluster",          "AWS::RDS::DBClusterParameterGroup", "AWS::RDS::DBInstance",
      "AWS::RDS::DBParameterGroup",   "AWS::RDS::DBSubnetGroup",   "AWS::RDS::EventSubscription", "AWS::RDS::GlobalCluster",
      "AWS::S3::Bucket",              "AWS::SNS::Topic",           "AWS::SQS::Queue",
      "AWS::SecretsManager::Secret",
  };
  if (std::find(std::begin(list_tagged), std::end(list_tagged), type_) != std::end(list_tagged)) return {"Tags", false};
  if (type_ == "AWS::Route53::HostedZone") return {"HostedZoneTags", false};
  if (type_ == "AWS::Route53::HealthCheck") return {"HealthCheckTags", false};
  if (type_ == "AWS::SSM::Parameter") return {"Tags", true};
  return {};
}

void CfnResource::validate(Validation& v) const {
  const TagFormat format = tag_format();
  if (format.property.empty()) return;
  std::set<std::string_view> keys;
  for (const Construct* c = this; c != nullptr; c = c->parent())
    for (const auto& [key, value] : c->tags()) keys.insert(key);
  if (const auto it = properties_.find(format.property); it != properties_.end()) {
    auto check = [&](const std::string& key, const Value* value) {
      detail::check_tag(*this, key, value != nullptr && value->is_string() ? value->as_string() : "", v);
      keys.insert(key);
    };
    const Value& tags = it->second;
    if (format.is_map && tags.is_object()) {
      for (const auto& [key, value] : tags.as_object()) check(key, &value);
    } else if (tags.is_array()) {
      for (const auto& t : tags.as_array())
        if (const Value* key = t.find("Key"); key != nullptr && key->is_string()) check(key->as_string(), t.find("Value"));
    }
  }
  if (keys.size() > detail::max_tags_per_resource)
    v.error(codes::E411, *this, "the resource has more tags than AWS allows (inherited from the scopes above it included)",
            std::to_string(keys.size()) + " tags", "at most " + std::to_string(detail::max_tags_per_resource));
}

// Keys in sorted order; the inherited tags join the resource's own.
void CfnResource::write(EntryWriter& w) const {
  w.begin_entry(overrides_);
  if (condition_ && w.member("Condition")) w.value(*condition_);
  if (deletion_policy_ && w.member("DeletionPolicy")) w.string(*deletion_policy_);
  if (!depends_on_.empty() && w.member("DependsOn", true)) {  // a Value, so overrides may index it
    std::set<std::string_view> ids;
    for (const auto* d : depends_on_) ids.insert(d->logical_id());
    Value::Array names;
    names.reserve(ids.size());
    for (const auto id : ids) names.emplace_back(id);
    w.value(Value(std::move(names)));
  }
  if (!metadata_.empty() && w.member("Metadata", true)) w.object(metadata_);
  const TagFormat format = tag_format();
  static const TagList no_tags;
  const TagList& tags = format.property.empty() ? no_tags : w.inherited_tags(*this);
  if ((!properties_.empty() || !tags.empty()) && w.member("Properties", true)) w.tagged_object(properties_, format, tags);
  if (w.member("Type")) w.string(type_);
  if (update_replace_policy_ && w.member("UpdateReplacePolicy")) w.string(*update_replace_policy_);
  w.end_entry();
}

void CfnResource::tree_attributes(TreeAttributes& attributes) const {
  attributes.emplace_back("aws:cdk:cloudformation:type", type_);
}

void CfnResource::review(SafetyReview& review) const {
  if (!overrides_.empty()) {  // they can change anything: the rules see what the template holds
    review.resource_entry(*this, review.rendered(*this));
    return;
  }
  review.resource(*this, type_, properties_, deletion_policy_ ? &*deletion_policy_ : nullptr,
                  update_replace_policy_ ? &*update_replace_policy_ : nullptr);
}

}  // namespace drsynth

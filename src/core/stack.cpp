#include "drsynth/core/stack.hpp"
#include "core/char_rules.hpp"
#include "core/constants.hpp"
#include "core/regions.hpp"


#include "drsynth/core/cfn_condition.hpp"
#include "drsynth/core/cfn_output.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth {

Stack::Stack(Construct& scope, std::string id, StackProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  if (stack_or_null() != nullptr) fail(codes::E107, path(), "a stack cannot be nested in another stack", path());
  set_stack(this);
  name_ = props_.stack_name.value_or(this->id());
}

std::string Stack::environment_uri() const {
  return "aws://" + props_.env.account.value_or("unknown-account") + "/" + props_.env.region;
}

Value Stack::account_value() const {
  if (props_.env.account) return Value(*props_.env.account);
  return Value::pseudo(Pseudo::account_id);
}

Value Stack::format_arn(std::string_view service, Value resource, std::optional<std::string> region) const {
  const std::string r = region.value_or("${AWS::Region}");
  const std::string account = props_.env.account.value_or("${AWS::AccountId}");
  const std::string head = "arn:${AWS::Partition}:" + std::string(service) + ":" + r + ":" + account + ":";
  if (resource.is_string()) return Value::sub(head + resource.as_string());
  return Value::sub(head + "${Resource}", {{"Resource", std::move(resource)}});
}

void Stack::add_dependency(const Stack& other, std::string reason) {
  if (&other == this) return;
  dependencies_.push_back({&other, std::move(reason)});
}

// Either deploy.sh's bucket (the parameter) or, when the parameter is left
// empty as `cdk deploy` leaves it, the file-asset bucket of the default CDK
// bootstrap stack, where cdk deploy (cdk-assets) publishes the stack's
// <stack>.assets.json: cdk-hnb659fds-assets-ACCOUNT-REGION ("Resource IDs
// created during bootstrapping",
// https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html#bootstrapping-env-default-id).
Value Stack::assets_bucket() {
  if (assets_bucket_ == nullptr) {
    assets_bucket_ = &add<CfnParameter>(
        std::string(detail::assets_bucket_parameter),
        CfnParameterProps{.type = "String",
                          .default_value = Value(""),
                          .description = "S3 bucket in " + region() +
                                         " that holds this stack's asset zips (deploy.sh gives it); empty: the CDK "
                                         "bootstrap bucket, where cdk deploy publishes them"});
    assets_bucket_given_ = &add<CfnCondition>(
        std::string(detail::assets_bucket_parameter) + "Given",
        CfnConditionProps{.expression = condition_not(condition_equals(assets_bucket_->ref(), ""))});
  }
  return fn_if(*assets_bucket_given_, assets_bucket_->ref(),
               Value::sub(std::string(detail::cdk_bootstrap_assets_bucket)));
}

void Stack::validate(Validation& v) const {
  if (name_.size() > 128 || !detail::letter_then(name_, name_.size(), [](char c) { return detail::is_alnum(c) || c == '-'; }))
    v.error(codes::E202, *this, "invalid stack name", "\"" + name_ + "\"",
            "1-128 chars matching ^[a-zA-Z][-a-zA-Z0-9]*$");
  const std::string& region = props_.env.region;
  if (region.empty())
    v.error(codes::E203, *this, "stack has no region", "\"\"", "a region such as us-east-1");
  else if (!detail::is_region_shaped(region))
    v.error(codes::E206, *this, "the stack's region is not an AWS region name", "\"" + region + "\"",
            "a region such as us-east-1 (lower case, ^[a-z]{2}-[a-z]+-[0-9]{1,2}$ or a partition's prefix such as "
            "us-gov-)");
  else if (detail::partition_of(region).empty())
    v.error(codes::E206, *this, "the stack's region is not a region drsynth knows", "\"" + region + "\"",
            "one of " + detail::known_regions_text());
  if (props_.env.account) {
    if (!detail::is_account_id(*props_.env.account))
      v.error(codes::E204, *this, "invalid AWS account id", "\"" + *props_.env.account + "\"", "12 digits");
  }
  if (props_.description && props_.description->size() > 1024)
    v.error(codes::E205, *this, "stack description is too long", std::to_string(props_.description->size()) + " bytes",
            "<= 1024 bytes");
}

}  // namespace drsynth

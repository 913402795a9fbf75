#include "drsynth/rds/subnet_group.hpp"
#include "core/char_rules.hpp"

#include <regex>

#include "drsynth/core/error_codes.hpp"
#include "drsynth/ec2/vpc.hpp"

namespace drsynth::rds {

SubnetGroup::SubnetGroup(Construct& scope, std::string id, SubnetGroupProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Default", CfnResourceProps{.type = "AWS::RDS::DBSubnetGroup"});
  resource_->set_property("DBSubnetGroupDescription", props_.description);
  if (props_.name) resource_->set_property("DBSubnetGroupName", *props_.name);
  resource_->set_property("SubnetIds", Value(props_.vpc->subnet_ids()));
}

void SubnetGroup::validate(Validation& v) const {
  if (props_.description.empty() || props_.description.size() > 255)
    v.error(codes::E738, *this, "subnet group description must be 1-255 characters", props_.description, "a description");
  // ^[a-z0-9._ -]{1,255}$ (char_rules.hpp)
  if (props_.name && (!drsynth::detail::chars_within(*props_.name, 1, 255, [](char c) { return drsynth::detail::is_lower(c) || drsynth::detail::is_digit(c) || c == '.' || c == '_' || c == ' ' || c == '-'; }) || *props_.name == "default"))
    v.error(codes::E738, *this, "subnet group name is invalid", *props_.name,
            "1-255 lowercase letters, digits, '.', '_', '-' or spaces, not \"default\" (AWS stores names lowercased)");
}

}  // namespace drsynth::rds

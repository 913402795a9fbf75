#include "drsynth/rds/parameter_group.hpp"
#include "drsynth/core/error_codes.hpp"
#include "rds/parameter_rules.hpp"

namespace drsynth::rds {

ParameterGroup::ParameterGroup(Construct& scope, std::string id, ParameterGroupProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::RDS::DBParameterGroup"});
  resource_->set_property("Family", family());
  resource_->set_property("Description", props_.description);
  if (props_.name) resource_->set_property("DBParameterGroupName", *props_.name);
  if (!props_.parameters.empty()) resource_->set_property("Parameters", detail::parameters_value(props_.parameters));
}

void ParameterGroup::validate(Validation& v) const {
  // The family is all a parameter group takes from the version: a known major is enough.
  if (!is_known_postgres_major(props_.engine_version))
    v.error(codes::E720, *this, "engine_version: the major version has no PostgreSQL parameter group family drsynth knows",
            props_.engine_version, "a 15.x, 16.x or 17.x version (postgres15/16/17)");
  detail::validate_parameter_group(*this, {.what = "parameter group", .name_code = codes::E733, .params_code = codes::E739},
                                   props_.name, props_.description, props_.parameters, v);
}

}  // namespace drsynth::rds

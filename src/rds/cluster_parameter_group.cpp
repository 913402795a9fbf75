#include "drsynth/rds/cluster_parameter_group.hpp"

#include "drsynth/core/error_codes.hpp"
#include "drsynth/rds/engine_versions.hpp"
#include "rds/parameter_rules.hpp"

namespace drsynth::rds {

ClusterParameterGroup::ClusterParameterGroup(Construct& scope, std::string id, ClusterParameterGroupProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::RDS::DBClusterParameterGroup"});
  resource_->set_property("Family", family());
  resource_->set_property("Description", props_.description);
  if (props_.name) resource_->set_property("DBClusterParameterGroupName", *props_.name);
  // Parameters is required by CloudFormation, even when empty.
  resource_->set_property("Parameters", detail::parameters_value(props_.parameters));
}

void ClusterParameterGroup::validate(Validation& v) const {
  // The family is all a parameter group takes from the version: a known major is enough.
  if (!is_known_major(Engine::aurora_postgresql, props_.engine_version))
    v.error(codes::E931, *this, "engine_version: the major version has no Aurora PostgreSQL parameter group family drsynth knows",
            props_.engine_version, "a 15.x, 16.x or 17.x version (aurora-postgresql15/16/17)");
  detail::validate_parameter_group(*this, {.what = "cluster parameter group", .name_code = codes::E932, .params_code = codes::E932},
                                   props_.name, props_.description, props_.parameters, v);
}

}  // namespace drsynth::rds

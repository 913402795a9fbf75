#include "drsynth/rds/cluster_parameter_group.hpp"

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
  if (!is_supported_aurora_postgres_version(props_.engine_version))
    v.error("E931", *this, "Aurora PostgreSQL engine version is not supported", props_.engine_version,
            "a full minor version cfn-lint accepts for Aurora: 15.8, 15.10, 15.12 to 15.15, 15.17");
  detail::validate_parameter_group(*this, {.what = "cluster parameter group", .name_code = "E932", .params_code = "E932"},
                                   props_.name, props_.description, props_.parameters, v);
}

}  // namespace drsynth::rds

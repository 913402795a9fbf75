// rds::ClusterParameterGroup: an AWS::RDS::DBClusterParameterGroup for Aurora
// PostgreSQL, its family derived from the engine version ("15.12" ->
// "aurora-postgresql15").
//
//   auto& params = stack.add<rds::ClusterParameterGroup>("ClusterParams", {
//       .parameters = {{"shared_preload_libraries", "pg_stat_statements"}, {"log_statement", "ddl"}}});
//
// Family and Description are create-only: changing them replaces the group.
// shared_preload_libraries is static: on an existing cluster it applies at the
// next reboot of each instance (a new cluster starts with it).
//
// Error codes: E931, E932 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/rds/aurora_engine.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::rds {

struct ClusterParameterGroupProps {
  std::string engine_version{default_aurora_postgres_version};
  std::string description{"drsynth Aurora PostgreSQL cluster parameters"};
  std::map<std::string, std::string> parameters{};
  std::optional<std::string> name{};
};

class ClusterParameterGroup : public Construct {
 public:
  using Props = ClusterParameterGroupProps;

  ClusterParameterGroup(Construct& scope, std::string id, ClusterParameterGroupProps props);

  // Ref: the parameter group name.
  [[nodiscard]] Value name() const { return resource_->ref(); }
  [[nodiscard]] std::string family() const { return aurora_parameter_group_family(props_.engine_version); }
  [[nodiscard]] const std::string& engine_version() const noexcept { return props_.engine_version; }
  [[nodiscard]] const std::map<std::string, std::string>& parameters() const noexcept { return props_.parameters; }
  [[nodiscard]] CfnResource& resource() noexcept { return *resource_; }
  [[nodiscard]] const CfnResource& resource() const noexcept { return *resource_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.rds.ClusterParameterGroup"; }

 private:
  ClusterParameterGroupProps props_;
  CfnResource* resource_ = nullptr;
};

}  // namespace drsynth::rds

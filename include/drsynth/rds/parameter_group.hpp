// rds::ParameterGroup: an AWS::RDS::DBParameterGroup for RDS for PostgreSQL,
// its family derived from the engine version ("15.12" -> "postgres15").
//
//   auto& params = stack.add<rds::ParameterGroup>("Params", {.engine_version = "15.12",
//                                                            .parameters = {{"log_statement", "ddl"}}});
//
// Family and Description are create-only: changing them replaces the group.
//
// Error codes: E720, E733, E739 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/rds/engine.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::rds {

struct ParameterGroupProps {
  std::string engine_version{default_postgres_version};
  std::string description{"drsynth PostgreSQL 15 parameters"};
  std::map<std::string, std::string> parameters{};
  std::optional<std::string> name{};
};

class ParameterGroup : public Construct {
 public:
  using Props = ParameterGroupProps;

  ParameterGroup(Construct& scope, std::string id, ParameterGroupProps props);

  // Ref: the parameter group name.
  [[nodiscard]] Value name() const { return resource_->ref(); }
  [[nodiscard]] std::string family() const { return parameter_group_family(props_.engine_version); }
  [[nodiscard]] const std::string& engine_version() const noexcept { return props_.engine_version; }
  [[nodiscard]] CfnResource& resource() noexcept { return *resource_; }
  [[nodiscard]] const CfnResource& resource() const noexcept { return *resource_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.rds.ParameterGroup"; }

 private:
  ParameterGroupProps props_;
  CfnResource* resource_ = nullptr;
};

}  // namespace drsynth::rds

// CfnMapping: an entry of a template's "Mappings" section, a two-level table
// of literals read at deploy time with Fn::FindInMap.
//
//   auto& sizes = stack.add<CfnMapping>("Sizes", {.mapping = {{"us-east-1", {{"Class", "db.r6g.large"}}},
//                                                               {"eu-west-1", {{"Class", "db.r6g.xlarge"}}}}});
//   db.set_property("DBInstanceClass", sizes.find_in_map(Value::pseudo(Pseudo::region), "Class"));
//
// Error codes: E214-E216 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <map>
#include <string>

#include "drsynth/core/cfn_element.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth {

struct CfnMappingProps {
  // top-level key -> (second-level key -> value)
  std::map<std::string, std::map<std::string, Value>> mapping{};
};

class CfnMapping : public CfnElement {
 public:
  using Props = CfnMappingProps;
  CfnMapping(Construct& scope, std::string id, CfnMappingProps props);

  // {"Fn::FindInMap": ["<logical id>", top_level_key, second_level_key]}
  [[nodiscard]] Value find_in_map(Value top_level_key, Value second_level_key) const;
  [[nodiscard]] const CfnMappingProps& props() const noexcept { return props_; }
  [[nodiscard]] std::string_view section() const noexcept override { return "Mappings"; }
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.CfnMapping"; }
  void write(EntryWriter& w) const override;
  void validate(Validation& v) const override;

 private:
  CfnMappingProps props_;
};

}  // namespace drsynth

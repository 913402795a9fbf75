// CfnElement: anything with a logical ID in a stack's template (resources,
// outputs, parameters, conditions).
#pragma once

#include <optional>
#include <string>

#include "drsynth/construct.hpp"

namespace drsynth {

class CfnElement : public Construct {
 public:
  CfnElement(Construct& scope, std::string id);

  // The logical ID: an explicit override, or the aws-cdk-lib algorithm applied
  // to the path below the stack (see logical_id.hpp).
  [[nodiscard]] const std::string& logical_id() const;
  void override_logical_id(std::string id);
  [[nodiscard]] bool logical_id_overridden() const noexcept { return overridden_; }

  // The template section this element renders into: "Resources", "Outputs", ...
  [[nodiscard]] virtual std::string_view section() const noexcept = 0;

 private:
  void adopted() override;  // registers with its stack

  mutable std::optional<std::string> logical_id_;
  bool overridden_ = false;
};

}  // namespace drsynth

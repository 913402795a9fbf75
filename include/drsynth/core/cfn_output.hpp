// Stack outputs and parameters.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drsynth/core/cfn_element.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth {

struct CfnOutputProps {
  Value value;
  std::optional<std::string> description{};
  // Exported under this name (same account and region imports only). Text,
  // parameters and pseudo parameters only: a name that depends on a resource,
  // an import, another stack's output or Fn::GetAZs is E230.
  std::optional<Value> export_name{};
  std::optional<std::string> condition{};
};

class CfnOutput : public CfnElement {
 public:
  using Props = CfnOutputProps;
  CfnOutput(Construct& scope, std::string id, CfnOutputProps props);

  [[nodiscard]] const CfnOutputProps& props() const noexcept { return props_; }
  [[nodiscard]] std::string_view section() const noexcept override { return "Outputs"; }
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.CfnOutput"; }
  void write(EntryWriter& w) const override;
  void review(SafetyReview& review) const override;
  void validate(Validation& v) const override;

 private:
  CfnOutputProps props_;
};

struct CfnParameterProps {
  std::string type = "String";
  std::optional<Value> default_value{};
  std::optional<std::string> description{};
  std::vector<std::string> allowed_values{};
  bool no_echo = false;
};

class CfnParameter : public CfnElement {
 public:
  using Props = CfnParameterProps;
  CfnParameter(Construct& scope, std::string id, CfnParameterProps props);

  [[nodiscard]] const CfnParameterProps& props() const noexcept { return props_; }
  [[nodiscard]] Value ref() const { return Value::ref(*this); }
  [[nodiscard]] std::string_view section() const noexcept override { return "Parameters"; }
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.CfnParameter"; }
  void write(EntryWriter& w) const override;
  void review(SafetyReview& review) const override;

 private:
  CfnParameterProps props_;
};

}  // namespace drsynth

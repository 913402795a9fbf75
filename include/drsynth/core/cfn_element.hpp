// CfnElement: anything with a logical ID in a stack's template (resources,
// outputs, parameters, conditions, mappings). Each kind says which section
// it belongs to and writes its own entry (see entry_writer.hpp); adding an
// element kind is a new class, not an edit of the engine.
#pragma once

#include <optional>
#include <string>

#include "drsynth/core/construct.hpp"

namespace drsynth {

class EntryWriter;
class SafetyReview;

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
  // Writes the entry under its logical ID. The engine runs it once to find
  // the references the entry makes and once to write the text, so it must
  // only write (see entry_writer.hpp).
  virtual void write(EntryWriter& w) const = 0;
  // Hands the parts of the entry the safety rules look at to `review`
  // (safety_review.hpp); nothing by default.
  virtual void review(SafetyReview& review) const;

 private:
  void adopted() override;  // registers with its stack

  mutable std::optional<std::string> logical_id_;
  bool overridden_ = false;
};

}  // namespace drsynth

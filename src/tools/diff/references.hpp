// References inside and between the templates of an assembly: every Ref /
// Fn::GetAtt / Fn::Sub to an element of the same stack, and every value one
// stack takes from another's output (Fn::ImportValue in a region,
// Fn::GetStackOutput across regions). Shared by the diff (what a replaced
// resource changes) and the graph.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/diff/model.hpp"

namespace drsynth::detail {

// `on(path, target, attribute)` for every reference to an element of the
// same template inside `value`; `path` is where, levels joined by '/'
// (starting with `prefix`); `attribute` is "" for Ref. Pseudo parameters
// (AWS::Region, ...) are not elements and are skipped.
void for_each_local_reference(const nlohmann::json& value, const std::string& prefix,
                              const std::function<void(const std::string&, const std::string&, const std::string&)>& on);

struct CrossReference {
  std::string consumer_stack;
  std::string consumer;          // the consumer's element (logical ID)
  std::string consumer_section;  // "Resources" or "Outputs"
  std::string property;          // where in the element: "Properties/SourceDBInstanceIdentifier"
  std::string producer_stack;    // "" when no stack of the assembly has that output
  std::string output;            // the producer's output id
  std::string via;               // "Fn::ImportValue" or "Fn::GetStackOutput"
  std::string producer_element;  // the element the output's value refers to, "" for a literal
  std::string attribute;         // "" for Ref, else the Fn::GetAtt attribute
};

// Every cross-stack reference of the assembly, in stack order, then by consumer and path.
[[nodiscard]] std::vector<CrossReference> cross_references(const AssemblyModel& m);

// Appends `key` to a '/'-joined path.
[[nodiscard]] std::string join_path(const std::string& prefix, const std::string& key);

}  // namespace drsynth::detail

// A cloud assembly seen as CloudFormation sees it: per stack, the template's
// sections, plus what tree.json tells about each element (its construct path)
// and about acknowledgements. Built from an Assembly, whether synthesized in
// memory or read from disk, so both sides of a diff are read the same way.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "drsynth/synth/synth.hpp"

namespace drsynth::detail {

struct StackModel {
  const StackArtifact* artifact = nullptr;
  std::string name;
  std::string region;
  std::string account;  // "unknown-account" when account-agnostic
  std::size_t order = 0;  // position in deployment order
  const nlohmann::json* tmpl = nullptr;
  // Template sections (empty objects when absent).
  const nlohmann::json* resources = nullptr;
  const nlohmann::json* outputs = nullptr;
  const nlohmann::json* parameters = nullptr;
  // logical ID -> construct path, for the elements tree.json accounts for.
  std::unordered_map<std::string, std::string> paths;

  [[nodiscard]] std::string path_of(const std::string& logical_id) const;
};

struct AssemblyModel {
  std::vector<StackModel> stacks;  // deployment order
  // construct path -> its acknowledgements (rule -> reason), from tree.json.
  std::map<std::string, std::map<std::string, std::string>, std::less<>> acknowledgements;
  // every construct path in the tree
  std::map<std::string, std::string, std::less<>> fqn_of;

  [[nodiscard]] const StackModel* find(std::string_view name) const;
  // The reason given for `rule` by the construct at `path` or its nearest
  // ancestor in this tree; nullptr when none.
  [[nodiscard]] const std::string* acknowledgement(std::string_view path, std::string_view rule) const;
};

// The Assembly must outlive the model (it points into its templates).
[[nodiscard]] AssemblyModel build_model(const Assembly& assembly);

// An empty JSON object, for absent sections.
[[nodiscard]] const nlohmann::json& empty_object();

}  // namespace drsynth::detail

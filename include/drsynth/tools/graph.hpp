// The assembly as a diagram: stacks grouped by region, in deployment order,
// optionally with their resources, and the references between them (which
// output feeds which property, Fn::ImportValue within a region,
// Fn::GetStackOutput across regions).
//
//   std::cout << assembly_graph(synthesize(app), {.format = GraphFormat::mermaid});
//
// DOT is for Graphviz (`dot -Tsvg`); Mermaid renders in GitHub's Markdown.
#pragma once

#include <string>

#include "drsynth/synth/synth.hpp"

namespace drsynth {

enum class GraphFormat { dot, mermaid };

struct GraphOptions {
  GraphFormat format = GraphFormat::dot;
  // Draw every resource inside its stack and the references between
  // resources; otherwise one node per stack and one edge per pair of stacks.
  bool resources = false;
};

[[nodiscard]] std::string assembly_graph(const Assembly& assembly, const GraphOptions& options = {});

}  // namespace drsynth

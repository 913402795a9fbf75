// libFuzzer target: bytes as one stack's template and tree.json of a previous
// assembly ("<template>\0<tree.json>") under a fixed manifest, so that most
// inputs reach the diff itself: read_assembly(), diff_assemblies() both ways
// against an assembly synthesized in memory, the text and JSON forms, the
// replacement guard's check and the graph of the assembly read back. Anything
// but a drsynth::Error is a finding. Build: scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static drsynth::App app;
  static const drsynth::Assembly current = fuzz::synthesize_base(app, true);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto nul = input.find('\0');
  const auto& dir = fuzz::fresh_folder("drsynth-diff-fuzz");
  // The manifest of `current`, so that stacks and files match; the input
  // replaces the first stack's template and the tree.
  fuzz::put(dir / "manifest.json", current.manifest_text);
  fuzz::put(dir / "Use-dev.template.json", current.stacks.back().template_text);
  fuzz::put(dir / "Base-dev.template.json", input.substr(0, nul));
  fuzz::put(dir / "tree.json", nul == std::string_view::npos ? std::string_view(current.tree_text) : input.substr(nul + 1));
  try {
    const drsynth::Assembly before = drsynth::read_assembly(dir);
    fuzz::compare(before, current);
    (void)drsynth::assembly_graph(before, {.format = drsynth::GraphFormat::dot, .resources = true});
    (void)drsynth::assembly_graph(before, {.format = drsynth::GraphFormat::mermaid, .resources = true});
  } catch (const drsynth::Error& e) {
    for (const auto& d : e.diagnostics()) (void)d.format();
  }
  return 0;
}

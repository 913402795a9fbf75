// read_assembly() in two steps, for the replacement guard: reading the files
// of an assembly, and checking that its documents are JSON. Synthesizing the
// same system again (the usual case) compares the template bytes first and
// needs no parsing at all.
#pragma once

#include <filesystem>

#include "drsynth/synth/synth.hpp"

namespace drsynth::detail {

struct AssemblyFiles {
  Assembly assembly;               // the texts; the templates not yet parsed
  std::filesystem::path tree_file;  // empty when the manifest names no tree
};

// The manifest (parsed: it says which files are the stacks), the templates and
// (with `with_tree`) tree.json as text. E450 when there is no assembly, E451
// when the manifest is broken or a file it names cannot be read.
[[nodiscard]] AssemblyFiles read_assembly_files(const std::filesystem::path& dir, bool with_tree = true);
// Reads tree.json, when read_assembly_files() left it out (E451 when it cannot).
void read_tree(AssemblyFiles& files);

// E451 when tree.json or a template is not a JSON object.
void check_assembly_json(const AssemblyFiles& files, const std::filesystem::path& dir);

}  // namespace drsynth::detail

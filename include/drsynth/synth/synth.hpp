// Synthesis: the phases that turn a construct tree into a cloud assembly.
//
//   prepare   lock the tree
//   validate  every construct checks its props; all problems are collected
//   render    logical IDs, references across stacks and regions, the stack
//             dependency graph (cycles are errors), one template per stack
//   write     manifest.json, <stack>.template.json, tree.json, assets and the
//             deploy scripts, written to a temporary folder and renamed into
//             place: nothing is written when anything fails.
//
// synthesize() runs the first three; write_assembly() the last.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "drsynth/core/error.hpp"

namespace drsynth {

class App;
class Asset;
class Stack;

struct StackArtifact {
  const Stack* stack = nullptr;
  std::string name;           // the stack name
  std::string region;
  std::string environment;    // aws://ACCOUNT/REGION
  std::string template_file;  // "<name>.template.json"
  std::string template_text;  // the template: the exact bytes written
  std::vector<std::string> dependencies;  // stack names this one depends on, sorted
  std::vector<const Asset*> assets;       // assets its resources use
  // With assets: the asset manifest cdk deploy publishes them (and the
  // template) by, "<name>.assets.json", and its text; empty without.
  std::string assets_file;
  std::string assets_text;
  // Entries in the template's sections (outputs include the resolver's exports).
  std::size_t resource_count = 0;
  std::size_t output_count = 0;
  std::size_t parameter_count = 0;
  // What the safety rules found in this template (render() applies them to
  // each element as it writes it; check_safety() collects them).
  std::vector<Diagnostic> findings;

  // The template as a JSON document, parsed from template_text on the first
  // call and kept (safe to call from several threads). Synthesis never builds
  // it: it is for tests, the assertions library and tools that inspect a
  // template; copies of an artifact share it.
  [[nodiscard]] const nlohmann::json& template_json() const;

 private:
  struct Document;
  static std::shared_ptr<Document> new_document();
  std::shared_ptr<Document> document_ = new_document();
};

struct Assembly {
  std::vector<StackArtifact> stacks;  // in deployment (dependency) order
  std::vector<const Asset*> assets;
  std::vector<Diagnostic> warnings;
  std::string manifest_text;
  std::string tree_text;
  // Stacks of the previous assembly that this one does not hold (a `synth
  // --stack` run): kept in the written folder, outside the manifest
  // (.drsynth-kept/), so that the replacement guard of a later run still
  // compares with them. Read back by read_assembly() as stacks.
  std::vector<StackArtifact> kept_stacks;

  [[nodiscard]] const StackArtifact* find(std::string_view stack_name) const;
};

struct SynthOptions {
  // Only these stacks (by name) and the stacks they depend on; all when empty.
  std::vector<std::string> stacks{};
  // Treat warnings as errors.
  bool strict = false;
  // Threads that write templates: 0 for one per core (at most 8), 1 for the
  // calling thread only. Apps with fewer than 15 stacks always use one. The
  // output is the same bytes whatever the number.
  unsigned threads = 0;
};

// Phase 1: locks the tree against further changes.
void prepare(App& app);
// Phase 2: every construct's validate(); returns errors and warnings.
[[nodiscard]] std::vector<Diagnostic> validate(const App& app);
// Phase 3: resolves references and renders the templates; throws Error.
[[nodiscard]] Assembly render(const App& app, const SynthOptions& options = {});
// Checks the rendered templates against CloudFormation's limits, plus the
// safety rules' findings; returns errors, warnings and notes.
[[nodiscard]] std::vector<Diagnostic> check_assembly(const Assembly& assembly);

// The safety rules' findings over the rendered templates (part of
// check_assembly). render() applies the rules to each element as it writes it
// and keeps the findings in StackArtifact::findings; this collects them. The
// rules:
//   S001 ingress from 0.0.0.0/0 or ::/0
//   S002 IAM action "*" / "<service>:*", or resource "*" for an action that
//        supports resource-level permissions
//   S003 database storage not encrypted (RDS instances and clusters)
//   S004 a plaintext secret: a literal value in a property named like a
//        password or SecretString, a password parameter without NoEcho, or an
//        output that exposes a secret
//   S005 Retain/Snapshot policies or deletion protection when the app is
//        destroyable (context "destroyable": true)
//   S006 a log group without a retention
// Errors by default; a construct acknowledged with the rule (Construct::acknowledge)
// turns findings on its subtree into notes.
[[nodiscard]] std::vector<Diagnostic> check_safety(const Assembly& assembly);

// prepare + validate + render + check. Throws Error with every problem when
// there is any error (or any warning with options.strict).
[[nodiscard]] Assembly synthesize(App& app, const SynthOptions& options = {});

// Phase 4: writes the assembly to outdir atomically. An existing outdir is
// replaced only when it is empty or holds an assembly drsynth wrote, unchanged
// (its .drsynth-assembly.json lists every file with size and SHA-256), and
// only once the new one is complete; anything else is refused (E403-E408)
// and nothing is touched. On failure nothing is left behind. SIGINT, SIGTERM
// and SIGHUP during the write remove the temporary folder and are raised
// again (Interrupted, E409, when the process survives that). Throws Error
// (ErrorKind::io).
void write_assembly(const Assembly& assembly, const std::filesystem::path& outdir);
// The checks write_assembly makes before writing, without touching anything
// (the contents of an existing assembly are compared by size only): for a
// command line that wants to fail before the synthesis.
void check_output_folder(const std::filesystem::path& outdir);

// The AWS CLI commands that deploy (or destroy) the assembly in dependency
// order. Templates over 51,200 bytes and stacks with assets need an S3 bucket.
struct DeployPlanOptions {
  // The folder the commands run in: unset for the scripts written into the
  // assembly (they find their own folder), the -o folder for a printed plan.
  std::optional<std::string> assembly_dir{};
  // Bucket for templates > 51,200 bytes and for assets; "{region}" in the name
  // is replaced by each stack's region (Lambda code must be in the same region).
  std::optional<std::string> s3_bucket{};
};
[[nodiscard]] std::string deploy_script(const Assembly& assembly, const DeployPlanOptions& options = {});
[[nodiscard]] std::string destroy_script(const Assembly& assembly, const DeployPlanOptions& options = {});

// Serializes JSON the way every drsynth file is written: 2-space indent, a final newline.
[[nodiscard]] std::string to_file_text(const nlohmann::json& j);

}  // namespace drsynth

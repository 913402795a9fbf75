// The synthesis engine's own functions, shared by its files and by the
// benchmark; not part of the public API. Each pass of render() (see
// render.cpp for the list) has a file of its own.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/constants.hpp"
#include "drsynth/core/error.hpp"

namespace drsynth {
class App;
class Stack;
struct Assembly;
struct StackArtifact;
}  // namespace drsynth

namespace drsynth::detail {

// The app's stacks in tree order (stacks do not nest, so the walk stops at them).
[[nodiscard]] std::vector<const Stack*> stacks_of(const App& app);

// Stack names unique, and none named like the tree artifact (E305).
void check_stack_names(const std::vector<const Stack*>& stacks, std::vector<Diagnostic>& errors);
// Logical IDs unique within the stack (E301).
void check_logical_ids(const Stack& s, std::vector<Diagnostic>& errors);

// What CloudFormation would refuse in a written template (template_check.cpp):
// names that are not in it (E231), cycles (E232), types (E233), its shape (E234).
void check_template(const Stack& s, std::string_view text, std::vector<Diagnostic>& errors);

// manifest.json for the assembly's stacks (in deployment order), with an
// asset-manifest artifact before each stack that has one.
[[nodiscard]] std::string manifest_text(const Assembly& a);
// <stack>.assets.json of a stack with assets (asset_manifest.cpp).
[[nodiscard]] std::string asset_manifest_text(const StackArtifact& s);
// `text` (a name of the CDK bootstrap stack, constants.hpp) with the stack's
// region and, when it has one, account in place of the placeholders.
[[nodiscard]] std::string cdk_bootstrap_name(std::string_view text, const StackArtifact& s);
// The key the template is published under in the bootstrap bucket: <sha256>.json.
[[nodiscard]] std::string template_asset_key(const StackArtifact& s);

// tree.json: every construct with its path, type and (for resources) CloudFormation type.
[[nodiscard]] nlohmann::json tree_json(const App& app);
// The same, as the text dump_checked(tree_json(app)) gives, built directly.
// `expected_size` reserves room up front: a text that grows by doubling
// touches (page-faults) about twice its size.
[[nodiscard]] std::string tree_text(const App& app, std::size_t expected_size = 0);

// 2-space JSON with a final newline; invalid UTF-8 becomes Error E401 naming the path.
[[nodiscard]] std::string dump_checked(const nlohmann::json& j, const std::string& path);

// Runs fn(worker, i) for every i in [0, count) on up to `threads` threads
// (0: one per core, at most 8; fewer than 16 items run on the calling thread,
// as worker 0); `worker` < workers(count, threads) tells each thread's own
// state apart. Items are taken in order from a shared counter. The first
// exception an item throws is rethrown once every thread has stopped.
[[nodiscard]] unsigned workers(std::size_t count, unsigned threads) noexcept;
void parallel_for(std::size_t count, unsigned threads, const std::function<void(unsigned, std::size_t)>& fn);

// Where render() spent its time, for the benchmark (bench/). Overwritten by each render().
struct RenderTimings {
  double resolve_seconds = 0;  // names, references, deployment order, selection, manifest
  double render_seconds = 0;   // the templates (with the safety review) and tree.json written as text
};
[[nodiscard]] RenderTimings& last_render_timings() noexcept;

}  // namespace drsynth::detail

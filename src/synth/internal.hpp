// Helpers shared by the synthesis phases; not part of the public API.
#pragma once

#include <nlohmann/json.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "drsynth/value.hpp"

#include "drsynth/error.hpp"

namespace drsynth {
class App;
class CfnOutput;
class CfnParameter;
class CfnResource;
class Stack;
}

namespace drsynth::internal {

// The cloud-assembly schema version written to manifest.json: one that both
// aws-cdk@2 and the older aws-cdk@3.0.0 build on npm accept.
inline constexpr const char* manifest_version = "36.0.0";

// Where a resource type keeps its tags: the property name ("" when the type
// has no tags) and whether it is a map (SSM parameters) or a list of {Key, Value}.
struct TagFormat {
  std::string_view property;
  bool is_map = false;
};
[[nodiscard]] TagFormat tag_format(std::string_view resource_type) noexcept;

// 2-space JSON with a final newline; invalid UTF-8 becomes Error E401 naming the path.
[[nodiscard]] std::string dump_checked(const nlohmann::json& j, const std::string& path);

// The safety rules (S001-S006, see check_safety) for one element as it
// renders; findings are appended to `out`.
class SafetyRules {
 public:
  explicit SafetyRules(const App& app);  // reads the context "destroyable"
  // `entry`: what r renders to when it has overrides (built by the renderer), else nullptr.
  void resource(const CfnResource& r, const Value* entry, std::vector<Diagnostic>& out) const;
  void output(const CfnOutput& o, std::vector<Diagnostic>& out) const;
  void parameter(const CfnParameter& p, std::vector<Diagnostic>& out) const;

 private:
  bool destroyable_ = false;
};

// Runs fn(worker, i) for every i in [0, count) on up to `threads` threads
// (0: one per core, at most 8; fewer than 16 items run on the calling thread,
// as worker 0); `worker` < workers(count, threads) tells each thread's own
// state apart. Items are taken in order from a shared counter. The first
// exception an item throws is rethrown once every thread has stopped.
[[nodiscard]] unsigned workers(std::size_t count, unsigned threads) noexcept;
void parallel_for(std::size_t count, unsigned threads, const std::function<void(unsigned, std::size_t)>& fn);

// The app's stacks in tree order (stacks do not nest, so the walk stops at them).
[[nodiscard]] std::vector<const Stack*> stacks_of(const App& app);

// Where render() spent its time, for the benchmark (bench/). Overwritten by each render().
struct RenderTimings {
  double resolve_seconds = 0;  // logical IDs, cross-stack references, exports, deployment order, manifest
  double render_seconds = 0;   // the templates and tree.json written as text
};
[[nodiscard]] RenderTimings& last_render_timings() noexcept;

// tree.json: every construct with its path, type and (for resources) CloudFormation type.
[[nodiscard]] nlohmann::json tree_json(const App& app);
// The same, as the text dump_checked(tree_json(app)) gives, built directly.
// `expected_size` reserves room up front: a text that grows by doubling
// touches (page-faults) about twice its size.
[[nodiscard]] std::string tree_text(const App& app, std::size_t expected_size = 0);

}  // namespace drsynth::internal

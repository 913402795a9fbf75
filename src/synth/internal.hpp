// Helpers shared by the synthesis phases; not part of the public API.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace drsynth {
class App;
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
[[nodiscard]] std::string dump_checked(const nlohmann::ordered_json& j, const std::string& path);

// Where render() spent its time, for the benchmark (bench/): building the
// resolved template documents (logical IDs, references, exports, dependency
// order, tree.json) versus serializing them to text. Overwritten by each render().
struct RenderTimings {
  double resolve_seconds = 0;    // render() total minus serialize_seconds
  double serialize_seconds = 0;  // every dump_checked() call of the render
};
[[nodiscard]] RenderTimings& last_render_timings() noexcept;

// tree.json: every construct with its path, type and (for resources) CloudFormation type.
[[nodiscard]] nlohmann::json tree_json(const App& app);
// The same, as the text dump_checked(tree_json(app)) gives, built directly.
[[nodiscard]] std::string tree_text(const App& app);

}  // namespace drsynth::internal

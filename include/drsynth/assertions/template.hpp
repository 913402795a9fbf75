// Template assertions for tests, in the spirit of aws-cdk-lib/assertions:
// synthesize an app in memory, then ask for resources of a type whose
// properties match a pattern, count them, or check a property is absent.
//
//   auto t = assertions::Template::from_app(app, "DrPrimary-dev");
//   t.has_resource_properties("AWS::RDS::DBInstance", {{"MultiAZ", true}});
//   t.has_resource_properties("AWS::RDS::DBInstance", {{"MasterUsername", assertions::absent()}});
//   t.resource_count_is("AWS::EC2::Subnet", 2);
//
// Patterns match like CDK's objectLike: an object pattern matches an object
// holding at least those keys with matching values; arrays match element by
// element and must have the same length (use array_with() for "contains");
// absent() requires the key to be missing; any_value() matches anything.
// A failed assertion throws AssertionError with what was expected and what
// the template holds.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "drsynth/synth/synth.hpp"

namespace drsynth {
class App;
}

namespace drsynth::assertions {

class AssertionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Matcher markers usable anywhere inside a pattern.
[[nodiscard]] nlohmann::json absent();
[[nodiscard]] nlohmann::json any_value();
[[nodiscard]] nlohmann::json array_with(nlohmann::json items);
// A string matching this ECMAScript regular expression.
[[nodiscard]] nlohmann::json string_like(std::string regex);

// Whether `actual` matches `pattern`; on mismatch `why` says where.
[[nodiscard]] bool matches(const nlohmann::json& pattern, const nlohmann::json& actual, std::string* why = nullptr);

class Template {
 public:
  explicit Template(nlohmann::json template_json) : json_(std::move(template_json)) {}
  // Synthesizes the app (all phases but writing) and takes one stack's template.
  [[nodiscard]] static Template from_app(App& app, std::string_view stack_name);
  [[nodiscard]] static Template from_assembly(const Assembly& assembly, std::string_view stack_name);

  [[nodiscard]] const nlohmann::json& json() const noexcept { return json_; }

  // Logical IDs of the resources of `type` whose Properties match `properties`.
  [[nodiscard]] std::vector<std::string> find_resources(std::string_view type,
                                                        const nlohmann::json& properties = nlohmann::json::object()) const;
  // The whole resource entry (Type, Properties, DependsOn, ...) by logical ID.
  [[nodiscard]] const nlohmann::json& resource(std::string_view logical_id) const;
  // The only resource of `type` matching `properties`; throws unless exactly one.
  [[nodiscard]] const nlohmann::json& only_resource(std::string_view type,
                                                    const nlohmann::json& properties = nlohmann::json::object()) const;

  void has_resource_properties(std::string_view type, const nlohmann::json& properties) const;
  // Matches the whole entry: {"DeletionPolicy": "Delete", "Properties": {...}}.
  void has_resource(std::string_view type, const nlohmann::json& entry) const;
  void resource_count_is(std::string_view type, std::size_t count) const;
  void has_output(std::string_view logical_id, const nlohmann::json& pattern) const;
  // Every resource of `type` matches `properties` (for "no X anywhere" rules).
  void all_resources_match(std::string_view type, const nlohmann::json& properties) const;

 private:
  nlohmann::json json_;
};

}  // namespace drsynth::assertions

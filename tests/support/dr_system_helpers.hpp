// Helpers for the DR system's template tests (dr_system_*_test.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "drsynth/assertions/template.hpp"
#include "drsynth/core/error.hpp"
#include "drsynth/synth/synth.hpp"

namespace dr_test::helpers {

using drsynth::Assembly;
using drsynth::Error;
using drsynth::assertions::Template;
using nlohmann::json;
namespace fs = std::filesystem;

inline std::vector<std::string> stack_names(const std::string& suffix) {
  return {"DrBase-" + suffix, "DrPrimary-" + suffix, "DrReplica-" + suffix, "DrPrimaryRoutes-" + suffix, "DrFailover-" + suffix};
}

inline std::string all_diagnostics(const Error& e) {
  std::string s;
  for (const auto& d : e.diagnostics()) s += d.format() + "\n";
  return s;
}

inline const json& properties(const json& resource) {
  static const json empty = json::object();
  return resource.contains("Properties") ? resource["Properties"] : empty;
}

// Calls f(stack artifact, logical ID, resource entry) for every resource of every template.
template <class F>
void each_resource(const Assembly& a, F&& f) {
  for (const auto& s : a.stacks)
    for (const auto& [id, r] : s.template_json()["Resources"].items()) f(s, id, r);
}

// The logical IDs of the resources of `type` in a template.
inline std::vector<std::string> ids_of(const Template& t, std::string_view type) { return t.find_resources(type); }

inline bool depends_on(const json& resource, const std::string& id) {
  if (!resource.contains("DependsOn")) return false;
  const json& d = resource["DependsOn"];
  if (d.is_string()) return d == id;
  return std::find(d.begin(), d.end(), json(id)) != d.end();
}

inline bool contains(const json& haystack, std::string_view needle) { return haystack.dump().find(needle) != std::string::npos; }

// "10.1.0.0/16" -> (first address, prefix length).
inline std::pair<std::uint32_t, int> cidr(const std::string& text) {
  static const std::regex re(R"(^(\d+)\.(\d+)\.(\d+)\.(\d+)/(\d+)$)");
  std::smatch m;
  if (!std::regex_match(text, m, re)) throw std::runtime_error("not a CIDR: " + text);
  std::uint32_t a = 0;
  for (int i = 1; i <= 4; ++i) a = a << 8 | static_cast<std::uint32_t>(std::stoul(m[i]));
  return {a, std::stoi(m[5])};
}
inline bool cidrs_overlap(const std::string& x, const std::string& y) {
  const auto a = cidr(x);
  const auto b = cidr(y);
  const int len = std::min(a.second, b.second);
  const std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
  return (a.first & mask) == (b.first & mask);
}

// Actions and resources of a policy statement, as lists.
inline std::vector<json> as_list(const json& j) {
  if (j.is_array()) return {j.begin(), j.end()};
  return {j};
}

// The resource a value in `stack`'s template points at: {"Ref": id} or
// {"Fn::GetAtt": [id, ...]} in the same template, or the output another
// stack exports ({"Fn::ImportValue": "<stack>:<output>"}) or another region's
// stack gives ({"Fn::GetStackOutput": {...}}), followed to its resource.
// Returns the producer stack's name and the resource (null when not found).
inline std::pair<std::string, json> referenced_resource(const Assembly& a, const std::string& stack, const json& v) {
  const auto* s = a.find(stack);
  if (s == nullptr || !v.is_object()) return {stack, nullptr};
  const json& t = s->template_json();
  auto local = [&](const std::string& id) -> std::pair<std::string, json> {
    if (t["Resources"].contains(id)) return {stack, t["Resources"][id]};
    return {stack, nullptr};
  };
  if (v.contains("Ref")) return local(v["Ref"]);
  if (v.contains("Fn::GetAtt")) return local(v["Fn::GetAtt"][0]);
  std::string producer;
  std::string output;
  if (v.contains("Fn::ImportValue")) {
    const std::string name = v["Fn::ImportValue"];
    producer = name.substr(0, name.find(':'));
    output = name.substr(name.find(':') + 1);
  } else if (v.contains("Fn::GetStackOutput")) {
    producer = v["Fn::GetStackOutput"]["StackName"];
    output = v["Fn::GetStackOutput"]["OutputName"];
  } else {
    return {stack, nullptr};
  }
  const auto* p = a.find(producer);
  if (p == nullptr || !p->template_json()["Outputs"].contains(output)) return {producer, nullptr};
  return referenced_resource(a, producer, p->template_json()["Outputs"][output]["Value"]);
}

// The one resource of `type` whose properties match `props`.
inline json one_resource(const Template& t, std::string_view type, const json& props) {
  const auto ids = t.find_resources(type, props);
  INFO(type << " " << props.dump());
  REQUIRE(ids.size() == 1);
  return t.resource(ids.front());
}
inline json function_named(const Template& t, const std::string& name) {
  return properties(one_resource(t, "AWS::Lambda::Function", {{"FunctionName", name}}));
}
inline json alarm_named(const Template& t, const std::string& name) {
  return properties(one_resource(t, "AWS::CloudWatch::Alarm", {{"AlarmName", name}}));
}

// Every statement of the policy of the role of the function named `function`.
inline json statements_of(const Template& t, const std::string& function) {
  const std::string role = function_named(t, function)["Role"]["Fn::GetAtt"][0];
  for (const auto& id : t.find_resources("AWS::IAM::Policy"))
    if (properties(t.resource(id))["Roles"][0] == json{{"Ref", role}})
      return properties(t.resource(id))["PolicyDocument"]["Statement"];
  FAIL("no policy for " << function);
  return {};
}

// Restores the working folder at scope exit.
struct InFolder {
  fs::path old = fs::current_path();
  explicit InFolder(const fs::path& dir) { fs::current_path(dir); }
  ~InFolder() { fs::current_path(old); }
  InFolder(const InFolder&) = delete;
  InFolder& operator=(const InFolder&) = delete;
};

}  // namespace dr_test::helpers

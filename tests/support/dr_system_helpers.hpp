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

#include "drsynth/assertions.hpp"
#include "drsynth/error.hpp"
#include "drsynth/synth.hpp"

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

// Restores the working folder at scope exit.
struct InFolder {
  fs::path old = fs::current_path();
  explicit InFolder(const fs::path& dir) { fs::current_path(dir); }
  ~InFolder() { fs::current_path(old); }
  InFolder(const InFolder&) = delete;
  InFolder& operator=(const InFolder&) = delete;
};

}  // namespace dr_test::helpers

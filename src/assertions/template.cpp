#include "drsynth/assertions/template.hpp"

#include <regex>

#include "drsynth/core/app.hpp"

namespace drsynth::assertions {

using njson = nlohmann::json;

namespace {
constexpr const char* marker = "$drsynth.match";
const njson& empty_object() {
  static const njson e = njson::object();
  return e;
}
}  // namespace

njson absent() { return njson{{marker, "absent"}}; }
njson any_value() { return njson{{marker, "any"}}; }
// `array_with({x})` with one JSON value x is an array of x for GCC and a copy
// of x for Clang (nlohmann/json's FAQ, "brace initialization"): a value that
// is not an array is the one item, so both compilers mean the same.
njson array_with(njson items) {
  if (!items.is_array()) items = njson::array({std::move(items)});
  return njson{{marker, "array_with"}, {"items", std::move(items)}};
}
njson string_like(std::string regex) { return njson{{marker, "string_like"}, {"regex", std::move(regex)}}; }

namespace {
std::string short_dump(const njson& j) {
  std::string s = j.dump();
  return s.size() > 300 ? s.substr(0, 300) + "..." : s;
}

bool match_at(const njson& pattern, const njson* actual, const std::string& where, std::string* why) {
  auto miss = [&](const std::string& what) {
    if (why != nullptr) *why = (where.empty() ? std::string("<root>") : where) + ": " + what;
    return false;
  };
  if (pattern.is_object() && pattern.contains(marker)) {
    const std::string kind = pattern[marker];
    if (kind == "absent") return actual == nullptr ? true : miss("expected absent, got " + short_dump(*actual));
    if (actual == nullptr) return miss("missing");
    if (kind == "any") return true;
    if (kind == "string_like") {
      if (!actual->is_string()) return miss("expected a string, got " + short_dump(*actual));
      return std::regex_search(actual->get<std::string>(), std::regex(pattern["regex"].get<std::string>()))
                 ? true
                 : miss("expected a string like /" + pattern["regex"].get<std::string>() + "/, got " + short_dump(*actual));
    }
    if (kind == "array_with") {
      if (!actual->is_array()) return miss("expected an array, got " + short_dump(*actual));
      for (const auto& item : pattern["items"]) {
        bool found = false;
        for (const auto& a : *actual) found = found || match_at(item, &a, where, nullptr);
        if (!found) return miss("no element matches " + short_dump(item) + " in " + short_dump(*actual));
      }
      return true;
    }
  }
  if (actual == nullptr) return miss("missing, expected " + short_dump(pattern));
  if (pattern.is_object()) {
    if (!actual->is_object()) return miss("expected an object, got " + short_dump(*actual));
    for (const auto& [k, v] : pattern.items()) {
      auto it = actual->find(k);
      if (!match_at(v, it == actual->end() ? nullptr : &*it, where + "/" + k, why)) return false;
    }
    return true;
  }
  if (pattern.is_array()) {
    if (!actual->is_array()) return miss("expected an array, got " + short_dump(*actual));
    if (pattern.size() != actual->size())
      return miss("expected " + std::to_string(pattern.size()) + " elements, got " + short_dump(*actual));
    for (std::size_t i = 0; i < pattern.size(); ++i)
      if (!match_at(pattern[i], &(*actual)[i], where + "/" + std::to_string(i), why)) return false;
    return true;
  }
  // Numbers compare by value (1 == 1.0).
  if (pattern.is_number() && actual->is_number()) {
    return pattern.get<double>() == actual->get<double>() ? true : miss("expected " + pattern.dump() + ", got " + actual->dump());
  }
  return pattern == *actual ? true : miss("expected " + short_dump(pattern) + ", got " + short_dump(*actual));
}
}  // namespace

bool matches(const njson& pattern, const njson& actual, std::string* why) { return match_at(pattern, &actual, "", why); }

Template Template::from_app(App& app, std::string_view stack_name) {
  return from_assembly(synthesize(app), stack_name);
}

Template Template::from_assembly(const Assembly& assembly, std::string_view stack_name) {
  const auto* s = assembly.find(stack_name);
  if (s == nullptr) throw AssertionError("no stack named " + std::string(stack_name) + " in the assembly");
  return Template(s->template_json());
}

std::vector<std::string> Template::find_resources(std::string_view type, const njson& properties) const {
  std::vector<std::string> ids;
  if (!json_.contains("Resources")) return ids;
  for (const auto& [id, r] : json_["Resources"].items()) {
    if (r.value("Type", "") != type) continue;
    const njson& props = r.contains("Properties") ? r["Properties"] : empty_object();
    if (matches(properties, props)) ids.push_back(id);
  }
  return ids;
}

const njson& Template::resource(std::string_view logical_id) const {
  const std::string id(logical_id);
  if (!json_.contains("Resources") || !json_["Resources"].contains(id))
    throw AssertionError("no resource with logical ID " + id);
  return json_["Resources"][id];
}

const njson& Template::only_resource(std::string_view type, const njson& properties) const {
  auto ids = find_resources(type, properties);
  if (ids.size() != 1)
    throw AssertionError("expected exactly one " + std::string(type) + " matching " + short_dump(properties) +
                         ", found " + std::to_string(ids.size()));
  return resource(ids.front());
}

void Template::has_resource_properties(std::string_view type, const njson& properties) const {
  has_resource(type, njson{{"Properties", properties}});
}

void Template::has_resource(std::string_view type, const njson& entry) const {
  std::string closest;
  int candidates = 0;
  if (json_.contains("Resources")) {
    for (const auto& [id, r] : json_["Resources"].items()) {
      if (r.value("Type", "") != type) continue;
      ++candidates;
      njson actual = r;
      if (!actual.contains("Properties")) actual["Properties"] = njson::object();
      std::string why;
      if (matches(entry, actual, &why)) return;
      closest += "\n  " + id + " " + why;
    }
  }
  throw AssertionError("no " + std::string(type) + " matches " + short_dump(entry) + " (" + std::to_string(candidates) +
                       " of that type)" + closest);
}

void Template::resource_count_is(std::string_view type, std::size_t count) const {
  const auto n = find_resources(type).size();
  if (n != count)
    throw AssertionError("expected " + std::to_string(count) + " " + std::string(type) + ", found " + std::to_string(n));
}

void Template::has_output(std::string_view logical_id, const njson& pattern) const {
  const std::string id(logical_id);
  if (!json_.contains("Outputs") || !json_["Outputs"].contains(id)) throw AssertionError("no output " + id);
  std::string why;
  if (!matches(pattern, json_["Outputs"][id], &why)) throw AssertionError("output " + id + ": " + why);
}

void Template::all_resources_match(std::string_view type, const njson& properties) const {
  if (!json_.contains("Resources")) return;
  for (const auto& [id, r] : json_["Resources"].items()) {
    if (r.value("Type", "") != type) continue;
    const njson& props = r.contains("Properties") ? r["Properties"] : empty_object();
    std::string why;
    if (!matches(properties, props, &why)) throw AssertionError(id + ": " + why);
  }
}

}  // namespace drsynth::assertions

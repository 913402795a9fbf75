#include "tools/diff/references.hpp"

#include "core/sub_names.hpp"

namespace drsynth::detail {

std::string join_path(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "/" + key;
}

namespace {

using Visitor = std::function<void(const std::string&, const std::string&, const std::string&)>;

void sub_references(const std::string& text, const std::string& path, const Visitor& on) {
  for_each_sub_name(text, [&](const std::string& name, const std::string& attribute) { on(path, name, attribute); });
}

void walk(const nlohmann::json& v, const std::string& path, const Visitor& on) {
  if (v.is_object()) {
    if (v.size() == 1) {
      const std::string& key = v.begin().key();
      const nlohmann::json& arg = v.begin().value();
      if (key == "Ref" && arg.is_string()) {
        if (arg.get<std::string>().rfind("AWS::", 0) != 0) on(path, arg.get<std::string>(), "");
        return;
      }
      if (key == "Fn::GetAtt") {
        if (arg.is_array() && arg.size() == 2 && arg[0].is_string() && arg[1].is_string()) {
          on(path, arg[0].get<std::string>(), arg[1].get<std::string>());
          return;
        }
        if (arg.is_string()) {  // "Db.Endpoint.Address"
          const std::string s = arg.get<std::string>();
          const std::size_t dot = s.find('.');
          on(path, s.substr(0, dot), dot == std::string::npos ? "" : s.substr(dot + 1));
          return;
        }
      }
      if (key == "Fn::Sub") {
        if (arg.is_string()) sub_references(arg.get<std::string>(), path, on);
        if (arg.is_array() && !arg.empty()) {
          if (arg[0].is_string()) sub_references(arg[0].get<std::string>(), path, on);
          if (arg.size() > 1) walk(arg[1], path, on);
        }
        return;
      }
    }
    for (const auto& [key, child] : v.items()) walk(child, join_path(path, key), on);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) walk(v[i], join_path(path, std::to_string(i)), on);
  }
}

using CrossVisitor = std::function<void(const std::string& path, const nlohmann::json& intrinsic, const std::string& kind)>;

void walk_cross(const nlohmann::json& v, const std::string& path, const CrossVisitor& on) {
  if (v.is_object()) {
    if (v.size() == 1) {
      const std::string& key = v.begin().key();
      const nlohmann::json& arg = v.begin().value();
      if (key == "Fn::ImportValue" || key == "Fn::GetStackOutput") {
        on(path, arg, key);
        return;
      }
    }
    for (const auto& [key, child] : v.items()) walk_cross(child, join_path(path, key), on);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) walk_cross(v[i], join_path(path, std::to_string(i)), on);
  }
}

std::string string_member(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The element and attribute an output's value is (a plain Ref or Fn::GetAtt).
void output_source(const nlohmann::json& output, CrossReference& r) {
  auto value = output.find("Value");
  if (value == output.end()) return;
  walk(*value, "", [&](const std::string&, const std::string& target, const std::string& attribute) {
    if (r.producer_element.empty()) {
      r.producer_element = target;
      r.attribute = attribute;
    }
  });
}

}  // namespace

void for_each_local_reference(const nlohmann::json& value, const std::string& prefix, const Visitor& on) {
  walk(value, prefix, on);
}

std::vector<CrossReference> cross_references(const AssemblyModel& m) {
  std::vector<CrossReference> out;
  for (const auto& s : m.stacks) {
    auto visit = [&](const char* section, const nlohmann::json& elements) {
      for (const auto& item : elements.items()) {
        // Named, not structured bindings: Clang 14 (the fuzz build) cannot capture those.
        const std::string& id = item.key();
        const auto& entry = item.value();
        walk_cross(entry, "", [&](const std::string& path, const nlohmann::json& arg, const std::string& kind) {
          CrossReference r{.consumer_stack = s.name, .consumer = id, .consumer_section = section, .property = path,
                           .producer_stack = {}, .output = {}, .via = kind, .producer_element = {}, .attribute = {}};
          if (kind == "Fn::GetStackOutput") {
            r.output = string_member(arg, "OutputName");
            const std::string stack_name = string_member(arg, "StackName");
            if (const StackModel* p = m.find(stack_name); p != nullptr && p->outputs->contains(r.output)) {
              r.producer_stack = p->name;
              output_source((*p->outputs)[r.output], r);
            } else {
              r.producer_stack = stack_name;
            }
          } else if (arg.is_string()) {
            // An export name: find the output that exports it, in the consumer's region and account.
            const std::string name = arg.get<std::string>();
            for (const auto& p : m.stacks) {
              if (p.region != s.region || p.account != s.account) continue;
              for (const auto& [oid, o] : p.outputs->items())
                if (o.is_object() && o.contains("Export") && string_member(o["Export"], "Name") == name) {
                  r.producer_stack = p.name;
                  r.output = oid;
                  output_source(o, r);
                }
            }
            if (r.output.empty()) r.output = name;
          }
          out.push_back(std::move(r));
        });
      }
    };
    visit("Resources", *s.resources);
    visit("Outputs", *s.outputs);
  }
  return out;
}

}  // namespace drsynth::detail

#include "tools/diff/model.hpp"

#include <algorithm>

#include "drsynth/core/logical_id.hpp"
#include "drsynth/core/stack.hpp"

namespace drsynth::detail {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// An element of the tree: a resource (with its type), an output or a parameter.
struct TreeElement {
  std::string path;
  std::string section;  // "Resources", "Outputs", "Parameters"
  std::string type;     // resources only
};

struct TreeStack {
  std::string path;
  std::vector<TreeElement> elements;
};

constexpr std::size_t no_stack = static_cast<std::size_t>(-1);

// Collects the tree's stacks and their elements, the acknowledgements and the fqns.
void walk_tree(const nlohmann::json& node, std::size_t current, std::vector<TreeStack>& stacks, AssemblyModel& m) {
  if (!node.is_object()) return;
  const auto path_it = node.find("path");
  const std::string path = path_it != node.end() && path_it->is_string() ? path_it->get<std::string>() : "";
  std::string fqn;
  if (auto info = node.find("constructInfo"); info != node.end() && info->is_object())
    if (auto f = info->find("fqn"); f != info->end() && f->is_string()) fqn = f->get<std::string>();
  m.fqn_of[path] = fqn;
  if (auto acks = node.find("acknowledgements"); acks != node.end() && acks->is_object())
    for (const auto& [rule, why] : acks->items())
      if (why.is_string()) m.acknowledgements[path][rule] = why.get<std::string>();
  if (fqn == "drsynth.Stack") {
    stacks.push_back({path, {}});
    current = stacks.size() - 1;
  } else if (current != no_stack) {
    std::string type;
    if (auto attrs = node.find("attributes"); attrs != node.end() && attrs->is_object())
      if (auto t = attrs->find("aws:cdk:cloudformation:type"); t != attrs->end() && t->is_string())
        type = t->get<std::string>();
    if (!type.empty())
      stacks[current].elements.push_back({path, "Resources", type});
    else if (fqn == "drsynth.CfnOutput")
      stacks[current].elements.push_back({path, "Outputs", ""});
    else if (fqn == "drsynth.CfnParameter")
      stacks[current].elements.push_back({path, "Parameters", ""});
  }
  if (auto children = node.find("children"); children != node.end() && children->is_object())
    for (const auto& [id, child] : children->items()) walk_tree(child, current, stacks, m);
}

const nlohmann::json& section(const nlohmann::json& tmpl, const char* name) {
  if (auto it = tmpl.find(name); it != tmpl.end() && it->is_object()) return *it;
  return empty_object();
}

// The logical ID an element at `path` gets in the stack at `stack_path`.
std::string logical_id_below(const std::string& stack_path, const std::string& path) {
  const std::string_view below = std::string_view(path).substr(stack_path.size() + (stack_path.empty() ? 0 : 1));
  return make_logical_id(split_path(below));
}

// Does the element computed for `e` exist in `s` (same section, same type)?
bool matches(const StackModel& s, const TreeElement& e, const std::string& id) {
  const nlohmann::json& sec = e.section == "Resources" ? *s.resources : e.section == "Outputs" ? *s.outputs : *s.parameters;
  auto it = sec.find(id);
  if (it == sec.end()) return false;
  if (e.section != "Resources") return true;
  auto t = it->find("Type");
  return t != it->end() && t->is_string() && t->get<std::string>() == e.type;
}

}  // namespace

const nlohmann::json& empty_object() {
  static const nlohmann::json empty = nlohmann::json::object();
  return empty;
}

std::string StackModel::path_of(const std::string& logical_id) const {
  auto it = paths.find(logical_id);
  return it == paths.end() ? std::string() : it->second;
}

const StackModel* AssemblyModel::find(std::string_view name) const {
  for (const auto& s : stacks)
    if (s.name == name) return &s;
  return nullptr;
}

const std::string* AssemblyModel::acknowledgement(std::string_view path, std::string_view rule) const {
  std::string_view p = path;
  while (true) {
    if (auto it = acknowledgements.find(p); it != acknowledgements.end())
      if (auto r = it->second.find(std::string(rule)); r != it->second.end()) return &r->second;
    const auto slash = p.rfind('/');
    if (slash == std::string_view::npos) break;
    p = p.substr(0, slash);
  }
  // The root (the App, path "") may acknowledge for everything.
  if (auto it = acknowledgements.find(std::string_view()); it != acknowledgements.end() && !path.empty())
    if (auto r = it->second.find(std::string(rule)); r != it->second.end()) return &r->second;
  return nullptr;
}

AssemblyModel build_model(const Assembly& assembly) {
  AssemblyModel m;
  for (const auto& art : assembly.stacks) {
    StackModel s;
    s.artifact = &art;
    s.name = art.name;
    s.region = art.region;
    const std::string prefix = "aws://";
    if (art.environment.rfind(prefix, 0) == 0) {
      const std::string rest = art.environment.substr(prefix.size());
      s.account = rest.substr(0, rest.find('/'));
    }
    s.order = m.stacks.size();
    s.tmpl = &art.template_json();
    s.resources = &section(*s.tmpl, "Resources");
    s.outputs = &section(*s.tmpl, "Outputs");
    s.parameters = &section(*s.tmpl, "Parameters");
    m.stacks.push_back(std::move(s));
  }
  if (assembly.tree_text.empty()) return m;
  const nlohmann::json tree = nlohmann::json::parse(assembly.tree_text, nullptr, /*allow_exceptions=*/false);
  if (!tree.is_object() || !tree.contains("tree")) return m;
  std::vector<TreeStack> tree_stacks;
  walk_tree(tree["tree"], no_stack, tree_stacks, m);

  // Each stack of the tree is the template where most of its elements are
  // found under the logical IDs they would get (an in-memory assembly knows
  // its stacks' paths; one read from disk is matched this way). Elements
  // whose ID was overridden are not found and keep no path.
  for (const auto& ts : tree_stacks) {
    std::vector<std::string> ids;
    ids.reserve(ts.elements.size());
    for (const auto& e : ts.elements) ids.push_back(logical_id_below(ts.path, e.path));
    StackModel* best = nullptr;
    for (auto& s : m.stacks)
      if (s.artifact->stack != nullptr && s.artifact->stack->path() == ts.path) best = &s;
    if (best == nullptr) {
      std::size_t best_score = 0;
      const std::string_view own_id = std::string_view(ts.path).substr(ts.path.rfind('/') + 1);
      for (auto& s : m.stacks) {
        std::size_t score = 0;
        for (std::size_t i = 0; i < ids.size(); ++i) score += matches(s, ts.elements[i], ids[i]) ? 2 : 0;
        if (score > 0 && s.name.find(own_id) != std::string::npos) score += 1;  // a tie-breaker
        if (score > best_score) {
          best_score = score;
          best = &s;
        }
      }
    }
    if (best == nullptr) continue;
    for (std::size_t i = 0; i < ids.size(); ++i)
      if (matches(*best, ts.elements[i], ids[i])) best->paths.emplace(ids[i], ts.elements[i].path);
  }
  return m;
}

}  // namespace drsynth::detail

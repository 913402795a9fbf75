#include "tools/diff/values.hpp"

#include <algorithm>

#include "tools/diff/references.hpp"
#include "tools/diff/update_rules.hpp"

namespace drsynth::detail {

namespace {

bool is_intrinsic(const nlohmann::json& v) {
  if (!v.is_object() || v.size() != 1) return false;
  const std::string& key = v.begin().key();
  return key == "Ref" || key == "Condition" || key.rfind("Fn::", 0) == 0;
}

bool is_index(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

void diff_values(const nlohmann::json* before, const nlohmann::json* after, const std::string& path,
                 std::vector<ValueChange>& out) {
  if (before == nullptr && after == nullptr) return;
  if (before != nullptr && after != nullptr && *before == *after) return;
  auto leaf = [&] {
    ValueChange c{.path = path};
    if (before != nullptr) c.before = *before;
    if (after != nullptr) c.after = *after;
    out.push_back(std::move(c));
  };
  if (before == nullptr || after == nullptr) return leaf();
  if (before->is_object() && after->is_object() && !is_intrinsic(*before) && !is_intrinsic(*after)) {
    // Keys in order (nlohmann keeps objects sorted), each once.
    auto b = before->begin();
    auto a = after->begin();
    while (b != before->end() || a != after->end()) {
      if (a == after->end() || (b != before->end() && b.key() < a.key())) {
        diff_values(&b.value(), nullptr, join_path(path, b.key()), out);
        ++b;
      } else if (b == before->end() || a.key() < b.key()) {
        diff_values(nullptr, &a.value(), join_path(path, a.key()), out);
        ++a;
      } else {
        diff_values(&b.value(), &a.value(), join_path(path, b.key()), out);
        ++b;
        ++a;
      }
    }
    return;
  }
  if (before->is_array() && after->is_array()) {
    if (before->size() == after->size()) {
      for (std::size_t i = 0; i < before->size(); ++i)
        diff_values(&(*before)[i], &(*after)[i], join_path(path, std::to_string(i)), out);
      return;
    }
    // Elements removed (at their old index) and added (at their new index).
    std::vector<bool> kept(after->size(), false);
    std::vector<ValueChange> removed;
    for (std::size_t i = 0; i < before->size(); ++i) {
      bool found = false;
      for (std::size_t j = 0; j < after->size() && !found; ++j)
        if (!kept[j] && (*before)[i] == (*after)[j]) kept[j] = found = true;
      if (!found) removed.push_back({.path = join_path(path, std::to_string(i)), .before = (*before)[i]});
    }
    for (auto& r : removed) out.push_back(std::move(r));
    for (std::size_t j = 0; j < after->size(); ++j)
      if (!kept[j]) out.push_back({.path = join_path(path, std::to_string(j)), .after = (*after)[j]});
    return;
  }
  leaf();
}

void classify(const std::string& type, ValueChange& c) {
  const std::string properties = "Properties/";
  if (c.path == "Type") {
    c.impact = UpdateImpact::replacement;
    c.reason = "the resource type changed (CloudFormation cannot update a resource into another type)";
    return;
  }
  if (c.path.rfind(properties, 0) != 0) {
    // DeletionPolicy, UpdateReplacePolicy, DependsOn, Metadata: the stack's record, not the resource.
    c.impact = UpdateImpact::no_interruption;
    return;
  }
  // Array indices become "*", the schemas' notation for "any element".
  std::string property;
  std::string_view rest = std::string_view(c.path).substr(properties.size());
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    if (!property.empty()) property += '/';
    property += is_index(part) ? std::string_view("*") : part;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  const UpdateRule* rule = find_update_rule(type, property);
  if (rule == nullptr) {
    c.impact = UpdateImpact::no_interruption;
    if (!known_resource_type(type)) c.reason = "no update rules for " + type + " (assumed in place)";
    return;
  }
  switch (rule->behaviour) {
    case UpdateBehaviour::replacement: c.impact = UpdateImpact::replacement; break;
    case UpdateBehaviour::conditional: c.impact = UpdateImpact::may_replace; break;
    case UpdateBehaviour::interruption: c.impact = UpdateImpact::interruption; break;
  }
  c.reason = describe(*rule);
}

const nlohmann::json* value_at(const nlohmann::json& root, const std::string& path) {
  const nlohmann::json* v = &root;
  std::string_view rest = path;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string key(rest.substr(0, slash));
    if (v->is_object()) {
      auto it = v->find(key);
      if (it == v->end()) return nullptr;
      v = &*it;
    } else if (v->is_array() && is_index(key)) {
      const std::size_t i = std::stoul(key);
      if (i >= v->size()) return nullptr;
      v = &(*v)[i];
    } else {
      return nullptr;
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return v;
}

std::string display_path(const std::string& path) {
  std::string_view rest = path;
  if (rest.rfind("Properties/", 0) == 0) rest.remove_prefix(11);
  std::string out;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    if (is_index(part))
      out += "[" + std::string(part) + "]";
    else
      out += (out.empty() ? "" : ".") + std::string(part);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return out;
}

std::string short_json(const nlohmann::json& v, std::size_t max) {
  std::string s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (s.size() > max) {
    std::size_t cut = max - 3;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
    s = s.substr(0, cut) + "...";
  }
  return s;
}

UpdateImpact strongest(const std::vector<ValueChange>& changes) noexcept {
  UpdateImpact out = UpdateImpact::none;
  for (const auto& c : changes) out = std::max(out, c.impact);
  return out;
}

}  // namespace drsynth::detail

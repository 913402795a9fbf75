#include "core/patch.hpp"

#include "drsynth/core/error.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth::detail {

namespace {

std::string join_at(const std::string& at, std::string_view key) {
  return at.empty() ? std::string(key) : at + "." + std::string(key);
}

std::string short_describe(const Value& v) {
  std::string d = v.describe();
  if (d.size() > 80) d = d.substr(0, 77) + "...";
  return d;
}

// Error E236; the construct path is filled in by whoever writes the entry.
[[noreturn]] void fail(std::string message, std::string got, std::string expected) {
  throw Error(Diagnostic{codes::E236, Severity::error, "", std::move(message), std::move(got), std::move(expected)});
}

[[noreturn]] void not_a_list(const std::string& override_path, const std::string& at, const Value* found) {
  fail("the override \"" + override_path + "\" indexes " + at +
           ", which is not a list (aws-cdk-lib would write an object with a key \"0\" there, which CloudFormation refuses)",
       found == nullptr || found->is_null() ? "no " + at : short_describe(*found),
       "a list at " + at + ", or an override that sets the whole list");
}

[[noreturn]] void past_end(const std::string& override_path, const std::string& at, std::size_t index,
                           std::size_t size) {
  fail("the override \"" + override_path + "\" indexes past the end of the list " + at +
           " (aws-cdk-lib would leave null elements in the gap, which CloudFormation refuses)",
       "index " + std::to_string(index) + " of a list of " + std::to_string(size),
       "an index from 0 to " + std::to_string(size) + " (" + std::to_string(size) + " appends an element)");
}

[[noreturn]] void key_in_list(const std::string& override_path, const std::string& at, std::string_view key,
                              std::size_t size) {
  fail("the override \"" + override_path + "\" names a key of " + at + ", which is a list",
       "key \"" + std::string(key) + "\"",
       size == 0 ? std::string("index 0 (the list is empty)") : "an index from 0 to " + std::to_string(size));
}

// Inside a value an override has already set: the same rules on a Value,
// applied at once (so a removed element moves the ones after it up).
void set_in(Value& v, std::span<const std::string> keys, const Value& x, std::string at, const std::string& path) {
  Value* cur = &v;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string& key = keys[i];
    Value* next = nullptr;
    if (cur->is_array()) {
      auto& items = cur->as_array();
      const auto index = list_index(key);
      if (!index) key_in_list(path, at, key, items.size());
      if (*index > items.size()) past_end(path, at, *index, items.size());
      if (*index == items.size()) items.emplace_back();
      next = &items[*index];
    } else {
      if (!cur->is_object()) {
        if (list_index(key)) not_a_list(path, at, cur);
        *cur = Value::Object{};
      }
      next = &(*cur)[key];
    }
    at = join_at(at, key);
    cur = next;
  }
  *cur = x;
}

void remove_in(Value& v, std::span<const std::string> keys) {
  Value* cur = &v;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const bool last = i + 1 == keys.size();
    if (cur->is_array()) {
      auto& items = cur->as_array();
      const auto index = list_index(keys[i]);
      if (!index || *index >= items.size()) return;
      if (last) {
        items.erase(items.begin() + static_cast<std::ptrdiff_t>(*index));
        return;
      }
      cur = &items[*index];
      continue;
    }
    if (!cur->is_object()) return;
    auto& members = cur->as_object();
    const auto it = members.find(keys[i]);
    if (it == members.end()) return;
    if (last) {
      members.erase(it);
      return;
    }
    cur = &it->second;
  }
}

void apply(PatchNode& root, const Override& o) {
  const std::vector<std::string> keys = split_override_path(o.path);
  PatchNode* node = &root;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto it = node->children.find(keys[i]);
    if (it == node->children.end()) it = node->children.emplace(keys[i], PatchNode{}).first;
    PatchNode& child = it->second;
    child.at = join_at(node->at, keys[i]);
    child.override = o.path;
    const std::span<const std::string> rest(keys.begin() + static_cast<std::ptrdiff_t>(i) + 1, keys.end());
    if (rest.empty()) {
      child.children.clear();
      child.op = o.value ? PatchNode::Op::set : PatchNode::Op::remove;
      child.value = o.value ? *o.value : Value();
      return;
    }
    if (child.op == PatchNode::Op::set) {
      if (o.value)
        set_in(child.value, rest, *o.value, child.at, o.path);
      else
        remove_in(child.value, rest);
      return;
    }
    if (child.op == PatchNode::Op::remove) {
      if (!o.value) return;
      child.op = PatchNode::Op::set;  // a set below a removed member starts from nothing
      child.value = Value();
      set_in(child.value, rest, *o.value, child.at, o.path);
      return;
    }
    node = &child;
  }
}

bool mark_creates(PatchNode& node) {
  bool creates = false;
  for (auto& [key, child] : node.children)
    if (child.op == PatchNode::Op::set || (child.op == PatchNode::Op::keep && mark_creates(child))) creates = true;
  node.creates = creates;
  return creates;
}

bool creating(const PatchNode& n) noexcept {
  return n.op == PatchNode::Op::set || (n.op == PatchNode::Op::keep && n.creates);
}

}  // namespace

void apply_override(Value& entry, std::span<const std::string> keys, const std::optional<Value>& value,
                    const std::string& path) {
  if (value)
    set_in(entry, keys, *value, "", path);
  else
    remove_in(entry, keys);
}

std::vector<std::string> split_override_path(std::string_view path) {
  std::vector<std::string> keys(1);
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '\\' && i + 1 < path.size()) {
      keys.back() += path[++i];
    } else if (path[i] == '.') {
      keys.emplace_back();
    } else {
      keys.back() += path[i];
    }
  }
  return keys;
}

std::optional<std::size_t> list_index(std::string_view key) noexcept {
  if (key.empty() || key.size() > 9 || (key.size() > 1 && key[0] == '0')) return std::nullopt;
  std::size_t n = 0;
  for (const char c : key) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

std::vector<const PatchNode*> list_patches(const PatchNode& list, std::size_t size, bool lenient) {
  std::vector<const PatchNode*> slots(size, nullptr);
  if (lenient) {
    std::vector<const PatchNode*> extra;
    for (const auto& [key, child] : list.children) {
      const auto index = list_index(key);
      if (index && *index < size)
        slots[*index] = &child;
      else if (creating(child))
        extra.push_back(&child);
    }
    slots.insert(slots.end(), extra.begin(), extra.end());
    return slots;
  }
  for (const auto& [key, child] : list.children) {
    const auto index = list_index(key);
    if (!index) key_in_list(child.override, list.at, key, size);
    if (*index >= size) {
      if (!creating(child)) continue;  // nothing to remove past the end
      if (slots.size() <= *index) slots.resize(*index + 1, nullptr);
    }
    slots[*index] = &child;
  }
  for (std::size_t i = size; i < slots.size(); ++i) {
    if (slots[i] != nullptr) continue;
    std::size_t j = i;  // the first set past the gap: its override is the one at fault
    while (slots[j] == nullptr) ++j;
    past_end(slots[j]->override, list.at, j, size);
  }
  return slots;
}

void check_no_list_meant(const PatchNode& node, const Value* found, bool lenient) {
  if (lenient) return;
  for (const auto& [key, child] : node.children)
    if (creating(child) && list_index(key)) not_a_list(child.override, node.at, found);
}

PatchNode build_patch(std::span<const Override> overrides) {
  PatchNode root;
  for (const auto& o : overrides) apply(root, o);
  mark_creates(root);
  return root;
}

}  // namespace drsynth::detail

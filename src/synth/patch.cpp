#include "synth/patch.hpp"

#include <string_view>

namespace drsynth::detail {

namespace {

// Splits "a.b.c" into its first key and the rest ("" when it was the last).
std::pair<std::string_view, std::string_view> split(std::string_view path) {
  const auto dot = path.find('.');
  if (dot == std::string_view::npos) return {path, {}};
  return {path.substr(0, dot), path.substr(dot + 1)};
}

// Inside a value an override has already set: the same rules on a Value.
void set_in(Value& v, std::string_view path, const Value& x) {
  Value* cur = &v;
  while (true) {
    const auto [key, rest] = split(path);
    if (!cur->is_object()) *cur = Value::Object{};
    Value& next = (*cur)[key];
    if (rest.data() == nullptr) {
      next = x;
      return;
    }
    cur = &next;
    path = rest;
  }
}

void remove_in(Value& v, std::string_view path) {
  Value* cur = &v;
  while (true) {
    const auto [key, rest] = split(path);
    if (!cur->is_object()) return;
    auto& members = cur->as_object();
    const auto it = members.find(key);
    if (it == members.end()) return;
    if (rest.data() == nullptr) {
      members.erase(it);
      return;
    }
    cur = &it->second;
    path = rest;
  }
}

void apply(PatchNode& root, const Override& o) {
  PatchNode* node = &root;
  std::string_view path = o.path;
  while (true) {
    const auto [key, rest] = split(path);
    auto it = node->children.find(key);
    if (it == node->children.end()) it = node->children.emplace(std::string(key), PatchNode{}).first;
    PatchNode& child = it->second;
    if (rest.data() == nullptr) {
      child.children.clear();
      child.op = o.value ? PatchNode::Op::set : PatchNode::Op::remove;
      child.value = o.value ? *o.value : Value();
      return;
    }
    if (child.op == PatchNode::Op::set) {
      if (o.value)
        set_in(child.value, rest, *o.value);
      else
        remove_in(child.value, rest);
      return;
    }
    if (child.op == PatchNode::Op::remove) {
      if (!o.value) return;
      child.op = PatchNode::Op::set;  // a set below a removed member starts an empty object
      child.value = Value::Object{};
      set_in(child.value, rest, *o.value);
      return;
    }
    node = &child;
    path = rest;
  }
}

bool mark_creates(PatchNode& node) {
  bool creates = false;
  for (auto& [key, child] : node.children)
    if (child.op == PatchNode::Op::set || (child.op == PatchNode::Op::keep && mark_creates(child))) creates = true;
  node.creates = creates;
  return creates;
}

}  // namespace

PatchNode build_patch(std::span<const Override> overrides) {
  PatchNode root;
  for (const auto& o : overrides) apply(root, o);
  mark_creates(root);
  return root;
}

}  // namespace drsynth::detail

#include "synth/tags.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "synth/value_walker.hpp"

namespace drsynth::detail {

namespace {

// `above` with `own` applied (own wins), sorted by key.
TagList with_own_tags(const TagList& above, const TagList& own) {
  std::map<std::string, std::string> merged(above.begin(), above.end());
  for (const auto& [k, v] : own) merged[k] = v;
  return {merged.begin(), merged.end()};
}

}  // namespace

const TagList& TagMemo::scope_tags(const Construct* c) {
  static const TagList none;
  if (c == nullptr) return none;
  if (const auto it = scopes_.find(c); it != scopes_.end()) return it->second;
  const auto& above = scope_tags(c->parent());
  return scopes_.emplace(c, c->tags().empty() ? above : with_own_tags(above, c->tags())).first->second;
}

// Resources rarely carry tags of their own: theirs are not memoized.
const TagList& TagMemo::inherited_tags(const Construct& c) {
  const auto& above = scope_tags(c.parent());
  if (c.tags().empty()) return above;
  own_ = with_own_tags(above, c.tags());
  return own_;
}

Value merged_tags(TagFormat format, const Value* field, const TagList& tags) {
  if (format.is_map) {
    Value merged = field != nullptr && field->is_object() ? *field : Value(Value::Object{});
    for (const auto& [k, v] : tags)
      if (merged.find(k) == nullptr) merged[k] = Value(v);
    return merged;
  }
  std::set<std::string, std::less<>> explicit_keys;
  Value::Array merged = field != nullptr && field->is_array() ? field->as_array() : Value::Array{};
  for (const auto& t : merged)
    if (const auto* key = t.find("Key"); key != nullptr && key->is_string()) explicit_keys.insert(key->as_string());
  for (const auto& [k, v] : tags)
    if (!explicit_keys.contains(k)) merged.push_back(Value::object({{"Key", Value(k)}, {"Value", Value(v)}}));
  std::stable_sort(merged.begin(), merged.end(), [](const Value& a, const Value& b) {
    const auto* ka = a.find("Key");
    const auto* kb = b.find("Key");
    if (ka == nullptr || kb == nullptr || !ka->is_string() || !kb->is_string()) return false;
    return ka->as_string() < kb->as_string();
  });
  return Value(std::move(merged));
}

}  // namespace drsynth::detail

// ValueWalker: walks a Value (with the overrides that apply to it, and
// inherited tags where a resource takes them) in template order, and hands
// each token to a Sink. The text writer's sink writes JSON (TextSink in
// stack_writer.cpp); the references pass's sink only records references
// (references.cpp). Both walk the same way, so what is resolved is exactly
// what is written. Not part of the public API.
//
// A Sink has: open(char), close(char, indent, first), key(k, indent, first),
// item(indent, first), null(), boolean(b), integer(i), number(d), string(s),
// reference(const Value& ref_or_get_att, indent), name(const Value& name_of)
// and `static constexpr bool lenient` (see below).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "drsynth/core/entry_writer.hpp"
#include "drsynth/core/value.hpp"
#include "core/patch.hpp"

namespace drsynth::detail {

// A resource's tags field (`field`, null when absent) with the inherited tags
// added: explicit tags win; a list stays sorted by Key.
[[nodiscard]] Value merged_tags(TagFormat format, const Value* field, const TagList& tags);

template <class Sink>
class ValueWalker {
 public:
  explicit ValueWalker(Sink& sink) noexcept : sink_(sink) {}

  void value(const Value& v, std::size_t indent) {
    switch (v.kind()) {
      case Value::Kind::null: sink_.null(); return;
      case Value::Kind::boolean: sink_.boolean(v.as_bool()); return;
      case Value::Kind::integer: sink_.integer(v.as_int()); return;
      case Value::Kind::number: sink_.number(v.as_number()); return;
      case Value::Kind::string: sink_.string(v.as_string()); return;
      case Value::Kind::array: {
        bool first = true;
        sink_.open('[');
        for (const auto& e : v.as_array()) {
          sink_.item(indent + 2, first);
          value(e, indent + 2);
        }
        sink_.close(']', indent, first);
        return;
      }
      case Value::Kind::object: object(v.as_object(), indent); return;
      case Value::Kind::pseudo: single("Ref", indent, [&] { sink_.string(pseudo_name(v.pseudo_parameter())); }); return;
      case Value::Kind::function:
        single(v.function_name(), indent, [&] { value(v.function_argument(), indent + 2); });
        return;
      case Value::Kind::ref:
      case Value::Kind::get_att: sink_.reference(v, indent); return;
      case Value::Kind::name: sink_.name(v); return;
    }
  }

  void object(const Value::Object& members, std::size_t indent) {
    bool first = true;
    sink_.open('{');
    for (const auto& [k, v] : members) {
      sink_.key(k, indent + 2, first);
      value(v, indent + 2);
    }
    sink_.close('}', indent, first);
  }

  // v with `patch` (a keep node, or null) merged in: by key into an object,
  // by index into a list (list_patches).
  void value(const Value& v, std::size_t indent, const PatchNode* patch) {
    if (patch == nullptr) {
      value(v, indent);
    } else if (v.is_object()) {
      object(v.as_object(), indent, patch);
    } else if (v.is_array()) {
      array(v.as_array(), indent, *patch);
    } else if (patch->creates) {
      created(indent, *patch, &v);
    } else {
      value(v, indent);  // only removals below something that is not an object: nothing to remove
    }
  }

  void object(const Value::Object& members, std::size_t indent, const PatchNode* patch) {
    if (patch == nullptr) {
      object(members, indent);
      return;
    }
    merge(members, indent, patch, {}, false, [](std::size_t, const PatchNode*) {});
  }

  // An object whose member `format.property` gets the inherited tags.
  void tagged_object(const Value::Object& members, std::size_t indent, const PatchNode* patch, TagFormat format,
                     const TagList& tags) {
    const PatchNode* tag_patch = nullptr;
    if (patch != nullptr) {
      const auto it = patch->children.find(format.property);
      if (it != patch->children.end()) {
        if (it->second.op != PatchNode::Op::keep) {  // an override replaced or removed the tags field
          object(members, indent, patch);
          return;
        }
        tag_patch = &it->second;
      }
    }
    const auto own = members.find(format.property);
    if (own == members.end() && tag_patch == nullptr) {
      merge(members, indent, patch, format.property, true,
            [&](std::size_t in, const PatchNode*) { write_tags(format, tags, in); });
      return;
    }
    const Value merged = merged_tags(format, own == members.end() ? nullptr : &own->second, tags);
    merge(members, indent, patch, format.property, true,
          [&](std::size_t in, const PatchNode* p) { value(merged, in, p); });
  }

 private:
  // {name: argument}
  template <typename F>
  void single(std::string_view name, std::size_t indent, F&& argument) {
    bool first = true;
    sink_.open('{');
    sink_.key(name, indent + 2, first);
    argument();
    sink_.close('}', indent, first);
  }

  // The members of `members` and of `patch` (and `extra_key`, written by
  // extra(indent, its patch), when `has_extra`) in key order.
  template <typename Extra>
  void merge(const Value::Object& members, std::size_t indent, const PatchNode* patch, std::string_view extra_key,
             bool has_extra, Extra&& extra) {
    static const std::map<std::string, PatchNode, std::less<>> no_patches;
    const auto& patches = patch != nullptr ? patch->children : no_patches;
    auto m = members.begin();
    auto p = patches.begin();
    bool first = true;
    sink_.open('{');
    while (true) {
      std::string_view k;
      bool any = false;
      if (m != members.end()) k = m->first, any = true;
      if (p != patches.end() && (!any || std::string_view(p->first) < k)) k = p->first, any = true;
      if (has_extra && (!any || extra_key < k)) k = extra_key, any = true;
      if (!any) break;
      const Value* original = nullptr;
      const PatchNode* node = nullptr;
      if (m != members.end() && m->first == k) original = &(m++)->second;
      if (p != patches.end() && p->first == k) node = &(p++)->second;
      if (has_extra && extra_key == k) {
        has_extra = false;
        sink_.key(k, indent + 2, first);
        extra(indent + 2, node);
        continue;
      }
      member(k, original, node, indent + 2, first);
    }
    sink_.close('}', indent, first);
  }

  void member(std::string_view k, const Value* original, const PatchNode* node, std::size_t indent, bool& first) {
    if (node == nullptr) {
      sink_.key(k, indent, first);
      value(*original, indent);
      return;
    }
    switch (node->op) {
      case PatchNode::Op::set:
        sink_.key(k, indent, first);
        value(node->value, indent);
        return;
      case PatchNode::Op::remove: return;
      case PatchNode::Op::keep:
        if (original != nullptr) {
          sink_.key(k, indent, first);
          value(*original, indent, node);
        } else if (node->creates) {
          sink_.key(k, indent, first);
          created(indent, *node, nullptr);
        }
        return;
    }
  }

  // An object only overrides make (where the entry has `found`, not an
  // object or list, or nothing).
  void created(std::size_t indent, const PatchNode& node, const Value* found) {
    check_no_list_meant(node, found, lenient);
    static const Value::Object none;
    object(none, indent, &node);
  }

  // A list with overrides by index: elements set, merged into, removed or appended.
  void array(const Value::Array& items, std::size_t indent, const PatchNode& patch) {
    const std::vector<const PatchNode*> slots = list_patches(patch, items.size(), lenient);
    bool first = true;
    sink_.open('[');
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const PatchNode* node = slots[i];
      const Value* original = i < items.size() ? &items[i] : nullptr;
      if (node == nullptr) {
        sink_.item(indent + 2, first);
        value(*original, indent + 2);
        continue;
      }
      switch (node->op) {
        case PatchNode::Op::set:
          sink_.item(indent + 2, first);
          value(node->value, indent + 2);
          break;
        case PatchNode::Op::remove: break;
        case PatchNode::Op::keep:
          sink_.item(indent + 2, first);
          if (original != nullptr)
            value(*original, indent + 2, node);
          else
            created(indent + 2, *node, nullptr);  // appended: list_patches lets only creating nodes past the end
          break;
      }
    }
    sink_.close(']', indent, first);
  }

  // The inherited tags as the resource's tags field, when it has none of its own.
  void write_tags(TagFormat format, const TagList& tags, std::size_t indent) {
    bool first = true;
    if (format.is_map) {
      sink_.open('{');
      for (const auto& [k, v] : tags) {
        sink_.key(k, indent + 2, first);
        sink_.string(v);
      }
      sink_.close('}', indent, first);
      return;
    }
    sink_.open('[');
    for (const auto& [k, v] : tags) {
      sink_.item(indent + 2, first);
      bool first_member = true;
      sink_.open('{');
      sink_.key("Key", indent + 4, first_member);
      sink_.string(k);
      sink_.key("Value", indent + 4, first_member);
      sink_.string(v);
      sink_.close('}', indent + 2, first_member);
    }
    sink_.close(']', indent, first);
  }

  // A sink that only collects references (Sink::lenient) walks every override,
  // even one that cannot apply: the text pass reports it (E236).
  static constexpr bool lenient = Sink::lenient;
  Sink& sink_;
};

}  // namespace drsynth::detail

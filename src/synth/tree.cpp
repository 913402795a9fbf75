// tree.json (every construct with its path, type and attributes), and JSON
// documents written the way every drsynth file is.
#include <algorithm>
#include <cstdint>
#include <map>

#include "drsynth/core/app.hpp"
#include "drsynth/core/error_codes.hpp"
#include "synth/internal.hpp"
#include "synth/json_text.hpp"

namespace drsynth::detail {

namespace {

// Appends j exactly as nlohmann::json::dump(2) writes it (same key order,
// spacing, escapes and numbers), into one growing buffer.
void write_json(JsonText& w, const nlohmann::json& j, std::size_t indent) {
  using t = nlohmann::json::value_t;
  switch (j.type()) {
    case t::object: {
      bool first = true;
      w.open('{');
      for (const auto& [k, v] : j.get_ref<const nlohmann::json::object_t&>()) {
        w.key(k, indent + 2, first);
        write_json(w, v, indent + 2);
      }
      w.close('}', indent, first);
      return;
    }
    case t::array: {
      bool first = true;
      w.open('[');
      for (const auto& v : j.get_ref<const nlohmann::json::array_t&>()) {
        w.item(indent + 2, first);
        write_json(w, v, indent + 2);
      }
      w.close(']', indent, first);
      return;
    }
    case t::string: w.string(j.get_ref<const std::string&>()); return;
    case t::boolean: w.boolean(j.get<bool>()); return;
    case t::null: w.null(); return;
    case t::number_integer: w.integer(j.get<std::int64_t>()); return;
    case t::number_unsigned: w.unsigned_integer(j.get<std::uint64_t>()); return;
    default: w.raw(j.dump(2)); return;  // floats, binary
  }
}

}  // namespace

std::string dump_checked(const nlohmann::json& j, const std::string& path) {
  try {
    std::string s;
    {
      JsonText w(s);
      write_json(w, j, 0);
      w.put('\n');
    }
    return s;
  } catch (const Error& e) {
    if (e.code() != codes::E401) throw;
    fail(codes::E401, path, "a value is not valid UTF-8", e.diagnostics().front().got, "UTF-8 text");
  }
}

namespace {
nlohmann::json tree_node(const Construct& c) {
  nlohmann::json n = nlohmann::json::object();
  n["id"] = c.id();
  n["path"] = c.path();
  nlohmann::json info = nlohmann::json::object();
  info["fqn"] = std::string(c.type_name());
  n["constructInfo"] = std::move(info);
  TreeAttributes attributes;
  c.tree_attributes(attributes);
  if (!attributes.empty()) {
    nlohmann::json a = nlohmann::json::object();
    for (const auto& [k, v] : attributes) a[std::string(k)] = std::string(v);
    n["attributes"] = std::move(a);
  }
  if (!c.acknowledgements().empty()) {
    nlohmann::json acks = nlohmann::json::object();
    for (const auto& [rule, why] : c.acknowledgements()) acks[rule] = why;
    n["acknowledgements"] = std::move(acks);
  }
  if (!c.children().empty()) {
    nlohmann::json children = nlohmann::json::object();
    for (const auto& ch : c.children()) children[ch->id()] = tree_node(*ch);
    n["children"] = std::move(children);
  }
  return n;
}
}  // namespace

namespace {
// tree.json as text, exactly what dump_checked(tree_json(app)) gives, without
// building the nlohmann tree: members in key order (acknowledgements,
// attributes, children, constructInfo, id, path), children in id order.
void write_tree_node(JsonText& w, const Construct& c, std::size_t indent) {
  const std::size_t in = indent + 2;
  bool first = true;
  w.open('{');
  if (!c.acknowledgements().empty()) {
    // Sorted by rule, the last reason for a rule winning (as a json object would).
    std::map<std::string, std::string> acks;
    for (const auto& [rule, why] : c.acknowledgements()) acks[rule] = why;
    w.key("acknowledgements", in, first);
    bool first_ack = true;
    w.open('{');
    for (const auto& [rule, why] : acks) {
      w.key(rule, in + 2, first_ack);
      w.string(why);
    }
    w.close('}', in, first_ack);
  }
  TreeAttributes attributes;
  c.tree_attributes(attributes);
  if (!attributes.empty()) {
    // Sorted by name, as a json object would be.
    std::sort(attributes.begin(), attributes.end());
    w.key("attributes", in, first);
    bool first_attr = true;
    w.open('{');
    for (const auto& [k, v] : attributes) {
      w.key(k, in + 2, first_attr);
      w.string(v);
    }
    w.close('}', in, first_attr);
  }
  if (!c.children().empty()) {
    std::vector<const Construct*> children;
    children.reserve(c.children().size());
    for (const auto& ch : c.children()) children.push_back(ch.get());
    std::sort(children.begin(), children.end(), [](const Construct* a, const Construct* b) { return a->id() < b->id(); });
    w.key("children", in, first);
    bool first_child = true;
    w.open('{');
    for (const Construct* ch : children) {
      try {
        w.key(ch->id(), in + 2, first_child);
        write_tree_node(w, *ch, in + 2);
      } catch (const Error& e) {
        // Text that is not UTF-8 (an id, a reason): the construct that holds it.
        if (e.code() != codes::E401 || !e.diagnostics().front().path.empty()) throw;
        fail(codes::E401, ch->path(), "a value is not valid UTF-8 (its id, type or an acknowledgement)",
             e.diagnostics().front().got, "UTF-8 text");
      }
    }
    w.close('}', in, first_child);
  }
  w.key("constructInfo", in, first);
  bool first_info = true;
  w.open('{');
  w.key("fqn", in + 2, first_info);
  w.string(c.type_name());
  w.close('}', in, first_info);
  w.key("id", in, first);
  w.string(c.id());
  w.key("path", in, first);
  w.string(c.path());
  w.close('}', indent, first);
}
}  // namespace

std::string tree_text(const App& app, std::size_t expected_size) {
  try {
    std::string s;
    s.reserve(expected_size);
    {
      JsonText w(s);
      bool first = true;
      w.open('{');
      w.key("tree", 2, first);
      write_tree_node(w, app, 2);
      w.key("version", 2, first);
      w.string("tree-0.1");
      w.close('}', 0, first);
      w.put('\n');
    }
    return s;
  } catch (const Error& e) {
    if (e.code() != codes::E401 || !e.diagnostics().front().path.empty()) throw;
    fail(codes::E401, "", "a value is not valid UTF-8", e.diagnostics().front().got, "UTF-8 text");
  }
}

// Built with moves only (a braced initializer list of json copies each subtree).
nlohmann::json tree_json(const App& app) {
  nlohmann::json t = nlohmann::json::object();
  t["version"] = "tree-0.1";
  t["tree"] = tree_node(app);
  return t;
}

}  // namespace drsynth::detail

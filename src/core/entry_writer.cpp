#include "drsynth/core/entry_writer.hpp"

#include "drsynth/core/cfn_element.hpp"
#include "drsynth/core/error.hpp"
#include "core/entry_output.hpp"
#include "core/patch.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth {

using detail::PatchNode;

struct EntryWriter::Frame {
  std::size_t indent = 0;  // of the container's brace
  bool first = true;
  bool is_object = true;
  const PatchNode* patch = nullptr;  // a keep node: the overrides of this object's members
  std::map<std::string, PatchNode, std::less<>>::const_iterator next{};  // first patch not yet merged
  std::string_view last_key{};
  bool has_key = false;
};

EntryWriter::EntryWriter(detail::EntryOutput& out) : out_(out) {}
EntryWriter::~EntryWriter() = default;

std::size_t EntryWriter::indent() const noexcept {
  return frames_.empty() ? detail::entry_indent : frames_.back().indent + 2;
}

void EntryWriter::begin_entry(std::span<const Override> overrides) {
  frames_.clear();
  patch_.reset();
  pending_ = nullptr;
  if (!overrides.empty()) {
    patch_ = std::make_unique<PatchNode>(detail::build_patch(overrides));
    pending_ = patch_.get();
  }
  begin_object();
}

void EntryWriter::end_entry() {
  end_object();
  if (!frames_.empty())
    throw Error(Diagnostic{codes::E109, Severity::error, out_.element().path(),
                           "the element's writer left a container open", std::string(out_.element().type_name()),
                           "every begin_object/begin_array closed before end_entry"});
  patch_.reset();
}

void EntryWriter::begin_object() {
  const std::size_t in = indent();
  out_.open('{');
  Frame f{.indent = in, .patch = pending_};
  if (pending_ != nullptr) f.next = pending_->children.begin();
  frames_.push_back(f);
  pending_ = nullptr;
}

// A member only an override has: written where it sorts.
void EntryWriter::insert(const PatchNode& node, std::string_view key) {
  Frame& f = frames_.back();
  if (node.op == PatchNode::Op::set) {
    out_.key(key, f.indent + 2, f.first);
    out_.value(node.value, f.indent + 2, nullptr);
  } else if (node.op == PatchNode::Op::keep && node.creates) {
    static const Value::Object none;
    detail::check_no_list_meant(node, nullptr);
    out_.key(key, f.indent + 2, f.first);
    out_.object(none, f.indent + 2, &node);
  }
}

namespace {
// a < b, deciding on the first byte when it differs (as it mostly does for
// the members of one entry) without a call to memcmp.
bool before(std::string_view a, std::string_view b) noexcept {
  if (!a.empty() && !b.empty() && a.front() != b.front())
    return static_cast<unsigned char>(a.front()) < static_cast<unsigned char>(b.front());
  return a < b;
}
}  // namespace

bool EntryWriter::member(std::string_view key, bool object) {
  Frame& f = frames_.back();
  if (!f.is_object || (f.has_key && !before(f.last_key, key)))
    throw Error(Diagnostic{codes::E109, Severity::error, out_.element().path(),
                           "the element's writer wrote member \"" + std::string(key) + "\" out of order",
                           "after \"" + std::string(f.last_key) + "\"", "members in sorted key order, each once"});
  f.last_key = key;
  f.has_key = true;
  pending_ = nullptr;
  const PatchNode* node = nullptr;
  if (f.patch != nullptr) {
    const auto end = f.patch->children.end();
    for (; f.next != end && std::string_view(f.next->first) < key; ++f.next) insert(f.next->second, f.next->first);
    if (f.next != end && f.next->first == key) node = &(f.next++)->second;
  }
  if (node == nullptr) {
    out_.key(key, f.indent + 2, f.first);
    return true;
  }
  switch (node->op) {
    case PatchNode::Op::set:
      out_.key(key, f.indent + 2, f.first);
      out_.value(node->value, f.indent + 2, nullptr);
      return false;
    case PatchNode::Op::remove: return false;
    case PatchNode::Op::keep: break;
  }
  out_.key(key, f.indent + 2, f.first);
  if (object) {
    pending_ = node;
    return true;
  }
  if (node->creates) {  // an override reaches into a member that is not an object: it becomes one
    static const Value::Object none;
    detail::check_no_list_meant(*node, nullptr);
    out_.object(none, f.indent + 2, node);
    return false;
  }
  return true;  // only removals below something that is not an object: nothing to remove
}

void EntryWriter::end_object() {
  Frame& f = frames_.back();
  if (f.patch != nullptr)
    for (; f.next != f.patch->children.end(); ++f.next) insert(f.next->second, f.next->first);
  out_.close('}', f.indent, f.first);
  frames_.pop_back();
}

void EntryWriter::begin_array() {
  const std::size_t in = indent();
  out_.open('[');
  frames_.push_back(Frame{.indent = in, .is_object = false});
  pending_ = nullptr;
}

void EntryWriter::item() {
  Frame& f = frames_.back();
  out_.item(f.indent + 2, f.first);
}

void EntryWriter::end_array() {
  Frame& f = frames_.back();
  out_.close(']', f.indent, f.first);
  frames_.pop_back();
}

void EntryWriter::string(std::string_view s) { out_.string(s); }
void EntryWriter::boolean(bool b) { out_.boolean(b); }
void EntryWriter::integer(std::int64_t i) { out_.integer(i); }

void EntryWriter::value(const Value& v) {
  out_.value(v, indent(), pending_);
  pending_ = nullptr;
}

void EntryWriter::object(const Value::Object& members) {
  out_.object(members, indent(), pending_);
  pending_ = nullptr;
}

void EntryWriter::tagged_object(const Value::Object& members, TagFormat format, const TagList& tags) {
  if (tags.empty() || format.property.empty())
    out_.object(members, indent(), pending_);
  else
    out_.tagged_object(members, indent(), pending_, format, tags);
  pending_ = nullptr;
}

const TagList& EntryWriter::inherited_tags(const Construct& c) { return out_.inherited_tags(c); }
const Stack& EntryWriter::stack() const noexcept { return out_.stack(); }

}  // namespace drsynth

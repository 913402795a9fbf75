#include "synth/stack_writer.hpp"

#include <algorithm>

#include "drsynth/core/cfn_element.hpp"
#include "drsynth/core/stack.hpp"
#include "core/entry_output.hpp"
#include "drsynth/core/error_codes.hpp"
#include "synth/json_text.hpp"
#include "synth/value_walker.hpp"

namespace drsynth::detail {

namespace {

// {name: argument}
template <typename F>
void single(JsonText& w, std::string_view name, std::size_t indent, F&& argument) {
  bool first = true;
  w.open('{');
  w.key(name, indent + 2, first);
  argument();
  w.close('}', indent, first);
}

void local_reference(JsonText& w, const CfnElement& target, const std::string& attribute, std::size_t indent) {
  if (attribute.empty()) {
    single(w, "Ref", indent, [&] { w.string(target.logical_id()); });
    return;
  }
  single(w, "Fn::GetAtt", indent, [&] {
    bool first = true;
    w.open('[');
    w.item(indent + 4, first);
    w.string(target.logical_id());
    w.item(indent + 4, first);
    w.string(attribute);
    w.close(']', indent + 2, first);
  });
}

// Writes the tokens of a walk as JSON text; references as the stack being written sees them.
class TextSink {
 public:
  TextSink(JsonText& w, const Stack& s, const References& references) noexcept
      : w_(w), stack_(s), references_(references) {}
  static constexpr bool lenient = false;  // an override that cannot apply is E236

  void open(char c) { w_.open(c); }
  void close(char c, std::size_t indent, bool first) { w_.close(c, indent, first); }
  void key(std::string_view k, std::size_t indent, bool& first) { w_.key(k, indent, first); }
  void item(std::size_t indent, bool& first) { w_.item(indent, first); }
  void null() { w_.null(); }
  void boolean(bool b) { w_.boolean(b); }
  void integer(std::int64_t i) { w_.integer(i); }
  void number(double d) { w_.number(d); }
  void string(std::string_view s) { w_.string(s); }

  void name(const Value& v) { w_.string(v.target()->logical_id()); }

  void reference(const Value& v, std::size_t indent) {
    const CfnElement& target = *v.target();
    const Stack& producer = *target.stack_or_null();  // the references pass reported targets in no stack
    const auto kind = reference_kind(producer, stack_);
    if (kind == ReferenceKind::local) {
      local_reference(w_, target, v.attribute(), indent);
      return;
    }
    const std::string& output_id = references_.output_id(target, v.attribute());
    if (kind == ReferenceKind::import) {
      const std::string name = export_name(producer, output_id);
      single(w_, "Fn::ImportValue", indent, [&] { w_.string(name); });
      return;
    }
    single(w_, "Fn::GetStackOutput", indent, [&] {
      const std::size_t in = indent + 4;
      bool first = true;
      w_.open('{');
      w_.key("OutputName", in, first);
      w_.string(output_id);
      w_.key("Region", in, first);
      w_.string(producer.region());
      if (other_account(producer, stack_)) {
        w_.key("RoleArn", in, first);
        w_.string(*stack_.props().cross_account_reader_role_arn);
      }
      w_.key("StackName", in, first);
      w_.string(producer.stack_name());
      w_.close('}', indent + 2, first);
    });
  }

 private:
  JsonText& w_;
  const Stack& stack_;
  const References& references_;
};

class TextOutput final : public EntryOutput {
 public:
  TextOutput(JsonText& w, const Stack& s, const References& references, TagMemo& tags)
      : EntryOutput(s), w_(w), sink_(w, s, references), walker_(sink_), tags_(tags) {}

  void open(char brace) override { w_.open(brace); }
  void close(char brace, std::size_t indent, bool first) override { w_.close(brace, indent, first); }
  void key(std::string_view k, std::size_t indent, bool& first) override { w_.key(k, indent, first); }
  void item(std::size_t indent, bool& first) override { w_.item(indent, first); }
  void string(std::string_view s) override { w_.string(s); }
  void boolean(bool b) override { w_.boolean(b); }
  void integer(std::int64_t i) override { w_.integer(i); }
  void value(const Value& v, std::size_t indent, const PatchNode* patch) override { walker_.value(v, indent, patch); }
  void object(const Value::Object& members, std::size_t indent, const PatchNode* patch) override {
    walker_.object(members, indent, patch);
  }
  void tagged_object(const Value::Object& members, std::size_t indent, const PatchNode* patch, TagFormat format,
                     const TagList& tags) override {
    walker_.tagged_object(members, indent, patch, format, tags);
  }
  const TagList& inherited_tags(const Construct& c) override { return tags_.inherited_tags(c); }

 private:
  JsonText& w_;
  TextSink sink_;
  ValueWalker<TextSink> walker_;
  TagMemo& tags_;
};

// An output the references pass added: the local value for other stacks.
void write_export(JsonText& w, const Export& e) {
  const std::size_t in = entry_indent + 2;
  bool first = true;
  w.open('{');
  if (e.exported) {
    w.key("Export", in, first);
    bool first_export = true;
    w.open('{');
    w.key("Name", in + 2, first_export);
    w.string(e.export_name);
    w.close('}', in, first_export);
  }
  w.key("Value", in, first);
  local_reference(w, *e.target, e.attribute, in);
  w.close('}', entry_indent, first);
}

// Runs a writer; text that is not UTF-8 becomes E401, an override that
// cannot apply E236, each naming the construct that holds it, and writing
// goes on (every problem is reported).
template <typename F>
void guarded(std::vector<Diagnostic>& errors, const Construct& at, F&& write) {
  try {
    write();
  } catch (const Error& e) {
    if (e.code() == codes::E236) {
      Diagnostic d = e.diagnostics().front();
      d.path = at.path();
      errors.push_back(std::move(d));
      return;
    }
    if (e.code() != codes::E401) throw;
    errors.push_back({codes::E401, Severity::error, at.path(), "a value is not valid UTF-8", e.diagnostics().front().got,
                      "UTF-8 text"});
  }
}

// One entry of a section: an element, or an output for other stacks.
struct Entry {
  std::string_view section;
  const std::string* id = nullptr;
  const CfnElement* element = nullptr;
  const Export* exported = nullptr;
};

}  // namespace

std::string StackWriter::write(const Stack& s, const StackLinks& links, SectionCounts& counts,
                               std::vector<Diagnostic>& errors, const AfterEntry& after) {
  std::vector<Entry> entries;
  entries.reserve(s.elements().size() + links.exports.size());
  for (const CfnElement* e : s.elements()) entries.push_back({e->section(), &e->logical_id(), e, nullptr});
  for (const auto& [id, exported] : links.exports) entries.push_back({"Outputs", &id, nullptr, &exported});
  // An element kind names its section with one literal: compare the text only across kinds.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.section.data() != b.section.data() && a.section != b.section) return a.section < b.section;
    return *a.id < *b.id;
  });

  // The template's members, in key order: its own and one per section.
  std::vector<std::string_view> members = {"AWSTemplateFormatVersion", "Metadata", "Resources"};
  if (s.props().description) members.emplace_back("Description");
  for (const auto& e : entries) {
    if (e.section == "Resources") ++counts.resources;
    if (e.section == "Outputs") ++counts.outputs;
    if (e.section == "Parameters") ++counts.parameters;
    if (members.back() != e.section) members.push_back(e.section);
  }
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());

  std::string text;
  text.reserve(capacity_);
  {
    JsonText w(text);
    TextOutput out(w, s, references_, tags_);
    EntryWriter entry(out);
    auto next = entries.begin();
    bool first = true;
    w.open('{');
    for (const std::string_view key : members) {
      w.key(key, 2, first);
      if (key == "AWSTemplateFormatVersion") {
        w.string("2010-09-09");
      } else if (key == "Description") {
        guarded(errors, s, [&] { w.string(*s.props().description); });
      } else if (key == "Metadata") {
        // Lets a bare `cfn-lint <file>` check the template against its own region.
        w.raw("{\n    \"cfn-lint\": {\n      \"config\": {\n        \"regions\": [\n          ");
        guarded(errors, s, [&] { w.string(s.region()); });
        w.raw("\n        ]\n      }\n    }\n  }");
      } else {
        bool first_entry = true;
        w.open('{');
        for (; next != entries.end() && next->section == key; ++next) {
          w.key(*next->id, entry_indent, first_entry);
          if (next->element == nullptr) {
            write_export(w, *next->exported);
            continue;
          }
          const CfnElement& e = *next->element;
          const std::size_t begin = w.size();
          bool written = false;
          guarded(errors, e, [&] {
            out.start(e);
            e.write(entry);
            written = true;
          });
          if (written) after(e, std::string_view(text.data() + begin, w.size() - begin));
        }
        w.close('}', 2, first_entry);
      }
    }
    w.close('}', 0, first);
    w.put('\n');
  }
  capacity_ = std::max(capacity_, text.size() + text.size() / 8 + 2048);
  return text;
}

}  // namespace drsynth::detail

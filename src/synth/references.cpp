#include "synth/references.hpp"


#include "drsynth/core/cfn_element.hpp"
#include "drsynth/core/error.hpp"
#include "drsynth/core/logical_id.hpp"
#include "drsynth/core/stack.hpp"
#include "core/entry_output.hpp"
#include "drsynth/core/error_codes.hpp"
#include "synth/json_text.hpp"
#include "synth/value_walker.hpp"

namespace drsynth::detail {

std::string export_name(const Stack& producer, const std::string& output_id) {
  const std::string prefix = producer.stack_name() + ":";
  std::string local_part = output_id;
  if (prefix.size() + local_part.size() > 255) local_part = local_part.substr(prefix.size() + local_part.size() - 255);
  return prefix + local_part;
}

const std::string& References::output_id(const CfnElement& target, const std::string& attribute) const {
  return output_ids.at({&target, attribute});
}

namespace {

const Construct* root_of(const Construct& c) {
  const Construct* r = &c;
  while (r->parent() != nullptr) r = r->parent();
  return r;
}

// Takes the tokens of a walk and keeps only the references to other stacks.
class ReferenceSink {
 public:
  ReferenceSink(const Stack& s, std::vector<FoundReference>& found, std::vector<Diagnostic>& errors)
      : stack_(s), root_(root_of(s)), found_(found), errors_(errors) {}
  void at(const CfnElement& e) noexcept { at_ = &e; }
  // Overrides that cannot apply are walked anyway (their references count);
  // the text pass, which merges the inherited tags this pass leaves out, reports them.
  static constexpr bool lenient = true;

  void open(char) {}
  void close(char, std::size_t, bool) {}
  void key(std::string_view, std::size_t, bool& first) { first = false; }
  void item(std::size_t, bool& first) { first = false; }
  void null() {}
  void boolean(bool) {}
  void integer(std::int64_t) {}
  void number(double) {}
  void string(std::string_view) {}

  // A condition or mapping is named only in its own stack.
  void name(const Value& v) {
    if (v.target()->stack_or_null() != &stack_)
      errors_.push_back({codes::E213, Severity::error, at_->path(), "names " + std::string(v.target()->section()) +
                             " entry " + v.target()->logical_id() + " of another stack",
                         v.describe(), "a condition or mapping of stack " + stack_.stack_name()});
  }

  void reference(const Value& v, std::size_t) {
    const CfnElement* target = v.target();
    const Stack* producer = target->stack_or_null();
    if (producer == &stack_) return;
    if (producer == nullptr || root_of(*producer) != root_) {
      errors_.push_back({codes::E302, Severity::error, at_->path(), "references a construct that is in no stack of this app",
                         v.describe(), "a target inside a Stack of the same App"});
      return;
    }
    if (other_account(*producer, stack_) && !stack_.props().cross_account_reader_role_arn) {
      errors_.push_back({codes::E304, Severity::error, at_->path(),
                         "references " + target->path() + " in account " + *producer->account() + " from account " +
                             *stack_.account() + "; CloudFormation can read another account's outputs only through a role",
                         v.describe(), "StackProps.cross_account_reader_role_arn on stack " + stack_.stack_name()});
      return;
    }
    found_.push_back({target, v.attribute(), at_});
  }

 private:
  const Stack& stack_;
  const Construct* root_;
  const CfnElement* at_ = nullptr;
  std::vector<FoundReference>& found_;
  std::vector<Diagnostic>& errors_;
};

class ReferenceOutput final : public EntryOutput {
 public:
  ReferenceOutput(const Stack& s, std::vector<FoundReference>& found, std::vector<Diagnostic>& errors)
      : EntryOutput(s), sink_(s, found, errors), walker_(sink_) {}
  void at(const CfnElement& e) {
    start(e);
    sink_.at(e);
  }

  void open(char) override {}
  void close(char, std::size_t, bool) override {}
  void key(std::string_view, std::size_t, bool& first) override { first = false; }
  void item(std::size_t, bool& first) override { first = false; }
  void string(std::string_view) override {}
  void boolean(bool) override {}
  void integer(std::int64_t) override {}
  void value(const Value& v, std::size_t indent, const PatchNode* patch) override { walker_.value(v, indent, patch); }
  void object(const Value::Object& members, std::size_t indent, const PatchNode* patch) override {
    walker_.object(members, indent, patch);
  }
  // Tags hold no references: the members are walked without them.
  void tagged_object(const Value::Object& members, std::size_t indent, const PatchNode* patch, TagFormat,
                     const TagList&) override {
    walker_.object(members, indent, patch);
  }
  const TagList& inherited_tags(const Construct&) override {
    static const TagList none;
    return none;
  }

 private:
  ReferenceSink sink_;
  ValueWalker<ReferenceSink> walker_;
};

// The compact JSON of a local reference, which aws-cdk-lib hashes into the
// output id: {"Ref":"X"} or {"Fn::GetAtt":["X","Attr"]}.
std::string local_reference_json(const CfnElement& target, const std::string& attribute) {
  std::string s;
  {
    JsonText w(s);
    w.raw(attribute.empty() ? "{\"Ref\":" : "{\"Fn::GetAtt\":[");
    w.string(target.logical_id());
    if (!attribute.empty()) {
      w.put(',');
      w.string(attribute);
      w.put(']');
    }
    w.put('}');
  }
  return s;
}

}  // namespace

std::vector<FoundReference> find_references(const Stack& s, std::vector<Diagnostic>& errors) {
  std::vector<FoundReference> found;
  ReferenceOutput out(s, found, errors);
  EntryWriter w(out);
  for (const CfnElement* e : s.elements()) {
    out.at(*e);
    try {
      e->write(w);
    } catch (const Error& x) {
      // An override that cannot apply before anything is walked (into a list
      // an override set) or into the entry's own members: the text pass stops
      // at the same place and reports it.
      if (x.code() != codes::E236) throw;
    }
  }
  return found;
}

References link_stacks(const std::vector<const Stack*>& stacks, const std::vector<std::vector<FoundReference>>& found,
                       std::vector<Diagnostic>& errors) {
  References r;
  r.stacks.resize(stacks.size());
  for (std::size_t i = 0; i < stacks.size(); ++i) r.index.emplace(stacks[i], i);

  for (std::size_t i = 0; i < stacks.size(); ++i) {
    const Stack& consumer = *stacks[i];
    auto& links = r.stacks[i];
    for (const auto& d : consumer.explicit_dependencies())
      if (d.stack != &consumer) links.depends_on[d.stack].insert({consumer.path(), d.reason.empty() ? d.stack->path() : d.reason});
    for (const auto& f : found[i]) {
      const Stack* producer = f.target->stack_or_null();
      links.depends_on[producer].insert({f.at->path(), f.target->path()});
      auto key = std::make_pair(f.target, f.attribute);
      auto id = r.output_ids.find(key);
      if (id == r.output_ids.end())
        id = r.output_ids.emplace(key, make_logical_id({"Exports", "Output" + local_reference_json(*f.target, f.attribute)}))
                 .first;
      auto& exported = r.stacks[r.index.at(producer)].exports[id->second];
      exported.target = f.target;
      exported.attribute = f.attribute;
      if (reference_kind(*producer, consumer) == ReferenceKind::import && !exported.exported) {
        exported.exported = true;
        exported.export_name = export_name(*producer, id->second);
      }
    }
  }

  // The engine's outputs share the Outputs section with the stack's own.
  for (std::size_t i = 0; i < stacks.size(); ++i) {
    const auto& exports = r.stacks[i].exports;
    if (exports.empty()) continue;
    for (const CfnElement* e : stacks[i]->elements())
      if (e->section() == "Outputs" && exports.contains(e->logical_id()))
        errors.push_back({codes::E301, Severity::error, stacks[i]->path() + "/Exports/" + e->logical_id(),
                          "an output the resolver adds clashes with an existing output", e->logical_id(),
                          "output ids unique within a stack"});
  }
  return r;
}

}  // namespace drsynth::detail

// Phase 3: logical IDs, references across stacks and regions, the stack
// dependency graph, and one template per stack.
//
// One pass over every value of the tree writes each stack's template as text
// straight from the constructs' values (JsonText, the layout of nlohmann's
// dump(2)); no intermediate JSON document is built, so a template costs its
// text and nothing else. References are resolved as they are met: one that
// crosses stacks gives the producer an output (exported when a consumer in
// the same region imports it) and the consumer a dependency. The safety rules
// look at each element right after it is written, while its values are in
// the cache. Then the deployment order (cycles are errors), and each template
// is joined from its pieces: its "Outputs" (which come before "Resources")
// are complete only once every stack has been written.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <queue>
#include <set>
#include <thread>
#include <unordered_map>

#include "drsynth/app.hpp"
#include "drsynth/asset.hpp"
#include "drsynth/cfn_output.hpp"
#include "drsynth/cfn_resource.hpp"
#include "drsynth/logical_id.hpp"
#include "drsynth/stack.hpp"
#include "drsynth/synth.hpp"
#include "synth/internal.hpp"
#include "synth/json_text.hpp"

namespace drsynth {

namespace {

using Clock = std::chrono::steady_clock;
using internal::JsonText;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Why a stack depends on another: the referencing construct and the target.
struct Reason {
  std::string from;
  std::string to;
  bool operator<(const Reason& o) const { return std::tie(from, to) < std::tie(o.from, o.to); }
};

// An output that the resolver adds to a producer stack for consumers elsewhere.
struct ExportedOutput {
  const CfnElement* target = nullptr;  // a local Ref / GetAtt in the producer
  std::string attribute;               // empty: Ref
  std::string export_name;             // used only when `exported`
  bool exported = false;               // a same-region consumer imports it
};

struct StackState {
  const Stack* stack = nullptr;
  std::size_t order = 0;  // position in the tree (for stable sorting)
  std::map<std::string, ExportedOutput> exports;  // by output logical id
  std::map<const Stack*, std::set<Reason>> depends_on;
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

const Construct* root_of(const Construct& c) {
  const Construct* r = &c;
  while (r->parent() != nullptr) r = r->parent();
  return r;
}

// "<producer stack name>:<output id>", cut from the left to 255 characters.
std::string export_name(const Stack& producer, const std::string& output_id) {
  const std::string prefix = producer.stack_name() + ":";
  std::string local_part = output_id;
  if (prefix.size() + local_part.size() > 255) local_part = local_part.substr(prefix.size() + local_part.size() - 255);
  return prefix + local_part;
}

bool other_account(const Stack& producer, const Stack& consumer) {
  const auto& pa = producer.account();
  const auto& ca = consumer.account();
  return pa && ca && *pa != *ca;
}

// A consumer reads a producer's output with Fn::ImportValue (same account and
// region) or else with Fn::GetStackOutput.
bool imports(const Stack& producer, const Stack& consumer) {
  return !other_account(producer, consumer) && producer.region() == consumer.region();
}

using TagList = std::vector<std::pair<std::string, std::string>>;

// A resource's tags field (`field`, null when absent) with the inherited tags
// added: explicit tags win; a list stays sorted by Key.
Value merged_tags(internal::TagFormat format, const Value* field, const TagList& tags) {
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

void apply_override(Value& root, const CfnResource::Override& o) {
  Value* cur = &root;
  std::string_view rest = o.path;
  while (true) {
    const auto dot = rest.find('.');
    const std::string_view key = rest.substr(0, dot);
    if (dot == std::string_view::npos) {
      if (o.value) {
        (*cur)[key] = *o.value;
      } else if (cur->is_object()) {
        cur->as_object().erase(std::string(key));
      }
      return;
    }
    Value& next = (*cur)[key];
    if (!next.is_object() && !next.is_null()) next = Value::Object{};
    cur = &next;
    rest = rest.substr(dot + 1);
  }
}

// A resource's whole template entry as a Value: Type, Properties with the
// inherited `tags` merged in, DependsOn, policies, Condition, Metadata, and the
// overrides applied last (they may reach anywhere in the entry).
Value resource_entry(const CfnResource& r, const TagList& tags) {
  Value props(r.properties());
  const auto format = internal::tag_format(r.type());
  if (!format.property.empty() && !tags.empty())
    props[format.property] = merged_tags(format, props.find(format.property), tags);
  Value entry = Value::object({{"Type", Value(r.type())}});
  if (!props.as_object().empty()) entry["Properties"] = std::move(props);
  if (!r.dependencies().empty()) {
    std::set<std::string> ids;
    for (const auto* d : r.dependencies()) ids.insert(d->logical_id());
    Value deps;
    for (const auto& id : ids) deps.push_back(Value(id));
    entry["DependsOn"] = std::move(deps);
  }
  if (r.deletion_policy()) entry["DeletionPolicy"] = Value(*r.deletion_policy());
  if (r.update_replace_policy()) entry["UpdateReplacePolicy"] = Value(*r.update_replace_policy());
  if (r.condition()) entry["Condition"] = Value(*r.condition());
  if (!r.metadata().empty()) entry["Metadata"] = Value(r.metadata());
  for (const auto& o : r.overrides()) apply_override(entry, o);
  return entry;
}

// Runs a writer; text that is not UTF-8 becomes E401 naming the construct
// (the writers and the template joiner report into their own lists).
template <typename F>
void guarded(std::vector<Diagnostic>& errors, const Construct& at, F&& write) {
  try {
    write();
  } catch (const nlohmann::json::type_error& e) {
    errors.push_back({"E401", Severity::error, at.path(), "a value is not valid UTF-8", e.what(), "UTF-8 text"});
  }
}

// One stack's template in pieces, written before the exports other stacks
// add to it are known: "Outputs" comes before "Resources" in a template, so
// the sections are joined once every stack has been written.
struct StackPieces {
  std::string resources;   // the members of "Resources" (indent 4), without the braces
  std::string parameters;  // the members of "Parameters"
  std::string output_text;  // every output's entry, one after the other
  std::vector<std::pair<const CfnOutput*, std::size_t>> outputs;  // in id order, with where its entry ends
  std::size_t resource_count = 0;
  std::size_t parameter_count = 0;
  std::vector<Diagnostic> findings;
  std::vector<Diagnostic> errors;  // E302, E304, E401
  // References to elements of other stacks, in the order they were written.
  struct Reference {
    const CfnElement* target = nullptr;
    std::string attribute;
    const Construct* at = nullptr;
    std::string output_id;
    bool imported = false;  // Fn::ImportValue (same account and region), else Fn::GetStackOutput
  };
  std::vector<Reference> references;
};

// Writes the pieces of one stack's template at a time. It reads the construct
// tree and nothing else shared, so several StackWriters (one per thread) can
// write different stacks at once; what a stack needs from others (exports,
// dependencies) is recorded in its pieces and registered afterwards.
class StackWriter {
 public:
  explicit StackWriter(const internal::SafetyRules& safety) : safety_(safety) {}

  // Problems (references that cannot be made, text that is not UTF-8) go to
  // the pieces' errors with the path of the construct that holds them.
  StackPieces write(const Stack& s) {
    StackPieces p;
    pieces_ = &p;
    std::vector<const CfnResource*> resources;
    std::vector<const CfnOutput*> outputs;
    std::vector<const CfnParameter*> parameters;
    for (const CfnElement* e : s.elements()) {
      if (const auto* r = dynamic_cast<const CfnResource*>(e)) {
        resources.push_back(r);
      } else if (const auto* o = dynamic_cast<const CfnOutput*>(e)) {
        outputs.push_back(o);
      } else if (const auto* pa = dynamic_cast<const CfnParameter*>(e)) {
        parameters.push_back(pa);
      }
    }
    auto by_id = [](const CfnElement* a, const CfnElement* b) { return a->logical_id() < b->logical_id(); };
    std::sort(resources.begin(), resources.end(), by_id);
    std::sort(outputs.begin(), outputs.end(), by_id);
    std::sort(parameters.begin(), parameters.end(), by_id);
    p.resource_count = resources.size();
    p.parameter_count = parameters.size();

    // Room for the rest of the template too: join() puts it around this text in place.
    p.resources.reserve(resources_capacity_);
    {
      JsonText w(p.resources);
      bool first = true;
      for (const CfnResource* r : resources) {
        w.key(r->logical_id(), 4, first);
        guarded(p.errors, *r, [&] { write_resource(w, *r, s, p.findings); });
      }
    }
    resources_capacity_ = std::max(resources_capacity_, p.resources.size() + p.resources.size() / 8 + 2048);

    {
      JsonText w(p.parameters);
      bool first = true;
      for (const CfnParameter* pa : parameters) {
        w.key(pa->logical_id(), 4, first);
        guarded(p.errors, *pa, [&] { write_parameter(w, *pa, s); });
        safety_.parameter(*pa, p.findings);
      }
    }

    p.outputs.reserve(outputs.size());
    {
      JsonText w(p.output_text);
      for (const CfnOutput* o : outputs) {
        guarded(p.errors, *o, [&] { write_output(w, *o, s); });
        safety_.output(*o, p.findings);
        p.outputs.emplace_back(o, w.size());
      }
    }
    pieces_ = nullptr;
    return p;
  }

  // `above` with `own` applied (own wins), sorted by key.
  static TagList with_own_tags(const TagList& above, const TagList& own) {
    std::map<std::string, std::string> merged(above.begin(), above.end());
    for (const auto& [k, v] : own) merged[k] = v;
    return {merged.begin(), merged.end()};
  }

  // Tags from every scope above c (and c itself), the closest scope winning,
  // sorted by key; computed once per scope.
  const TagList& scope_tags(const Construct* c) {
    static const TagList none;
    if (c == nullptr) return none;
    if (const auto it = scope_tags_.find(c); it != scope_tags_.end()) return it->second;
    const auto& above = scope_tags(c->parent());
    return scope_tags_.emplace(c, c->tags().empty() ? above : with_own_tags(above, c->tags())).first->second;
  }

  // The tags of resource r: its scopes' (memoized) with its own applied;
  // `own` holds the result when r has tags of its own.
  const TagList& resource_tags(const CfnResource& r, TagList& own) {
    const auto& above = scope_tags(r.parent());
    if (r.tags().empty()) return above;
    own = with_own_tags(above, r.tags());
    return own;
  }

  // The inherited tags as the resource's tags field, when it has none of its own.
  static void write_tags(JsonText& w, internal::TagFormat format, const TagList& tags, std::size_t indent) {
    bool first = true;
    if (format.is_map) {
      w.open('{');
      for (const auto& [k, v] : tags) {
        w.key(k, indent + 2, first);
        w.string(v);
      }
      w.close('}', indent, first);
      return;
    }
    w.open('[');
    for (const auto& [k, v] : tags) {
      w.item(indent + 2, first);
      bool first_member = true;
      w.open('{');
      w.key("Key", indent + 4, first_member);
      w.string(k);
      w.key("Value", indent + 4, first_member);
      w.string(v);
      w.close('}', indent + 2, first_member);
    }
    w.close(']', indent, first);
  }

  void write_resource(JsonText& w, const CfnResource& r, const Stack& s, std::vector<Diagnostic>& findings) {
    if (!r.overrides().empty()) {
      // Overrides may reach anywhere in the entry: build it as a Value first.
      TagList own;
      const Value entry = resource_entry(r, resource_tags(r, own));
      write_value(w, entry, s, r, 4);
      safety_.resource(r, &entry, findings);
      return;
    }
    // Keys in the order a JSON object keeps them (sorted).
    const std::size_t in = 6;
    bool first = true;
    w.open('{');
    if (r.condition()) {
      w.key("Condition", in, first);
      w.string(*r.condition());
    }
    if (r.deletion_policy()) {
      w.key("DeletionPolicy", in, first);
      w.string(*r.deletion_policy());
    }
    if (!r.dependencies().empty()) {
      std::set<std::string_view> ids;
      for (const auto* d : r.dependencies()) ids.insert(d->logical_id());
      w.key("DependsOn", in, first);
      bool first_dep = true;
      w.open('[');
      for (const auto id : ids) {
        w.item(in + 2, first_dep);
        w.string(id);
      }
      w.close(']', in, first_dep);
    }
    if (!r.metadata().empty()) {
      w.key("Metadata", in, first);
      write_object(w, r.metadata(), s, r, in);
    }
    // Tags from the scopes above join the resource's own.
    const auto format = internal::tag_format(r.type());
    TagList own;
    const TagList& tags = format.property.empty() ? scope_tags(nullptr) : resource_tags(r, own);
    if (!r.properties().empty() || !tags.empty()) {
      w.key("Properties", in, first);
      if (tags.empty()) {
        write_object(w, r.properties(), s, r, in);
      } else if (const auto it = r.properties().find(format.property); it == r.properties().end()) {
        write_object(w, r.properties(), s, r, in, format.property,
                     [&](std::size_t indent) { write_tags(w, format, tags, indent); });
      } else {
        const Value merged = merged_tags(format, &it->second, tags);
        write_object(w, r.properties(), s, r, in, format.property,
                     [&](std::size_t indent) { write_value(w, merged, s, r, indent); });
      }
    }
    w.key("Type", in, first);
    w.string(r.type());
    if (r.update_replace_policy()) {
      w.key("UpdateReplacePolicy", in, first);
      w.string(*r.update_replace_policy());
    }
    w.close('}', 4, first);
    safety_.resource(r, nullptr, findings);
  }

  void write_output(JsonText& w, const CfnOutput& o, const Stack& s) {
    const auto& p = o.props();
    const std::size_t in = 6;
    bool first = true;
    w.open('{');
    if (p.condition) {
      w.key("Condition", in, first);
      w.string(*p.condition);
    }
    if (p.description) {
      w.key("Description", in, first);
      w.string(*p.description);
    }
    if (p.export_name) {
      w.key("Export", in, first);
      bool first_export = true;
      w.open('{');
      w.key("Name", in + 2, first_export);
      write_value(w, *p.export_name, s, o, in + 2);
      w.close('}', in, first_export);
    }
    w.key("Value", in, first);
    write_output_value(w, p.value, s, o, in);
    w.close('}', 4, first);
  }

  // An output's Value. One that is read with Fn::GetStackOutput (a reference
  // to another region's stack, or the function written out) is wrapped in
  // {"Fn::Join": ["", [...]]}, the same string: cfn-lint 1.51.0 refuses the
  // function as an output value itself (E6101; CloudFormation refused it too
  // until May 2026), while both accept it inside Fn::Join (docs/architecture.md,
  // "References between stacks").
  void write_output_value(JsonText& w, const Value& v, const Stack& s, const CfnOutput& o, std::size_t indent) {
    const bool read_from_other_stack =
        (v.kind() == Value::Kind::function && v.function_name() == "Fn::GetStackOutput") ||
        ((v.kind() == Value::Kind::ref || v.kind() == Value::Kind::get_att) && v.target()->stack_or_null() != nullptr &&
         v.target()->stack_or_null() != &s && root_of(*v.target()->stack_or_null()) == root_of(s) &&
         !imports(*v.target()->stack_or_null(), s));
    write_value(w, read_from_other_stack ? Value::join("", {v}) : v, s, o, indent);
  }

  static void write_export(JsonText& w, const ExportedOutput& e) {
    const std::size_t in = 6;
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
    write_local_reference(w, *e.target, e.attribute, in);
    w.close('}', 4, first);
  }

  void write_parameter(JsonText& w, const CfnParameter& p, const Stack& s) {
    const auto& pp = p.props();
    const std::size_t in = 6;
    bool first = true;
    w.open('{');
    if (!pp.allowed_values.empty()) {
      w.key("AllowedValues", in, first);
      bool first_value = true;
      w.open('[');
      for (const auto& v : pp.allowed_values) {
        w.item(in + 2, first_value);
        w.string(v);
      }
      w.close(']', in, first_value);
    }
    if (pp.default_value) {
      w.key("Default", in, first);
      write_value(w, *pp.default_value, s, p, in);
    }
    if (pp.description) {
      w.key("Description", in, first);
      w.string(*pp.description);
    }
    if (pp.no_echo) {
      w.key("NoEcho", in, first);
      w.boolean(true);
    }
    w.key("Type", in, first);
    w.string(pp.type);
    w.close('}', 4, first);
  }

  // ---- values -------------------------------------------------------------
  void write_object(JsonText& w, const Value::Object& members, const Stack& s, const Construct& at, std::size_t indent) {
    bool first = true;
    w.open('{');
    for (const auto& [k, v] : members) {
      w.key(k, indent + 2, first);
      write_value(w, v, s, at, indent + 2);
    }
    w.close('}', indent, first);
  }

  // An object with one more member, `inject_key`, written by inject(indent) in
  // its sorted place (replacing a member of that name).
  template <typename Inject>
  void write_object(JsonText& w, const Value::Object& members, const Stack& s, const Construct& at, std::size_t indent,
                    std::string_view inject_key, Inject&& inject) {
    bool first = true;
    bool injected = false;
    w.open('{');
    for (const auto& [k, v] : members) {
      if (!injected && inject_key <= k) {
        w.key(inject_key, indent + 2, first);
        inject(indent + 2);
        injected = true;
        if (inject_key == k) continue;
      }
      w.key(k, indent + 2, first);
      write_value(w, v, s, at, indent + 2);
    }
    if (!injected) {
      w.key(inject_key, indent + 2, first);
      inject(indent + 2);
    }
    w.close('}', indent, first);
  }

  // {name: argument}
  template <typename F>
  static void write_single(JsonText& w, std::string_view name, std::size_t indent, F&& argument) {
    bool first = true;
    w.open('{');
    w.key(name, indent + 2, first);
    argument();
    w.close('}', indent, first);
  }

  static void write_local_reference(JsonText& w, const CfnElement& target, const std::string& attribute,
                                    std::size_t indent) {
    if (attribute.empty()) {
      write_single(w, "Ref", indent, [&] { w.string(target.logical_id()); });
      return;
    }
    write_single(w, "Fn::GetAtt", indent, [&] {
      bool first = true;
      w.open('[');
      w.item(indent + 4, first);
      w.string(target.logical_id());
      w.item(indent + 4, first);
      w.string(attribute);
      w.close(']', indent + 2, first);
    });
  }

  // A Ref / GetAtt as the consumer stack s sees it: local, Fn::ImportValue
  // (same account and region) or Fn::GetStackOutput.
  void write_reference(JsonText& w, const Value& v, const Stack& s, const Construct& at, std::size_t indent) {
    const CfnElement& target = *v.target();
    const Stack* producer = target.stack_or_null();
    if (producer == &s) {
      write_local_reference(w, target, v.attribute(), indent);
      return;
    }
    if (producer == nullptr || root_of(*producer) != root_of(s)) {
      pieces_->errors.push_back({"E302", Severity::error, at.path(),
                                 "references a construct that is in no stack of this app", v.describe(),
                                 "a target inside a Stack of the same App"});
      w.null();
      return;
    }
    const std::string* output_id = cross_stack_reference(v, s, at);
    if (output_id == nullptr) {
      w.null();
      return;
    }
    if (imports(*producer, s)) {
      const std::string name = export_name(*producer, *output_id);
      write_single(w, "Fn::ImportValue", indent, [&] { w.string(name); });
      return;
    }
    write_single(w, "Fn::GetStackOutput", indent, [&] {
      const std::size_t in = indent + 4;
      bool first = true;
      w.open('{');
      w.key("OutputName", in, first);
      w.string(*output_id);
      w.key("Region", in, first);
      w.string(producer->region());
      if (other_account(*producer, s)) {
        w.key("RoleArn", in, first);
        w.string(*s.props().cross_account_reader_role_arn);
      }
      w.key("StackName", in, first);
      w.string(producer->stack_name());
      w.close('}', indent + 2, first);
    });
  }

  void write_value(JsonText& w, const Value& v, const Stack& s, const Construct& at, std::size_t indent) {
    switch (v.kind()) {
      case Value::Kind::null: w.null(); return;
      case Value::Kind::boolean: w.boolean(v.as_bool()); return;
      case Value::Kind::integer: w.integer(v.as_int()); return;
      case Value::Kind::number: w.number(v.as_number()); return;
      case Value::Kind::string: w.string(v.as_string()); return;
      case Value::Kind::array: {
        bool first = true;
        w.open('[');
        for (const auto& e : v.as_array()) {
          w.item(indent + 2, first);
          write_value(w, e, s, at, indent + 2);
        }
        w.close(']', indent, first);
        return;
      }
      case Value::Kind::object: write_object(w, v.as_object(), s, at, indent); return;
      case Value::Kind::pseudo:
        write_single(w, "Ref", indent, [&] { w.string(pseudo_name(v.pseudo_parameter())); });
        return;
      case Value::Kind::function:
        write_single(w, v.function_name(), indent, [&] { write_value(w, v.function_argument(), s, at, indent + 2); });
        return;
      case Value::Kind::ref:
      case Value::Kind::get_att: write_reference(w, v, s, at, indent); return;
    }
  }


 private:
  // A reference from stack `consumer` (used by `at`) to an element of
  // another stack, recorded for the renderer to register once every stack is
  // written (the producer's output, the consumer's dependency). Returns the
  // output's id, or nullptr when the reference cannot be made (E304).
  const std::string* cross_stack_reference(const Value& v, const Stack& consumer, const Construct& at) {
    const CfnElement* target = v.target();
    const Stack* producer = target->stack_or_null();
    if (other_account(*producer, consumer) && !consumer.props().cross_account_reader_role_arn) {
      pieces_->errors.push_back({"E304", Severity::error, at.path(),
                                 "references " + target->path() + " in account " + *producer->account() +
                                     " from account " + *consumer.account() +
                                     "; CloudFormation can read another account's outputs only through a role",
                                 v.describe(), "StackProps.cross_account_reader_role_arn on stack " + consumer.stack_name()});
      return nullptr;
    }
    const std::string& output_id = output_id_of(*target, v.attribute());
    pieces_->references.push_back({target, v.attribute(), &at, output_id, imports(*producer, consumer)});
    return &output_id;
  }

  // Same naming as aws-cdk-lib: Exports/Output{"Ref":"X"} -> ExportsOutputRefX<hash>.
  const std::string& output_id_of(const CfnElement& target, const std::string& attribute) {
    auto key = std::make_pair(&target, attribute);
    auto it = output_ids_.find(key);
    if (it == output_ids_.end())
      it = output_ids_.emplace(std::move(key), make_logical_id({"Exports", "Output" + local_reference_json(target, attribute)}))
               .first;
    return it->second;
  }

  const internal::SafetyRules& safety_;
  StackPieces* pieces_ = nullptr;  // what write() is filling
  std::map<std::pair<const CfnElement*, std::string>, std::string> output_ids_;
  std::unordered_map<const Construct*, std::vector<std::pair<std::string, std::string>>> scope_tags_;
  std::size_t resources_capacity_ = 4096;  // grows to the largest Resources section so far
};

class Renderer {
 public:
  // The stacks in tree order; each knows its elements and assets, so the walk
  // stops at stacks (they do not nest) instead of visiting every construct.
  explicit Renderer(const App& app) : app_(app), safety_(app) { find_stacks(app); }

  Assembly run(const SynthOptions& options) {
    auto& timings = internal::last_render_timings();
    const auto t0 = Clock::now();
    check_stack_names();
    for (const Stack* s : stack_order_) check_logical_ids(*s);
    throw_if_errors();
    for (const Stack* s : stack_order_) {
      auto& st = states_.at(s);
      for (const auto& d : s->explicit_dependencies())
        if (d.stack != s) st.depends_on[d.stack].insert({s->path(), d.reason.empty() ? d.stack->path() : d.reason});
    }
    const auto t1 = Clock::now();
    timings.resolve_seconds += std::chrono::duration<double>(t1 - t0).count();

    // One pass over every value: written as text, references resolved as
    // they are met, the safety rules applied while the values are in cache.
    // Stacks are independent here, so they are written on several threads
    // (tree.json is one more task); each result lands in its own slot, so the
    // output does not depend on the schedule.
    std::vector<StackPieces> pieces(stack_order_.size());
    std::size_t element_count = 0;
    for (const Stack* s : stack_order_) element_count += s->elements().size();
    const std::size_t tasks = stack_order_.size() + 1;
    std::vector<StackWriter> writers(internal::workers(tasks, options.threads), StackWriter(safety_));
    internal::parallel_for(tasks, options.threads, [&](unsigned worker, std::size_t task) {
      StackWriter& writer = writers[worker];
      if (task == 0) {
        // About 650 bytes of tree.json per element for the DR system; a large
        // reservation is only paged in as far as it is written.
        tree_text_ = internal::tree_text(app_, 1024 * element_count + 65536);
      } else {
        const Stack* s = stack_order_[task - 1];
        pieces[task - 1] = writer.write(*s);
      }
    });
    for (std::size_t i = 0; i < stack_order_.size(); ++i) register_references(*stack_order_[i], pieces[i]);
    throw_if_errors();
    const auto t2 = Clock::now();
    timings.render_seconds += std::chrono::duration<double>(t2 - t1).count();

    for (const Stack* s : stack_order_) check_export_ids(*s);
    const auto order = deployment_order();
    throw_if_errors();
    const auto selected = select(order, options);
    const auto t3 = Clock::now();
    timings.resolve_seconds += std::chrono::duration<double>(t3 - t2).count();

    Assembly a;
    for (const Stack* s : order) {
      if (!selected.contains(s)) continue;
      StackArtifact art;
      art.stack = s;
      art.name = s->stack_name();
      art.region = s->region();
      art.environment = s->environment_uri();
      art.template_file = art.name + ".template.json";
      for (const auto& [dep, _] : states_.at(s).depends_on) art.dependencies.push_back(dep->stack_name());
      std::sort(art.dependencies.begin(), art.dependencies.end());
      art.assets = s->assets();
      StackPieces& p = pieces[states_.at(s).order];
      join(*s, p, art);
      p = {};
      for (const Asset* as : art.assets) a.assets.push_back(as);
      a.stacks.push_back(std::move(art));
    }
    throw_if_errors();
    const auto t4 = Clock::now();
    timings.render_seconds += std::chrono::duration<double>(t4 - t3).count();

    a.manifest_text = manifest(a);
    a.tree_text = std::move(tree_text_);
    timings.resolve_seconds += seconds_since(t4);
    return a;
  }

 private:
  // What writing stack s found out about other stacks: each reference gives
  // the producer an output (exported when a consumer in the same account and
  // region imports it) and s a dependency on the producer. In stack order, so
  // the result does not depend on which thread wrote what.
  void register_references(const Stack& s, StackPieces& p) {
    for (const auto& r : p.references) {
      const Stack* producer = r.target->stack_or_null();
      states_.at(&s).depends_on[producer].insert({r.at->path(), r.target->path()});
      auto& exported = states_.at(producer).exports[r.output_id];
      exported.target = r.target;
      exported.attribute = r.attribute;
      if (r.imported && !exported.exported) {
        exported.exported = true;
        exported.export_name = export_name(*producer, r.output_id);
      }
    }
    p.references.clear();
    errors_.insert(errors_.end(), std::make_move_iterator(p.errors.begin()), std::make_move_iterator(p.errors.end()));
    p.errors.clear();
  }

  void find_stacks(const App& app) {
    for (const Stack* s : internal::stacks_of(app)) {
      auto& st = states_[s];
      st.stack = s;
      st.order = stack_order_.size();
      stack_order_.push_back(s);
    }
  }

  void throw_if_errors() {
    if (errors_.empty()) return;
    sort_diagnostics(errors_);
    errors_.erase(std::unique(errors_.begin(), errors_.end(),
                              [](const Diagnostic& a, const Diagnostic& b) { return a.format() == b.format(); }),
                  errors_.end());
    throw Error(std::move(errors_));
  }

  // Stack names name the template files and the manifest's artifacts (next
  // to the "Tree" artifact): two stacks with one name would overwrite each other.
  void check_stack_names() {
    std::unordered_map<std::string_view, const Stack*> seen;
    for (const Stack* s : stack_order_) {
      if (s->stack_name() == "Tree")
        errors_.push_back({"E305", Severity::error, s->path(), "stack name is reserved for the assembly's tree artifact",
                           s->stack_name(), "another stack name"});
      auto [it, inserted] = seen.emplace(s->stack_name(), s);
      if (!inserted)
        errors_.push_back({"E305", Severity::error, s->path(),
                           "two stacks have the same stack name (the other is " + it->second->path() + ")",
                           s->stack_name(), "stack names unique within an app"});
    }
  }

  void check_logical_ids(const Stack& s) {
    std::unordered_map<std::string_view, const CfnElement*> seen;
    for (const CfnElement* e : s.elements()) {
      auto [it, inserted] = seen.emplace(e->logical_id(), e);
      if (!inserted)
        errors_.push_back({"E301", Severity::error, e->path(),
                           "two elements of stack " + s.stack_name() + " have the same logical ID (the other is " +
                               it->second->path() + ")",
                           e->logical_id(), "logical IDs unique within a stack"});
    }
  }

  // Joins the pieces and the exports into the template text, around the
  // Resources members in their own buffer (no second copy of the template).
  void join(const Stack& s, StackPieces& p, StackArtifact& art) {
    const auto& exports = states_.at(&s).exports;
    art.resource_count = p.resource_count;
    art.parameter_count = p.parameter_count;
    art.output_count = p.outputs.size() + exports.size();
    art.findings = std::move(p.findings);

    std::string head;
    {
      JsonText w(head);
      bool first = true;
      w.open('{');
      guarded(errors_, s, [&] {
        w.key("AWSTemplateFormatVersion", 2, first);
        w.string("2010-09-09");
        if (s.props().description) {
          w.key("Description", 2, first);
          w.string(*s.props().description);
        }
        // Lets a bare `cfn-lint <file>` check the template against its own region.
        w.key("Metadata", 2, first);
        w.raw("{\n    \"cfn-lint\": {\n      \"config\": {\n        \"regions\": [\n          ");
        w.string(s.region());
        w.raw("\n        ]\n      }\n    }\n  }");
      });

      if (art.output_count > 0) {
        // The stack's own outputs and the resolver's, merged in id order.
        w.key("Outputs", 2, first);
        bool first_output = true;
        w.open('{');
        auto own = p.outputs.begin();
        std::size_t own_start = 0;
        auto exported = exports.begin();
        while (own != p.outputs.end() || exported != exports.end()) {
          if (exported == exports.end() || (own != p.outputs.end() && own->first->logical_id() < exported->first)) {
            w.key(own->first->logical_id(), 4, first_output);
            w.raw(std::string_view(p.output_text).substr(own_start, own->second - own_start));
            own_start = own->second;
            ++own;
          } else {
            w.key(exported->first, 4, first_output);
            StackWriter::write_export(w, exported->second);
            ++exported;
          }
        }
        w.close('}', 2, first_output);
      }
      if (p.parameter_count > 0) {
        w.key("Parameters", 2, first);
        w.open('{');
        w.raw(p.parameters);
        w.close('}', 2, false);
      }
      w.key("Resources", 2, first);
      w.open('{');
    }
    std::string& text = p.resources;
    const bool no_resources = text.empty();
    text.insert(0, head);
    text.append(no_resources ? "}\n}\n" : "\n  }\n}\n");
    art.template_text = std::move(text);
  }

  void check_export_ids(const Stack& s) {
    const auto& st = states_.at(&s);
    if (st.exports.empty()) return;
    std::set<std::string_view> outputs;
    for (const CfnElement* e : s.elements())
      if (dynamic_cast<const CfnOutput*>(e) != nullptr) outputs.insert(e->logical_id());
    for (const auto& [id, e] : st.exports)
      if (outputs.contains(id))
        errors_.push_back({"E301", Severity::error, s.path() + "/Exports/" + id,
                           "an output the resolver adds clashes with an existing output", id,
                           "output ids unique within a stack"});
  }

  std::set<const Stack*> select(const std::vector<const Stack*>& order, const SynthOptions& options) {
    std::set<const Stack*> selected;
    if (options.stacks.empty()) {
      selected.insert(order.begin(), order.end());
      return selected;
    }
    std::function<void(const Stack*)> include = [&](const Stack* s) {
      if (!selected.insert(s).second) return;
      for (const auto& [dep, _] : states_.at(s).depends_on) include(dep);
    };
    for (const auto& name : options.stacks) {
      auto it = std::find_if(order.begin(), order.end(), [&](const Stack* s) { return s->stack_name() == name; });
      if (it == order.end()) {
        std::string known;
        for (const Stack* s : order) known += (known.empty() ? "" : ", ") + s->stack_name();
        errors_.push_back({"E504", Severity::error, "", "no stack named " + name, name, "one of: " + known});
        continue;
      }
      include(*it);
    }
    throw_if_errors();
    return selected;
  }

  // ---- dependency graph -----------------------------------------------
  std::vector<const Stack*> deployment_order() {
    // Cycle detection (DFS), reporting every stack and edge on the cycle.
    enum class Mark { none, active, done };
    std::map<const Stack*, Mark> mark;
    std::vector<const Stack*> path;
    std::function<bool(const Stack*)> visit = [&](const Stack* s) -> bool {
      mark[s] = Mark::active;
      path.push_back(s);
      for (const auto& [dep, reasons] : states_.at(s).depends_on) {
        if (mark[dep] == Mark::active) {
          report_cycle(path, dep);
          return false;
        }
        if (mark[dep] == Mark::none && !visit(dep)) return false;
      }
      path.pop_back();
      mark[s] = Mark::done;
      return true;
    };
    for (const Stack* s : stack_order_)
      if (mark[s] == Mark::none && !visit(s)) return {};

    // Kahn's algorithm, always taking the earliest ready stack in tree order:
    // a min-heap of ready stacks by tree position, O(E log S).
    const std::size_t n = stack_order_.size();
    std::vector<std::size_t> pending(n, 0);
    std::vector<std::vector<std::size_t>> dependents(n);
    for (std::size_t i = 0; i < n; ++i)
      for (const auto& [dep, reasons] : states_.at(stack_order_[i]).depends_on) {
        ++pending[i];
        dependents[states_.at(dep).order].push_back(i);
      }
    std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
    for (std::size_t i = 0; i < n; ++i)
      if (pending[i] == 0) ready.push(i);
    std::vector<const Stack*> order;
    order.reserve(n);
    while (!ready.empty()) {
      const std::size_t i = ready.top();
      ready.pop();
      order.push_back(stack_order_[i]);
      for (const std::size_t d : dependents[i])
        if (--pending[d] == 0) ready.push(d);
    }
    return order;
  }

  void report_cycle(const std::vector<const Stack*>& path, const Stack* back_to) {
    auto start = std::find(path.begin(), path.end(), back_to);
    std::vector<const Stack*> cycle(start, path.end());
    std::string names;
    for (const Stack* s : cycle) names += s->stack_name() + " -> ";
    names += back_to->stack_name();
    std::string edges;
    for (std::size_t i = 0; i < cycle.size(); ++i) {
      const Stack* from = cycle[i];
      const Stack* to = i + 1 < cycle.size() ? cycle[i + 1] : back_to;
      for (const auto& r : states_.at(from).depends_on.at(to))
        edges += "; " + from->stack_name() + " depends on " + to->stack_name() + " because " + r.from + " uses " + r.to;
    }
    errors_.push_back({"E303", Severity::error, cycle.front()->path(),
                       "stack dependency cycle: " + names + edges, names, "stack dependencies without a cycle"});
  }

  // ---- the manifest -------------------------------------------------------
  // Artifacts in deployment order: the AWS CDK CLI lists and deploys them in
  // manifest order. Keys in the order the cloud-assembly schema lists them.
  static std::string manifest(const Assembly& a) {
    std::string out;
    {
      JsonText w(out);
      bool first = true;
      w.open('{');
      w.key("version", 2, first);
      w.string(internal::manifest_version);
      w.key("artifacts", 2, first);
      bool first_artifact = true;
      w.open('{');
      auto member = [&w](std::string_view key, std::string_view value, std::size_t indent, bool& first_member) {
        w.key(key, indent, first_member);
        w.string(value);
      };
      for (const auto& art : a.stacks) {
        w.key(art.name, 4, first_artifact);
        bool f = true;
        w.open('{');
        member("type", "aws:cloudformation:stack", 6, f);
        member("environment", art.environment, 6, f);
        w.key("properties", 6, f);
        bool fp = true;
        w.open('{');
        member("templateFile", art.template_file, 8, fp);
        member("stackName", art.name, 8, fp);
        w.close('}', 6, fp);
        member("displayName", art.name, 6, f);
        if (!art.dependencies.empty()) {
          w.key("dependencies", 6, f);
          bool fd = true;
          w.open('[');
          for (const auto& d : art.dependencies) {
            w.item(8, fd);
            w.string(d);
          }
          w.close(']', 6, fd);
        }
        w.close('}', 4, f);
      }
      w.key("Tree", 4, first_artifact);
      bool f = true;
      w.open('{');
      member("type", "cdk:tree", 6, f);
      w.key("properties", 6, f);
      bool fp = true;
      w.open('{');
      member("file", "tree.json", 8, fp);
      w.close('}', 6, fp);
      w.close('}', 4, f);
      w.close('}', 2, first_artifact);
      w.close('}', 0, first);
      w.put('\n');
    }
    return out;
  }

  std::vector<const Stack*> stack_order_;
  std::unordered_map<const Stack*, StackState> states_;
  const App& app_;
  internal::SafetyRules safety_;
  std::string tree_text_;
  std::vector<Diagnostic> errors_;
};

}  // namespace

unsigned internal::workers(std::size_t count, unsigned threads) noexcept {
  if (threads == 0) threads = std::clamp(std::thread::hardware_concurrency(), 1U, 8U);
  if (count < 16) threads = 1;  // starting threads costs more than a few items take
  return static_cast<unsigned>(std::clamp<std::size_t>(std::min<std::size_t>(threads, count), 1, 8));
}

void internal::parallel_for(std::size_t count, unsigned threads, const std::function<void(unsigned, std::size_t)>& fn) {
  const unsigned n = workers(count, threads);
  std::atomic<std::size_t> next{0};
  std::vector<std::exception_ptr> failures(n);
  auto work = [&](unsigned worker) {
    try {
      for (std::size_t i = next++; i < count; i = next++) fn(worker, i);
    } catch (...) {
      failures[worker] = std::current_exception();
      next = count;  // the others stop after their current item
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(n - 1);
  for (unsigned t = 1; t < n; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& t : pool) t.join();
  for (const auto& f : failures)
    if (f) std::rethrow_exception(f);
}

internal::RenderTimings& internal::last_render_timings() noexcept {
  static RenderTimings t;
  return t;
}

Assembly render(const App& app, const SynthOptions& options) {
  internal::last_render_timings() = {};
  return Renderer(app).run(options);
}

const StackArtifact* Assembly::find(std::string_view stack_name) const {
  for (const auto& s : stacks)
    if (s.name == stack_name) return &s;
  return nullptr;
}

struct StackArtifact::Document {
  std::once_flag parsed;
  nlohmann::json json;
};

std::shared_ptr<StackArtifact::Document> StackArtifact::new_document() { return std::make_shared<Document>(); }

const nlohmann::json& StackArtifact::template_json() const {
  std::call_once(document_->parsed, [&] { document_->json = nlohmann::json::parse(template_text); });
  return document_->json;
}

}  // namespace drsynth

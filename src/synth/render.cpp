// Phase 3: logical IDs, references across stacks and regions, the stack
// dependency graph, and one template per stack.
#include <algorithm>
#include <chrono>
#include <map>
#include <queue>
#include <set>
#include <unordered_map>

#include "drsynth/app.hpp"
#include "drsynth/asset.hpp"
#include "drsynth/cfn_output.hpp"
#include "drsynth/cfn_resource.hpp"
#include "drsynth/logical_id.hpp"
#include "drsynth/stack.hpp"
#include "drsynth/synth.hpp"
#include "synth/internal.hpp"

namespace drsynth {

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// dump_checked, adding its time to the render's serialize time.
std::string timed_dump(const json& j, const std::string& path) {
  const auto t0 = Clock::now();
  std::string s = internal::dump_checked(j, path);
  internal::last_render_timings().serialize_seconds += seconds_since(t0);
  return s;
}

// Why a stack depends on another: the referencing construct and the target.
struct Reason {
  std::string from;
  std::string to;
  bool operator<(const Reason& o) const { return std::tie(from, to) < std::tie(o.from, o.to); }
};

// An output that the resolver adds to a producer stack for a consumer elsewhere.
struct ExportedOutput {
  json value;                // a local Ref / GetAtt in the producer
  std::string export_name;   // used only when `exported`
  bool exported = false;     // a same-region consumer imports it
};

struct StackState {
  const Stack* stack = nullptr;
  std::size_t order = 0;  // position in the tree (for stable sorting)
  std::vector<const CfnElement*> elements;
  std::vector<const Asset*> assets;
  std::map<std::string, ExportedOutput> exports;  // by output logical id
  std::map<const Stack*, std::set<Reason>> depends_on;
};

class Renderer {
 public:
  explicit Renderer(const App& app) {
    app.walk([&](const Construct& c) {
      if (const auto* s = dynamic_cast<const Stack*>(&c)) {
        auto& st = states_[s];
        st.stack = s;
        st.order = stack_order_.size();
        stack_order_.push_back(s);
      } else if (const auto* e = dynamic_cast<const CfnElement*>(&c)) {
        states_[e->stack_or_null()].elements.push_back(e);
      } else if (const auto* a = dynamic_cast<const Asset*>(&c)) {
        if (a->stack_or_null() != nullptr) states_[a->stack_or_null()].assets.push_back(a);
      }
    });
  }

  Assembly run(const SynthOptions& options) {
    for (const Stack* s : stack_order_) check_logical_ids(*s);
    throw_if_errors();
    for (const Stack* s : stack_order_) {
      auto& st = states_.at(s);
      for (const auto& d : s->explicit_dependencies())
        if (d.stack != s) st.depends_on[d.stack].insert({s->path(), d.reason.empty() ? d.stack->path() : d.reason});
    }
    std::map<const Stack*, json> templates;
    for (const Stack* s : stack_order_) templates[s] = render_stack(*s);
    throw_if_errors();
    for (const Stack* s : stack_order_) add_exports(*s, templates[s]);
    const auto order = deployment_order();
    throw_if_errors();
    return assemble(order, templates, options);
  }

 private:
  void throw_if_errors() {
    if (errors_.empty()) return;
    sort_diagnostics(errors_);
    errors_.erase(std::unique(errors_.begin(), errors_.end(),
                              [](const Diagnostic& a, const Diagnostic& b) { return a.format() == b.format(); }),
                  errors_.end());
    throw Error(std::move(errors_));
  }

  void check_logical_ids(const Stack& s) {
    std::unordered_map<std::string_view, const CfnElement*> seen;
    for (const CfnElement* e : states_.at(&s).elements) {
      auto [it, inserted] = seen.emplace(e->logical_id(), e);
      if (!inserted)
        errors_.push_back({"E301", Severity::error, e->path(),
                           "two elements of stack " + s.stack_name() + " have the same logical ID (the other is " +
                               it->second->path() + ")",
                           e->logical_id(), "logical IDs unique within a stack"});
    }
  }

  // ---- values ---------------------------------------------------------
  json local_reference(const Value& v) const {
    const CfnElement* t = v.target();
    if (v.kind() == Value::Kind::ref) return json{{"Ref", t->logical_id()}};
    return json{{"Fn::GetAtt", json::array({t->logical_id(), v.attribute()})}};
  }

  json reference(const Value& v, const Stack& consumer, const Construct& at) {
    const CfnElement* target = v.target();
    const Stack* producer = target->stack_or_null();
    json local = local_reference(v);
    if (producer == &consumer) return local;

    states_.at(&consumer).depends_on[producer].insert({at.path(), target->path()});
    // Same naming as aws-cdk-lib: Exports/Output{"Ref":"X"} -> ExportsOutputRefX<hash>.
    const std::string output_id = make_logical_id({"Exports", "Output" + local.dump()});
    auto& exported = states_.at(producer).exports[output_id];
    exported.value = local;

    const auto& pa = producer->account();
    const auto& ca = consumer.account();
    const bool other_account = pa && ca && *pa != *ca;
    if (!other_account && producer->region() == consumer.region()) {
      if (!exported.exported) {
        exported.exported = true;
        const std::string prefix = producer->stack_name() + ":";
        std::string local_part = output_id;
        if (prefix.size() + local_part.size() > 255) local_part = local_part.substr(prefix.size() + local_part.size() - 255);
        exported.export_name = prefix + local_part;
      }
      return json{{"Fn::ImportValue", exported.export_name}};
    }
    json arg{{"StackName", producer->stack_name()}, {"OutputName", output_id}, {"Region", producer->region()}};
    if (other_account) {
      const auto& role = consumer.props().cross_account_reader_role_arn;
      if (!role) {
        errors_.push_back({"E304", Severity::error, at.path(),
                           "references " + target->path() + " in account " + *pa + " from account " + *ca +
                               "; CloudFormation can read another account's outputs only through a role",
                           v.describe(), "StackProps.cross_account_reader_role_arn on stack " + consumer.stack_name()});
        return json();
      }
      arg["RoleArn"] = *role;
    }
    return json{{"Fn::GetStackOutput", std::move(arg)}};
  }

  json render_object(const Value::Object& members, const Stack& s, const Construct& at) {
    json o = json::object();
    for (const auto& [k, e] : members) o.emplace(k, render_value(e, s, at));
    return o;
  }

  json render_value(const Value& v, const Stack& s, const Construct& at) {
    switch (v.kind()) {
      case Value::Kind::null: return json();
      case Value::Kind::boolean: return v.as_bool();
      case Value::Kind::integer: return v.as_int();
      case Value::Kind::number: return v.as_number();
      case Value::Kind::string: return v.as_string();
      case Value::Kind::array: {
        json a = json::array();
        for (const auto& e : v.as_array()) a.push_back(render_value(e, s, at));
        return a;
      }
      case Value::Kind::object: return render_object(v.as_object(), s, at);
      case Value::Kind::pseudo: return json{{"Ref", std::string(pseudo_name(v.pseudo_parameter()))}};
      case Value::Kind::function: return json{{v.function_name(), render_value(v.function_argument(), s, at)}};
      case Value::Kind::ref:
      case Value::Kind::get_att: {
        if (v.target()->stack_or_null() == nullptr) {
          errors_.push_back({"E302", Severity::error, at.path(), "references a construct that is in no stack",
                             v.describe(), "a target inside a Stack"});
          return json();
        }
        return reference(v, s, at);
      }
    }
    return json();
  }

  // ---- templates ------------------------------------------------------
  static void apply_override(Value& root, const CfnResource::Override& o) {
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

  // Tags from every scope above the resource, the closest scope winning.
  static std::vector<std::pair<std::string, std::string>> inherited_tags(const CfnResource& r) {
    std::map<std::string, std::string> tags;
    std::vector<const Construct*> chain;
    for (const Construct* c = &r; c != nullptr; c = c->parent()) chain.push_back(c);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      for (const auto& [k, v] : (*it)->tags()) tags[k] = v;
    return {tags.begin(), tags.end()};
  }

  static void merge_tags(const CfnResource& r, Value& props) {
    const auto tag_kind = internal::tag_format(r.type());
    if (tag_kind.property.empty()) return;
    const auto tags = inherited_tags(r);
    if (tags.empty()) return;
    Value& field = props[tag_kind.property];
    if (tag_kind.is_map) {
      for (const auto& [k, v] : tags)
        if (field.find(k) == nullptr) field[k] = Value(v);
      return;
    }
    std::set<std::string> explicit_keys;
    if (field.is_array())
      for (const auto& t : field.as_array())
        if (const auto* key = t.find("Key"); key != nullptr && key->is_string()) explicit_keys.insert(key->as_string());
    std::vector<Value> merged = field.is_array() ? field.as_array() : std::vector<Value>{};
    for (const auto& [k, v] : tags)
      if (!explicit_keys.contains(k)) merged.push_back(Value::object({{"Key", Value(k)}, {"Value", Value(v)}}));
    std::sort(merged.begin(), merged.end(), [](const Value& a, const Value& b) {
      const auto* ka = a.find("Key");
      const auto* kb = b.find("Key");
      if (ka == nullptr || kb == nullptr || !ka->is_string() || !kb->is_string()) return false;
      return ka->as_string() < kb->as_string();
    });
    field = Value(std::move(merged));
  }

  // The rendered Tags field of a resource whose Value-level field was absent or
  // an array (list tags) / an object (map tags): the same result as
  // merge_tags on the Value, applied to the rendered JSON.
  static void merge_tags_json(const internal::TagFormat& tag_kind,
                              const std::vector<std::pair<std::string, std::string>>& tags, json& props) {
    json& field = props[std::string(tag_kind.property)];
    if (tag_kind.is_map) {
      for (const auto& [k, v] : tags)
        if (!field.contains(k)) field[k] = v;
      return;
    }
    auto key_of = [](const json& t) -> const std::string* {
      if (!t.is_object()) return nullptr;
      const auto it = t.find("Key");
      return it != t.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
    };
    std::set<std::string> explicit_keys;
    if (field.is_array())
      for (const auto& t : field)
        if (const auto* key = key_of(t)) explicit_keys.insert(*key);
    json merged = field.is_array() ? std::move(field) : json::array();
    for (const auto& [k, v] : tags) {
      if (explicit_keys.contains(k)) continue;
      json tag = json::object();
      tag["Key"] = k;
      tag["Value"] = v;
      merged.push_back(std::move(tag));
    }
    auto& items = merged.get_ref<json::array_t&>();
    std::sort(items.begin(), items.end(), [&](const json& a, const json& b) {
      const auto* ka = key_of(a);
      const auto* kb = key_of(b);
      if (ka == nullptr || kb == nullptr) return false;
      return *ka < *kb;
    });
    field = std::move(merged);
  }

  // Renders the resource straight from its properties, without copying them
  // into a Value first. Overrides, and a Tags field of another shape than
  // merge_tags keeps, take the general path below.
  json render_resource(const CfnResource& r, const Stack& s) {
    if (!r.overrides().empty()) return render_resource_general(r, s);
    const auto tag_kind = internal::tag_format(r.type());
    std::vector<std::pair<std::string, std::string>> tags;
    if (!tag_kind.property.empty()) {
      tags = inherited_tags(r);
      if (!tags.empty()) {
        const auto it = r.properties().find(tag_kind.property);
        if (it != r.properties().end() && !(tag_kind.is_map ? it->second.is_object() : it->second.is_array()))
          return render_resource_general(r, s);
      }
    }
    json entry = json::object();
    entry["Type"] = r.type();
    json props = render_object(r.properties(), s, r);
    if (!tags.empty()) merge_tags_json(tag_kind, tags, props);
    if (!props.empty()) entry["Properties"] = std::move(props);
    if (!r.dependencies().empty()) {
      std::set<std::string> ids;
      for (const auto* d : r.dependencies()) ids.insert(d->logical_id());
      json deps = json::array();
      for (const auto& id : ids) deps.push_back(id);
      entry["DependsOn"] = std::move(deps);
    }
    if (r.deletion_policy()) entry["DeletionPolicy"] = *r.deletion_policy();
    if (r.update_replace_policy()) entry["UpdateReplacePolicy"] = *r.update_replace_policy();
    if (r.condition()) entry["Condition"] = *r.condition();
    if (!r.metadata().empty()) entry["Metadata"] = render_object(r.metadata(), s, r);
    return entry;
  }

  json render_resource_general(const CfnResource& r, const Stack& s) {
    Value props(r.properties());
    merge_tags(r, props);
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
    return render_value(entry, s, r);
  }

  json render_output(const CfnOutput& o, const Stack& s) {
    const auto& p = o.props();
    json out{{"Value", render_value(p.value, s, o)}};
    if (p.description) out["Description"] = *p.description;
    if (p.export_name) out["Export"] = json{{"Name", render_value(*p.export_name, s, o)}};
    if (p.condition) out["Condition"] = *p.condition;
    return out;
  }

  json render_parameter(const CfnParameter& p, const Stack& s) {
    const auto& pp = p.props();
    json out{{"Type", pp.type}};
    if (pp.default_value) out["Default"] = render_value(*pp.default_value, s, p);
    if (pp.description) out["Description"] = *pp.description;
    if (!pp.allowed_values.empty()) out["AllowedValues"] = pp.allowed_values;
    if (pp.no_echo) out["NoEcho"] = true;
    return out;
  }

  json render_stack(const Stack& s) {
    json t = json::object();
    t["AWSTemplateFormatVersion"] = "2010-09-09";
    if (s.props().description) t["Description"] = *s.props().description;
    // Lets a bare `cfn-lint <file>` check the template against its own region.
    t["Metadata"] = json{{"cfn-lint", {{"config", {{"regions", json::array({s.region()})}}}}}};
    json resources = json::object();
    json outputs = json::object();
    json parameters = json::object();
    for (const CfnElement* e : states_.at(&s).elements) {
      if (const auto* r = dynamic_cast<const CfnResource*>(e)) {
        resources[r->logical_id()] = render_resource(*r, s);
      } else if (const auto* o = dynamic_cast<const CfnOutput*>(e)) {
        outputs[o->logical_id()] = render_output(*o, s);
      } else if (const auto* p = dynamic_cast<const CfnParameter*>(e)) {
        parameters[p->logical_id()] = render_parameter(*p, s);
      }
    }
    t["Resources"] = std::move(resources);
    if (!outputs.empty()) t["Outputs"] = std::move(outputs);
    if (!parameters.empty()) t["Parameters"] = std::move(parameters);
    return t;
  }

  void add_exports(const Stack& s, json& t) {
    const auto& exports = states_.at(&s).exports;
    if (exports.empty()) return;
    json& outputs = t["Outputs"];
    for (const auto& [id, e] : exports) {
      if (outputs.contains(id)) {
        errors_.push_back({"E301", Severity::error, s.path() + "/Exports/" + id,
                           "an output the resolver adds clashes with an existing output", id,
                           "output ids unique within a stack"});
        continue;
      }
      json out{{"Value", e.value}};
      if (e.exported) out["Export"] = json{{"Name", e.export_name}};
      outputs[id] = std::move(out);
    }
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

  // ---- the assembly ---------------------------------------------------
  Assembly assemble(const std::vector<const Stack*>& order, std::map<const Stack*, json>& templates,
                    const SynthOptions& options) {
    std::set<const Stack*> selected;
    if (options.stacks.empty()) {
      selected.insert(order.begin(), order.end());
    } else {
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
    }

    Assembly a;
    // Artifacts in deployment order: the AWS CDK CLI lists and deploys them in
    // manifest order, so the manifest keeps insertion order (ordered_json).
    nlohmann::ordered_json artifacts = nlohmann::ordered_json::object();
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
      art.assets = states_.at(s).assets;
      art.template_json = std::move(templates[s]);
      art.template_text = timed_dump(art.template_json, s->path());
      nlohmann::ordered_json artifact{{"type", "aws:cloudformation:stack"},
                    {"environment", art.environment},
                    {"properties", {{"templateFile", art.template_file}, {"stackName", art.name}}},
                    {"displayName", art.name}};
      if (!art.dependencies.empty()) artifact["dependencies"] = art.dependencies;
      artifacts[art.name] = std::move(artifact);
      for (const Asset* as : art.assets) a.assets.push_back(as);
      a.stacks.push_back(std::move(art));
    }
    artifacts["Tree"] = nlohmann::ordered_json{{"type", "cdk:tree"}, {"properties", {{"file", "tree.json"}}}};
    // Small, and in insertion order: nlohmann's own dump (the fast writer is for templates).
    a.manifest_text = internal::dump_checked(
        nlohmann::ordered_json{{"version", internal::manifest_version}, {"artifacts", std::move(artifacts)}}, "");
    return a;
  }

  std::vector<const Stack*> stack_order_;
  std::unordered_map<const Stack*, StackState> states_;
  std::vector<Diagnostic> errors_;
};

}  // namespace

internal::RenderTimings& internal::last_render_timings() noexcept {
  static RenderTimings t;
  return t;
}

Assembly render(const App& app, const SynthOptions& options) {
  auto& timings = internal::last_render_timings();
  timings = {};
  const auto t0 = Clock::now();
  Renderer r(app);
  Assembly a = r.run(options);
  const auto t1 = Clock::now();
  a.tree_text = internal::tree_text(app);
  timings.serialize_seconds += seconds_since(t1);
  timings.resolve_seconds = seconds_since(t0) - timings.serialize_seconds;
  return a;
}

const StackArtifact* Assembly::find(std::string_view stack_name) const {
  for (const auto& s : stacks)
    if (s.name == stack_name) return &s;
  return nullptr;
}

}  // namespace drsynth

// diff_assemblies(): stack by stack, what CloudFormation would do.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "tools/diff/model.hpp"
#include "tools/diff/references.hpp"
#include "tools/diff/values.hpp"
#include "drsynth/tools/diff.hpp"

namespace drsynth {

std::string_view to_string(UpdateImpact impact) noexcept {
  switch (impact) {
    case UpdateImpact::none: return "none";
    case UpdateImpact::no_interruption: return "no-interruption";
    case UpdateImpact::interruption: return "interruption";
    case UpdateImpact::may_replace: return "may-replace";
    case UpdateImpact::replacement: return "replacement";
  }
  return "none";
}

std::string_view to_string(ChangeKind kind) noexcept {
  switch (kind) {
    case ChangeKind::added: return "added";
    case ChangeKind::removed: return "removed";
    case ChangeKind::modified: return "modified";
    case ChangeKind::renamed: return "renamed";
  }
  return "modified";
}

bool is_stateful(std::string_view type) noexcept {
  static constexpr std::string_view types[] = {
      "AWS::KMS::Key",         "AWS::Logs::LogGroup",         "AWS::RDS::DBCluster", "AWS::RDS::DBInstance",
      "AWS::RDS::GlobalCluster", "AWS::Route53::HostedZone", "AWS::S3::Bucket",     "AWS::SecretsManager::Secret",
  };
  return std::find(std::begin(types), std::end(types), type) != std::end(types);
}

bool StackDiff::empty() const noexcept {
  return kind == ChangeKind::modified && resources.empty() && outputs.empty() && parameters.empty() &&
         references.empty() && template_changes.empty();
}

bool AssemblyDiff::empty() const noexcept {
  return std::all_of(stacks.begin(), stacks.end(), [](const StackDiff& s) { return s.empty(); });
}

std::vector<const ResourceChange*> AssemblyDiff::stateful_losses() const {
  std::vector<const ResourceChange*> out;
  for (const auto& s : stacks) {
    if (s.kind != ChangeKind::modified) continue;  // a stack that is gone is not deleted by a deployment
    for (const auto& r : s.resources) {
      if (!r.stateful) continue;
      const bool lost = r.kind == ChangeKind::renamed || r.impact >= UpdateImpact::may_replace ||
                        (r.kind == ChangeKind::removed && r.deletion_policy != "Retain");
      if (lost && r.kind != ChangeKind::added) out.push_back(&r);
    }
  }
  return out;
}

namespace {

using detail::AssemblyModel;
using detail::StackModel;
using json = nlohmann::json;

std::string type_of(const json& entry) {
  if (auto t = entry.find("Type"); t != entry.end() && t->is_string()) return t->get<std::string>();
  return {};
}

std::string deletion_policy(const json& entry) {
  if (auto t = entry.find("DeletionPolicy"); t != entry.end() && t->is_string()) return t->get<std::string>();
  return {};
}

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

// What CloudFormation does with a resource that leaves the template.
std::string removal_cause(const std::string& policy) {
  if (policy == "Retain" || policy == "RetainExceptOnCreate") return "removed from the stack and kept (DeletionPolicy " + policy + ")";
  if (policy == "Snapshot") return "deleted after a final snapshot (DeletionPolicy Snapshot)";
  return "deleted";
}

struct Side {
  std::string id;
  std::string type;
  std::string path;
  const json* entry;
};

// Which construct id change turned `before` into `after` (paths of equal depth).
std::string rename_cause(const Side& b, const Side& a) {
  if (b.path.empty() || a.path.empty())
    return "logical ID " + b.id + " became " + a.id + " (the construct path is not known: an overridden logical ID?)";
  if (b.path == a.path) return "the logical ID of " + a.path + " changed (override_logical_id?)";
  const auto pb = components(b.path);
  const auto pa = components(a.path);
  if (pb.size() == pa.size()) {
    std::size_t diffs = 0;
    std::size_t at = 0;
    for (std::size_t i = 0; i < pb.size(); ++i)
      if (pb[i] != pa[i]) {
        ++diffs;
        at = i;
      }
    if (diffs == 1) {
      std::string scope;
      for (std::size_t i = 0; i < at; ++i) scope += (i == 0 ? "" : "/") + pa[i];
      return "construct id \"" + pb[at] + "\" renamed to \"" + pa[at] + "\"" + (scope.empty() ? "" : " in " + scope);
    }
  }
  return "construct moved from " + b.path + " to " + a.path;
}

bool one_component_apart(const std::string& x, const std::string& y) {
  if (x.empty() || y.empty()) return false;
  const auto px = components(x);
  const auto py = components(y);
  if (px.size() != py.size()) return false;
  std::size_t diffs = 0;
  for (std::size_t i = 0; i < px.size(); ++i) diffs += px[i] != py[i] ? 1 : 0;
  return diffs == 1;
}

class Differ {
 public:
  Differ(const Assembly& before, const Assembly& after)
      : before_(detail::build_model(before)), after_(detail::build_model(after)) {}

  AssemblyDiff run(const DiffOptions& options) {
    auto wanted = [&](const std::string& name) {
      return options.stacks.empty() || std::find(options.stacks.begin(), options.stacks.end(), name) != options.stacks.end();
    };
    AssemblyDiff d;
    for (const auto& a : after_.stacks) {
      if (!wanted(a.name)) continue;
      const StackModel* b = before_.find(a.name);
      if (b != nullptr && b->region != a.region) {
        StackDiff gone = whole_stack(*b, ChangeKind::removed);
        gone.note = "the stack moves to " + a.region + ": deploying creates a new stack there and leaves this one";
        d.stacks.push_back(std::move(gone));
        b = nullptr;
      }
      if (b == nullptr) {
        d.stacks.push_back(whole_stack(a, ChangeKind::added));
        continue;
      }
      StackDiff s{.name = a.name, .region = a.region};
      diff_stack(*b, a, s);
      d.stacks.push_back(std::move(s));
    }
    for (const auto& b : before_.stacks)
      if (wanted(b.name) && after_.find(b.name) == nullptr) {
        StackDiff gone = whole_stack(b, ChangeKind::removed);
        gone.note = "no longer in the assembly: deploying it does not delete the stack (the old destroy.sh would)";
        d.stacks.push_back(std::move(gone));
      }
    propagate(d);
    reference_changes(d, wanted);
    for (auto& s : d.stacks)
      std::stable_sort(s.resources.begin(), s.resources.end(),
                       [](const ResourceChange& x, const ResourceChange& y) { return x.logical_id < y.logical_id; });
    return d;
  }

 private:
  StackDiff whole_stack(const StackModel& m, ChangeKind kind) {
    StackDiff s{.name = m.name, .region = m.region, .kind = kind};
    for (const auto& [id, entry] : m.resources->items()) {
      ResourceChange r{.kind = kind, .logical_id = id, .type = type_of(entry), .path = m.path_of(id)};
      r.stateful = is_stateful(r.type);
      if (kind == ChangeKind::removed) {
        r.deletion_policy = deletion_policy(entry);
        r.cause = "the stack is not deleted by a deployment";
      }
      s.resources.push_back(std::move(r));
    }
    auto entries = [&](const json& section, std::vector<EntryChange>& out) {
      for (const auto& [id, entry] : section.items()) {
        EntryChange e{.kind = kind, .id = id, .path = m.path_of(id)};
        out.push_back(std::move(e));
      }
    };
    entries(*m.outputs, s.outputs);
    entries(*m.parameters, s.parameters);
    return s;
  }

  static void diff_entries(const StackModel& b, const StackModel& a, const json& before, const json& after,
                           std::vector<EntryChange>& out) {
    auto add = [&](ChangeKind kind, const std::string& id, const json* x, const json* y) {
      EntryChange e{.kind = kind, .id = id, .path = kind == ChangeKind::removed ? b.path_of(id) : a.path_of(id)};
      detail::diff_values(x != nullptr ? x : &detail::empty_object(), y != nullptr ? y : &detail::empty_object(), "",
                          e.changes);
      for (auto& c : e.changes) c.impact = UpdateImpact::no_interruption;
      if (kind != ChangeKind::modified || !e.changes.empty()) out.push_back(std::move(e));
    };
    for (const auto& [id, x] : before.items()) {
      auto y = after.find(id);
      add(y == after.end() ? ChangeKind::removed : ChangeKind::modified, id, &x, y == after.end() ? nullptr : &*y);
    }
    for (const auto& [id, y] : after.items())
      if (!before.contains(id)) add(ChangeKind::added, id, nullptr, &y);
  }

  void diff_stack(const StackModel& b, const StackModel& a, StackDiff& out) {
    std::vector<Side> removed;
    std::vector<Side> added;
    for (const auto& [id, x] : b.resources->items()) {
      auto y = a.resources->find(id);
      if (y == a.resources->end()) {
        removed.push_back({id, type_of(x), b.path_of(id), &x});
        continue;
      }
      ResourceChange r{.kind = ChangeKind::modified, .logical_id = id, .type = type_of(*y), .path = a.path_of(id)};
      r.stateful = is_stateful(r.type) || is_stateful(type_of(x));
      detail::diff_values(&x, &*y, "", r.changes);
      for (auto& c : r.changes) detail::classify(r.type, c);
      r.impact = detail::strongest(r.changes);
      if (!r.changes.empty()) out.resources.push_back(std::move(r));
    }
    for (const auto& [id, y] : a.resources->items())
      if (!b.resources->contains(id)) added.push_back({id, type_of(y), a.path_of(id), &y});
    pair_renames(removed, added, out);
    for (const auto& s : removed) {
      ResourceChange r{.kind = ChangeKind::removed, .logical_id = s.id, .type = s.type, .path = s.path};
      r.stateful = is_stateful(s.type);
      r.deletion_policy = deletion_policy(*s.entry);
      r.cause = removal_cause(r.deletion_policy);
      out.resources.push_back(std::move(r));
    }
    for (const auto& s : added) {
      ResourceChange r{.kind = ChangeKind::added, .logical_id = s.id, .type = s.type, .path = s.path};
      r.stateful = is_stateful(s.type);
      r.cause = "created";
      out.resources.push_back(std::move(r));
    }
    diff_entries(b, a, *b.outputs, *a.outputs, out.outputs);
    diff_entries(b, a, *b.parameters, *a.parameters, out.parameters);
    // The rest of the template: Description, Metadata, Conditions, Mappings, ...
    json rest_b = *b.tmpl;
    json rest_a = *a.tmpl;
    for (const char* k : {"Resources", "Outputs", "Parameters"}) {
      rest_b.erase(k);
      rest_a.erase(k);
    }
    detail::diff_values(&rest_b, &rest_a, "", out.template_changes);
    for (auto& c : out.template_changes) c.impact = UpdateImpact::no_interruption;
  }

  // A removed and an added resource of one type that are the same construct
  // renamed (or moved) are one change: a delete plus a create.
  static void pair_renames(std::vector<Side>& removed, std::vector<Side>& added, StackDiff& out) {
    auto pair = [&](std::size_t i, std::size_t j) {
      const Side& b = removed[i];
      const Side& a = added[j];
      ResourceChange r{.kind = ChangeKind::renamed, .logical_id = a.id, .previous_logical_id = b.id, .type = a.type,
                       .path = a.path, .previous_path = b.path, .impact = UpdateImpact::replacement};
      r.stateful = is_stateful(a.type);
      r.deletion_policy = deletion_policy(*b.entry);
      r.cause = rename_cause(b, a);
      detail::diff_values(b.entry, a.entry, "", r.changes);
      for (auto& c : r.changes) detail::classify(r.type, c);
      out.resources.push_back(std::move(r));
    };
    std::vector<bool> used_b(removed.size(), false);
    std::vector<bool> used_a(added.size(), false);
    // 1. the same construct path; 2. paths one construct id apart.
    for (int pass = 0; pass < 2; ++pass)
      for (std::size_t i = 0; i < removed.size(); ++i)
        for (std::size_t j = 0; j < added.size() && !used_b[i]; ++j) {
          if (used_a[j] || removed[i].type != added[j].type) continue;
          const bool same = !removed[i].path.empty() && removed[i].path == added[j].path;
          if (pass == 0 ? same : one_component_apart(removed[i].path, added[j].path)) {
            pair(i, j);
            used_b[i] = used_a[j] = true;
          }
        }
    // 3. an element without a known path (its ID is overridden): the only
    // removed and the only added one of that type.
    for (std::size_t i = 0; i < removed.size(); ++i) {
      if (used_b[i]) continue;
      std::vector<std::size_t> same_b;
      std::vector<std::size_t> same_a;
      for (std::size_t k = 0; k < removed.size(); ++k)
        if (!used_b[k] && removed[k].type == removed[i].type) same_b.push_back(k);
      for (std::size_t k = 0; k < added.size(); ++k)
        if (!used_a[k] && added[k].type == removed[i].type) same_a.push_back(k);
      if (same_b.size() == 1 && same_a.size() == 1 && (removed[i].path.empty() || added[same_a[0]].path.empty())) {
        pair(i, same_a[0]);
        used_b[i] = used_a[same_a[0]] = true;
      }
    }
    auto keep = [](std::vector<Side>& v, const std::vector<bool>& used) {
      std::vector<Side> rest;
      for (std::size_t i = 0; i < v.size(); ++i)
        if (!used[i]) rest.push_back(v[i]);
      v = std::move(rest);
    };
    keep(removed, used_b);
    keep(added, used_a);
  }

  // A replaced resource gets a new physical ID, ARN, endpoint: every Ref and
  // Fn::GetAtt to it changes value at deployment, in its stack and, through
  // outputs, in the stacks that import them. The update rules then apply to
  // those values as to any change; repeated until nothing new is replaced.
  void propagate(AssemblyDiff& d) {
    struct Replaced {
      std::string stack;
      std::string id;
      UpdateImpact certainty;  // replacement or may_replace
    };
    std::vector<Replaced> work;
    std::map<std::pair<std::string, std::string>, UpdateImpact> seen;
    // Only certain replacements: "may be replaced" is said on the resource
    // itself, and repeating it on everything that refers to it would bury it.
    auto note_replaced = [&](const StackDiff& s, const ResourceChange& r) {
      if (r.kind != ChangeKind::modified || r.impact < UpdateImpact::replacement) return;
      auto& best = seen[{s.name, r.logical_id}];
      if (best >= r.impact) return;
      best = r.impact;
      work.push_back({s.name, r.logical_id, r.impact});
    };
    for (const auto& s : d.stacks)
      if (s.kind == ChangeKind::modified)
        for (const auto& r : s.resources) note_replaced(s, r);
    const auto refs = detail::cross_references(after_);
    while (!work.empty()) {
      const Replaced r = work.back();
      work.pop_back();
      StackDiff* sd = stack_diff(d, r.stack);
      const StackModel* a = after_.find(r.stack);
      const StackModel* b = before_.find(r.stack);
      if (sd == nullptr || a == nullptr || b == nullptr) continue;
      const std::string why = r.id + (r.certainty == UpdateImpact::replacement ? " is replaced" : " may be replaced");
      for (const auto& item : a->resources->items()) {
        // Named copies, not structured bindings: Clang 14 (the fuzz build) cannot capture those.
        const std::string& id = item.key();
        const auto& entry = item.value();
        if (!b->resources->contains(id)) continue;  // created anyway
        detail::for_each_local_reference(entry, "", [&](const std::string& path, const std::string& target, const std::string&) {
          if (target != r.id) return;
          if (ResourceChange* changed = affect(*sd, id, type_of(entry), entry, path, why, r.certainty))
            note_replaced(*sd, *changed);
        });
      }
      for (const auto& [oid, output] : a->outputs->items()) {
        if (!b->outputs->contains(oid)) continue;
        bool uses = false;
        detail::for_each_local_reference(output, "", [&](const std::string&, const std::string& target, const std::string&) {
          uses = uses || target == r.id;
        });
        if (!uses) continue;
        EntryChange& e = entry_change(sd->outputs, oid, a->path_of(oid));
        if (std::none_of(e.changes.begin(), e.changes.end(), [](const ValueChange& c) { return c.path == "Value"; }))
          e.changes.push_back({.path = "Value", .before = output.value("Value", json()), .after = output.value("Value", json()),
                               .impact = UpdateImpact::no_interruption, .reason = why + ", so this value changes",
                               .indirect = true});
        for (const auto& ref : refs) {
          if (ref.producer_stack != r.stack || ref.output != oid || ref.consumer_section != "Resources") continue;
          if (ref.via == "Fn::ImportValue" && e.note.empty())
            e.note = "exported and imported by " + ref.consumer_stack +
                     ": CloudFormation refuses to change an export that another stack imports, so the update of " +
                     r.stack + " fails";
          StackDiff* consumer = stack_diff(d, ref.consumer_stack);
          const StackModel* ca = after_.find(ref.consumer_stack);
          const StackModel* cb = before_.find(ref.consumer_stack);
          if (consumer == nullptr || ca == nullptr || cb == nullptr || consumer->kind != ChangeKind::modified) continue;
          if (!cb->resources->contains(ref.consumer)) continue;
          const json& entry = (*ca->resources)[ref.consumer];
          const std::string cross_why = r.stack + "'s output " + oid + " changes (" + why + ")";
          if (ResourceChange* changed = affect(*consumer, ref.consumer, type_of(entry), entry, ref.property, cross_why, r.certainty))
            note_replaced(*consumer, *changed);
        }
      }
    }
  }

  static StackDiff* stack_diff(AssemblyDiff& d, const std::string& name) {
    for (auto& s : d.stacks)
      if (s.name == name && s.kind == ChangeKind::modified) return &s;
    return nullptr;
  }

  static EntryChange& entry_change(std::vector<EntryChange>& v, const std::string& id, const std::string& path) {
    for (auto& e : v)
      if (e.id == id) return e;
    v.push_back({.kind = ChangeKind::modified, .id = id, .path = path});
    return v.back();
  }

  // Records that the value at `path` of resource `id` changes because of
  // `why`; returns the resource's change when its impact grew.
  ResourceChange* affect(StackDiff& sd, const std::string& id, const std::string& type, const json& entry,
                         const std::string& path, const std::string& why, UpdateImpact certainty) {
    ResourceChange* rc = nullptr;
    for (auto& r : sd.resources)
      if (r.logical_id == id) rc = &r;
    if (rc != nullptr && rc->kind != ChangeKind::modified) return nullptr;
    if (rc == nullptr) {
      sd.resources.push_back({.kind = ChangeKind::modified, .logical_id = id, .type = type,
                              .path = after_.find(sd.name)->path_of(id)});
      rc = &sd.resources.back();
      rc->stateful = is_stateful(type);
    }
    // A value that changes in the template already carries the change.
    for (const auto& c : rc->changes)
      if (c.path == path || path.rfind(c.path + "/", 0) == 0 || c.path.rfind(path + "/", 0) == 0) return nullptr;
    ValueChange c{.path = path, .indirect = true};
    if (const json* v = detail::value_at(entry, path)) c.before = c.after = *v;
    detail::classify(type, c);
    if (certainty == UpdateImpact::may_replace) c.impact = std::min(c.impact, UpdateImpact::may_replace);
    c.reason = why + ", so this value changes" + (c.reason.empty() ? "" : "; " + c.reason);
    const UpdateImpact old = rc->impact;
    rc->changes.push_back(std::move(c));
    rc->impact = detail::strongest(rc->changes);
    return rc->impact > old ? rc : nullptr;
  }

  template <class Wanted>
  void reference_changes(AssemblyDiff& d, const Wanted& wanted) {
    using Key = std::tuple<std::string, std::string, std::string, std::string, std::string, std::string>;
    auto keys = [](const std::vector<detail::CrossReference>& refs) {
      std::map<Key, const detail::CrossReference*> out;
      for (const auto& r : refs) out[{r.consumer_stack, r.consumer, r.property, r.producer_stack, r.output, r.via}] = &r;
      return out;
    };
    const auto before_refs = detail::cross_references(before_);
    const auto after_refs = detail::cross_references(after_);
    const auto b = keys(before_refs);
    const auto a = keys(after_refs);
    auto record = [&](ChangeKind kind, const detail::CrossReference& r) {
      if (!wanted(r.consumer_stack)) return;
      for (auto& s : d.stacks)
        if (s.name == r.consumer_stack && (s.kind == ChangeKind::modified || s.kind == kind)) {
          s.references.push_back({.kind = kind, .consumer_stack = r.consumer_stack, .consumer = r.consumer,
                                  .property = r.property, .producer_stack = r.producer_stack, .output = r.output,
                                  .via = r.via});
          return;
        }
    };
    for (const auto& [k, r] : b)
      if (!a.contains(k)) record(ChangeKind::removed, *r);
    for (const auto& [k, r] : a)
      if (!b.contains(k)) record(ChangeKind::added, *r);
  }

  AssemblyModel before_;
  AssemblyModel after_;
};

}  // namespace

AssemblyDiff diff_assemblies(const Assembly& before, const Assembly& after, const DiffOptions& options) {
  return Differ(before, after).run(options);
}

}  // namespace drsynth

// The diff as text for people (optionally coloured) and as JSON for tools.
#include <sstream>

#include "tools/diff/values.hpp"
#include "drsynth/tools/diff.hpp"

namespace drsynth {

namespace {

// Every text from an assembly (ids, types, paths, values, notes) is printed
// through esc(), painted or not: control characters, escape sequences and
// bidi controls from a file cannot reach the terminal (escape_control_characters
// is idempotent, so text escaped twice is the same).
std::string esc(std::string_view text) { return escape_control_characters(text); }

struct Style {
  bool color;
  [[nodiscard]] std::string paint(std::string_view code, std::string_view text) const {
    if (!color) return esc(text);
    return "\x1b[" + std::string(code) + "m" + esc(text) + "\x1b[0m";
  }
  [[nodiscard]] std::string red(std::string_view t) const { return paint("31", t); }
  [[nodiscard]] std::string green(std::string_view t) const { return paint("32", t); }
  [[nodiscard]] std::string yellow(std::string_view t) const { return paint("33", t); }
  [[nodiscard]] std::string bold(std::string_view t) const { return paint("1", t); }
  [[nodiscard]] std::string alarm(std::string_view t) const { return paint("1;31", t); }
  [[nodiscard]] std::string dim(std::string_view t) const { return paint("2", t); }
};

std::string display_path(const std::string& path) {
  std::string out = detail::display_path(path);
  return out.empty() ? "(whole value)" : esc(out);
}

std::string value_text(const std::optional<nlohmann::json>& v) {
  return v ? esc(detail::short_json(*v)) : "(absent)";
}

std::string impact_text(UpdateImpact i) {
  switch (i) {
    case UpdateImpact::replacement: return "replacement";
    case UpdateImpact::may_replace: return "may replace";
    case UpdateImpact::interruption: return "some interruption";
    default: return "no interruption";
  }
}

void write_change(std::ostream& o, const Style& st, const ValueChange& c, const char* indent, bool with_impact) {
  o << indent << "  - " << display_path(c.path) << ": ";
  if (c.indirect)
    o << value_text(c.after) << " " << st.dim("(same text, new value at deployment)");
  else
    o << value_text(c.before) << " -> " << value_text(c.after);
  if (with_impact) {
    const std::string impact = impact_text(c.impact);
    o << "  ["
      << (c.impact >= UpdateImpact::may_replace ? st.red(impact)
          : c.impact == UpdateImpact::interruption ? st.yellow(impact) : impact)
      << "]";
  }
  o << '\n';
  if (!c.reason.empty()) o << indent << "      " << st.dim(c.reason) << '\n';
}

void write_resource(std::ostream& o, const Style& st, const ResourceChange& r) {
  const std::string where = r.path.empty() ? "" : "  " + st.dim(r.path);
  switch (r.kind) {
    case ChangeKind::added:
      o << "  " << st.green("[+] " + r.type + " " + r.logical_id) << where << '\n';
      break;
    case ChangeKind::removed:
      o << "  " << st.red("[-] " + r.type + " " + r.logical_id) << where << '\n' << "      " << esc(r.cause) << '\n';
      break;
    case ChangeKind::renamed:
      o << "  " << st.red("[-/+] " + r.type + " " + r.previous_logical_id + " -> " + r.logical_id) << where << '\n'
        << "      " << st.red("REPLACEMENT: the logical ID changes, CloudFormation creates " + r.logical_id + " and deletes " +
                              r.previous_logical_id)
        << '\n'
        << "      because " << esc(r.cause) << '\n';
      break;
    case ChangeKind::modified: {
      o << "  " << st.yellow("[~] " + r.type + " " + r.logical_id) << where << '\n';
      std::string verdict = r.impact == UpdateImpact::replacement   ? st.red("REPLACEMENT: CloudFormation creates a new one and deletes this one")
                            : r.impact == UpdateImpact::may_replace ? st.red("MAY BE REPLACED (depending on the new values)")
                            : r.impact == UpdateImpact::interruption ? st.yellow("updated in place with some interruption")
                                                                     : std::string("updated in place");
      o << "      " << verdict << '\n';
      break;
    }
  }
  const bool lost = r.kind == ChangeKind::renamed || (r.kind == ChangeKind::modified && r.impact >= UpdateImpact::may_replace) ||
                    (r.kind == ChangeKind::removed && r.deletion_policy != "Retain" && r.deletion_policy != "RetainExceptOnCreate");
  if (r.stateful && lost) {
    const std::string warning =
        r.kind == ChangeKind::removed
            ? (r.deletion_policy == "Snapshot" ? "!!! STATEFUL RESOURCE DELETED (a final snapshot is kept)"
                                               : "!!! STATEFUL RESOURCE DELETED: its data is lost")
        : r.kind == ChangeKind::modified && r.impact == UpdateImpact::may_replace
            ? "!!! STATEFUL RESOURCE MAY BE REPLACED: a replacement would lose its data (or identity)"
            : "!!! STATEFUL RESOURCE REPLACED: the new one starts empty, the data (or identity) of this one is lost";
    o << "      " << st.alarm(warning) << '\n';
  }
  for (const auto& c : r.changes) write_change(o, st, c, "    ", r.kind != ChangeKind::added && r.kind != ChangeKind::removed);
}

void write_entries(std::ostream& o, const Style& st, const char* title, const std::vector<EntryChange>& entries) {
  if (entries.empty()) return;
  o << " " << title << '\n';
  for (const auto& e : entries) {
    const std::string where = e.path.empty() ? "" : "  " + st.dim(e.path);
    const std::string head = e.kind == ChangeKind::added     ? st.green("[+] " + e.id)
                             : e.kind == ChangeKind::removed ? st.red("[-] " + e.id)
                                                             : st.yellow("[~] " + e.id);
    o << "  " << head << where << '\n';
    for (const auto& c : e.changes) write_change(o, st, c, "    ", false);
    if (!e.note.empty()) o << "      " << st.red(e.note) << '\n';
  }
}

struct Counts {
  std::size_t stacks = 0, replaced = 0, stateful = 0, modified = 0, added = 0, removed = 0;
  std::size_t new_stacks = 0, gone_stacks = 0;
};

Counts count(const AssemblyDiff& d) {
  Counts n;
  for (const auto& s : d.stacks) {
    if (!s.empty()) ++n.stacks;
    if (s.kind == ChangeKind::added) ++n.new_stacks;
    if (s.kind == ChangeKind::removed) ++n.gone_stacks;
    if (s.kind != ChangeKind::modified) continue;
    for (const auto& r : s.resources) {
      if (r.kind == ChangeKind::added) ++n.added;
      if (r.kind == ChangeKind::removed) ++n.removed;
      if (r.kind == ChangeKind::renamed || (r.kind == ChangeKind::modified && r.impact >= UpdateImpact::may_replace)) ++n.replaced;
      else if (r.kind == ChangeKind::modified) ++n.modified;
    }
  }
  n.stateful = d.stateful_losses().size();
  return n;
}

nlohmann::json change_json(const ValueChange& c) {
  nlohmann::json j = {{"path", "/" + c.path}, {"impact", to_string(c.impact)}};
  if (c.before) j["before"] = *c.before;
  if (c.after) j["after"] = *c.after;
  if (!c.reason.empty()) j["reason"] = c.reason;
  if (c.indirect) j["indirect"] = true;
  return j;
}

nlohmann::json changes_json(const std::vector<ValueChange>& cs) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& c : cs) a.push_back(change_json(c));
  return a;
}

nlohmann::json entries_json(const std::vector<EntryChange>& es) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& e : es) {
    nlohmann::json j = {{"id", e.id}, {"change", to_string(e.kind)}, {"changes", changes_json(e.changes)}};
    if (!e.path.empty()) j["path"] = e.path;
    if (!e.note.empty()) j["note"] = e.note;
    a.push_back(std::move(j));
  }
  return a;
}

}  // namespace

std::string format_diff(const AssemblyDiff& d, const FormatOptions& options) {
  const Style st{options.color};
  std::ostringstream o;
  for (const auto& s : d.stacks) {
    if (s.empty()) continue;
    std::string head = "Stack " + s.name + " (" + s.region + ")";
    if (s.kind == ChangeKind::added) head = st.green("[+] " + head + ": new stack");
    if (s.kind == ChangeKind::removed) head = st.red("[-] " + head + ": gone");
    o << st.bold(head) << '\n';
    if (!s.note.empty()) o << "  " << esc(s.note) << '\n';
    if (!s.template_changes.empty()) {
      o << " Template\n";
      for (const auto& c : s.template_changes) write_change(o, st, c, "  ", false);
    }
    if (!s.resources.empty()) {
      o << " Resources\n";
      if (s.kind == ChangeKind::modified) {
        for (const auto& r : s.resources) write_resource(o, st, r);
      } else {
        for (const auto& r : s.resources)
          o << "  " << (s.kind == ChangeKind::added ? st.green("[+] ") : st.red("[-] ")) << esc(r.type) << " " << esc(r.logical_id)
            << (r.path.empty() ? "" : "  " + st.dim(r.path)) << '\n';
      }
    }
    write_entries(o, st, "Outputs", s.outputs);
    write_entries(o, st, "Parameters", s.parameters);
    if (!s.references.empty()) {
      o << " References from other stacks\n";
      for (const auto& r : s.references) {
        const std::string line = (r.kind == ChangeKind::added ? "[+] " : "[-] ") + r.consumer + "." +
                                 display_path(r.property) + " <- " + r.producer_stack + " output " + r.output + " (" +
                                 r.via + ")";
        o << "  " << (r.kind == ChangeKind::added ? st.green(line) : st.red(line)) << '\n';
      }
    }
    o << '\n';
  }
  const Counts n = count(d);
  if (n.stacks == 0) {
    o << "No differences.\n";
  } else {
    o << n.stacks << " stack" << (n.stacks == 1 ? "" : "s") << " with differences";
    if (n.new_stacks > 0 || n.gone_stacks > 0) {
      o << " (";
      if (n.new_stacks > 0) o << n.new_stacks << " new" << (n.gone_stacks > 0 ? ", " : "");
      if (n.gone_stacks > 0) o << n.gone_stacks << " gone";
      o << ")";
    }
    o << ": " << n.replaced << " resource"
      << (n.replaced == 1 ? "" : "s") << " replaced or possibly replaced, " << n.modified << " updated in place, "
      << n.added << " added, " << n.removed << " removed" << (n.new_stacks > 0 ? " in the stacks that were there" : "");
    if (n.stateful > 0)
      o << "; " << st.alarm(std::to_string(n.stateful) + " stateful resource" + (n.stateful == 1 ? "" : "s") +
                            " replaced, deleted or possibly replaced");
    o << ".\n";
  }
  return o.str();
}

nlohmann::json diff_to_json(const AssemblyDiff& d) {
  nlohmann::json stacks = nlohmann::json::array();
  for (const auto& s : d.stacks) {
    nlohmann::json resources = nlohmann::json::array();
    for (const auto& r : s.resources) {
      nlohmann::json j = {{"logicalId", r.logical_id}, {"type", r.type},          {"change", to_string(r.kind)},
                          {"impact", to_string(r.impact)}, {"stateful", r.stateful}, {"changes", changes_json(r.changes)}};
      if (!r.path.empty()) j["path"] = r.path;
      if (!r.previous_logical_id.empty()) j["previousLogicalId"] = r.previous_logical_id;
      if (!r.previous_path.empty()) j["previousPath"] = r.previous_path;
      if (!r.cause.empty()) j["cause"] = r.cause;
      if (!r.deletion_policy.empty()) j["deletionPolicy"] = r.deletion_policy;
      resources.push_back(std::move(j));
    }
    nlohmann::json refs = nlohmann::json::array();
    for (const auto& r : s.references)
      refs.push_back({{"change", to_string(r.kind)}, {"consumer", r.consumer}, {"property", "/" + r.property},
                      {"producerStack", r.producer_stack}, {"output", r.output}, {"via", r.via}});
    nlohmann::json j = {{"name", s.name},           {"region", s.region},
                        {"change", to_string(s.kind)}, {"equal", s.empty()},
                        {"resources", resources},   {"outputs", entries_json(s.outputs)},
                        {"parameters", entries_json(s.parameters)}, {"references", refs},
                        {"template", changes_json(s.template_changes)}};
    if (!s.note.empty()) j["note"] = s.note;
    stacks.push_back(std::move(j));
  }
  const Counts n = count(d);
  return {{"equal", d.empty()},
          {"stacks", stacks},
          {"summary",
           {{"stacksWithDifferences", n.stacks},
            {"replaced", n.replaced},
            {"updatedInPlace", n.modified},
            {"added", n.added},
            {"removed", n.removed},
            {"newStacks", n.new_stacks},
            {"goneStacks", n.gone_stacks},
            {"statefulLosses", n.stateful}}}};
}

}  // namespace drsynth

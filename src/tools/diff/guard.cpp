// Safety rule S007: a synthesis must not replace or delete a stateful
// resource of the assembly it replaces without saying so.
#include <algorithm>

#include "tools/diff/model.hpp"
#include "tools/diff/values.hpp"
#include "drsynth/tools/diff.hpp"

namespace drsynth {

namespace {

std::string display(const ValueChange& c) {
  std::string s = detail::display_path(c.path) + ": ";
  if (c.indirect)
    s += "same text, new value (" + c.reason + ")";
  else
    s += (c.before ? detail::short_json(*c.before, 80) : "(absent)") + " -> " +
         (c.after ? detail::short_json(*c.after, 80) : "(absent)") + (c.reason.empty() ? "" : " (" + c.reason + ")");
  return s;
}

}  // namespace

std::vector<Diagnostic> check_replacements(const AssemblyDiff& diff, const Assembly& after) {
  const detail::AssemblyModel model = detail::build_model(after);
  const auto losses = diff.stateful_losses();
  std::vector<Diagnostic> out;
  for (const auto& s : diff.stacks) {
    if (s.kind != ChangeKind::modified) continue;
    for (const auto& r : s.resources) {
      if (std::find(losses.begin(), losses.end(), &r) == losses.end()) continue;
      Diagnostic d{.code = "S007",
                   .severity = Severity::error,
                   .path = !r.path.empty() ? r.path : s.name + "/" + r.logical_id,
                   .message = {},
                   .got = {},
                   .expected = "no replacement or deletion of a stateful resource (or acknowledge(\"S007\", reason) on "
                               "the construct, or synth --allow-replacement)"};
      const std::string what = "stateful resource " + r.type + " " + (r.kind == ChangeKind::renamed ? r.previous_logical_id : r.logical_id) +
                               " in stack " + s.name;
      switch (r.kind) {
        case ChangeKind::renamed:
          d.message = what + " would be replaced: its logical ID becomes " + r.logical_id +
                      ", so CloudFormation creates a new one and deletes it";
          d.got = r.cause;
          break;
        case ChangeKind::removed:
          d.message = what + " would be deleted: it is no longer in the template";
          d.got = r.cause;
          break;
        default: {
          const bool certain = r.impact == UpdateImpact::replacement;
          if (!certain) d.severity = Severity::warning;
          d.message = what + (certain ? " would be replaced: CloudFormation creates a new, empty one and deletes it"
                                      : " may be replaced, depending on the new values");
          for (const auto& c : r.changes)
            if (c.impact >= UpdateImpact::may_replace) d.got += (d.got.empty() ? "" : "; ") + display(c);
        }
      }
      // Acknowledged on the construct or an ancestor, in the new tree (for a
      // deleted resource: the nearest ancestor that is still there).
      const std::string& at = !r.path.empty() ? r.path : r.previous_path;
      if (const std::string* why = at.empty() ? nullptr : model.acknowledgement(at, "S007")) {
        d.severity = Severity::note;
        d.message += " [acknowledged: " + *why + "]";
      }
      out.push_back(std::move(d));
    }
  }
  sort_diagnostics(out);
  return out;
}

}  // namespace drsynth

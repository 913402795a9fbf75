// Phases 1, 2 and 4 of synthesize() (phase 3, render(), is render.cpp) and
// the checks after rendering.
#include <algorithm>

#include "drsynth/core/app.hpp"
#include "drsynth/core/cfn_element.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/synth/synth.hpp"
#include "drsynth/core/error_codes.hpp"
#include "synth/internal.hpp"
#include "core/tag_rules.hpp"

namespace drsynth {

std::string to_file_text(const nlohmann::json& j) { return detail::dump_checked(j, ""); }

void prepare(App& app) { app.lock(); }

namespace {
void collect_stacks(const Construct& c, std::vector<const Stack*>& out) {
  for (const auto& child : c.children()) {
    if (child->stack_or_null() == child.get())
      out.push_back(static_cast<const Stack*>(child.get()));
    else if (child->stack_or_null() == nullptr)
      collect_stacks(*child, out);
  }
}

// CloudFormation: logical IDs (of every section) are 1-255 alphanumerics.
void check_logical_id_syntax(const CfnElement& e, Validation& v) {
  const std::string& id = e.logical_id();
  const bool ok = !id.empty() && id.size() <= 255 && std::all_of(id.begin(), id.end(), [](char ch) {
                    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
                  });
  if (!ok)
    v.error(codes::E201, e, std::string("invalid logical ID in ") + std::string(e.section()),
            "\"" + (id.size() > 40 ? id.substr(0, 37) + "..." : id) + "\" (" + std::to_string(id.size()) + " chars)",
            "1-255 characters of A-Za-z0-9");
}
}  // namespace

std::vector<const Stack*> detail::stacks_of(const App& app) {
  std::vector<const Stack*> out;
  collect_stacks(app, out);
  return out;
}

std::vector<Diagnostic> validate(const App& app) {
  Validation v;
  app.walk([&](const Construct& c) { c.validate(v); });
  for (const Stack* s : detail::stacks_of(app))
    for (const CfnElement* e : s->elements()) check_logical_id_syntax(*e, v);
  detail::check_scope_tags(app, v);
  auto out = v.take();
  sort_diagnostics(out);
  return out;
}

std::vector<Diagnostic> check_assembly(const Assembly& assembly) {
  std::vector<Diagnostic> out;
  for (const auto& s : assembly.stacks) {
    auto limit = [&](const char* what, std::size_t n, std::size_t max, ErrorCode code) {
      if (n > max)
        out.push_back({code, Severity::error, s.stack->path(), std::string("too many ") + what + " in one template",
                       std::to_string(n), "<= " + std::to_string(max)});
    };
    if (s.resource_count == 0)
      out.push_back({codes::E235, Severity::error, s.stack->path(),
                     "the stack has no resources: CloudFormation refuses a template without one", "0 resources",
                     "at least one resource in the stack (or no such stack)"});
    limit("resources", s.resource_count, detail::max_resources, codes::E601);
    limit("outputs", s.output_count, detail::max_outputs, codes::E602);
    limit("parameters", s.parameter_count, detail::max_parameters, codes::E603);
    const auto bytes = s.template_text.size();
    if (bytes > detail::max_template_bytes)
      out.push_back({codes::E604, Severity::error, s.stack->path(), "template is larger than CloudFormation accepts",
                     std::to_string(bytes) + " bytes", "<= 1,000,000 bytes"});
    // A stack with Lambda code goes through the region's S3 bucket anyway (its
    // code is there; deploy-plan and deploy.sh upload its template with it):
    // its size asks nothing more of the user.
    else if (bytes > detail::max_inline_template_bytes && !s.stack->uses_assets())
      out.push_back({codes::W605, Severity::warning, s.stack->path(),
                     "template is larger than an inline template body: deploying it needs an S3 bucket "
                     "(drsynth deploy-plan --s3-bucket)",
                     std::to_string(bytes) + " bytes", "<= 51,200 bytes for --template-body"});
  }
  auto safety = check_safety(assembly);
  out.insert(out.end(), safety.begin(), safety.end());
  return out;
}

Assembly synthesize(App& app, const SynthOptions& options) {
  prepare(app);
  auto diagnostics = validate(app);
  auto is_fatal = [&](const Diagnostic& d) {
    return d.severity == Severity::error || (options.strict && d.severity == Severity::warning);
  };
  if (std::any_of(diagnostics.begin(), diagnostics.end(), is_fatal)) throw Error(std::move(diagnostics));
  Assembly a = render(app, options);
  auto checks = check_assembly(a);
  diagnostics.insert(diagnostics.end(), checks.begin(), checks.end());
  sort_diagnostics(diagnostics);
  if (std::any_of(diagnostics.begin(), diagnostics.end(), is_fatal)) throw Error(std::move(diagnostics));
  a.warnings = std::move(diagnostics);
  return a;
}

}  // namespace drsynth

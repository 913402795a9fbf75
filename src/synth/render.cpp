// Phase 3, render(): the orchestrator. Read top to bottom, it is the list of
// passes; each pass is a function of its own file that returns (or appends)
// diagnostics, and a pass runs only when the ones before it found no error.
//
//   names        stack names and logical IDs unique            names.cpp
//   references   what every element refers to in other stacks  references.cpp
//                (run on several threads), then settled once:
//                exports, dependencies, output ids
//   order        deployment order, cycles; --stack selection   order.cpp
//   templates    each stack's template written top to bottom   stack_writer.cpp
//                (several threads), each element by its own
//                write(); the safety rules review each element
//                right after it is written                     safety.cpp
//                then what CloudFormation would refuse in it    template_check.cpp
//   assembly     artifacts in deployment order, manifest.json,  manifest.cpp
//                tree.json                                      tree.cpp
#include <algorithm>
#include <chrono>
#include <mutex>

#include "drsynth/core/app.hpp"
#include "drsynth/core/cfn_element.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/synth/synth.hpp"
#include "synth/internal.hpp"
#include "synth/order.hpp"
#include "synth/references.hpp"
#include "synth/safety.hpp"
#include "synth/stack_writer.hpp"

namespace drsynth {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point& t) {
  const auto now = Clock::now();
  const double s = std::chrono::duration<double>(now - t).count();
  t = now;
  return s;
}

// Throws the errors found so far, sorted and without repeats.
void throw_if_errors(std::vector<Diagnostic>& errors) {
  if (errors.empty()) return;
  sort_diagnostics(errors);
  errors.erase(std::unique(errors.begin(), errors.end(),
                           [](const Diagnostic& a, const Diagnostic& b) { return a.format() == b.format(); }),
               errors.end());
  throw Error(std::move(errors));
}

// Appends each part's diagnostics to `all`, in part order (so the result does
// not depend on which thread produced what).
void gather(std::vector<std::vector<Diagnostic>>& parts, std::vector<Diagnostic>& all) {
  for (auto& p : parts) all.insert(all.end(), std::make_move_iterator(p.begin()), std::make_move_iterator(p.end()));
}

}  // namespace

Assembly render(const App& app, const SynthOptions& options) {
  auto& timings = detail::last_render_timings();
  timings = {};
  auto t = Clock::now();
  std::vector<Diagnostic> errors;

  // Names.
  const std::vector<const Stack*> stacks = detail::stacks_of(app);
  detail::check_stack_names(stacks, errors);
  for (const Stack* s : stacks) detail::check_logical_ids(*s, errors);
  throw_if_errors(errors);

  // References: found per stack on several threads, then settled in stack order.
  std::vector<std::vector<detail::FoundReference>> found(stacks.size());
  std::vector<std::vector<Diagnostic>> problems(stacks.size());
  detail::parallel_for(stacks.size(), options.threads, [&](unsigned, std::size_t i) {
    found[i] = detail::find_references(*stacks[i], problems[i]);
  });
  gather(problems, errors);
  throw_if_errors(errors);
  const detail::References references = detail::link_stacks(stacks, found, errors);
  found = {};
  throw_if_errors(errors);

  // Order and selection.
  const std::vector<const Stack*> order = detail::deployment_order(stacks, references, errors);
  throw_if_errors(errors);
  const std::set<const Stack*> selected = detail::select_stacks(order, references, options.stacks, errors);
  throw_if_errors(errors);
  timings.resolve_seconds += seconds_since(t);

  // Templates, and tree.json as one more task, on several threads: each
  // writer reads only the tree and the settled references.
  const detail::SafetyChecker safety(app);
  std::vector<StackArtifact> artifacts(stacks.size());
  std::string tree;
  std::size_t elements = 0;
  for (const Stack* s : stacks) elements += s->elements().size();
  std::vector<detail::StackWriter> writers(detail::workers(stacks.size() + 1, options.threads),
                                           detail::StackWriter(references));
  detail::parallel_for(stacks.size() + 1, options.threads, [&](unsigned worker, std::size_t task) {
    if (task == 0) {
      // About 650 bytes of tree.json per element for the DR system; a large
      // reservation is only paged in as far as it is written.
      tree = detail::tree_text(app, 1024 * elements + 65536);
      return;
    }
    const std::size_t i = task - 1;
    const Stack& s = *stacks[i];
    if (!selected.contains(&s)) return;
    StackArtifact& art = artifacts[i];
    detail::SectionCounts counts;
    art.template_text = writers[worker].write(
        s, references.stacks[i], counts, problems[i],
        [&](const CfnElement& e, std::string_view entry) { safety.review(e, entry, art.findings); });
    if (problems[i].empty()) detail::check_template(s, art.template_text, problems[i]);
    art.resource_count = counts.resources;
    art.output_count = counts.outputs;
    art.parameter_count = counts.parameters;
  });
  gather(problems, errors);
  throw_if_errors(errors);
  timings.render_seconds += seconds_since(t);

  // The assembly: artifacts in deployment order.
  Assembly a;
  for (const Stack* s : order) {
    if (!selected.contains(s)) continue;
    StackArtifact& art = artifacts[references.index.at(s)];
    art.stack = s;
    art.name = s->stack_name();
    art.region = s->region();
    art.environment = s->environment_uri();
    art.template_file = art.name + ".template.json";
    for (const auto& [dep, _] : references.of(s).depends_on) art.dependencies.push_back(dep->stack_name());
    std::sort(art.dependencies.begin(), art.dependencies.end());
    art.assets = s->assets();
    if (!art.assets.empty()) {
      art.assets_file = art.name + ".assets.json";
      art.assets_text = detail::asset_manifest_text(art);
    }
    a.assets.insert(a.assets.end(), art.assets.begin(), art.assets.end());
    a.stacks.push_back(std::move(art));
  }
  a.manifest_text = detail::manifest_text(a);
  a.tree_text = std::move(tree);
  timings.resolve_seconds += seconds_since(t);
  return a;
}

detail::RenderTimings& detail::last_render_timings() noexcept {
  static RenderTimings t;
  return t;
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

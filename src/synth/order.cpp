#include "synth/order.hpp"

#include <algorithm>
#include <functional>
#include <queue>

#include "drsynth/core/stack.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth::detail {

namespace {

void report_cycle(const std::vector<const Stack*>& path, const Stack* back_to, const References& references,
                  std::vector<Diagnostic>& errors) {
  const auto start = std::find(path.begin(), path.end(), back_to);
  const std::vector<const Stack*> cycle(start, path.end());
  std::string names;
  for (const Stack* s : cycle) names += s->stack_name() + " -> ";
  names += back_to->stack_name();
  std::string edges;
  for (std::size_t i = 0; i < cycle.size(); ++i) {
    const Stack* from = cycle[i];
    const Stack* to = i + 1 < cycle.size() ? cycle[i + 1] : back_to;
    for (const auto& r : references.of(from).depends_on.at(to))
      edges += "; " + from->stack_name() + " depends on " + to->stack_name() + " because " + r.from + " uses " + r.to;
  }
  errors.push_back({codes::E303, Severity::error, cycle.front()->path(), "stack dependency cycle: " + names + edges, names,
                    "stack dependencies without a cycle"});
}

}  // namespace

std::vector<const Stack*> deployment_order(const std::vector<const Stack*>& stacks, const References& references,
                                           std::vector<Diagnostic>& errors) {
  const std::size_t n = stacks.size();
  const auto& index = references.index;
  const auto& links = references.stacks;

  // Cycle detection (depth first), reporting the first cycle met.
  enum class Mark { none, active, done };
  std::vector<Mark> mark(n, Mark::none);
  std::vector<const Stack*> path;
  std::function<bool(std::size_t)> visit = [&](std::size_t i) -> bool {
    mark[i] = Mark::active;
    path.push_back(stacks[i]);
    for (const auto& [dep, reasons] : links[i].depends_on) {
      const std::size_t d = index.at(dep);
      if (mark[d] == Mark::active) {
        report_cycle(path, dep, references, errors);
        return false;
      }
      if (mark[d] == Mark::none && !visit(d)) return false;
    }
    path.pop_back();
    mark[i] = Mark::done;
    return true;
  };
  for (std::size_t i = 0; i < n; ++i)
    if (mark[i] == Mark::none && !visit(i)) return {};

  // Kahn's algorithm with a min-heap of ready stacks by position: O(E log S).
  std::vector<std::size_t> pending(n, 0);
  std::vector<std::vector<std::size_t>> dependents(n);
  for (std::size_t i = 0; i < n; ++i)
    for (const auto& [dep, reasons] : links[i].depends_on) {
      ++pending[i];
      dependents[index.at(dep)].push_back(i);
    }
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.push(i);
  std::vector<const Stack*> order;
  order.reserve(n);
  while (!ready.empty()) {
    const std::size_t i = ready.top();
    ready.pop();
    order.push_back(stacks[i]);
    for (const std::size_t d : dependents[i])
      if (--pending[d] == 0) ready.push(d);
  }
  return order;
}

std::set<const Stack*> select_stacks(const std::vector<const Stack*>& order, const References& references,
                                     const std::vector<std::string>& names, std::vector<Diagnostic>& errors) {
  if (names.empty()) return {order.begin(), order.end()};
  std::set<const Stack*> selected;
  std::function<void(const Stack*)> include = [&](const Stack* s) {
    if (!selected.insert(s).second) return;
    for (const auto& [dep, _] : references.of(s).depends_on) include(dep);
  };
  for (const auto& name : names) {
    const auto it = std::find_if(order.begin(), order.end(), [&](const Stack* s) { return s->stack_name() == name; });
    if (it != order.end()) {
      include(*it);
      continue;
    }
    std::string known;
    for (const Stack* s : order) known += (known.empty() ? "" : ", ") + s->stack_name();
    errors.push_back({codes::E504, Severity::error, "", "no stack named " + name, name, "one of: " + known});
  }
  return selected;
}

}  // namespace drsynth::detail

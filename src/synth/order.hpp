// Stack ordering: the deployment order, and what goes wrong with it (a
// dependency cycle, E303), and the --stack selection (E504). Not part of the
// public API.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "drsynth/core/error.hpp"
#include "synth/references.hpp"

namespace drsynth::detail {

// `stacks` in an order where each comes after the stacks it depends on;
// among stacks that are ready, the earliest in `stacks` first. A cycle is E303 in `errors` (naming every stack on it
// and, per edge, the construct that refers and the one referred to), and the
// order is then empty.
[[nodiscard]] std::vector<const Stack*> deployment_order(const std::vector<const Stack*>& stacks,
                                                         const References& references, std::vector<Diagnostic>& errors);

// The stacks of `order` named in `names` and every stack they depend on;
// all of them when `names` is empty. A name of no stack is E504 in `errors`.
[[nodiscard]] std::set<const Stack*> select_stacks(const std::vector<const Stack*>& order, const References& references,
                                                   const std::vector<std::string>& names,
                                                   std::vector<Diagnostic>& errors);

}  // namespace drsynth::detail

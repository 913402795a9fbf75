// Overrides as a patch tree, merged into an entry while it is written (see
// entry_writer.hpp for the rules). Not part of the public API.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "drsynth/entry_writer.hpp"
#include "drsynth/value.hpp"

namespace drsynth::detail {

struct PatchNode {
  enum class Op : std::uint8_t { keep, set, remove };
  Op op = Op::keep;
  Value value;  // op == set: what replaces the member
  // op == keep: patches below this member, by key (the order of Value::Object).
  std::map<std::string, PatchNode, std::less<>> children;
  // op == keep: a set somewhere below, so the member exists (as an object)
  // even where the entry has none, or has something that is not an object.
  bool creates = false;
};

// The patch that applies `overrides` in order.
[[nodiscard]] PatchNode build_patch(std::span<const Override> overrides);

}  // namespace drsynth::detail

// Inherited tags: what Tags::of(scope) set above a resource, merged once per
// scope. Not part of the public API.
#pragma once

#include <unordered_map>

#include "drsynth/core/construct.hpp"
#include "drsynth/core/entry_writer.hpp"

namespace drsynth::detail {

// Tags from every scope above a construct, memoized per scope (one memo per
// thread: it is not shared).
class TagMemo {
 public:
  // c's scopes' tags with c's own applied, sorted by key. The reference stays
  // valid until the next call.
  const TagList& inherited_tags(const Construct& c);

 private:
  const TagList& scope_tags(const Construct* c);
  std::unordered_map<const Construct*, TagList> scopes_;
  TagList own_;
};

}  // namespace drsynth::detail

// Pass 2: one stack's template as text, top to bottom, in one buffer. Every
// element writes its own entry (CfnElement::write); the engine writes the
// template's frame and the outputs the references pass added. Not part of
// the public API.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "drsynth/core/error.hpp"
#include "synth/references.hpp"
#include "synth/tags.hpp"

namespace drsynth::detail {

// Entries per section, for CloudFormation's limits (check_assembly).
struct SectionCounts {
  std::size_t resources = 0;
  std::size_t outputs = 0;  // the stack's own and the engine's
  std::size_t parameters = 0;
};

// Writes templates one stack at a time. It reads the construct tree and the
// settled references and nothing else shared, so several StackWriters (one
// per thread) can write different stacks at once.
class StackWriter {
 public:
  explicit StackWriter(const References& references) noexcept : references_(references) {}

  // Called with each element right after its entry is written, and the text of that entry.
  using AfterEntry = std::function<void(const CfnElement&, std::string_view entry)>;

  // The template of `s`, whose outputs for other stacks are `links.exports`.
  // Text that is not UTF-8 is E401 in `errors`, naming the element (or stack) that holds it.
  [[nodiscard]] std::string write(const Stack& s, const StackLinks& links, SectionCounts& counts,
                                  std::vector<Diagnostic>& errors, const AfterEntry& after);

 private:
  const References& references_;
  TagMemo tags_;
  std::size_t capacity_ = 4096;  // grows to the largest template so far
};

}  // namespace drsynth::detail

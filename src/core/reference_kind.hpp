// How a Ref/GetAtt used in one stack to an element of another resolves
// (internal): the vocabulary both the engine's references pass and an
// output that writes such a value use.
//   A is B                          Ref / Fn::GetAtt
//   same account and region         Fn::ImportValue of an exported output of A
//   another region (or account)     Fn::GetStackOutput of an output of A
#pragma once

#include "drsynth/core/stack.hpp"

namespace drsynth::detail {

enum class ReferenceKind { local, import, stack_output };

// The two stacks are in different known accounts (Fn::GetStackOutput then needs a role).
[[nodiscard]] inline bool other_account(const Stack& producer, const Stack& consumer) noexcept {
  const auto& pa = producer.account();
  const auto& ca = consumer.account();
  return pa && ca && *pa != *ca;
}

[[nodiscard]] inline ReferenceKind reference_kind(const Stack& producer, const Stack& consumer) noexcept {
  if (&producer == &consumer) return ReferenceKind::local;
  if (!other_account(producer, consumer) && producer.region() == consumer.region()) return ReferenceKind::import;
  return ReferenceKind::stack_output;
}

}  // namespace drsynth::detail

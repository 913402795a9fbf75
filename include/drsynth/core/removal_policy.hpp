// What happens to a resource when it leaves the stack or the stack is deleted.
#pragma once

#include <string_view>

namespace drsynth {

// Destroy renders DeletionPolicy and UpdateReplacePolicy "Delete" (both, or
// cfn-lint W3011); Retain and Snapshot render both accordingly.
enum class RemovalPolicy { destroy, retain, snapshot };

[[nodiscard]] std::string_view to_cfn(RemovalPolicy p) noexcept;

}  // namespace drsynth

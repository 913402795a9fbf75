// Overrides as a patch tree, merged into an entry while it is written (see
// entry_writer.hpp for the rules). Not part of the public API.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "drsynth/core/entry_writer.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::detail {

struct PatchNode {
  enum class Op : std::uint8_t { keep, set, remove };
  Op op = Op::keep;
  Value value;  // op == set: what replaces the member
  // op == keep: patches below this member, by key (the order of Value::Object);
  // below a list, the keys are indices (list_index).
  std::map<std::string, PatchNode, std::less<>> children;
  // op == keep: a set somewhere below, so the member exists (as an object)
  // even where the entry has none, or has something that is not an object.
  bool creates = false;
  std::string at;        // where this member is, e.g. "Properties.Targets.0" (for messages)
  std::string override;  // the path of the last override that reached it (for messages)
};

// The patch that applies `overrides` in order. Throws Error E236 (without a
// construct path: the caller knows it) when an override indexes past the end
// of, or into something that is not, a list an earlier override set.
[[nodiscard]] PatchNode build_patch(std::span<const Override> overrides);

// Applies one override (its path already split) to a whole entry held as a
// Value, at once (a removed list element moves the ones after it up). Throws
// E236 like build_patch.
void apply_override(Value& entry, std::span<const std::string> keys, const std::optional<Value>& value,
                    const std::string& path);

// An override path's keys: split at dots, "\." a dot inside a key (as
// aws-cdk-lib's addOverride splits them).
[[nodiscard]] std::vector<std::string> split_override_path(std::string_view path);

// A key that indexes a list: a decimal number without leading zeros.
[[nodiscard]] std::optional<std::size_t> list_index(std::string_view key) noexcept;

// The patches of a list of `size` elements by position (null: unchanged); the
// result is longer than `size` when overrides append. Throws E236 for a key
// that is not an index, or a set past the end that would leave a gap; with
// `lenient` (the references pass, which walks without the inherited tags)
// every such patch is appended instead, so that its references are seen.
[[nodiscard]] std::vector<const PatchNode*> list_patches(const PatchNode& list, std::size_t size, bool lenient);

// Before `node` becomes an object built from nothing (where the entry has no
// member, or one that is not a list or object, `found`: null when absent):
// throws E236 when an override below it sets an index, i.e. meant a list
// (never with `lenient`).
void check_no_list_meant(const PatchNode& node, const Value* found, bool lenient = false);

}  // namespace drsynth::detail

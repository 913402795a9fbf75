// The one bounded reader for every file drsynth reads back: a previous
// assembly (manifest.json, templates, tree.json, the marker), the settings
// file's neighbours, CA bundles. A file is read only when it is a regular file
// (a FIFO or a device is refused without waiting on it: O_NONBLOCK, then
// fstat before any read), no larger than its cap, and, for JSON, nested no
// deeper than max_json_depth, so that nothing recursive that walks it later
// (the diff, the guard, the model of tree.json) can run out of stack.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace drsynth::detail {

// The deepest JSON drsynth reads back. drsynth writes at most about 2 levels
// per construct (tree.json) below max_construct_depth, and templates of a few
// levels; 512 leaves room and keeps every recursive walk far from the stack's end.
inline constexpr std::size_t max_json_depth = 512;

// Caps of one previous assembly: a template (CloudFormation takes at most
// 1,000,000 bytes), manifest.json, tree.json, the artifacts the manifest may
// list, and all its files together.
inline constexpr std::size_t max_template_bytes = 16u * 1024 * 1024;
inline constexpr std::size_t max_manifest_bytes = 16u * 1024 * 1024;
inline constexpr std::size_t max_tree_bytes = 256u * 1024 * 1024;
inline constexpr std::size_t max_artifacts = 10000;
inline constexpr std::size_t max_assembly_bytes = 1024u * 1024 * 1024;

// A file added to an asset from disk (a CA bundle, ...): Lambda takes 250 MB
// unzipped, and such a file is a few kilobytes.
inline constexpr std::size_t max_extra_file_bytes = 64u * 1024 * 1024;

struct ReadBack {
  enum class Status { ok, missing, not_regular, too_large, unreadable };
  Status status = Status::ok;
  std::string text;
  std::string problem;  // for the message: "is a FIFO (named pipe)", "is larger than 16777216 bytes", ...
};

// The bytes of a regular file (a link to one is followed) of at most `max`
// bytes; never blocks on a FIFO, never reads a device.
[[nodiscard]] ReadBack read_regular_file(const std::filesystem::path& p, std::size_t max);

// What kind of file a stat mode is, for messages: "a FIFO (named pipe)", "a character device", ...
[[nodiscard]] std::string_view file_kind(unsigned mode) noexcept;

// Where `text` first nests deeper than `max_depth` arrays and objects
// ("nested deeper than 512 levels at byte 1234"), or empty. Linear, no recursion.
[[nodiscard]] std::string json_nesting_problem(std::string_view text, std::size_t max_depth = max_json_depth);

}  // namespace drsynth::detail

// Reading folders for the output-folder rules: every entry below a folder
// (symbolic links are entries, never followed), file digests, and the names
// the AWS CDK CLI gives its lock files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drsynth::detail {

struct FolderEntry {
  std::string name;                 // relative to the folder listed, '/'-separated
  std::filesystem::file_type type;  // of the entry itself (a link is a symlink)
  std::uintmax_t size = 0;          // bytes, for regular files
  std::int64_t ctime_ns = 0;        // last change of the entry itself (content, name, links, mode)
};

// Every entry below `dir`, sorted by name. Throws E402 when `dir` cannot be read.
[[nodiscard]] std::vector<FolderEntry> list_folder(const std::filesystem::path& dir);

// The SHA-256 (hex) of each file dir/<entry name>, on several threads for many
// files; "" for a file that cannot be read.
[[nodiscard]] std::vector<std::string> sha256_of_files(const std::filesystem::path& dir,
                                                       const std::vector<const FolderEntry*>& files);

// A regular file's bytes (never a link, a FIFO or a device), when it has at most `max` of them.
[[nodiscard]] std::optional<std::string> read_small_file(const std::filesystem::path& p, std::size_t max);

// "synth.lock", "read.<pid>.<n>.lock" and their temporary copies: what the AWS
// CDK CLI writes into the output folder while it runs an app or reads an assembly.
[[nodiscard]] bool cdk_lock_file(std::string_view name) noexcept;

}  // namespace drsynth::detail

// What drsynth may replace or remove on disk, and the proofs it keeps for it.
//
// An existing output folder is replaced only when it is empty (the AWS CDK
// CLI's lock files aside) or holds an assembly drsynth wrote, unchanged: the
// marker .drsynth-assembly.json lists every file with its size and SHA-256,
// and the folder must hold nothing else. A temporary folder beside it is
// removed only when its name, owner, dead writer and contents prove that a
// drsynth run made it. Everything else is refused with an Error naming the
// folder and what it holds (E403-E408, exit code 3).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace drsynth::detail {

inline constexpr std::string_view assembly_marker_name = ".drsynth-assembly.json";
inline constexpr std::string_view temporary_marker_name = ".drsynth-temporary";

// The longest output folder name: its temporary ".<name>.tmp-<pid>-<n>" must
// fit in a file name (255 bytes).
inline constexpr std::size_t max_output_name_bytes = 255 - 32;

struct OutputFolder {
  std::filesystem::path target;  // absolute; a symbolic link as the last component is followed
  std::filesystem::path parent;
  bool exists = false;
};

// The path checks that need no reading of the folder: empty or control
// characters (E406), the working folder or one of its parents (E407), a
// symbolic link to nothing (E408), not a folder (E403).
[[nodiscard]] OutputFolder resolve_output_folder(const std::filesystem::path& requested);

// How much of an existing assembly is compared with its marker.
enum class Verify {
  names_and_sizes,  // one stat per file
  contents,         // and the SHA-256 of every file (no time stamp is trusted)
};
// The files of an assembly as its marker lists them, once they were checked
// against it: relative path -> (size, SHA-256).
struct MarkedFiles {
  std::map<std::string, std::pair<std::uintmax_t, std::string>, std::less<>> files;
  std::string zip_layout;  // the asset zips' layout the writer used (asset_staging.hpp); empty before it was recorded
};

// Throws E404 (not empty, no assembly drsynth wrote) or E405 (drsynth's
// assembly with files added or changed) unless `dir` may be replaced.
// Returns the marker's files when `dir` holds a marked assembly (nothing for
// a missing or empty folder, or an assembly of a drsynth before the marker).
MarkedFiles check_replaceable(const std::filesystem::path& dir, Verify how);

// Before anything is written: the new assembly is built beside `target` (its
// parent must be writable) and the previous one removed after the swap (the
// folder and every folder in it must be writable), else E402 naming the
// folder: a previous assembly that cannot be removed would stay behind in a
// temporary folder, one more each run.
void check_writable(const OutputFolder& out);

// The previous assembly, checked (check_replaceable() with Verify::contents):
// where it is and what its marker lists.
struct PreviousAssembly {
  std::filesystem::path dir;
  const MarkedFiles* marked = nullptr;
  // The process's umask (current_umask()): a linked file gets the mode a
  // written one would. Unknown (-1): linked files keep their mode.
  int umask = -1;
};

// The process's umask, read from /proc/self/status ("Umask:", Linux 4.7 and
// later) rather than with umask(2), which would change it for a moment under
// the other threads of the app; -1 when it cannot be read.
[[nodiscard]] int current_umask() noexcept;

// Puts the previous assembly's file `name` (a path relative to the assembly)
// at dir/name as a hard link, when the marker lists it with this size and
// SHA-256 (`sha256` null: any digest, for a file whose digest the caller
// cannot know without building it); with the permission bits a file created
// with `mode` would get.
// Returns the listed digest, or an empty string when nothing was linked (not
// listed, other bytes, no hard links on this file system, a concurrent run
// removed it, another link to it exists, a mode other than the one a written
// file would get): then the caller writes the file. Nothing of the previous
// file changes (no chmod: the inode is shared).
std::string link_unchanged(const PreviousAssembly& previous, const std::filesystem::path& dir, const std::string& name,
                           std::uintmax_t size, const std::string* sha256, unsigned mode);

// The marker for the files below `dir` (every file, its size and SHA-256),
// ignoring the temporary marker. `known`: digests the writer computed from
// the bytes it wrote (name -> SHA-256); the other files are read back.
[[nodiscard]] std::string assembly_marker(const std::filesystem::path& dir,
                                          const std::map<std::string, std::string, std::less<>>& known = {},
                                          const std::string& kept_stacks_json = "[]");
// Where a kept stack's template is (Assembly::kept_stacks), relative to the assembly.
inline constexpr std::string_view kept_stacks_folder = ".drsynth-kept";

// ".<name>.tmp-<pid>-<n>": the temporary folder of one write beside `target`.
[[nodiscard]] std::filesystem::path temporary_path(const std::filesystem::path& target, unsigned n);
// Creates it with the temporary marker inside (E402 when it cannot).
void create_temporary(const std::filesystem::path& path);
// Puts the temporary marker into `dir` (best effort: before removing it).
void mark_temporary(const std::filesystem::path& dir) noexcept;
// Removes the temporary folders of `target` whose writer is gone and that
// drsynth provably made; leaves anything else alone.
void remove_stale_temporaries(const std::filesystem::path& target) noexcept;

}  // namespace drsynth::detail

// The temporary folders of output_folder.hpp: ".<name>.tmp-<pid>-<n>" beside
// the output folder, with a marker naming the writer.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "drsynth/core/error.hpp"
#include "drsynth/core/error_codes.hpp"
#include "synth/folder_listing.hpp"
#include "synth/output_folder.hpp"

namespace drsynth::detail {

namespace fs = std::filesystem;

namespace {

std::string prefix_of(const fs::path& target) { return "." + target.filename().string() + ".tmp-"; }

std::string marker_text(long pid) { return "drsynth-temporary/1\n" + std::to_string(pid) + "\n"; }

bool all_digits(std::string_view s) {
  return !s.empty() && s.size() < 19 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// The writer's pid when `name` is exactly "<prefix><pid>-<n>"; 0 otherwise.
long writer_of(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix)) return 0;
  name.remove_prefix(prefix.size());
  const auto dash = name.find('-');
  if (dash == std::string_view::npos || !all_digits(name.substr(0, dash)) || !all_digits(name.substr(dash + 1))) return 0;
  return std::stol(std::string(name.substr(0, dash)));
}

bool write_marker(const fs::path& dir, long pid) {
  const int fd = ::open((dir / temporary_marker_name).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const std::string text = marker_text(pid);
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  return ::close(fd) == 0 && ok;
}

// Killed between creating the folder and finishing its marker: the folder
// holds nothing but the marker, and that is a beginning of the text the
// writer would have written (maybe empty).
bool only_a_partial_marker(const fs::path& dir, long pid) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec || it == fs::directory_iterator() || it->path().filename() != temporary_marker_name) return false;
  if (++it != fs::directory_iterator()) return false;
  const auto text = read_small_file(dir / temporary_marker_name, 64);
  return text && marker_text(pid).starts_with(*text);
}

}  // namespace

fs::path temporary_path(const fs::path& target, unsigned n) {
  return target.parent_path() / (prefix_of(target) + std::to_string(::getpid()) + "-" + std::to_string(n));
}

void create_temporary(const fs::path& path) {
  if (::mkdir(path.c_str(), 0755) != 0 || !write_marker(path, ::getpid())) {
    const int err = errno;
    ::rmdir(path.c_str());
    throw Error(Diagnostic{.code = codes::E402,
                           .message = "cannot create a folder in " + path.parent_path().string() + ": " + std::strerror(err),
                           .got = path.string(),
                           .expected = "a writable output folder"});
  }
}

void mark_temporary(const fs::path& dir) noexcept { (void)write_marker(dir, ::getpid()); }

void remove_stale_temporaries(const fs::path& target) noexcept {
  try {
    const std::string prefix = prefix_of(target);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(target.parent_path(), ec)) {
      const fs::path& p = entry.path();
      const long pid = writer_of(p.filename().string(), prefix);
      struct stat st {};
      // Ours to judge: a real folder (not a link) of this user, its writer gone.
      if (pid <= 0 || ::lstat(p.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) continue;
      if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
      if (::rmdir(p.c_str()) == 0) continue;  // empty: killed right after mkdir
      // Proof that drsynth made it: its marker naming that writer, or (killed
      // between the swap and the marker) a previous assembly drsynth wrote.
      bool ours = read_small_file(p / temporary_marker_name, 64) == marker_text(pid) || only_a_partial_marker(p, pid);
      if (!ours) {
        try {
          check_replaceable(p, Verify::names_and_sizes);
          ours = true;
        } catch (const Error&) {
        }
      }
      if (ours) fs::remove_all(p, ec);
    }
  } catch (...) {
    // Clean-up is best effort: a folder left behind is never a failure.
  }
}

}  // namespace drsynth::detail

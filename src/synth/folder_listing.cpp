#include "synth/folder_listing.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include "core/digest.hpp"
#include "drsynth/core/error.hpp"
#include "drsynth/core/error_codes.hpp"
#include "synth/internal.hpp"

namespace drsynth::detail {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void cannot_read(const fs::path& p, int err) {
  throw Error(Diagnostic{.code = codes::E402,
                         .message = "cannot read " + p.string() + ": " + std::strerror(err),
                         .got = p.string(),
                         .expected = "a readable output folder"});
}

fs::file_type type_of(mode_t mode) {
  if (S_ISREG(mode)) return fs::file_type::regular;
  if (S_ISDIR(mode)) return fs::file_type::directory;
  if (S_ISLNK(mode)) return fs::file_type::symlink;
  if (S_ISFIFO(mode)) return fs::file_type::fifo;
  if (S_ISSOCK(mode)) return fs::file_type::socket;
  if (S_ISBLK(mode)) return fs::file_type::block;
  if (S_ISCHR(mode)) return fs::file_type::character;
  return fs::file_type::unknown;
}

std::string sha256_of(const fs::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return {};
  struct stat st {};
  std::optional<std::string> hex;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) hex = sha256_hex_of_fd(fd);
  ::close(fd);
  return hex.value_or(std::string());
}

}  // namespace

namespace {

// The entries below the open folder `fd` (taken over), names prefixed with
// `prefix`; `shown` is its path for errors. One fstatat per entry, relative to
// the folder: no path is resolved from the root again.
void list_into(int fd, const std::string& prefix, const fs::path& shown, std::vector<FolderEntry>& out) {
  const std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(fd), ::closedir);
  if (!d) {
    const int err = errno;
    ::close(fd);
    cannot_read(shown, err);
  }
  for (;;) {
    errno = 0;
    const dirent* e = ::readdir(d.get());
    if (e == nullptr) {
      if (errno != 0) cannot_read(shown, errno);
      break;
    }
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(::dirfd(d.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) cannot_read(shown / name, errno);
    out.push_back({prefix + std::string(name), type_of(st.st_mode), static_cast<std::uintmax_t>(st.st_size),
                   static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec});
    if (S_ISDIR(st.st_mode)) {
      const int sub = ::openat(::dirfd(d.get()), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0) cannot_read(shown / name, errno);
      list_into(sub, out.back().name + "/", shown / name, out);
    }
  }
}

}  // namespace

std::vector<FolderEntry> list_folder(const fs::path& dir) {
  std::vector<FolderEntry> out;
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) cannot_read(dir, errno);
  list_into(fd, "", dir, out);
  std::sort(out.begin(), out.end(), [](const FolderEntry& a, const FolderEntry& b) { return a.name < b.name; });
  return out;
}

std::vector<std::string> sha256_of_files(const fs::path& dir, const std::vector<const FolderEntry*>& files) {
  std::vector<std::string> digests(files.size());
  parallel_for(files.size(), 0, [&](unsigned /*worker*/, std::size_t i) { digests[i] = sha256_of(dir / files[i]->name); });
  return digests;
}

std::optional<std::string> read_small_file(const fs::path& p, std::size_t max) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::optional<std::string> text;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::uintmax_t>(st.st_size) <= max) {
    text.emplace(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    while (done < text->size()) {
      const ssize_t n = ::read(fd, text->data() + done, text->size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    text->resize(done);
  }
  ::close(fd);
  return text;
}

bool cdk_lock_file(std::string_view name) noexcept {
  // The CLI writes a lock as "<lock>.<pid>_<n>" and renames it into place.
  if (const auto dot = name.rfind('.'); dot != std::string_view::npos) {
    const auto tail = name.substr(dot + 1);
    const auto us = tail.find('_');
    auto digits = [](std::string_view s) {
      return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (us != std::string_view::npos && digits(tail.substr(0, us)) && digits(tail.substr(us + 1)))
      name = name.substr(0, dot);
  }
  if (name == "synth.lock") return true;
  if (!name.starts_with("read.") || !name.ends_with(".lock")) return false;
  const auto middle = name.substr(5, name.size() - 10);  // "<pid>.<n>"
  const auto dot = middle.find('.');
  return name.size() > 10 && dot != std::string_view::npos && dot > 0 && dot + 1 < middle.size() &&
         middle.find('.', dot + 1) == std::string_view::npos && middle.find('/') == std::string_view::npos;
}

}  // namespace drsynth::detail

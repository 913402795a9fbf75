#include "core/read_back.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/fd_io.hpp"

namespace drsynth::detail {

std::string_view file_kind(unsigned mode) noexcept {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISREG(mode)) return "a regular file";
  return "not a regular file";
}

ReadBack read_regular_file(const std::filesystem::path& p, std::size_t max) {
  ReadBack r;
  // O_NONBLOCK: opening a FIFO without a writer returns at once instead of
  // waiting for one; the fstat below refuses it before any read.
  const int fd = ::open(p.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    r.status = err == ENOENT || err == ENOTDIR ? ReadBack::Status::missing : ReadBack::Status::unreadable;
    r.problem = err == ENOENT || err == ENOTDIR ? "cannot be read: it does not exist"
                                                : std::string("cannot be read: ") + std::strerror(err);
    return r;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    r.status = ReadBack::Status::not_regular;
    r.problem = "is " + std::string(file_kind(st.st_mode)) + ", not a regular file";
    ::close(fd);
    return r;
  }
  if (static_cast<std::uintmax_t>(st.st_size) > max) {
    r.status = ReadBack::Status::too_large;
    r.problem = "is larger than drsynth reads (" + std::to_string(st.st_size) + " bytes, at most " + std::to_string(max) + ")";
    ::close(fd);
    return r;
  }
  auto read = read_to_end(fd, max);  // the file may grow meanwhile: still bounded
  ::close(fd);
  if (read.error != 0) {
    r.status = ReadBack::Status::unreadable;
    r.problem = std::string("cannot be read: ") + std::strerror(read.error);
    return r;
  }
  if (read.text.size() > max) {
    r.status = ReadBack::Status::too_large;
    r.problem = "is larger than drsynth reads (more than " + std::to_string(max) + " bytes)";
    return r;
  }
  r.text = std::move(read.text);
  return r;
}

std::string json_nesting_problem(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth)
          return "nested deeper than " + std::to_string(max_depth) + " levels (at byte " + std::to_string(i) + ")";
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return {};
}

}  // namespace drsynth::detail

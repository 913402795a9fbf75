#include "core/fd_io.hpp"

#include <unistd.h>

#include <cerrno>

namespace drsynth::detail {

ReadResult read_to_end(int fd, std::size_t max) {
  ReadResult r;
  char buffer[65536];
  while (r.text.size() <= max) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      r.error = errno;
      break;
    }
    if (n == 0) break;
    r.text.append(buffer, static_cast<std::size_t>(n));
  }
  return r;
}

int write_all(int fd, std::string_view data) noexcept {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

}  // namespace drsynth::detail

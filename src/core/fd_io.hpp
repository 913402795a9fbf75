// Whole-file reads and writes on a file descriptor, with EINTR retried: the
// one loop behind every file drsynth writes (the assembly, the Graphviz input)
// and every file it reads whole (a previous assembly, the settings file,
// Graphviz's output, /proc).
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

namespace drsynth::detail {

struct ReadResult {
  std::string text;
  int error = 0;  // errno of the read that failed, else 0
};

// The bytes of `fd` up to its end, or (when there are more) the first ones
// past `max`: a caller that refuses large files sees text.size() > max
// without reading them all. Works for files without a size (/proc, pipes).
[[nodiscard]] ReadResult read_to_end(int fd, std::size_t max = std::numeric_limits<std::size_t>::max());

// Writes all of `data`; 0, or the errno of the write that failed.
[[nodiscard]] int write_all(int fd, std::string_view data) noexcept;

}  // namespace drsynth::detail

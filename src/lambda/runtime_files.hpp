// The Lambda handler code compiled into the library (internal; the table is
// generated from runtime/ by cmake/embed_runtime.cmake).
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "drsynth/asset.hpp"

namespace drsynth::lambda::detail {

struct EmbeddedFile {
  std::string_view path;  // relative to runtime/, e.g. "probe/index.py"
  std::string_view content;
};
extern const EmbeddedFile runtime_files[];
extern const std::size_t runtime_file_count;

// The files of runtime/<handler>/, relative to that folder and sorted, built
// once per process (empty when the library has no such handler).
[[nodiscard]] std::shared_ptr<const std::vector<AssetFile>> embedded_handler(std::string_view handler);

}  // namespace drsynth::lambda::detail

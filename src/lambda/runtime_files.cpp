#include "lambda/runtime_files.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <string>

namespace drsynth::lambda::detail {

std::shared_ptr<const std::vector<AssetFile>> embedded_handler(std::string_view handler) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const std::vector<AssetFile>>, std::less<>> built;
  std::lock_guard lock(mutex);
  if (auto it = built.find(handler); it != built.end()) return it->second;
  const std::string prefix = std::string(handler) + "/";
  auto files = std::make_shared<std::vector<AssetFile>>();
  for (std::size_t i = 0; i < runtime_file_count; ++i) {
    const EmbeddedFile& f = runtime_files[i];
    if (f.path.starts_with(prefix))
      files->push_back({std::string(f.path.substr(prefix.size())), std::string(f.content)});
  }
  std::sort(files->begin(), files->end(),
            [](const AssetFile& a, const AssetFile& b) { return a.relative_path < b.relative_path; });
  return built.emplace(std::string(handler), std::move(files)).first->second;
}

std::shared_ptr<const std::vector<AssetFile>> embedded_handler_with_rds_ca(std::string_view handler) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const std::vector<AssetFile>>, std::less<>> built;
  const auto own = embedded_handler(handler);
  const auto probe = embedded_handler("probe");
  std::lock_guard lock(mutex);
  if (auto it = built.find(handler); it != built.end()) return it->second;
  auto files = std::make_shared<std::vector<AssetFile>>();
  for (const auto& f : *own)
    if (f.relative_path != rds_ca_bundle_name) files->push_back(f);
  for (const auto& f : *probe)
    if (f.relative_path == rds_ca_bundle_name) files->push_back(f);
  std::sort(files->begin(), files->end(),
            [](const AssetFile& a, const AssetFile& b) { return a.relative_path < b.relative_path; });
  return built.emplace(std::string(handler), std::move(files)).first->second;
}

}  // namespace drsynth::lambda::detail

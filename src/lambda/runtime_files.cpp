#include "lambda/runtime_files.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <numeric>
#include <string>

#include "asset_staging.hpp"

namespace drsynth::lambda::detail {

namespace {

// Files with their SHA-256s, sorted by path; handed to the Asset machinery
// with the digests so that no process hashes the compiled-in files again.
std::shared_ptr<const std::vector<AssetFile>> publish(std::vector<std::pair<AssetFile, std::string>> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first.relative_path < b.first.relative_path; });
  auto files = std::make_shared<std::vector<AssetFile>>();
  std::vector<std::string> digests;
  files->reserve(entries.size());
  digests.reserve(entries.size());
  for (auto& [file, digest] : entries) {
    files->push_back(std::move(file));
    digests.push_back(std::move(digest));
  }
  std::shared_ptr<const std::vector<AssetFile>> shared = std::move(files);
  drsynth::detail::remember_file_digests(shared, std::move(digests));
  return shared;
}

}  // namespace

std::shared_ptr<const std::vector<AssetFile>> embedded_handler(std::string_view handler) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const std::vector<AssetFile>>, std::less<>> built;
  std::lock_guard lock(mutex);
  if (auto it = built.find(handler); it != built.end()) return it->second;
  const std::string prefix = std::string(handler) + "/";
  std::vector<std::pair<AssetFile, std::string>> entries;
  for (std::size_t i = 0; i < runtime_file_count; ++i) {
    const EmbeddedFile& f = runtime_files[i];
    if (f.path.starts_with(prefix))
      entries.push_back({{std::string(f.path.substr(prefix.size())), std::string(f.content)}, std::string(f.sha256)});
  }
  return built.emplace(std::string(handler), publish(std::move(entries))).first->second;
}

std::shared_ptr<const std::vector<AssetFile>> embedded_handler_with_rds_ca(std::string_view handler) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const std::vector<AssetFile>>, std::less<>> built;
  const auto own = embedded_handler(handler);
  const auto probe = embedded_handler("probe");
  std::lock_guard lock(mutex);
  if (auto it = built.find(handler); it != built.end()) return it->second;
  // The digests travel with the files: look each one up in the table.
  auto digest_of = [](std::string_view dir, const AssetFile& f) {
    const std::string path = std::string(dir) + "/" + f.relative_path;
    for (std::size_t i = 0; i < runtime_file_count; ++i)
      if (runtime_files[i].path == path) return std::string(runtime_files[i].sha256);
    return std::string();
  };
  std::vector<std::pair<AssetFile, std::string>> entries;
  for (const auto& f : *own)
    if (f.relative_path != rds_ca_bundle_name) entries.push_back({f, digest_of(handler, f)});
  for (const auto& f : *probe)
    if (f.relative_path == rds_ca_bundle_name) entries.push_back({f, digest_of("probe", f)});
  return built.emplace(std::string(handler), publish(std::move(entries))).first->second;
}

}  // namespace drsynth::lambda::detail

#include "lambda/runtime_files.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <string>

#include "asset_staging.hpp"

namespace drsynth::lambda::detail {

namespace {

// One handler's files, sorted by path, with their SHA-256s (computed at build
// time), built once per process.
struct HandlerFiles {
  std::shared_ptr<const std::vector<AssetFile>> files;
  std::vector<std::string> digests;
};

// Sorts the entries and hands the digests to the Asset machinery, so that no
// process hashes the compiled-in files again.
HandlerFiles publish(std::vector<std::pair<AssetFile, std::string>> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first.relative_path < b.first.relative_path; });
  auto files = std::make_shared<std::vector<AssetFile>>();
  HandlerFiles out;
  files->reserve(entries.size());
  out.digests.reserve(entries.size());
  for (auto& [file, digest] : entries) {
    files->push_back(std::move(file));
    out.digests.push_back(std::move(digest));
  }
  out.files = std::move(files);
  drsynth::detail::remember_file_digests(out.files, out.digests);
  return out;
}

const HandlerFiles& handler_files(std::string_view handler) {
  static std::mutex mutex;
  static std::map<std::string, HandlerFiles, std::less<>> built;
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

}  // namespace

std::shared_ptr<const std::vector<AssetFile>> embedded_handler(std::string_view handler) {
  return handler_files(handler).files;
}

std::shared_ptr<const std::vector<AssetFile>> embedded_handler_with_rds_ca(std::string_view handler) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const std::vector<AssetFile>>, std::less<>> built;
  const HandlerFiles& own = handler_files(handler);
  const HandlerFiles& probe = handler_files("probe");
  std::lock_guard lock(mutex);
  if (auto it = built.find(handler); it != built.end()) return it->second;
  std::vector<std::pair<AssetFile, std::string>> entries;
  for (std::size_t i = 0; i < own.files->size(); ++i)
    if ((*own.files)[i].relative_path != rds_ca_bundle_name) entries.push_back({(*own.files)[i], own.digests[i]});
  for (std::size_t i = 0; i < probe.files->size(); ++i)
    if ((*probe.files)[i].relative_path == rds_ca_bundle_name) entries.push_back({(*probe.files)[i], probe.digests[i]});
  return built.emplace(std::string(handler), publish(std::move(entries)).files).first->second;
}

}  // namespace drsynth::lambda::detail

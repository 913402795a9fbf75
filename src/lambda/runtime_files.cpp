#include "lambda/runtime_files.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <string>

namespace drsynth::lambda::detail {

namespace {

using Entries = std::vector<AssetFile>;

// The embedded files under `folder`/, named relative to `folder`/ with
// `prefix` in front.
void add_folder(Entries& out, std::string_view folder, std::string_view prefix) {
  const std::string start = std::string(folder) + "/";
  for (std::size_t i = 0; i < runtime_file_count; ++i) {
    const EmbeddedFile& f = runtime_files[i];
    if (!f.path.starts_with(start)) continue;
    out.push_back({std::string(prefix) + std::string(f.path.substr(start.size())), std::string(f.content),
                   std::string(f.sha256)});
  }
}

// Sorts the entries; each carries its SHA-256 computed at build time, so
// that no process hashes the compiled-in files again.
std::shared_ptr<const std::vector<AssetFile>> publish(Entries entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.relative_path < b.relative_path; });
  return std::make_shared<const std::vector<AssetFile>>(std::move(entries));
}

}  // namespace

std::shared_ptr<const std::vector<AssetFile>> embedded_handler(const HandlerCode& code) {
  std::string key(code.handler);
  for (const auto p : code.packages) key += "+" + std::string(p);
  if (code.rds_ca) key += "+ca";
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const std::vector<AssetFile>>, std::less<>> built;
  std::lock_guard lock(mutex);
  if (auto it = built.find(key); it != built.end()) return it->second;
  Entries entries;
  add_folder(entries, code.handler, "");
  for (const auto p : code.packages) add_folder(entries, p, std::string(p) + "/");
  if (code.rds_ca) {
    std::erase_if(entries, [](const auto& e) { return e.relative_path == rds_ca_bundle_name; });
    Entries probe;
    add_folder(probe, "probe", "");
    for (auto& e : probe)
      if (e.relative_path == rds_ca_bundle_name) entries.push_back(std::move(e));
  }
  return built.emplace(std::move(key), publish(std::move(entries))).first->second;
}

}  // namespace drsynth::lambda::detail

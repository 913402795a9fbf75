#include "lambda/runtime_files.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <string>

#include "asset_staging.hpp"

namespace drsynth::lambda::detail {

namespace {

using Entries = std::vector<std::pair<AssetFile, std::string>>;  // file, its SHA-256

// The embedded files under `folder`/, named relative to `folder`/ with
// `prefix` in front.
void add_folder(Entries& out, std::string_view folder, std::string_view prefix) {
  const std::string start = std::string(folder) + "/";
  for (std::size_t i = 0; i < runtime_file_count; ++i) {
    const EmbeddedFile& f = runtime_files[i];
    if (!f.path.starts_with(start)) continue;
    out.push_back({{std::string(prefix) + std::string(f.path.substr(start.size())), std::string(f.content)},
                   std::string(f.sha256)});
  }
}

// Sorts the entries and hands the digests to the Asset machinery, so that no
// process hashes the compiled-in files again.
std::shared_ptr<const std::vector<AssetFile>> publish(Entries entries) {
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
  std::shared_ptr<const std::vector<AssetFile>> out = std::move(files);
  drsynth::detail::remember_file_digests(out, digests);
  return out;
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
    std::erase_if(entries, [](const auto& e) { return e.first.relative_path == rds_ca_bundle_name; });
    Entries probe;
    add_folder(probe, "probe", "");
    for (auto& e : probe)
      if (e.first.relative_path == rds_ca_bundle_name) entries.push_back(std::move(e));
  }
  return built.emplace(std::move(key), publish(std::move(entries))).first->second;
}

}  // namespace drsynth::lambda::detail

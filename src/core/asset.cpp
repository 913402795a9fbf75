#include "drsynth/core/asset.hpp"
#include "core/read_back.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "drsynth/core/logical_id.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth {

namespace fs = std::filesystem;

namespace {

// The folder's content, read and hashed once per process for each state of
// the folder: N copies of a pattern use the same Lambda code.
struct Loaded {
  std::shared_ptr<const std::vector<Asset::File>> files;
  std::shared_ptr<const std::vector<std::string>> digests;  // SHA-256 of each file
  std::string hash;
  std::uintmax_t size = 0;
};
struct Stamp {
  std::string relative_path;
  std::uintmax_t size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const Stamp&) const = default;
};
struct CacheEntry {
  std::vector<Stamp> stamps;
  Loaded loaded;
};

// Size and hash of files sorted by relative path (a file's SHA-256 is
// computed unless the file carries it).
Loaded summarize(std::shared_ptr<const std::vector<Asset::File>> files) {
  Loaded l;
  std::string digest_input;
  auto digests = std::make_shared<std::vector<std::string>>();
  digests->reserve(files->size());
  for (const auto& f : *files) {
    l.size += f.content.size();
    digests->push_back(f.sha256.size() == 64 ? f.sha256 : sha256_hex(f.content));
    digest_input += f.relative_path;
    digest_input.push_back('\0');
    digest_input += digests->back();
    digest_input.push_back('\n');
  }
  l.hash = sha256_hex(digest_input);
  l.files = std::move(files);
  l.digests = std::move(digests);
  return l;
}

Loaded load(std::vector<std::pair<Stamp, fs::path>> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first.relative_path < b.first.relative_path; });
  auto files = std::make_shared<std::vector<Asset::File>>();
  files->reserve(entries.size());
  for (const auto& [stamp, path] : entries) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    files->push_back({stamp.relative_path, ss.str()});
  }
  return summarize(std::move(files));
}

constexpr auto by_path = [](const auto& a, const auto& b) { return a.relative_path < b.relative_path; };

// Files given in memory: hashed once per process for each set (the cache
// keeps the set alive, so its address identifies it).
struct InMemoryCache {
  std::mutex mutex;
  std::unordered_map<const void*, std::pair<std::shared_ptr<const std::vector<Asset::File>>, Loaded>> loaded;
};
InMemoryCache& in_memory_cache() {
  static InMemoryCache cache;
  return cache;
}

Loaded load_in_memory(const std::shared_ptr<const std::vector<Asset::File>>& given) {
  auto& cache = in_memory_cache();
  std::lock_guard lock(cache.mutex);
  if (auto it = cache.loaded.find(given.get()); it != cache.loaded.end()) return it->second.second;
  auto files = given;
  if (!std::is_sorted(given->begin(), given->end(), by_path)) {
    auto sorted = std::make_shared<std::vector<Asset::File>>(*given);
    std::sort(sorted->begin(), sorted->end(), by_path);
    files = std::move(sorted);
  }
  return cache.loaded.emplace(given.get(), std::make_pair(given, summarize(std::move(files)))).first->second.second;
}

// Files in memory with extra files from disk replacing or joining them
// (rare, so not cached). Sets `error` when an extra file cannot be read.
Loaded load_with_extras(const std::vector<Asset::File>& given, const std::map<std::string, fs::path>& extras,
                        std::string& error) {
  auto merged = std::make_shared<std::vector<Asset::File>>();
  for (const auto& f : given)
    if (!extras.contains(f.relative_path)) merged->push_back(f);
  for (const auto& [rel, path] : extras) {
    // The bounded reader: a FIFO or a device is refused, never waited on or read.
    auto r = detail::read_regular_file(path, detail::max_extra_file_bytes);
    if (r.status != detail::ReadBack::Status::ok) {
      error = "file " + path.string() + " (to be added to the asset as " + rel + ") " + r.problem;
      return {};
    }
    merged->push_back({rel, std::move(r.text)});
  }
  std::sort(merged->begin(), merged->end(), by_path);
  return summarize(std::move(merged));
}

}  // namespace

namespace {
// A relative path the working folder does not hold, looked up beside the
// source file that wrote the props (when its name is absolute, as CMake
// passes it); unchanged otherwise, so E220 names what was given.
fs::path beside_source(const fs::path& path, const char* from) {
  std::error_code ec;
  if (path.empty() || path.is_absolute() || fs::exists(path, ec) || from == nullptr) return path;
  const fs::path source = from;
  if (!source.is_absolute()) return path;
  fs::path candidate = source.parent_path() / path;
  return fs::exists(candidate, ec) ? candidate.lexically_normal() : path;
}
}  // namespace

Asset::Asset(Construct& scope, std::string id, AssetProps props) : Construct(scope, std::move(id)), props_(std::move(props)) {
  props_.path = beside_source(props_.path, props_.from);
  for (auto& [rel, file] : props_.extra_files) file = beside_source(file, props_.from);
  static const auto no_files = std::make_shared<const std::vector<File>>();
  static const auto no_digests = std::make_shared<const std::vector<std::string>>();
  files_ = no_files;
  digests_ = no_digests;
  if (props_.files) {
    if (!props_.path.empty()) {
      load_error_ = "an asset is either a folder or files in memory, not both";
      return;
    }
    Loaded loaded;
    if (props_.extra_files.empty()) {
      loaded = load_in_memory(props_.files);
    } else {
      loaded = load_with_extras(*props_.files, props_.extra_files, load_error_);
      if (!load_error_.empty()) return;
    }
    files_ = std::move(loaded.files);
    digests_ = std::move(loaded.digests);
    hash_ = std::move(loaded.hash);
    size_ = loaded.size;
    return;
  }
  std::error_code ec;
  if (!fs::is_directory(props_.path, ec)) {
    load_error_ = "asset folder does not exist";
    return;
  }
  std::vector<std::pair<Stamp, fs::path>> entries;
  // Every copy of a pattern checks its code folder against the cache: keep it
  // to one stat() per file (fs::relative() resolves symlinks with a readlink()
  // per path component, and file_size() and last_write_time() stat twice).
  for (const auto& e : fs::recursive_directory_iterator(props_.path, ec)) {
    if (!e.is_regular_file()) continue;
    std::string rel = e.path().lexically_relative(props_.path).generic_string();
    // Byte-code caches differ from machine to machine; they are not code.
    if (rel.find("__pycache__") != std::string::npos || rel.ends_with(".pyc")) continue;
    struct stat st {};
    if (::stat(e.path().c_str(), &st) != 0) continue;
    const std::int64_t mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    if (props_.extra_files.contains(rel)) continue;
    entries.push_back({Stamp{std::move(rel), static_cast<std::uintmax_t>(st.st_size), mtime_ns}, e.path()});
  }
  for (const auto& [rel, path] : props_.extra_files) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      load_error_ = "file " + path.string() + " (to be added to the asset as " + rel + ") does not exist";
      return;
    }
    const std::int64_t mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    entries.push_back({Stamp{rel, static_cast<std::uintmax_t>(st.st_size), mtime_ns}, path});
  }
  std::vector<Stamp> stamps;
  stamps.reserve(entries.size());
  for (const auto& [stamp, path] : entries) stamps.push_back(stamp);
  std::sort(stamps.begin(), stamps.end(),
            [](const Stamp& a, const Stamp& b) { return a.relative_path < b.relative_path; });

  static std::mutex mutex;
  static std::unordered_map<std::string, CacheEntry> cache;
  const std::string key = fs::absolute(props_.path, ec).lexically_normal().string();
  Loaded loaded;
  {
    std::lock_guard lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end() && it->second.stamps == stamps) loaded = it->second.loaded;
  }
  if (!loaded.files) {
    loaded = load(std::move(entries));
    std::lock_guard lock(mutex);
    cache[key] = CacheEntry{std::move(stamps), loaded};
  }
  files_ = std::move(loaded.files);
  digests_ = std::move(loaded.digests);
  hash_ = std::move(loaded.hash);
  size_ = loaded.size;
}

void Asset::adopted() {
  if (Stack* s = stack_or_null()) s->assets_.push_back(this);
}

void Asset::validate(Validation& v) const {
  if (!load_error_.empty())
    v.error(codes::E220, *this, load_error_, props_.path.string(), "a folder with the asset's files (and existing extra files)");
  else if (files_->empty() && props_.files)
    v.error(codes::E220, *this, "asset has no files", "an empty list of files", "at least one file");
  else if (files_->empty())
    v.error(codes::E220, *this, "asset folder is empty", props_.path.string(), "a folder with the asset's files");
}

}  // namespace drsynth

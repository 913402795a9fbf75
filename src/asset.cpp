#include "drsynth/asset.hpp"
#include "read_back.hpp"

#include "asset_staging.hpp"
#include "fd_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <array>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "drsynth/core/error_codes.hpp"
#include "drsynth/logical_id.hpp"
#include "drsynth/stack.hpp"

namespace drsynth {

namespace fs = std::filesystem;

namespace {

// CRC-32 (IEEE), eight bytes per step ("slicing by 8": eight tables, so the
// eight lookups of a step are independent): the byte-at-a-time loop was the
// largest single cost of writing the default system's assets (about 0.9 ms of
// a 12 ms `drsynth synth`; the zips hold ~450 KB).
std::uint32_t crc32(std::string_view data) {
  static const auto tables = [] {
    std::array<std::array<std::uint32_t, 256>, 8> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
      t[0][i] = c;
    }
    for (std::size_t i = 0; i < 256; ++i)
      for (std::size_t k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFFU];
    return t;
  }();
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  std::uint32_t c = 0xFFFFFFFFU;
  for (; n >= 8; p += 8, n -= 8) {
    const std::uint32_t lo = c ^ (std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
                                  std::uint32_t{p[3]} << 24);
    c = tables[7][lo & 0xFFU] ^ tables[6][(lo >> 8) & 0xFFU] ^ tables[5][(lo >> 16) & 0xFFU] ^ tables[4][lo >> 24] ^
        tables[3][p[4]] ^ tables[2][p[5]] ^ tables[1][p[6]] ^ tables[0][p[7]];
  }
  for (; n > 0; ++p, --n) c = tables[0][(c ^ *p) & 0xFFU] ^ (c >> 8);
  return c ^ 0xFFFFFFFFU;
}

void put16(std::string& s, std::uint32_t v) {
  s.push_back(static_cast<char>(v & 0xFF));
  s.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}

}  // namespace

namespace detail {

// A ZIP archive of stored (uncompressed) entries with fixed timestamps, so the
// same files always give the same bytes. Lambda accepts stored entries.
std::string make_zip(const std::vector<AssetFile>& files) {
  constexpr std::uint32_t dos_time = 0;              // 00:00:00
  constexpr std::uint32_t dos_date = (1980 - 1980) << 9 | 1 << 5 | 1;  // 1980-01-01
  std::string out;
  std::string central;
  for (const auto& f : files) {
    const auto offset = static_cast<std::uint32_t>(out.size());
    const std::uint32_t crc = crc32(f.content);
    const auto size = static_cast<std::uint32_t>(f.content.size());
    const auto name_len = static_cast<std::uint32_t>(f.relative_path.size());
    put32(out, 0x04034b50);
    put16(out, 20);  // version needed
    put16(out, 0);   // flags
    put16(out, 0);   // stored
    put16(out, dos_time);
    put16(out, dos_date);
    put32(out, crc);
    put32(out, size);
    put32(out, size);
    put16(out, name_len);
    put16(out, 0);
    out += f.relative_path;
    out += f.content;

    put32(central, 0x02014b50);
    put16(central, 3 << 8 | 20);  // made by: Unix
    put16(central, 20);
    put16(central, 0);
    put16(central, 0);
    put16(central, dos_time);
    put16(central, dos_date);
    put32(central, crc);
    put32(central, size);
    put32(central, size);
    put16(central, name_len);
    put16(central, 0);  // extra
    put16(central, 0);  // comment
    put16(central, 0);  // disk
    put16(central, 0);  // internal attributes
    put32(central, 0100644U << 16);  // external attributes: -rw-r--r--
    put32(central, offset);
    central += f.relative_path;
  }
  const auto central_offset = static_cast<std::uint32_t>(out.size());
  out += central;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<std::uint32_t>(files.size()));
  put16(out, static_cast<std::uint32_t>(files.size()));
  put32(out, static_cast<std::uint32_t>(central.size()));
  put32(out, central_offset);
  put16(out, 0);
  return out;
}

std::uintmax_t zip_size(const std::vector<AssetFile>& files) {
  std::uintmax_t n = 22;  // end of central directory
  for (const auto& f : files) n += 30 + 46 + 2 * f.relative_path.size() + f.content.size();
  return n;
}

}  // namespace detail

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

// Size and hash of files sorted by relative path (`known`: their SHA-256s,
// when computed already).
Loaded summarize(std::shared_ptr<const std::vector<Asset::File>> files, std::vector<std::string> known = {}) {
  Loaded l;
  std::string digest_input;
  const bool use_known = known.size() == files->size();
  auto digests = std::make_shared<std::vector<std::string>>();
  digests->reserve(files->size());
  for (std::size_t i = 0; i < files->size(); ++i) {
    const auto& f = (*files)[i];
    l.size += f.content.size();
    digests->push_back(use_known && known[i].size() == 64 ? std::move(known[i]) : sha256_hex(f.content));
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

namespace {
// One open and write per file; a file that could not be written (a full
// disk) is an error, not a short file.
void put_file(const fs::path& p, std::string_view content) {
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw fs::filesystem_error("cannot write", p, std::error_code(errno, std::generic_category()));
  if (const int err = detail::write_all(fd, content); err != 0) {
    ::close(fd);
    throw fs::filesystem_error("cannot write", p, std::error_code(err, std::generic_category()));
  }
  if (::close(fd) != 0) throw fs::filesystem_error("cannot write", p, std::error_code(errno, std::generic_category()));
}
}  // namespace

namespace detail {

void remember_file_digests(const std::shared_ptr<const std::vector<AssetFile>>& files, std::vector<std::string> digests) {
  if (!files || digests.size() != files->size() || !std::is_sorted(files->begin(), files->end(), by_path)) return;
  auto& cache = in_memory_cache();
  std::lock_guard lock(cache.mutex);
  cache.loaded.try_emplace(files.get(), files, summarize(files, std::move(digests)));
}

std::vector<std::pair<std::string, std::string>> stage_asset(const Asset& asset, const fs::path& dir,
                                                              const PreviousAssembly* previous) {
  const auto& files = asset.files();
  const auto& digests = asset.file_sha256();
  std::vector<std::pair<std::string, std::string>> written;
  written.reserve(files.size() + 1);
  const std::string folder = asset.folder_name();
  fs::create_directory(dir / folder);
  std::string made;  // the last subfolder created (files are sorted by path)
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    std::string name = folder + "/" + f.relative_path;
    if (const auto slash = f.relative_path.rfind('/'); slash != std::string::npos) {
      const std::string sub = f.relative_path.substr(0, slash);
      if (sub != made) fs::create_directories(dir / folder / sub);
      made = sub;
    }
    if (previous == nullptr || link_unchanged(*previous, dir, name, f.content.size(), &digests[i], 0644).empty())
      put_file(dir / name, f.content);
    written.emplace_back(std::move(name), digests[i]);
  }
  const std::string zip_name = asset.zip_name();
  std::string zip_digest;
  if (previous != nullptr && previous->marked != nullptr && previous->marked->zip_layout == zip_layout)
    zip_digest = link_unchanged(*previous, dir, zip_name, zip_size(files), nullptr, 0644);
  if (zip_digest.empty()) {
    const std::string zip = make_zip(files);
    put_file(dir / zip_name, zip);
    zip_digest = sha256_hex(zip);
  }
  written.emplace_back(zip_name, std::move(zip_digest));
  return written;
}

}  // namespace detail

std::vector<std::pair<std::string, std::string>> Asset::stage(const fs::path& dir) const {
  return detail::stage_asset(*this, dir, nullptr);
}

}  // namespace drsynth

// Writing an Asset into an assembly (asset_staging.hpp): the engine's part
// of an asset; the Asset itself (src/core/asset.cpp) only reads and hashes
// its files.
#include "synth/asset_staging.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "core/fd_io.hpp"
#include "drsynth/core/logical_id.hpp"

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

// Declared with the Asset; defined here, since writing is the engine's.
std::vector<std::pair<std::string, std::string>> Asset::stage(const fs::path& dir) const {
  return detail::stage_asset(*this, dir, nullptr);
}

}  // namespace drsynth

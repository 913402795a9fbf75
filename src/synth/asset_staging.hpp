// How an Asset is written into an assembly (asset.<hash>/ and
// asset.<hash>.zip), with the files of the previous assembly reused.
//
// Writing the asset folders and zips was the largest part of a `drsynth synth`
// over its previous assembly (about 1.1 ms of 900 KB for the default system,
// docs/performance.md): building each zip, its CRC-32 and SHA-256, the
// kernel's copy. Their names are content hashes, so a file of the previous
// assembly with the same name, size and SHA-256 (its marker says so, and
// check_replaceable() checked the folder against it) holds the same bytes:
// it is hard-linked into the new assembly instead of written. A zip is
// reused only when the previous writer used the same zip layout, since the
// same files would give other bytes in another layout. Any failure to link
// (another file system, no hard links, a concurrent run that removed the
// file) writes the file instead.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "drsynth/core/asset.hpp"
#include "synth/output_folder.hpp"

namespace drsynth::detail {

// The layout of the zips make_zip writes (stored entries, fixed 1980-01-01
// timestamps, Unix -rw-r--r--): recorded in the assembly marker. Change it
// whenever the zip bytes for the same files change (asset_staging_test pins them).
inline constexpr std::string_view zip_layout = "stored-1980/1";

// The zip of these files (make_zip), and its size computed without building it.
[[nodiscard]] std::string make_zip(const std::vector<AssetFile>& files);
[[nodiscard]] std::uintmax_t zip_size(const std::vector<AssetFile>& files);

// Writes asset.<hash>/ and asset.<hash>.zip into dir, linking each file the
// previous assembly holds with the same bytes; returns each file (relative to
// dir) with its SHA-256.
std::vector<std::pair<std::string, std::string>> stage_asset(const Asset& asset, const std::filesystem::path& dir,
                                                              const PreviousAssembly* previous);

}  // namespace drsynth::detail

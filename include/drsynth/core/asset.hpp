// Asset: a folder of files (for example a Lambda handler) that synthesis
// copies into the cloud assembly as asset.<hash>/ and asset.<hash>.zip.
// The hash covers every file's relative path and bytes, so the S3 key
// changes exactly when the code changes.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "drsynth/core/construct.hpp"

namespace drsynth {

// One file of an asset: its path relative to the asset's folder, and its bytes.
struct AssetFile {
  std::string relative_path;
  std::string content;
  // The SHA-256 of `content` (64 hex digits) when known already, e.g.
  // computed at build time for files compiled into the program; empty: the
  // Asset computes it.
  std::string sha256{};
};

struct AssetProps {
  std::filesystem::path path{};  // a folder, read when the Asset is created...
  // ...or the files themselves, already in memory (e.g. compiled into the
  // program; path stays empty). Same files, same hash, either way.
  std::shared_ptr<const std::vector<AssetFile>> files{};
  // Files from elsewhere added to the asset under a relative name (replacing
  // a file of the folder or list with that name), e.g. {"ca-bundle.pem", "/etc/x.pem"}.
  std::map<std::string, std::filesystem::path> extra_files{};
  // Where the props were written (the default captures the file of the code
  // that initializes them). A relative `path` or extra file is read from the
  // working folder when it is there, else from beside that source file, as an
  // aws-cdk-lib app writes path.join(__dirname, 'lambda'): `cdk synth` run
  // from another folder finds the code all the same. Leave it as it is
  // (__builtin_FILE, which GCC and Clang evaluate where the props are
  // initialized; std::source_location is missing in clang 14 with libstdc++ 12).
  const char* from = __builtin_FILE();
};

class Asset : public Construct {
 public:
  using Props = AssetProps;
  Asset(Construct& scope, std::string id, AssetProps props);

  [[nodiscard]] const std::filesystem::path& source() const noexcept { return props_.path; }
  // SHA-256 of the folder's content (hex, 64 chars).
  [[nodiscard]] const std::string& hash() const noexcept { return hash_; }
  // "asset.<hash>" : the folder name inside the assembly.
  [[nodiscard]] std::string folder_name() const { return "asset." + hash_; }
  // "asset.<hash>.zip" : the S3 key the deploy plan uploads the zip under.
  [[nodiscard]] std::string zip_name() const { return folder_name() + ".zip"; }
  // Total bytes of the files.
  [[nodiscard]] std::uintmax_t size() const noexcept { return size_; }
  // The files (relative paths, sorted) and their content, read once.
  using File = AssetFile;
  [[nodiscard]] const std::vector<File>& files() const noexcept { return *files_; }

  // The SHA-256 (hex) of each file, in the order of files().
  [[nodiscard]] const std::vector<std::string>& file_sha256() const noexcept { return *digests_; }

  // Writes asset.<hash>/ and asset.<hash>.zip (deterministic) into dir, and
  // returns each file written, as its path relative to dir with its SHA-256
  // (what the assembly marker records, without reading the files back).
  // Writing is the engine's: defined with the rest of asset staging there.
  std::vector<std::pair<std::string, std::string>> stage(const std::filesystem::path& dir) const;

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.Asset"; }

 private:
  void adopted() override;  // registers with its stack
  AssetProps props_;
  // Shared between the Assets of one folder whose files (names, sizes,
  // modification times) have not changed: read and hashed once per process.
  std::shared_ptr<const std::vector<File>> files_;
  std::shared_ptr<const std::vector<std::string>> digests_;  // SHA-256 of each of files_
  std::string hash_;
  std::uintmax_t size_ = 0;
  std::string load_error_;
};

}  // namespace drsynth

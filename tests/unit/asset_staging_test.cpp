// Staging assets into an assembly: the zip layout the marker records, and the
// files of the previous assembly reused (hard-linked) instead of written.
#include <sys/stat.h>

#include "asset_staging.hpp"
#include "test_support.hpp"

using namespace drsynth;
namespace fs = std::filesystem;

namespace {

ino_t inode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_ino;
}

// Every asset file (folders and zips) of an assembly with its inode.
std::map<std::string, ino_t> asset_inodes(const fs::path& out) {
  std::map<std::string, ino_t> inodes;
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    const std::string rel = e.path().lexically_relative(out).generic_string();
    if (e.is_regular_file() && rel.starts_with("asset.")) inodes[rel] = inode_of(e.path());
  }
  return inodes;
}

}  // namespace

TEST_CASE("the asset zips' bytes are pinned by the zip layout the marker records", "[asset]") {
  // Written by hand from the ZIP specification (APPNOTE 4.3): two stored
  // entries, 1980-01-01 00:00, made by Unix, -rw-r--r--. When this fails,
  // the same files give other zip bytes: change detail::zip_layout too, so
  // that no zip of the previous layout is linked into a new assembly.
  const std::vector<AssetFile> files = {{"index.py", "print(1)\n"}, {"lib/x.py", "X = 1\n"}};
  const std::string zip = detail::make_zip(files);
  CHECK(zip.size() == 221);
  CHECK(detail::zip_size(files) == zip.size());
  CHECK(sha256_hex(zip) == "99f499193474f22f36289d72c1d5ae720f203aa72f7c2674c5cd7ea222ef6e39");
  CHECK(detail::zip_layout == "stored-1980/1");
}

TEST_CASE("synthesizing over the previous assembly links its asset files, with the bytes of a fresh synthesis",
          "[asset][assembly]") {
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system).code == 0);
  const auto before = asset_inodes(out);
  REQUIRE(before.size() >= 6);  // three handlers' folders and zips
  CHECK(test::read_json(out / ".drsynth-assembly.json")["zipLayout"] == "stored-1980/1");

  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system).code == 0);
  CHECK(asset_inodes(out) == before);  // the same files, not copies

  REQUIRE(test::run_cli({"synth", "-q", "-o", (dir.path / "fresh").string()}, patterns::define_default_system).code == 0);
  CHECK(test::snapshot(out) == test::snapshot(dir.path / "fresh"));
  // Only the new assembly is left, and its marker is still true.
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator{}) == 2);
  const auto marker = test::read_json(out / ".drsynth-assembly.json");
  for (const auto& [name, bytes] : test::snapshot(out)) {
    if (name == ".drsynth-assembly.json") continue;
    INFO(name);
    CHECK(marker["files"][name]["sha256"] == sha256_hex(bytes));
  }
}

TEST_CASE("a previous assembly of another zip layout gets new zips; its folder files are still linked",
          "[asset][assembly]") {
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system).code == 0);
  // What a drsynth before the layout was recorded wrote: the same marker without it.
  auto marker = test::read_json(out / ".drsynth-assembly.json");
  marker.erase("zipLayout");
  std::ofstream(out / ".drsynth-assembly.json", std::ios::trunc) << marker.dump(2) << '\n';
  const auto before = asset_inodes(out);

  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system).code == 0);
  const auto after = asset_inodes(out);
  REQUIRE(after.size() == before.size());
  for (const auto& [name, inode] : after) {
    INFO(name);
    if (name.ends_with(".zip")) CHECK(inode != before.at(name));
    else CHECK(inode == before.at(name));
  }
  REQUIRE(test::run_cli({"synth", "-q", "-o", (dir.path / "fresh").string()}, patterns::define_default_system).code == 0);
  CHECK(test::snapshot(out) == test::snapshot(dir.path / "fresh"));
}

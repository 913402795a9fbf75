// Staging assets into an assembly: the zip layout the marker records, and the
// files of the previous assembly reused (hard-linked) instead of written.
#include <sys/stat.h>

#include "synth/asset_staging.hpp"
#include "test_support.hpp"

using namespace drsynth;
namespace fs = std::filesystem;

namespace {

ino_t inode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_ino;
}

// Every file of an assembly (but the marker) with its inode; `assets_only`:
// the asset folders' files and the zips.
std::map<std::string, ino_t> inodes(const fs::path& out, bool assets_only) {
  std::map<std::string, ino_t> found;
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    const std::string rel = e.path().lexically_relative(out).generic_string();
    if (!e.is_regular_file() || rel == ".drsynth-assembly.json") continue;
    if (!assets_only || rel.starts_with("asset.")) found[rel] = inode_of(e.path());
  }
  return found;
}
std::map<std::string, ino_t> asset_inodes(const fs::path& out) { return inodes(out, true); }

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

TEST_CASE("synthesizing again links the unchanged templates and scripts and writes the changed ones",
          "[assembly]") {
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system).code == 0);
  const auto before = inodes(out, false);
  REQUIRE(before.contains("DrPrimary-dev.template.json"));

  // The same system: every file is the previous one.
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system).code == 0);
  CHECK(inodes(out, false) == before);
  struct stat st {};
  REQUIRE(::stat((out / "deploy.sh").c_str(), &st) == 0);
  CHECK((st.st_mode & S_IXUSR) != 0);

  // An alarm address changes some templates: those are new files, the others are linked.
  const std::vector<std::string> args = {"synth", "-q", "-o", out.string(), "-c", "alarmEmails=ops@example.com"};
  const auto old_texts = test::snapshot(out);
  REQUIRE(test::run_cli(args, patterns::define_default_system).code == 0);
  const auto after = inodes(out, false);
  const auto new_texts = test::snapshot(out);
  int changed = 0;
  for (const auto& [name, inode] : after) {
    INFO(name);
    REQUIRE(before.contains(name));
    const bool same_bytes = old_texts.at(name) == new_texts.at(name);
    CHECK((inode == before.at(name)) == same_bytes);
    changed += same_bytes ? 0 : 1;
  }
  CHECK(changed >= 1);
  auto fresh_args = args;
  fresh_args[3] = (dir.path / "fresh").string();
  REQUIRE(test::run_cli(fresh_args, patterns::define_default_system).code == 0);
  CHECK(test::snapshot(out) == test::snapshot(dir.path / "fresh"));
}

TEST_CASE("under another umask the files are written, not linked: a link would share, and chmod, the previous file",
          "[assembly]") {
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system).code == 0);  // the environment's umask
  const auto before = inodes(out, false);
  const mode_t saved = ::umask(077);
  const auto r = test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system);
  ::umask(saved);
  REQUIRE(r.code == 0);
  const auto after = inodes(out, false);
  for (const auto& [name, inode] : after) {
    INFO(name);
    CHECK(inode != before.at(name));  // written: the previous file's mode was never changed...
  }
  auto mode_of = [&](const char* name) {
    struct stat st {};
    REQUIRE(::stat((out / name).c_str(), &st) == 0);
    return st.st_mode & 07777;
  };
  CHECK(mode_of("deploy.sh") == 0700);  // ...with the modes of a write under umask 077
  CHECK(mode_of("DrPrimary-dev.template.json") == 0600);
  CHECK(mode_of("manifest.json") == 0600);
}

TEST_CASE("a file of the previous assembly that is also linked elsewhere is written, not linked", "[assembly]") {
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system).code == 0);
  // A user keeps a hard link to deploy.sh outside the assembly.
  const auto kept = dir.path / "my-deploy.sh";
  REQUIRE(::link((out / "deploy.sh").c_str(), kept.c_str()) == 0);
  const std::string kept_text = test::read_file(kept);
  const auto before = inodes(out, false);
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system).code == 0);
  const auto after = inodes(out, false);
  CHECK(after.at("deploy.sh") != inode_of(kept));  // the new assembly has a file of its own
  CHECK(after.at("DrPrimary-dev.template.json") == before.at("DrPrimary-dev.template.json"));  // the others are linked
  CHECK(test::read_file(kept) == kept_text);  // the user's file is as it was
  CHECK(test::read_file(out / "deploy.sh") == kept_text);
}

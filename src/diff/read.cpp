// read_assembly(): a cloud assembly on disk back into an Assembly.
#include <fcntl.h>
#include <unistd.h>

#include "diff/read.hpp"
#include "drsynth/diff.hpp"
#include "fd_io.hpp"

namespace drsynth {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void unreadable(const fs::path& file, const std::string& why) {
  fail("E451", "", "the previous assembly cannot be read: " + why, file.string(),
       "a cloud assembly written by drsynth synth (remove the folder, or compare with --against another one)");
}

std::string read_file(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) unreadable(file, "cannot open " + file.filename().string());
  auto r = detail::read_to_end(fd);
  ::close(fd);
  if (r.error != 0) unreadable(file, "cannot read " + file.filename().string());
  return std::move(r.text);
}

template <class Json = nlohmann::json>
Json parse(const fs::path& file, const std::string& text) {
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    unreadable(file, file.filename().string() + " is not valid JSON (" + e.what() + ")");
  }
}

// A file named by the manifest: a plain name inside the assembly folder.
fs::path member(const fs::path& dir, const fs::path& manifest, const nlohmann::ordered_json& name) {
  if (!name.is_string() || name.get<std::string>().empty()) unreadable(manifest, "an artifact names no file");
  const std::string n = name.get<std::string>();
  if (n.find('/') != std::string::npos || n == "." || n == "..")
    unreadable(manifest, "an artifact names a file outside the assembly folder (" + n + ")");
  return dir / n;
}

std::string string_or(const nlohmann::ordered_json& j, const char* key, std::string fallback) {
  if (auto it = j.find(key); it != j.end() && it->is_string()) return it->get<std::string>();
  return fallback;
}

}  // namespace

namespace detail {

AssemblyFiles read_assembly_files(const fs::path& dir, bool with_tree) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    fail("E450", "", "there is no assembly to compare with", dir.string(), "a folder written by drsynth synth");
  const fs::path manifest_file = dir / "manifest.json";
  if (!fs::exists(manifest_file, ec))
    fail("E450", "", "there is no assembly to compare with: the folder has no manifest.json", dir.string(),
         "a folder written by drsynth synth");
  AssemblyFiles files;
  Assembly& a = files.assembly;
  a.manifest_text = read_file(manifest_file);
  // Ordered: the artifacts are in deployment order.
  const auto manifest = parse<nlohmann::ordered_json>(manifest_file, a.manifest_text);
  const auto artifacts = manifest.find("artifacts");
  if (!manifest.is_object() || artifacts == manifest.end() || !artifacts->is_object())
    unreadable(manifest_file, "manifest.json has no artifacts");
  // Artifacts in manifest order: the deployment order drsynth writes.
  for (const auto& [id, art] : artifacts->items()) {
    if (!art.is_object()) unreadable(manifest_file, "artifact " + id + " is not an object");
    const std::string type = string_or(art, "type", "");
    nlohmann::ordered_json props = art.value("properties", nlohmann::ordered_json::object());
    if (!props.is_object()) unreadable(manifest_file, "artifact " + id + " has properties that are not an object");
    if (type == "cdk:tree") {
      files.tree_file = member(dir, manifest_file, props.value("file", nlohmann::ordered_json("tree.json")));
      if (with_tree) a.tree_text = read_file(files.tree_file);
      continue;
    }
    if (type != "aws:cloudformation:stack") continue;
    StackArtifact s;
    s.name = string_or(props, "stackName", id);
    s.environment = string_or(art, "environment", "aws://unknown-account/unknown-region");
    s.region = s.environment.substr(s.environment.rfind('/') + 1);
    const fs::path template_file = member(dir, manifest_file, props.value("templateFile", nlohmann::ordered_json()));
    s.template_file = template_file.filename().string();
    s.template_text = read_file(template_file);
    if (auto deps = art.find("dependencies"); deps != art.end() && deps->is_array())
      for (const auto& d : *deps)
        if (d.is_string()) s.dependencies.push_back(d.get<std::string>());
    a.stacks.push_back(std::move(s));
  }
  return files;
}

void read_tree(AssemblyFiles& files) {
  if (!files.tree_file.empty() && files.assembly.tree_text.empty()) files.assembly.tree_text = read_file(files.tree_file);
}

void check_assembly_json(const AssemblyFiles& files, const fs::path& dir) {
  const Assembly& a = files.assembly;
  if (!files.tree_file.empty()) (void)parse(files.tree_file, a.tree_text);
  for (const auto& s : a.stacks) {
    try {
      const nlohmann::json& t = s.template_json();
      if (!t.is_object()) unreadable(dir / s.template_file, s.template_file + " is not a JSON object");
    } catch (const nlohmann::json::exception& e) {
      unreadable(dir / s.template_file, s.template_file + " is not valid JSON (" + e.what() + ")");
    }
  }
}

}  // namespace detail

Assembly read_assembly(const fs::path& dir) {
  auto files = detail::read_assembly_files(dir);
  // Validate the documents now, so that a broken one is reported as such.
  detail::check_assembly_json(files, dir);
  return std::move(files.assembly);
}

}  // namespace drsynth

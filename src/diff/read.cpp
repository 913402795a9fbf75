// read_assembly(): a cloud assembly on disk back into an Assembly.
#include <fstream>
#include <sstream>

#include "drsynth/diff.hpp"

namespace drsynth {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void unreadable(const fs::path& file, const std::string& why) {
  fail("E451", "", "the previous assembly cannot be read: " + why, file.string(),
       "a cloud assembly written by drsynth synth (remove the folder, or compare with --against another one)");
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) unreadable(file, "cannot open " + file.filename().string());
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) unreadable(file, "cannot read " + file.filename().string());
  return std::move(s).str();
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

Assembly read_assembly(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    fail("E450", "", "there is no assembly to compare with", dir.string(), "a folder written by drsynth synth");
  const fs::path manifest_file = dir / "manifest.json";
  if (!fs::exists(manifest_file, ec))
    fail("E450", "", "there is no assembly to compare with: the folder has no manifest.json", dir.string(),
         "a folder written by drsynth synth");
  Assembly a;
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
      const fs::path tree_file = member(dir, manifest_file, props.value("file", nlohmann::ordered_json("tree.json")));
      a.tree_text = read_file(tree_file);
      (void)parse(tree_file, a.tree_text);
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
  // Validate the templates now, so that a broken one is reported as such.
  for (const auto& s : a.stacks) {
    try {
      const nlohmann::json& t = s.template_json();
      if (!t.is_object()) unreadable(dir / s.template_file, s.template_file + " is not a JSON object");
    } catch (const nlohmann::json::exception& e) {
      unreadable(dir / s.template_file, s.template_file + " is not valid JSON (" + e.what() + ")");
    }
  }
  return a;
}

}  // namespace drsynth

// read_assembly(): a cloud assembly on disk back into an Assembly.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "tools/diff/read.hpp"
#include "drsynth/tools/diff.hpp"
#include "core/fd_io.hpp"
#include "core/read_back.hpp"
#include "drsynth/core/error_codes.hpp"
#include "synth/output_folder.hpp"

namespace drsynth {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void unreadable(const fs::path& file, const std::string& why, ErrorCode code = codes::E451) {
  fail(code, "", "the previous assembly cannot be read: " + why, file.string(),
       "a cloud assembly written by drsynth synth (remove the folder, or compare with --against another one)");
}

// Every file of a previous assembly through the one bounded reader
// (read_back.hpp): regular files only, each under its cap, and all of them
// together under max_assembly_bytes.
struct Budget {
  std::size_t left = detail::max_assembly_bytes;
};

std::string read_file(const fs::path& file, std::size_t max, Budget& budget) {
  using Status = detail::ReadBack::Status;
  auto r = detail::read_regular_file(file, std::min(max, budget.left));
  const std::string name = file.filename().string();
  switch (r.status) {
    case Status::ok: break;
    case Status::not_regular: unreadable(file, name + " " + r.problem, codes::E453);
    case Status::too_large:
      unreadable(file, budget.left < max ? name + " is past what drsynth reads of one assembly (" +
                                               std::to_string(detail::max_assembly_bytes) + " bytes in all)"
                                         : name + " " + r.problem,
                 codes::E454);
    case Status::missing: unreadable(file, name + " " + r.problem);
    case Status::unreadable: unreadable(file, name + " " + r.problem);
  }
  budget.left -= r.text.size();
  return std::move(r.text);
}

template <class Json = nlohmann::json>
Json parse(const fs::path& file, const std::string& text) {
  if (const auto deep = detail::json_nesting_problem(text); !deep.empty())
    unreadable(file, file.filename().string() + " is " + deep, codes::E455);
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    unreadable(file, file.filename().string() + " is not valid JSON (" + e.what() + ")");
  } catch (const std::bad_alloc&) {
    unreadable(file, "out of memory while parsing " + file.filename().string() + " (" + std::to_string(text.size()) +
                         " bytes)", codes::E459);
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

template <class Json>
std::string string_or(const Json& j, const char* key, std::string fallback) {
  if (auto it = j.find(key); it != j.end() && it->is_string()) return it->template get<std::string>();
  return fallback;
}

// The stacks a `synth --stack` run kept for the guard (Assembly::kept_stacks),
// listed in the marker: read as stacks of the previous assembly.
template <class Once>
void read_kept_stacks(const fs::path& dir, Assembly& a, Budget& budget, Once&& once) {
  const fs::path marker_file = dir / std::string(detail::assembly_marker_name);
  auto m = detail::read_regular_file(marker_file, detail::max_manifest_bytes);
  if (m.status != detail::ReadBack::Status::ok || !detail::json_nesting_problem(m.text).empty()) return;
  const auto marker = nlohmann::json::parse(m.text, nullptr, /*allow_exceptions=*/false);
  if (!marker.is_object()) return;
  const auto kept = marker.find("keptStacks");
  if (kept == marker.end() || !kept->is_array()) return;
  if (kept->size() > detail::max_artifacts)
    unreadable(marker_file, "the marker lists " + std::to_string(kept->size()) + " kept stacks, more than drsynth reads",
               codes::E456);
  const std::string folder = std::string(detail::kept_stacks_folder) + "/";
  for (const auto& k : *kept) {
    if (!k.is_object()) unreadable(marker_file, "a kept stack is not an object");
    StackArtifact s;
    s.name = string_or(k, "stackName", "");
    const std::string file = string_or(k, "templateFile", "");
    if (s.name.empty() || !file.starts_with(folder) || file.size() == folder.size() ||
        file.find('/', folder.size()) != std::string::npos || file.ends_with("/..") || file.ends_with("/."))
      unreadable(marker_file, "a kept stack names no template in " + folder);
    if (a.find(s.name) != nullptr) continue;  // the manifest's stack wins
    s.environment = string_or(k, "environment", "aws://unknown-account/unknown-region");
    s.region = s.environment.substr(s.environment.rfind('/') + 1);
    s.template_file = file;
    once(dir / file);
    s.template_text = read_file(dir / file, detail::max_template_bytes, budget);
    if (auto deps = k.find("dependencies"); deps != k.end() && deps->is_array())
      for (const auto& d : *deps)
        if (d.is_string()) s.dependencies.push_back(d.get<std::string>());
    a.stacks.push_back(std::move(s));
  }
}

}  // namespace

namespace detail {

AssemblyFiles read_assembly_files(const fs::path& dir, bool with_tree) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    fail(codes::E450, "", "there is no assembly to compare with", dir.string(), "a folder written by drsynth synth");
  const fs::path manifest_file = dir / "manifest.json";
  if (!fs::exists(manifest_file, ec))
    fail(codes::E450, "", "there is no assembly to compare with: the folder has no manifest.json", dir.string(),
         "a folder written by drsynth synth");
  AssemblyFiles files;
  Assembly& a = files.assembly;
  Budget budget;
  a.manifest_text = read_file(manifest_file, detail::max_manifest_bytes, budget);
  // Ordered: the artifacts are in deployment order.
  const auto manifest = parse<nlohmann::ordered_json>(manifest_file, a.manifest_text);
  const auto artifacts = manifest.find("artifacts");
  if (!manifest.is_object() || artifacts == manifest.end() || !artifacts->is_object())
    unreadable(manifest_file, "manifest.json has no artifacts");
  if (artifacts->size() > detail::max_artifacts)
    unreadable(manifest_file,
               "manifest.json lists " + std::to_string(artifacts->size()) + " artifacts, more than drsynth reads (" +
                   std::to_string(detail::max_artifacts) + ")",
               codes::E456);
  std::set<std::string, std::less<>> read_files;  // each file once: two artifacts naming one file are refused
  auto once = [&](const fs::path& file) {
    const std::string rel = file.lexically_relative(dir).string();
    if (!read_files.insert(rel).second) unreadable(manifest_file, "two artifacts name the file " + rel, codes::E456);
  };
  // Artifacts in manifest order: the deployment order drsynth writes.
  std::set<std::string, std::less<>> asset_manifests;
  for (const auto& [id, art] : artifacts->items()) {
    if (!art.is_object()) unreadable(manifest_file, "artifact " + id + " is not an object");
    const std::string type = string_or(art, "type", "");
    nlohmann::ordered_json props = art.value("properties", nlohmann::ordered_json::object());
    if (!props.is_object()) unreadable(manifest_file, "artifact " + id + " has properties that are not an object");
    if (type == "cdk:tree") {
      if (!files.tree_file.empty()) unreadable(manifest_file, "manifest.json lists two trees", codes::E456);
      files.tree_file = member(dir, manifest_file, props.value("file", nlohmann::ordered_json("tree.json")));
      once(files.tree_file);
      if (with_tree) a.tree_text = read_file(files.tree_file, detail::max_tree_bytes, budget);
      continue;
    }
    if (type == "cdk:asset-manifest") asset_manifests.insert(id);
    if (type != "aws:cloudformation:stack") continue;
    StackArtifact s;
    s.name = string_or(props, "stackName", id);
    s.environment = string_or(art, "environment", "aws://unknown-account/unknown-region");
    s.region = s.environment.substr(s.environment.rfind('/') + 1);
    const fs::path template_file = member(dir, manifest_file, props.value("templateFile", nlohmann::ordered_json()));
    s.template_file = template_file.filename().string();
    once(template_file);
    s.template_text = read_file(template_file, detail::max_template_bytes, budget);
    // Stacks only: the asset manifest a stack depends on (written before it) is no stack.
    if (auto deps = art.find("dependencies"); deps != art.end() && deps->is_array())
      for (const auto& d : *deps)
        if (d.is_string() && !asset_manifests.contains(d.get<std::string>())) s.dependencies.push_back(d.get<std::string>());
    a.stacks.push_back(std::move(s));
  }
  read_kept_stacks(dir, a, budget, once);
  return files;
}

void read_tree(AssemblyFiles& files) {
  Budget budget;
  if (!files.tree_file.empty() && files.assembly.tree_text.empty())
    files.assembly.tree_text = read_file(files.tree_file, detail::max_tree_bytes, budget);
}

void check_assembly_json(const AssemblyFiles& files, const fs::path& dir) {
  const Assembly& a = files.assembly;
  if (!files.tree_file.empty()) (void)parse(files.tree_file, a.tree_text);
  for (const auto& s : a.stacks) {
    if (const auto deep = detail::json_nesting_problem(s.template_text); !deep.empty())
      unreadable(dir / s.template_file, s.template_file + " is " + deep, codes::E455);
    try {
      const nlohmann::json& t = s.template_json();
      if (!t.is_object()) unreadable(dir / s.template_file, s.template_file + " is not a JSON object");
    } catch (const nlohmann::json::exception& e) {
      unreadable(dir / s.template_file, s.template_file + " is not valid JSON (" + e.what() + ")");
    } catch (const std::bad_alloc&) {
      unreadable(dir / s.template_file,
                 "out of memory while parsing " + s.template_file + " (" + std::to_string(s.template_text.size()) +
                     " bytes)",
                 codes::E459);
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

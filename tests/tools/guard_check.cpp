// Runs AWS Control Tower's proactive controls (the Guard rules of
// @cdklabs/cdk-validator-cfnguard, with its bundled cfn-guard) over the
// templates of cloud assemblies, and fails on every finding that no construct
// acknowledged: each finding's resource is traced to its construct path through
// tree.json (the same model the replacement guard uses), and an acknowledgement
// of the control (Construct::acknowledge("CT.RDS.PR.13", reason)) on that
// construct or an ancestor covers it. A resource with an overridden logical ID
// has no path of its own: its stack's acknowledgements count.
//
//   guard_check <cfn-guard> <rules dir> [--report-only] <assembly dir>...
//
// An assembly after --report-only has its findings printed ("noted") but they
// do not fail the run (an example that shows an API, not a deployable system).
//
// Prints one line per finding (acknowledged ones with their reason), then a
// summary; exits 1 when a finding is not acknowledged, 2 when it cannot run.
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tools/diff/model.hpp"
#include "drsynth/tools/diff.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string quoted(const std::string& s) {
  std::string r = "'";
  for (char c : s) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return r + "'";
}

std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("cannot run " + command);
  std::array<char, 65536> buf{};
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;) out.append(buf.data(), n);
  ::pclose(p);  // cfn-guard exits 19 when a rule fails: the JSON says which
  return out;
}

// The logical IDs a failed rule points at, and the control ids in its messages.
void collect(const json& j, std::set<std::string>& ids, std::set<std::string>& controls) {
  static const std::regex control(R"(\[(CT\.[A-Z0-9]+\.PR\.[0-9]+)\])");
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k == "path" && v.is_string()) {
        const std::string p = v.get<std::string>();
        if (p.starts_with("/Resources/")) ids.insert(p.substr(11, p.find('/', 11) - 11));
      }
      if (k == "custom_message" && v.is_string()) {
        const std::string m = v.get<std::string>();
        for (std::sregex_iterator it(m.begin(), m.end(), control), end; it != end; ++it) controls.insert((*it)[1]);
      }
      collect(v, ids, controls);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) collect(v, ids, controls);
  }
}

// The path of the stack construct that holds `path`.
std::string stack_path(const drsynth::detail::AssemblyModel& model, const drsynth::detail::StackModel& s) {
  for (const auto& [id, path] : s.paths)
    for (std::size_t at = path.size(); at != std::string::npos && at > 0; at = path.rfind('/', at - 1)) {
      const std::string prefix = path.substr(0, at);
      if (auto it = model.fqn_of.find(prefix); it != model.fqn_of.end() && it->second == "drsynth.Stack") return prefix;
    }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: guard_check <cfn-guard> <rules dir> <assembly dir>...\n";
    return 2;
  }
  const std::string guard = argv[1];
  const std::string rules = argv[2];
  if (!fs::exists(guard) || !fs::is_directory(rules)) {
    std::cerr << "guard_check: no cfn-guard at " << guard << " or no rules at " << rules
              << " (scripts/test.sh installs @cdklabs/cdk-validator-cfnguard into .cache/cfnguard)\n";
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  int acknowledged = 0;
  int open = 0;
  int noted = 0;
  int templates = 0;
  bool report_only = false;
  try {
    for (int i = 3; i < argc; ++i) {
      if (std::string_view(argv[i]) == "--report-only") {
        report_only = true;
        continue;
      }
      const fs::path dir = fs::absolute(argv[i]);
      const drsynth::Assembly assembly = drsynth::read_assembly(dir);
      const auto model = drsynth::detail::build_model(assembly);
      std::map<std::string, const drsynth::detail::StackModel*> by_file;
      std::string command = quoted(guard) + " validate -r " + quoted(rules) + " -o json -z -S none";
      for (const auto& s : model.stacks) {
        const std::string file = (dir / s.artifact->template_file).string();
        by_file[file] = &s;
        command += " -d " + quoted(file);
        ++templates;
      }
      const json results = json::parse(run(command + " 2>/dev/null"));
      for (const auto& file : results) {
        const auto* stack = by_file.at(file.at("name").get<std::string>());
        for (const auto& rule : file.at("not_compliant")) {
          std::set<std::string> ids;
          std::set<std::string> controls;
          collect(rule, ids, controls);
          const std::string control = controls.empty() ? rule.at("Rule").at("name").get<std::string>() : *controls.begin();
          for (const auto& id : ids) {
            std::string path = stack->path_of(id);
            if (path.empty()) path = stack_path(model, *stack);
            const std::string* why = model.acknowledgement(path, control);
            const char* verdict = why != nullptr ? "acknowledged " : report_only ? "noted        " : "FINDING      ";
            std::cout << verdict << control << "  " << stack->name << "/" << id << "  (" << path << ")";
            if (why != nullptr) std::cout << ": " << *why;
            std::cout << '\n';
            (why != nullptr ? acknowledged : report_only ? noted : open)++;
          }
        }
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "guard_check: " << e.what() << '\n';
    return 2;
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  std::cout << templates << " templates, " << acknowledged << " acknowledged findings, " << noted
            << " noted in report-only assemblies, " << open << " unacknowledged (" << ms << " ms)\n";
  return open == 0 ? 0 : 1;
}

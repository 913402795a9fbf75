#include "lambda/contract.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "drsynth/core/error_codes.hpp"
#include "drsynth/lambda/function.hpp"
#include "lambda/runtime_files.hpp"

namespace drsynth::lambda::detail {

namespace {

constexpr std::string_view contract_path = "drsynth_failover/contract.json";

struct Parsed {
  nlohmann::json json;
  std::string problem;
};

// The contract's text and where it came from.
std::pair<std::string, std::string> contract_text() {
  namespace fs = std::filesystem;
  if (const fs::path dir = runtime_dir(); !dir.empty()) {
    const fs::path file = dir / contract_path;
    std::error_code ec;
    if (fs::is_regular_file(file, ec)) {
      std::ifstream in(file, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      return {ss.str(), file.string()};
    }
  }
  for (std::size_t i = 0; i < runtime_file_count; ++i)
    if (runtime_files[i].path == contract_path)
      return {std::string(runtime_files[i].content), "runtime/" + std::string(contract_path) + " (compiled in)"};
  return {{}, {}};
}

const Parsed& parsed() {
  static std::mutex mutex;
  static std::map<std::string, Parsed> cache;  // by source
  auto [text, source] = contract_text();
  std::lock_guard lock(mutex);
  if (auto it = cache.find(source); it != cache.end()) return it->second;
  Parsed p;
  if (source.empty()) {
    p.problem = "runtime/" + std::string(contract_path) + " is neither in the runtime folder nor compiled in";
  } else {
    p.json = nlohmann::json::parse(text, nullptr, false);
    if (p.json.is_discarded() || !p.json.contains("functions") || !p.json["functions"].is_object())
      p.problem = source + " is not a contract (JSON with \"functions\")";
  }
  return cache.emplace(std::move(source), std::move(p)).first->second;
}

// "int": an integer; "number": a decimal number; "bool": true or false.
bool fits_type(const std::string& s, const std::string& type) {
  if (type == "bool") return s == "true" || s == "false";
  if (type != "int" && type != "number") return true;
  std::size_t i = s.starts_with("-") ? 1 : 0;
  bool digits = false;
  bool dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') digits = true;
    else if (s[i] == '.' && type == "number" && !dot) dot = true;
    else return false;
  }
  return digits;
}

std::string text_of(const Value& v) { return v.is_string() ? "\"" + v.as_string() + "\"" : v.describe(); }

}  // namespace

std::vector<ContractVariable> contract_variables(std::string_view function, std::string& problem) {
  const Parsed& p = parsed();
  if (!p.problem.empty()) {
    problem = p.problem;
    return {};
  }
  const auto& functions = p.json["functions"];
  const auto it = functions.find(std::string(function));
  if (it == functions.end() || !it->is_array()) {
    problem = "the contract has no section \"" + std::string(function) + "\"";
    return {};
  }
  std::vector<ContractVariable> out;
  for (const auto& row : *it) {
    ContractVariable var{.name = row.value("name", ""),
                         .required = row.value("required", "optional"),
                         .type = row.value("type", ""),
                         .values = {}};
    if (row.contains("values") && row["values"].is_array())
      for (const auto& x : row["values"])
        if (x.is_string()) var.values.push_back(x.get<std::string>());
    out.push_back(std::move(var));
  }
  return out;
}

void check_environment(Validation& v, const Construct& c, std::string_view function, std::string_view engine,
                       const std::map<std::string, Value>& env) {
  std::string problem;
  const auto vars = contract_variables(function, problem);
  if (!problem.empty()) {
    v.error(codes::E769, c, "the handler's environment contract cannot be read", problem,
            "runtime/drsynth_failover/contract.json with a \"" + std::string(function) + "\" section");
    return;
  }
  std::map<std::string, const ContractVariable*, std::less<>> known;
  for (const auto& var : vars) known[var.name] = &var;
  for (const auto& var : vars) {
    const bool required = var.required == "always" || var.required == engine;
    if (!required) continue;
    const auto it = env.find(var.name);
    if (it == env.end() || it->second.is_null() || (it->second.is_string() && it->second.as_string().empty()))
      v.error(codes::E769, c, "the " + std::string(function) + " handler requires " + var.name + " (" + var.required + ")",
              it == env.end() ? "not set" : text_of(it->second), "a value (runtime/drsynth_failover/contract.json)");
  }
  for (const auto& [name, value] : env) {
    const auto it = known.find(name);
    if (it == known.end()) {
      v.error(codes::E769, c, "the " + std::string(function) + " handler does not read " + name, text_of(value),
              "only the variables of runtime/drsynth_failover/contract.json");
      continue;
    }
    if (value.is_string() && !fits_type(value.as_string(), it->second->type))
      v.error(codes::E769, c, name + " is not of the type the handler reads", text_of(value), "a " + it->second->type);
    const auto& values = it->second->values;
    if (!values.empty() && value.is_string() &&
        std::find(values.begin(), values.end(), value.as_string()) == values.end()) {
      std::string allowed;
      for (const auto& x : values) allowed += (allowed.empty() ? "" : ", ") + x;
      v.error(codes::E769, c, name + " has a value the handler does not accept", text_of(value), allowed);
    }
  }
}

}  // namespace drsynth::lambda::detail

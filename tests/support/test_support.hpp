// Small helpers shared by the unit tests.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "drsynth/drsynth.hpp"

namespace test {

// A fresh, empty folder under the system temp dir, removed at scope exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static int n = 0;
    path = std::filesystem::temp_directory_path() /
           ("drsynth-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline nlohmann::json read_json(const std::filesystem::path& p) { return nlohmann::json::parse(read_file(p)); }

// Sets an environment variable for the scope, restoring the previous value after.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) old = v;
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old)
      ::setenv(name.c_str(), old->c_str(), 1);
    else
      ::unsetenv(name.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
};

// Runs synthesize() and returns the Error it throws; fails the test when it does not throw.
inline drsynth::Error synth_error(drsynth::App& app) {
  try {
    (void)drsynth::synthesize(app);
  } catch (const drsynth::Error& e) {
    return e;
  }
  FAIL("synthesis was expected to fail");
  throw std::logic_error("unreachable");
}

// The diagnostics synthesize() fails with; empty when it succeeds.
inline std::vector<drsynth::Diagnostic> synth_errors(drsynth::App& app) {
  try {
    (void)drsynth::synthesize(app);
  } catch (const drsynth::Error& e) {
    return e.diagnostics();
  }
  return {};
}

// True when some diagnostic has this code and path and its text contains `contains`.
inline bool has_diagnostic(const drsynth::Error& e, const std::string& code, const std::string& path,
                           const std::string& contains = {}) {
  for (const auto& d : e.diagnostics())
    if (d.code == code && d.path == path && d.format().find(contains) != std::string::npos) return true;
  return false;
}

// The result of running the CLI in-process.
struct CliResult {
  int code = 0;
  std::string out;
  std::string err;
};

inline CliResult run_cli(std::vector<std::string> args, const std::function<void(drsynth::App&)>& define) {
  args.insert(args.begin(), "drsynth");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  std::ostringstream err;
  const int code = drsynth::cli::run(static_cast<int>(argv.size()), argv.data(), define, out, err);
  return {code, out.str(), err.str()};
}

// Every file below `dir` with its bytes, for comparing whole folders.
inline std::map<std::string, std::string> snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  if (!std::filesystem::exists(dir)) return files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files[std::filesystem::relative(e.path(), dir).string()] = read_file(e.path());
  return files;
}

}  // namespace test

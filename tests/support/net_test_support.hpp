// Helpers for the ec2/rds/secrets/logs construct tests.
#pragma once

#include <string>
#include <vector>

#include "drsynth/drsynth.hpp"
#include "test_support.hpp"

namespace net_test {

using test::synth_errors;  // the diagnostics synthesize() fails with (test_support.hpp)

// Whether some diagnostic has `code`, a path ending in `path_suffix` and a
// `got` containing `got_part`.
inline bool has_diagnostic(const std::vector<drsynth::Diagnostic>& ds, const std::string& code,
                           const std::string& path_suffix, const std::string& got_part) {
  for (const auto& d : ds) {
    const bool path_ok = d.path.size() >= path_suffix.size() &&
                         d.path.compare(d.path.size() - path_suffix.size(), path_suffix.size(), path_suffix) == 0;
    if (d.code == code && path_ok && d.got.find(got_part) != std::string::npos) return true;
  }
  return false;
}

inline std::string dump(const std::vector<drsynth::Diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += d.format() + "\n";
  return out;
}

}  // namespace net_test

// require_diagnostic: synthesis fails with `code` at `path` whose got contains `got_part`.
#pragma once

#include <catch2/catch.hpp>

#include "ops_fixture.hpp"

namespace ops_test {

inline void require_diagnostic(drsynth::App& app, const std::string& code, const std::string& path,
                               const std::string& got_part) {
  const auto ds = synth_errors(app);
  const drsynth::Diagnostic* d = nullptr;
  std::string all;
  for (const auto& x : ds) {
    all += x.format() + "\n";
    if (x.code == code && x.path == path && x.got.find(got_part) != std::string::npos) d = &x;
  }
  INFO("wanted " << code << " at " << path << " with got containing " << got_part << "; diagnostics:\n" << all);
  CHECK(d != nullptr);
}

}  // namespace ops_test

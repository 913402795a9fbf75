#include "drsynth/error.hpp"

#include <algorithm>
#include <tuple>

namespace drsynth {

std::string Diagnostic::format() const {
  std::string s = "[drsynth." + code + "] " + (path.empty() ? std::string("<app>") : path) + ": " + message;
  if (!got.empty() || !expected.empty()) {
    s += " (";
    if (!got.empty()) s += "got " + got;
    if (!got.empty() && !expected.empty()) s += ", ";
    if (!expected.empty()) s += "expected " + expected;
    s += ")";
  }
  return s;
}

void sort_diagnostics(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.path, a.code, a.message) < std::tie(b.path, b.code, b.message);
  });
}

namespace {
std::string join_messages(const std::vector<Diagnostic>& ds) {
  std::string s;
  for (const auto& d : ds) {
    if (!s.empty()) s += '\n';
    s += d.format();
  }
  return s;
}
}  // namespace

Error::Error(Diagnostic diagnostic, ErrorKind kind) : Error(std::vector<Diagnostic>{std::move(diagnostic)}, kind) {}

Error::Error(std::vector<Diagnostic> diagnostics, ErrorKind kind)
    : std::runtime_error(join_messages(diagnostics)), diagnostics_(std::move(diagnostics)), kind_(kind) {
  if (diagnostics_.empty()) diagnostics_.push_back({.code = "E000", .message = "unknown error"});
}

void fail(std::string code, std::string path, std::string message, std::string got, std::string expected) {
  throw Error(Diagnostic{.code = std::move(code),
                         .severity = Severity::error,
                         .path = std::move(path),
                         .message = std::move(message),
                         .got = std::move(got),
                         .expected = std::move(expected)});
}

}  // namespace drsynth

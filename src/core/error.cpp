#include "drsynth/core/error.hpp"

#include <algorithm>
#include <tuple>

#include "drsynth/core/error_codes.hpp"


namespace drsynth {

namespace {
// The length of the UTF-8 sequence at s[i] (1-4), 0 when it is not valid UTF-8.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((b(k) & 0xC0) != 0x80) return 0;
  if (n == 2 && c < 0xC2) return 0;                                       // overlong
  if (n == 3 && ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) >= 0xA0))) return 0;  // overlong, surrogate
  if (n == 4 && ((c == 0xF0 && b(1) < 0x90) || c > 0xF4 || (c == 0xF4 && b(1) >= 0x90))) return 0;
  return n;
}

// U+200E/U+200F (marks), U+202A-U+202E (embeddings, overrides), U+2066-U+2069
// (isolates), U+2028/U+2029 (line and paragraph separators), U+FEFF: they
// reorder or break what a terminal shows without being visible themselves.
bool invisible_control(std::string_view s, std::size_t i) {
  const auto b1 = static_cast<unsigned char>(s[i]);
  const auto b2 = static_cast<unsigned char>(s[i + 1]);
  const auto b3 = static_cast<unsigned char>(s[i + 2]);
  if (b1 == 0xE2 && b2 == 0x80) return b3 == 0x8E || b3 == 0x8F || (b3 >= 0xA8 && b3 <= 0xAE);  // U+200E/F, U+2028-U+202E
  if (b1 == 0xE2 && b2 == 0x81) return b3 >= 0xA6 && b3 <= 0xA9;                              // U+2066-U+2069
  return b1 == 0xEF && b2 == 0xBB && b3 == 0xBF;                                               // U+FEFF
}
}  // namespace

std::string escape_control_characters(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = utf8_length(s, i);
    if (n == 1 && c >= 0x20 && c != 0x7f) {
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {  // C1: U+0080-U+009F
      out += "\\u00";
      out.push_back(hex[static_cast<unsigned char>(s[i + 1]) >> 4]);
      out.push_back(hex[static_cast<unsigned char>(s[i + 1]) & 15]);
    } else if (n == 3 && invisible_control(s, i)) {  // bidi controls, line separators: \u202e
      const unsigned cp = ((c & 0x0FU) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3FU) << 6) |
                          (static_cast<unsigned char>(s[i + 2]) & 0x3FU);
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out.push_back(hex[(cp >> shift) & 15]);
    } else if (n > 1) {
      out.append(s.substr(i, n));
    } else {  // other control characters, and bytes that are not UTF-8
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
      i += 1;
      continue;
    }
    i += n == 0 ? 1 : n;
  }
  return out;
}

std::string Diagnostic::format() const {
  std::string s = "[drsynth." + code + "] " + (path.empty() ? std::string("<app>") : path) + ": " + message;
  if (!got.empty() || !expected.empty()) {
    s += " (";
    if (!got.empty()) s += "got " + got;
    if (!got.empty() && !expected.empty()) s += ", ";
    if (!expected.empty()) s += "expected " + expected;
    s += ")";
  }
  s = escape_control_characters(s);
  for (const auto& d : details) s += "\n    " + escape_control_characters(d);
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

namespace {
// The kind the table of codes gives the gravest error among `diagnostics`.
ErrorKind kind_from_table(const std::vector<Diagnostic>& diagnostics) {
  const auto rank = [](ErrorKind k) {
    switch (k) {
      case ErrorKind::user: return 0;
      case ErrorKind::io: return 1;
      case ErrorKind::signal: return 2;
      case ErrorKind::internal: return 3;
    }
    return 3;
  };
  ErrorKind kind = ErrorKind::user;
  for (const auto& d : diagnostics) {
    if (d.severity != Severity::error) continue;
    if (const auto* row = find_error_code(d.code); row != nullptr && rank(row->exit) > rank(kind)) kind = row->exit;
  }
  return kind;
}
}  // namespace

Error::Error(Diagnostic diagnostic) : Error(std::vector<Diagnostic>{std::move(diagnostic)}) {}

Error::Error(std::vector<Diagnostic> diagnostics) : Error(std::move(diagnostics), ErrorKind::user) {
  kind_ = kind_from_table(diagnostics_);
}

Error::Error(Diagnostic diagnostic, ErrorKind kind) : Error(std::vector<Diagnostic>{std::move(diagnostic)}, kind) {}

Error::Error(std::vector<Diagnostic> diagnostics, ErrorKind kind)
    : std::runtime_error(join_messages(diagnostics)), diagnostics_(std::move(diagnostics)), kind_(kind) {
  if (diagnostics_.empty()) diagnostics_.push_back({.code = codes::E000, .message = "unknown error"});
}

namespace {
std::string signal_name(int sig) {
  switch (sig) {
    case 1: return "SIGHUP";
    case 2: return "SIGINT";
    case 15: return "SIGTERM";
    default: return "signal " + std::to_string(sig);
  }
}
}  // namespace

Interrupted::Interrupted(int signal, const std::string& outdir)
    : Error(Diagnostic{.code = codes::E409,
                       .message = "interrupted by " + signal_name(signal) + " while writing " + outdir +
                                  ": the temporary folder was removed, the output folder is as it was",
                       .got = signal_name(signal)}),
      signal_(signal) {}

void fail(std::string code, std::string path, std::string message, std::string got, std::string expected) {
  throw Error(Diagnostic{.code = std::move(code),
                         .severity = Severity::error,
                         .path = std::move(path),
                         .message = std::move(message),
                         .got = std::move(got),
                         .expected = std::move(expected)});
}

}  // namespace drsynth

// Diagnostics and the one error type of drsynth.
//
// Every problem is a Diagnostic with a stable code (the table of codes:
// drsynth/core/error_codes.def, with docs/errors.md made from it), the
// construct path it is about, what is wrong, the value that was given and the
// rule it breaks. Validation collects all of them over the whole tree; the run
// then fails once with an Error carrying every diagnostic.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace drsynth {

// note: informational, never fails a run (for example a safety rule finding
// that a construct acknowledged with a reason).
enum class Severity { error, warning, note };

struct Diagnostic {
  std::string code{};      // stable, e.g. codes::E201; printed as "[drsynth.E201]"
  Severity severity = Severity::error;
  std::string path{};      // construct path, e.g. "DrPrimary-dev/Primary"
  std::string message{};   // what is wrong
  std::string got{};       // the offending value, empty when not applicable
  std::string expected{};  // the rule it breaks, empty when not applicable
  // Lines printed below the first one, indented (the steps of a budget);
  // each escaped like the rest, so a value cannot start a line of its own.
  std::vector<std::string> details{};

  // "[drsynth.E201] DrPrimary-dev/Primary: <message> (got <got>, expected <expected>)",
  // with control characters escaped (escape_control_characters), then each
  // of `details` on a line of its own, indented by four spaces.
  [[nodiscard]] std::string format() const;
};

// Text safe to print on a terminal: control characters (newline, ESC, NUL,
// DEL, the C1 range), the invisible characters that reorder or break a line
// (bidi controls such as U+202E, U+2028, U+2029, U+FEFF) and bytes that are
// not UTF-8 become \n, \r, \t, \xNN, \u00NN or \u202e; everything else,
// backslashes included, is kept.
[[nodiscard]] std::string escape_control_characters(std::string_view s);

// Sorts by path, then code, then message: the order in which problems are printed.
void sort_diagnostics(std::vector<Diagnostic>& diagnostics);

// What kind of failure an Error is; the CLI maps it to an exit code. Each
// code's kind is in the table of codes (drsynth/core/error_codes.def).
enum class ErrorKind {
  user,      // the app or its settings are wrong (exit 1)
  io,        // the output could not be written (exit 3)
  internal,  // a bug in drsynth (exit 70)
  signal,    // a signal stopped the write (Interrupted; exit 128 + the signal)
};

class Error : public std::runtime_error {
 public:
  // The kind is the one the table of codes gives the diagnostics' codes (the
  // gravest of the errors': internal, then signal, then io, then user).
  explicit Error(Diagnostic diagnostic);
  explicit Error(std::vector<Diagnostic> diagnostics);
  Error(Diagnostic diagnostic, ErrorKind kind);
  Error(std::vector<Diagnostic> diagnostics, ErrorKind kind);

  [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }
  [[nodiscard]] ErrorKind kind() const noexcept { return kind_; }
  // The code of the first diagnostic, e.g. "E101".
  [[nodiscard]] const std::string& code() const noexcept { return diagnostics_.front().code; }

 private:
  std::vector<Diagnostic> diagnostics_;
  ErrorKind kind_;
};

// A write that SIGINT, SIGTERM or SIGHUP stopped (E409), thrown only when the
// process lives on after the signal (an app with its own handler): the
// temporary folder is removed and the output folder is as it was. The CLI
// exits with 128 + signal().
class Interrupted : public Error {
 public:
  Interrupted(int signal, const std::string& outdir);
  [[nodiscard]] int signal() const noexcept { return signal_; }

 private:
  int signal_;
};

// Builds an Error for one problem: fail(codes::E101, path, "id is empty").
[[noreturn]] void fail(std::string code, std::string path, std::string message, std::string got = {},
                       std::string expected = {});

}  // namespace drsynth

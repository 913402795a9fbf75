// The error codes of drsynth as typed constants: drsynth::codes::E211 names a
// row of the table in error_codes.def, so a code that is not in the table (or
// is retired) does not compile. The table also says each code's severity and
// exit kind; Error takes its exit kind from there.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

#include "drsynth/core/error.hpp"

namespace drsynth {

// One code of the table, e.g. codes::E211, printed as "E211". A structural
// type, so that a code can be a template argument (region<codes::E804>); it
// converts to the std::string and std::string_view that diagnostics hold.
struct ErrorCode {
  char text[5]{};  // "E211" and its NUL

  [[nodiscard]] constexpr std::string_view view() const noexcept { return {text, 4}; }
  constexpr operator std::string_view() const noexcept { return view(); }  // NOLINT(google-explicit-constructor)
  operator std::string() const { return std::string(view()); }             // NOLINT(google-explicit-constructor)

  friend constexpr bool operator==(const ErrorCode&, const ErrorCode&) noexcept = default;
  // e.code() == codes::E401
  friend constexpr bool operator==(const ErrorCode& c, std::string_view s) noexcept { return c.view() == s; }
};
std::ostream& operator<<(std::ostream& out, const ErrorCode& code);

namespace codes {
#define DRSYNTH_ERROR(code, severity, exit, summary, example, fix) inline constexpr ErrorCode code{#code};
#include "drsynth/core/error_codes.def"
}  // namespace codes

// What the table says about a code that the library needs at run time (the
// text of each row is for docs/errors.md: tests/tools/errors_doc.cpp).
struct ErrorCodeRow {
  ErrorCode code;
  Severity severity = Severity::error;
  ErrorKind exit = ErrorKind::user;
  bool retired = false;
};

// Every row of the table (retired codes included), in the table's order.
[[nodiscard]] std::span<const ErrorCodeRow> error_code_table() noexcept;
// The row of `code`; nullptr when the table has no such code.
[[nodiscard]] const ErrorCodeRow* find_error_code(std::string_view code) noexcept;

}  // namespace drsynth

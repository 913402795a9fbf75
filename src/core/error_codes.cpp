#include "drsynth/core/error_codes.hpp"

#include <algorithm>
#include <iterator>
#include <ostream>

namespace drsynth {

namespace {

constexpr ErrorCodeRow table[] = {
#define DRSYNTH_ERROR(id, severity_, exit_, summary, example, fix) \
  {.code = codes::id, .severity = Severity::severity_, .exit = ErrorKind::exit_},
#define DRSYNTH_ERROR_RETIRED(id, summary) {.code = ErrorCode{#id}, .retired = true},
#include "drsynth/core/error_codes.def"
};

// Each code once: the table is what keeps a code from being reused.
constexpr bool each_code_once() {
  for (std::size_t i = 0; i < std::size(table); ++i)
    for (std::size_t j = i + 1; j < std::size(table); ++j)
      if (table[i].code == table[j].code) return false;
  return true;
}
static_assert(each_code_once(), "a code is declared twice in error_codes.def");

}  // namespace

std::ostream& operator<<(std::ostream& out, const ErrorCode& code) { return out << code.view(); }

std::span<const ErrorCodeRow> error_code_table() noexcept { return table; }

const ErrorCodeRow* find_error_code(std::string_view code) noexcept {
  const auto* it = std::find_if(std::begin(table), std::end(table), [&](const ErrorCodeRow& r) { return r.code == code; });
  return it == std::end(table) ? nullptr : it;
}

}  // namespace drsynth

// Error codes that must not compile (tests/compile_fail.cmake): a code that is
// not in the table (include/drsynth/core/error_codes.def), and a retired one.
// `valid` (a code of the table, as a value and as a template argument) must
// compile, so a failure elsewhere cannot come from a missing include.
#include <drsynth/core/error_codes.hpp>

#include <string>

using namespace drsynth;

template <ErrorCode C>
std::string code_of() {
  return C;
}

std::string emit() {
#if defined(DRSYNTH_CASE_valid)
  return code_of<codes::E804>() + std::string(codes::E211);
#elif defined(DRSYNTH_CASE_unknown_code)
  return code_of<codes::E999>();
#elif defined(DRSYNTH_CASE_retired_code)
  return std::string(codes::E706);
#endif
}

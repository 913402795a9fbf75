// Each error code is declared once, in the table (include/drsynth/core/error_codes.def):
// no code is a string literal in src/, include/ or tools/ (they name codes::E211);
// every code of the table is used (or retired), every code used or mentioned in a
// message is in the table. docs/errors.md is made from the same table (the
// errors-doc test, tests/errors_doc.cmake). Comments do not count.
#include <map>
#include <regex>
#include <set>

#include "drsynth/core/error_codes.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace drsynth;

namespace {

// "E123", "W605": a letter and three digits, nothing glued on either side.
std::vector<std::string> codes_in(const std::string& text) {
  static const std::regex code(R"((^|[^A-Za-z0-9_])([EW][0-9]{3})(?![A-Za-z0-9_]))");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), code); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[2]);
  return out;
}

// A C++ source split into its string literals (comments and character literals
// skipped, raw strings read to their delimiter), each with the line it starts
// on, and the rest of its text (without comments and literals).
struct Scanned {
  std::vector<std::pair<std::size_t, std::string>> literals;
  std::string code;
};

Scanned scan(const std::string& src) {
  Scanned out;
  std::size_t line = 1;
  for (std::size_t i = 0; i < src.size(); ++i) {
    const char c = src[i];
    if (c == '\n') ++line;
    if (c == '/' && i + 1 < src.size() && src[i + 1] == '/') {
      while (i < src.size() && src[i] != '\n') ++i;
      ++line;
      out.code += '\n';
    } else if (c == '/' && i + 1 < src.size() && src[i + 1] == '*') {
      const auto end = src.find("*/", i + 2);
      line += static_cast<std::size_t>(std::count(src.begin() + static_cast<std::ptrdiff_t>(i),
                                                  src.begin() + static_cast<std::ptrdiff_t>(std::min(end, src.size())), '\n'));
      i = end == std::string::npos ? src.size() : end + 1;
    } else if (c == 'R' && i + 1 < src.size() && src[i + 1] == '"') {
      const auto open = src.find('(', i);
      const std::string close = ")" + src.substr(i + 2, open - i - 2) + "\"";
      const auto end = src.find(close, open);
      out.literals.emplace_back(line, src.substr(open + 1, end - open - 1));
      line += static_cast<std::size_t>(std::count(out.literals.back().second.begin(), out.literals.back().second.end(), '\n'));
      i = end + close.size() - 1;
    } else if (c == '\'' && !(i > 0 && std::isxdigit(static_cast<unsigned char>(src[i - 1])))) {  // not 1'000
      for (++i; i < src.size() && src[i] != '\''; ++i)
        if (src[i] == '\\') ++i;
    } else if (c == '"') {
      std::string lit;
      for (++i; i < src.size() && src[i] != '"'; ++i) {
        if (src[i] == '\\') lit.push_back(src[i++]);
        lit.push_back(src[i]);
      }
      out.literals.emplace_back(line, lit);
    } else {
      out.code += c;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("each error code is declared once: no code literal outside the table, every code of the table used, "
          "every code used in the table",
          "[errors-doc]") {
  const fs::path root = DRSYNTH_SOURCE_DIR;
  std::map<std::string, const ErrorCodeRow*> table;
  for (const auto& row : error_code_table()) table[std::string(row.code.view())] = &row;
  REQUIRE(table.size() > 200);

  std::vector<std::string> problems;
  std::map<std::string, std::string> used;  // code -> the first place that names codes::<code>
  static const std::regex named(R"(codes::([EW][0-9]{3})\b)");
  static const std::regex exactly_a_code(R"(^[EW][0-9]{3}$)");
  for (const char* dir : {"src", "include", "tools"})
    for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
      const auto ext = e.path().extension();
      if (!e.is_regular_file() || (ext != ".cpp" && ext != ".hpp" && ext != ".in")) continue;
      const std::string where = fs::relative(e.path(), root).string();
      const Scanned s = scan(test::read_file(e.path()));
      for (const auto& [line, lit] : s.literals) {
        const std::string at = where + ":" + std::to_string(line);
        if (std::regex_match(lit, exactly_a_code)) {
          problems.push_back(at + ": the code \"" + lit + "\" is a string literal: name it codes::" + lit +
                             " (drsynth/core/error_codes.hpp)");
          continue;
        }
        for (const auto& code : codes_in(lit)) {  // a code a message or a doc string mentions
          const auto row = table.find(code);
          if (row == table.end()) problems.push_back(at + ": mentions " + code + ", which is not in the table");
          else if (row->second->retired) problems.push_back(at + ": mentions " + code + ", which is retired");
        }
      }
      for (auto it = std::sregex_iterator(s.code.begin(), s.code.end(), named); it != std::sregex_iterator(); ++it)
        used.try_emplace((*it)[1], where);
    }

  for (const auto& [code, row] : table)
    if (!row->retired && !used.contains(code))
      problems.push_back(code + " is in the table but nothing under src/, include/ or tools/ names codes::" + code +
                         " (a code no longer emitted is retired: DRSYNTH_ERROR_RETIRED)");
  for (const auto& [code, where] : used)
    if (!table.contains(code)) problems.push_back(where + " names codes::" + code + ", which is not in the table");
  CHECK(used.size() > 200);  // the scan found the codes
  std::string report;
  for (const auto& p : problems) report += p + "\n";
  INFO(report);
  CHECK(problems.empty());
}

TEST_CASE("the code scanner skips comments and reads string literals of every form", "[errors-doc]") {
  const std::string src =
      "// E111 in a comment\n"
      "/* E112\n W113 */ fail(\"E114\", path, \"see E115\");\n"
      "int x = 1'000; char q = '\"'; auto r = R\"x(E116 \"quoted\")x\";\n"
      "constexpr Rule rules[] = {{\"W117\", 1}, {\"E3720\", 2}, {\"E11\", 3}, {codes::E118, 4}};\n";
  std::vector<std::string> found;
  const Scanned s = scan(src);
  for (const auto& [line, lit] : s.literals)
    for (const auto& c : codes_in(lit)) found.push_back(c + "@" + std::to_string(line));
  CHECK(found == std::vector<std::string>{"E114@3", "E115@3", "E116@4", "W117@5"});
  CHECK(s.code.find("codes::E118") != std::string::npos);
  CHECK(s.code.find("E111") == std::string::npos);
}

TEST_CASE("the table gives each code its severity and an Error its exit kind", "[errors-doc]") {
  const auto kind = [](std::vector<Diagnostic> ds) { return Error(std::move(ds)).kind(); };
  CHECK(kind({{.code = codes::E101}}) == ErrorKind::user);
  CHECK(kind({{.code = codes::E402}}) == ErrorKind::io);
  CHECK(kind({{.code = codes::E409}}) == ErrorKind::signal);
  CHECK(kind({{.code = codes::E109}}) == ErrorKind::internal);
  CHECK(kind({}) == ErrorKind::internal);  // E000: an Error without a diagnostic is a bug
  // The gravest error decides; a warning does not.
  CHECK(kind({{.code = codes::E101}, {.code = codes::E542}}) == ErrorKind::io);
  CHECK(kind({{.code = codes::E101}, {.code = codes::E110, .severity = Severity::warning}}) == ErrorKind::user);
  CHECK(kind({{.code = "X1"}}) == ErrorKind::user);  // a code the table does not know (a test's own)

  CHECK(find_error_code("W605")->severity == Severity::warning);
  CHECK(find_error_code("E970")->severity == Severity::warning);
  CHECK(find_error_code("E720")->severity == Severity::error);
  CHECK(find_error_code("E706")->retired);
  CHECK(find_error_code("E999") == nullptr);
  CHECK(codes::E211 == std::string("E211"));
  CHECK(std::string(codes::E211) == "E211");
}

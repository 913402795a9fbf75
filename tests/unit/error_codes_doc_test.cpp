// docs/errors.md and the sources agree: every code a string literal in src/ or
// include/ can emit (E123, W605, S001) has a row in docs/errors.md, and every
// code with a row is emitted somewhere. Literals count wherever they are (in a
// fail() call, a table of rules, a constant); comments do not.
#include <map>
#include <regex>
#include <set>

#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

// "E123", "W605", "S001": a letter and three digits, nothing glued on either side.
std::vector<std::string> codes_in(const std::string& text) {
  static const std::regex code(R"((^|[^A-Za-z0-9_])([EWS][0-9]{3})(?![A-Za-z0-9_]))");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), code); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[2]);
  return out;
}

// The string literals of a C++ source (comments and character literals skipped,
// raw strings read to their delimiter), each with the line it starts on.
std::vector<std::pair<std::size_t, std::string>> string_literals(const std::string& src) {
  std::vector<std::pair<std::size_t, std::string>> out;
  std::size_t line = 1;
  for (std::size_t i = 0; i < src.size(); ++i) {
    const char c = src[i];
    if (c == '\n') ++line;
    if (c == '/' && i + 1 < src.size() && src[i + 1] == '/') {
      while (i < src.size() && src[i] != '\n') ++i;
      ++line;
    } else if (c == '/' && i + 1 < src.size() && src[i + 1] == '*') {
      const auto end = src.find("*/", i + 2);
      line += static_cast<std::size_t>(std::count(src.begin() + static_cast<std::ptrdiff_t>(i),
                                                  src.begin() + static_cast<std::ptrdiff_t>(std::min(end, src.size())), '\n'));
      i = end == std::string::npos ? src.size() : end + 1;
    } else if (c == 'R' && i + 1 < src.size() && src[i + 1] == '"') {
      const auto open = src.find('(', i);
      const std::string close = ")" + src.substr(i + 2, open - i - 2) + "\"";
      const auto end = src.find(close, open);
      out.emplace_back(line, src.substr(open + 1, end - open - 1));
      line += static_cast<std::size_t>(std::count(out.back().second.begin(), out.back().second.end(), '\n'));
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
      out.emplace_back(line, lit);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("every code the sources emit is documented in docs/errors.md and every documented code is emitted",
          "[errors-doc]") {
  const fs::path root = DRSYNTH_SOURCE_DIR;
  // code -> "src/x.cpp:12" (the first place that emits it)
  std::map<std::string, std::string> emitted;
  for (const char* dir : {"src", "include"})
    for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
      const auto ext = e.path().extension();
      if (!e.is_regular_file() || (ext != ".cpp" && ext != ".hpp" && ext != ".in")) continue;
      for (const auto& [line, lit] : string_literals(test::read_file(e.path())))
        for (const auto& code : codes_in(lit))
          emitted.try_emplace(code, fs::relative(e.path(), root).string() + ":" + std::to_string(line));
    }

  // A code is documented by a table row whose first cell names it ("| E402 |");
  // a range there ("| E811-E819 |") documents each code of it but requires none.
  std::map<std::string, std::size_t> documented;  // code -> line of docs/errors.md
  std::set<std::string> in_ranges;
  std::istringstream doc(test::read_file(root / "docs" / "errors.md"));
  static const std::regex row(R"(^\|\s*([EWS][0-9]{3})(?:\s*-\s*([EWS][0-9]{3}))?\s*\|)");
  std::size_t n = 0;
  for (std::string l; std::getline(doc, l);) {
    ++n;
    std::smatch m;
    if (!std::regex_search(l, m, row)) continue;
    if (!m[2].matched) {
      documented.try_emplace(m[1], n);
      continue;
    }
    const std::string first = m[1];
    const int lo = std::stoi(first.substr(1));
    const int hi = std::stoi(std::string(m[2]).substr(1));
    for (int c = lo; c <= hi; ++c) in_ranges.insert(first.substr(0, 1) + std::to_string(c));
  }

  REQUIRE(emitted.size() > 100);  // the scan found the codes
  REQUIRE(documented.size() > 100);
  std::vector<std::string> problems;
  for (const auto& [code, where] : emitted)
    if (!documented.contains(code) && !in_ranges.contains(code))
      problems.push_back(code + " is emitted at " + where + " but has no row in docs/errors.md");
  for (const auto& [code, line] : documented)
    if (!emitted.contains(code))
      problems.push_back(code + " has a row at docs/errors.md:" + std::to_string(line) +
                         " but no string literal under src/ or include/ emits it");
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
      "constexpr Rule rules[] = {{\"W117\", 1}, {\"E3720\", 2}, {\"E11\", 3}};\n";
  std::vector<std::string> found;
  for (const auto& [line, lit] : string_literals(src))
    for (const auto& c : codes_in(lit)) found.push_back(c + "@" + std::to_string(line));
  CHECK(found == std::vector<std::string>{"E114@3", "E115@3", "E116@4", "W117@5"});
}

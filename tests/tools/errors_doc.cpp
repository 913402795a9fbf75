// Makes the generated parts of docs/errors.md from the table of codes
// (include/drsynth/core/error_codes.def): each family's table, between
//   <!-- codes: <family> ... -->  and  <!-- end of codes -->
// and the exit codes, between
//   <!-- exit codes ... -->  and  <!-- end of exit codes -->
// The prose around them is the file's own.
//
//   drsynth_errors_doc docs/errors.md           rewrites the file
//   drsynth_errors_doc docs/errors.md --check   exit 1 when the file differs
//                                               from what the table makes
#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Row {
  std::string_view code;
  bool warning = false;
  std::string_view exit;  // user, io, internal, signal
  bool retired = false;
  std::string_view summary, example, fix;
};

struct Family {
  std::string_view name;
  std::vector<Row> rows;
};

std::vector<Family> table() {
  std::vector<Family> families;
  // The table's macros spell severity and exit kind as bare words; these
  // variables name them here.
  [[maybe_unused]] constexpr bool error = false;
  [[maybe_unused]] constexpr bool warning = true;
  [[maybe_unused]] constexpr std::string_view user = "user";
  [[maybe_unused]] constexpr std::string_view io = "io";
  [[maybe_unused]] constexpr std::string_view internal = "internal";
  [[maybe_unused]] constexpr std::string_view signal = "signal";
#define DRSYNTH_ERROR_FAMILY(family) families.push_back({#family, {}});
#define DRSYNTH_ERROR(code, severity, exit, summary, example, fix) \
  families.back().rows.push_back({#code, severity, exit, false, summary, example, fix});
#define DRSYNTH_ERROR_RETIRED(code, summary) \
  families.back().rows.push_back({#code, false, "user", true, summary, "", ""});
#include "drsynth/core/error_codes.def"
  return families;
}

// A table cell: a '|' of the text would end the cell.
std::string cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string family_rows(const Family& f) {
  std::string out = "| code | what | example | fix |\n|---|---|---|---|\n";
  for (const auto& r : f.rows) {
    if (r.retired) {
      out += "| " + std::string(r.code) + " | retired, never reused: " + cell(r.summary) + " | | |\n";
      continue;
    }
    out += "| " + std::string(r.code) + " | " + (r.warning ? "**warning**: " : "") + cell(r.summary) + " | " +
           cell(r.example) + " | " + cell(r.fix) + " |\n";
  }
  return out;
}

// "E402-E408, E542": runs of three or more consecutive codes as a range.
std::string code_list(const std::vector<std::string_view>& codes) {
  std::string out;
  const auto number = [](std::string_view c) { return std::stoi(std::string(c.substr(1))); };
  for (std::size_t i = 0; i < codes.size();) {
    std::size_t j = i;
    while (j + 1 < codes.size() && codes[j + 1][0] == codes[i][0] && number(codes[j + 1]) == number(codes[j]) + 1) ++j;
    if (!out.empty()) out += ", ";
    if (j >= i + 2) {
      out += std::string(codes[i]) + "-" + std::string(codes[j]);
    } else {
      for (std::size_t k = i; k <= j; ++k) out += (k > i ? ", " : "") + std::string(codes[k]);
    }
    i = j + 1;
  }
  return out;
}

std::string exit_codes(const std::vector<Family>& families) {
  std::map<std::string_view, std::vector<std::string_view>> by_exit;
  for (const auto& f : families)
    for (const auto& r : f.rows)
      if (!r.retired) by_exit[r.exit].push_back(r.code);
  for (auto& [exit, codes] : by_exit) std::sort(codes.begin(), codes.end());
  return "- 1: every other code\n"
         "- 3 (the output could not be written): " + code_list(by_exit["io"]) + "\n" +
         "- 128 + the signal (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP): " + code_list(by_exit["signal"]) +
         "\n" + "- 70 (a bug, not a bad input): " + code_list(by_exit["internal"]) + "\n";
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && std::string_view(argv[2]) != "--check")) {
    std::cerr << "usage: drsynth_errors_doc docs/errors.md [--check]\n";
    return 2;
  }
  const std::string path = argv[1];
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return 2;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string before = buffer.str();

  const auto families = table();
  std::map<std::string, const Family*, std::less<>> by_name;
  for (const auto& f : families) by_name[std::string(f.name)] = &f;
  std::set<std::string, std::less<>> placed;
  std::vector<std::string> problems;

  std::string after;
  std::istringstream lines(before);
  std::string skip_to;  // the end marker of the block being replaced
  for (std::string line; std::getline(lines, line);) {
    if (!skip_to.empty()) {
      if (line != skip_to) continue;
      skip_to.clear();
    } else if (starts_with(line, "<!-- codes: ")) {
      const auto name = line.substr(12, line.find(' ', 12) - 12);
      const auto f = by_name.find(name);
      if (f == by_name.end()) {
        problems.push_back("docs: a block for the family " + name + ", which the table does not have");
      } else {
        placed.insert(name);
        after += line + "\n" + family_rows(*f->second);
        skip_to = "<!-- end of codes -->";
        continue;
      }
    } else if (starts_with(line, "<!-- exit codes")) {
      after += line + "\n" + exit_codes(families);
      skip_to = "<!-- end of exit codes -->";
      continue;
    }
    after += line + "\n";
  }
  if (!skip_to.empty()) problems.push_back("docs: a block without its end marker " + skip_to);
  for (const auto& f : families)
    if (!placed.contains(f.name))
      problems.push_back("the table's family " + std::string(f.name) + " has no block <!-- codes: " +
                         std::string(f.name) + " --> in the docs");
  for (const auto& p : problems) std::cerr << path << ": " << p << "\n";
  if (!problems.empty()) return 1;

  if (argc == 3) {
    if (after == before) return 0;
    std::cerr << path << " is not what include/drsynth/core/error_codes.def makes: edit the table (or the prose around "
              << "the generated blocks), then regenerate it with\n  cmake --build build --target errors_doc\n";
    return 1;
  }
  if (after != before) std::ofstream(path, std::ios::binary) << after;
  return 0;
}

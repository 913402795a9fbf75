#include "tools/cli_checks.hpp"
#include "core/read_back.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <set>

#include "drsynth/tools/cli.hpp"
#include "drsynth/core/error.hpp"
#include "drsynth/synth/synth.hpp"
#include "core/bucket_name_rules.hpp"
#include "core/fd_io.hpp"
#include "core/settings/text.hpp"
#include "synth/deploy_plan.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth::cli::detail {

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}


}  // namespace

std::optional<int> unknown_command(const CLI::App& cli, int argc, const char* const* argv, std::ostream& err) {
  if (argc < 2 || argv[1][0] == '-' || argv[1][0] == '\0') return std::nullopt;
  const std::string_view word = argv[1];
  std::vector<std::string> listed;
  std::string suggestion;
  for (const CLI::App* sub : cli.get_subcommands([](const CLI::App*) { return true; })) {
    std::vector<std::string> names{sub->get_name()};
    for (const auto& alias : sub->get_aliases()) names.push_back(alias);
    if (std::find(names.begin(), names.end(), word) != names.end()) return std::nullopt;
    std::string shown = names.front();
    if (names.size() > 1) shown += " (" + names[1] + ")";
    listed.push_back(shown);
    for (const auto& n : names)
      if (suggestion.empty() && (edit_distance(word, n) <= 2 || (word.size() >= 3 && n.starts_with(word)) ||
                                 (n.size() >= 3 && word.starts_with(n))))
        suggestion = n;
  }
  err << "error: unknown command '" << escape_control_characters(word) << "'";
  if (!suggestion.empty()) err << " (did you mean '" << suggestion << "'?)";
  err << "\ncommands:";
  for (std::size_t i = 0; i < listed.size(); ++i) err << (i == 0 ? " " : ", ") << listed[i];
  err << "\nRun '" << cli.get_name() << " --help' for more.\n";
  return exit_usage;
}

std::string escape_lines(std::string_view text) {
  std::string out;
  for (std::size_t start = 0; start < text.size();) {
    const auto nl = text.find('\n', start);
    const auto end = nl == std::string_view::npos ? text.size() : nl;
    out += escape_control_characters(text.substr(start, end - start));
    if (nl != std::string_view::npos) out += '\n';
    start = end + 1;
  }
  return out;
}

std::string default_output_dir() {
  const char* env = std::getenv("CDK_OUTDIR");
  return env != nullptr ? env : "cdk.out";
}

void check_output_path_text(const std::string& dir, std::string_view source) {
  const bool control =
      std::any_of(dir.begin(), dir.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  if (!dir.empty() && !control) return;
  const std::string from = " (" + std::string(source) + ")";
  throw Error(Diagnostic{.code = codes::E406,
                         .message = dir.empty() ? "the output path" + from + " is empty"
                                                : "the output path" + from +
                                                      " contains a control character (the deploy scripts and "
                                                      "terminals would misread it)",
                         .got = "\"" + dir + "\"",
                         .expected = dir.empty() ? "a folder path, such as cdk.out" : "a path without control characters"});
}

std::optional<std::string> read_settings_file(const std::string& file, bool explicit_file) {
  const std::string shown = settings::printable(file, 200);
  // O_NONBLOCK: opening a FIFO without a writer must not wait for one.
  const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT && !explicit_file) return std::nullopt;
    fail(codes::E505, "", "cannot read the settings file " + shown + ": " + std::strerror(err), shown,
         "a readable JSON file");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const mode_t mode = st.st_mode;
    ::close(fd);
    fail(codes::E541, "", "the settings file " + shown + " is not a regular file",
         std::string(drsynth::detail::file_kind(mode)),
         "a JSON file (--settings FILE, or drsynth.json in the working folder)");
  }
  auto r = drsynth::detail::read_to_end(fd, settings::max_file_bytes);  // load_text reports a larger file
  ::close(fd);
  if (r.error != 0)
    fail(codes::E505, "", "cannot read the settings file " + shown + ": " + std::strerror(r.error), shown,
         "a readable JSON file");
  return std::move(r.text);
}

void check_s3_bucket(const std::string& bucket, const Assembly& assembly) {
  // One table of rules with deploy.sh (bucket_name_rules.hpp): what one accepts, the other does.
  const std::set<std::string> uploads = drsynth::detail::bucket_regions(assembly);
  std::set<std::string> regions = uploads;
  if (regions.empty())
    for (const auto& s : assembly.stacks) regions.insert(s.region);
  if (regions.empty()) regions.insert("us-east-1");
  for (const auto& region : regions) {
    const std::string name = drsynth::detail::bucket_in_region(bucket, region);
    if (const auto why = drsynth::detail::s3_bucket_problem(name); !why.empty())
      fail(codes::E543, "",
           "--s3-bucket is not a valid S3 bucket name" +
               (name == bucket ? std::string() : " in " + region + " ({region} replaced)") + ": " + why,
           "\"" + name + "\"", "3-63 lowercase letters, digits, dots and hyphens, a letter or digit at each end");
  }
  if (const auto why = drsynth::detail::bucket_pattern_problem(bucket, uploads); !why.empty())
    fail(codes::E543, "", "--s3-bucket cannot serve every region: " + why, "\"" + bucket + "\"",
         "a name with {region}, e.g. drsynth-assets-{region}-123456789012");
}

std::string strict_failure_line(const std::vector<Diagnostic>& diagnostics, bool strict) {
  if (!strict) return {};
  std::size_t warnings = 0;
  for (const auto& d : diagnostics) {
    if (d.severity == Severity::error) return {};
    if (d.severity == Severity::warning) ++warnings;
  }
  if (warnings == 0) return {};
  return "error: " + Diagnostic{.code = codes::E540,
                                .message = "the run failed because of --strict: it makes the " +
                                           std::to_string(warnings) + " warning" + (warnings == 1 ? "" : "s") +
                                           " above fatal",
                                .expected = "no warnings, or a run without --strict"}
                         .format();
}

int exit_code_for(ErrorKind kind, int signal) {
  switch (kind) {
    case ErrorKind::user: return exit_user_error;
    case ErrorKind::io: return exit_io_error;
    case ErrorKind::internal: return exit_internal;
    case ErrorKind::signal: return 128 + signal;
  }
  return exit_internal;
}

int exit_code_for(const ErrorCode& code) {
  const auto* row = find_error_code(code);
  return row == nullptr ? exit_internal : exit_code_for(row->exit);
}

int finish_output(int rc, std::ostream& out, std::ostream& err, const std::string& written_to) {
  out.flush();
  if (out) return rc;
  err << "error: "
      << Diagnostic{.code = codes::E542,
                    .message = "cannot write to standard output (a full device or a closed pipe?)" +
                               (written_to.empty() ? std::string()
                                                   : "; the new assembly was written to " + written_to +
                                                         " all the same (only the summary is lost)"),
                    .expected = "a writable standard output"}
             .format()
      << '\n';
  return rc == exit_ok ? exit_code_for(codes::E542) : rc;
}

}  // namespace drsynth::cli::detail

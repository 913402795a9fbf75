// Checks of the command line that are not CLI11's: unknown commands, the
// output path, the settings path, --s3-bucket, --strict failures and the
// state of stdout. Internal to the CLI (src/tools/cli.cpp).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace drsynth {
struct Assembly;
struct Diagnostic;
struct ErrorCode;
enum class ErrorKind;
}  // namespace drsynth

namespace drsynth::cli::detail {

// When argv[1] is a word that names no command: prints "unknown command 'x'",
// a suggestion and the commands, and returns the usage exit code.
[[nodiscard]] std::optional<int> unknown_command(const CLI::App& cli, int argc, const char* const* argv,
                                                 std::ostream& err);

// CLI11's message for a bad command line, with control characters escaped.
[[nodiscard]] std::string escape_lines(std::string_view text);

// The output folder: -o, else CDK_OUTDIR (even when set but empty), else cdk.out.
[[nodiscard]] std::string default_output_dir();
// E406 when the path is empty or holds control characters; `source` names where it came from.
void check_output_path_text(const std::string& dir, std::string_view source);

// The settings file's text; nullopt when the default file is absent. Refuses
// what is not a regular file (a folder, a FIFO, a device: E541) without
// opening it for long, and an unreadable explicit file (E505).
[[nodiscard]] std::optional<std::string> read_settings_file(const std::string& file, bool explicit_file);

// E543 when `bucket`, with "{region}" replaced by each region whose stacks upload
// to it, breaks S3's bucket-name rules, or lacks "{region}" while two regions
// upload (bucket_name_rules.hpp, the rules deploy.sh applies too).
void check_s3_bucket(const std::string& bucket, const Assembly& assembly);

// The E540 line for a run that failed only because --strict made warnings fatal; empty otherwise.
[[nodiscard]] std::string strict_failure_line(const std::vector<Diagnostic>& diagnostics, bool strict);

// The exit code of a failure of `kind`: 1, 3, 70, or 128 + `signal` for
// ErrorKind::signal.
[[nodiscard]] int exit_code_for(ErrorKind kind, int signal = 0);
// The exit code the table of codes gives `code` (drsynth/core/error_codes.def).
[[nodiscard]] int exit_code_for(const ErrorCode& code);

// Flushes stdout; when it could not be written (a full device, a closed pipe)
// prints E542 and returns its exit code, else `rc`.
// `written_to`: the folder synth wrote the new assembly to (the message says
// so: the previous assembly is then replaced), empty when nothing was written.
[[nodiscard]] int finish_output(int rc, std::ostream& out, std::ostream& err, const std::string& written_to = {});

}  // namespace drsynth::cli::detail

// The drsynth command line, as library code: any app binary gets the same
// subcommands (synth, list, deploy-plan) by calling run().
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

namespace drsynth {
class App;
}

namespace drsynth::cli {

// Exit codes.
inline constexpr int exit_ok = 0;
inline constexpr int exit_user_error = 1;  // validation, references, settings
inline constexpr int exit_usage = 2;       // bad command line
inline constexpr int exit_io_error = 3;    // output could not be written
inline constexpr int exit_internal = 70;   // a bug in drsynth

// Who the binary is: `--version` prints "<name> <version> (drsynth <its
// version>)" and --help names it; the default is drsynth itself.
//   return cli::run({.name = "orders-dr", .version = "2.3.0"}, argc, argv, define);
struct Program {
  std::string name = "drsynth";
  std::string version{};  // empty: drsynth's own, printed once
};

// Parses the command line and the settings (drsynth.json in the working
// folder, CDK_CONTEXT_JSON, -c key=value), creates an App with that context,
// calls define(app) to build the tree, then runs the subcommand.
int run(int argc, const char* const* argv, const std::function<void(App&)>& define);
int run(const Program& program, int argc, const char* const* argv, const std::function<void(App&)>& define);
int run(const Program& program, int argc, const char* const* argv, const std::function<void(App&)>& define,
        std::ostream& out, std::ostream& err);
// Same, writing to the given streams (for tests).
int run(int argc, const char* const* argv, const std::function<void(App&)>& define, std::ostream& out,
        std::ostream& err);

// For an app the caller built already (App app; ... build ...; return run(app, argc, argv);).
// Its constructs have read their context, so -c and --settings are refused
// (E507): use the define form above for apps with settings.
int run(App& app, int argc, const char* const* argv);
int run(App& app, int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace drsynth::cli

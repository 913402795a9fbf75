#include "drsynth/tools/cli.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "drsynth/core/app.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/synth/synth.hpp"
#include "drsynth/core/version.hpp"
#include "tools/cli_checks.hpp"
#include "tools/diff/commands.hpp"
#include "drsynth/core/settings.hpp"
#include "core/settings/text.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth::cli {

namespace fs = std::filesystem;

namespace {

struct Options {
  std::string outdir;
  std::vector<std::string> context;
  std::vector<std::string> stacks;
  std::string settings_file = "drsynth.json";
  std::optional<std::string> s3_bucket;
  bool quiet = false;
  bool verbose = false;
  bool strict = false;
  bool allow_replacement = false;
};

// Reads the settings file (a JSON object of context values). A missing
// default file is fine; a missing explicit one, one that is not a regular
// file, or bad JSON, is an error.
void load_settings(const std::string& file, bool explicit_file, settings::Context& context) {
  if (const auto text = detail::read_settings_file(file, explicit_file)) context.add_file(*text, file);
}

// Notes (acknowledged safety rules) are for the reader of a normal run; -q
// keeps warnings and errors only.
void print_diagnostics(const std::vector<Diagnostic>& ds, std::ostream& err, bool quiet = false) {
  for (const auto& d : ds) {
    if (quiet && d.severity == Severity::note) continue;
    err << (d.severity == Severity::warning ? "warning: " : d.severity == Severity::note ? "note: " : "error: ")
        << d.format() << '\n';
  }
}

int exit_code_for(const Error& e) {
  const auto* interrupted = dynamic_cast<const Interrupted*>(&e);
  return detail::exit_code_for(e.kind(), interrupted != nullptr ? interrupted->signal() : 0);
}

}  // namespace

namespace {
// The command line over either an app built here (define != nullptr) or one
// the caller built already (prebuilt != nullptr).
int run_impl(const Program& program, int argc, const char* const* argv, const std::function<void(App&)>* define,
             App* prebuilt, std::ostream& out, std::ostream& err, std::string& written_to);
int run_checked(const Program& program, int argc, const char* const* argv, const std::function<void(App&)>* define,
                App* prebuilt, std::ostream& out, std::ostream& err) {
  std::string written_to;
  const int rc = run_impl(program, argc, argv, define, prebuilt, out, err, written_to);
  return detail::finish_output(rc, out, err, written_to);
}
const Program drsynth_itself{};
}  // namespace

int run(int argc, const char* const* argv, const std::function<void(App&)>& define) {
  return run_checked(drsynth_itself, argc, argv, &define, nullptr, std::cout, std::cerr);
}

int run(int argc, const char* const* argv, const std::function<void(App&)>& define, std::ostream& out,
        std::ostream& err) {
  return run_checked(drsynth_itself, argc, argv, &define, nullptr, out, err);
}

int run(const Program& program, int argc, const char* const* argv, const std::function<void(App&)>& define) {
  return run_checked(program, argc, argv, &define, nullptr, std::cout, std::cerr);
}

int run(const Program& program, int argc, const char* const* argv, const std::function<void(App&)>& define,
        std::ostream& out, std::ostream& err) {
  return run_checked(program, argc, argv, &define, nullptr, out, err);
}

int run(App& app, int argc, const char* const* argv) {
  return run_checked(drsynth_itself, argc, argv, nullptr, &app, std::cout, std::cerr);
}

int run(App& app, int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  return run_checked(drsynth_itself, argc, argv, nullptr, &app, out, err);
}

namespace {
// "drsynth 0.1.0", or "orders-dr 2.3.0 (drsynth 0.1.0)" for an app that names itself.
std::string version_text(const Program& p) {
  const std::string own = std::string("drsynth ") + version_string;
  if (p.version.empty() && p.name == "drsynth") return own;
  return p.name + (p.version.empty() ? "" : " " + p.version) + " (" + own + ")";
}

int run_impl(const Program& program, int argc, const char* const* argv, const std::function<void(App&)>* define,
             App* prebuilt, std::ostream& out, std::ostream& err, std::string& written_to) {
  CLI::App cli{program.name == "drsynth"
                   ? std::string("drsynth: synthesizes multi-region PostgreSQL disaster recovery as CloudFormation templates")
                   : program.name + ": synthesizes its CloudFormation templates with drsynth",
               program.name};
  cli.set_version_flag("--version", version_text(program));
  cli.require_subcommand(0, 1);
  Options o;
  const char* env_outdir = std::getenv("CDK_OUTDIR");
  o.outdir = detail::default_output_dir();

  auto add_context = [&](CLI::App* sub) {
    sub->add_option("-c,--context", o.context, "context value key=value (JSON values allowed); repeatable")
        ->type_name("KEY=VALUE");
    sub->add_option("--settings", o.settings_file, "settings file, a JSON object of context values")
        ->type_name("FILE")
        ->capture_default_str();
    sub->add_flag("-v,--verbose", o.verbose, "log each phase with its time");
  };
  auto* synth = cli.add_subcommand("synth", "synthesize the cloud assembly (templates, manifest, deploy scripts)");
  synth->add_option("-o,--output", o.outdir, "output folder")->type_name("DIR")->capture_default_str();
  synth->add_option("--stack", o.stacks, "only this stack (and the stacks it depends on); repeatable")->type_name("NAME");
  synth->add_flag("-q,--quiet", o.quiet, "print nothing on success");
  synth->add_flag("--strict", o.strict, "fail on warnings too");
  detail::add_guard_option(*synth, o.allow_replacement);
  add_context(synth);
  auto* list = cli.add_subcommand("list", "list the stacks in deployment order");
  list->alias("ls");
  add_context(list);
  auto* plan = cli.add_subcommand("deploy-plan", "print the AWS CLI commands that deploy the stacks in order");
  plan->add_option("-o,--output", o.outdir, "the assembly folder the commands refer to")->type_name("DIR");
  plan->add_option("--s3-bucket", o.s3_bucket,
                   "bucket for large templates and Lambda code; '{region}' is replaced by each stack's region")
      ->type_name("NAME");
  add_context(plan);
  detail::DiffCommand diff_options;
  auto* diff = detail::add_diff_command(cli, diff_options, o.stacks);
  add_context(diff);
  detail::GraphCommand graph_options;
  auto* graph = detail::add_graph_command(cli, graph_options);
  add_context(graph);

  if (const auto rc = detail::unknown_command(cli, argc, argv, err)) return *rc;
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream message;
    const int rc = cli.exit(e, out, message);
    err << detail::escape_lines(message.str());
    return rc == 0 ? exit_ok : exit_usage;
  }

  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(err);
  spdlog::logger log("drsynth", sink);
  log.set_pattern("drsynth: %v");
  log.set_level(o.verbose ? spdlog::level::debug : spdlog::level::info);

  // With no subcommand, synthesize when run by the AWS CDK CLI (it sets CDK_OUTDIR).
  CLI::App* command = cli.get_subcommands().empty() ? nullptr : cli.get_subcommands().front();
  if (command == nullptr) {
    if (env_outdir == nullptr) {
      out << cli.help();
      return exit_usage;
    }
    command = synth;
    o.quiet = true;  // the CDK CLI shows an app's stdout as part of its own output
  }

  // What the run is doing, for an out-of-memory report (E459).
  std::string step = "reading the settings";
  try {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    auto ms = [&] { return std::chrono::duration<double, std::milli>(clock::now() - t0).count(); };
    if (command == synth || command == plan || (command == diff && !diff_options.against)) {
      const bool given = command != diff && command->count("-o") > 0;  // diff has no -o
      detail::check_output_path_text(o.outdir, given ? "-o" : env_outdir != nullptr ? "CDK_OUTDIR" : "default");
      if (command == synth) check_output_folder(o.outdir);  // before the work, not after it
    }

    std::optional<App> owned;
    if (prebuilt == nullptr) {
      // The context, finished before the app exists: sources in the order
      // they win (docs/cli.md, "Settings").
      settings::Context context;
      load_settings(o.settings_file, command->count("--settings") > 0, context);
      if (const char* env = std::getenv("CDK_CONTEXT_JSON"); env != nullptr && *env != '\0')
        context.add_environment(env);
      for (const auto& c : o.context) context.add_argument(c);
      owned.emplace(AppProps{.context = std::move(context), .read_environment = false});
      step = "building the app's construct tree";
      (*define)(*owned);
    } else if (!o.context.empty() || command->count("--settings") > 0) {
      // The tree exists already: its constructs have read their context.
      fail(codes::E507, "", "context values cannot reach an app that was built before the command line was read",
           !o.context.empty() ? o.context.front() : o.settings_file,
           "cli::run(argc, argv, define) so that define(app) sees -c and drsynth.json");
    }
    App& app = prebuilt != nullptr ? *prebuilt : *owned;
    log.debug("tree built in {:.2f} ms", ms());

    SynthOptions so{.stacks = o.stacks, .strict = o.strict};
    step = "synthesizing the templates";
    Assembly assembly = synthesize(app, so);
    log.debug("synthesized {} stacks in {:.2f} ms", assembly.stacks.size(), ms());
    print_diagnostics(assembly.warnings, err, o.quiet);

    if (command == list) {
      for (const auto& s : assembly.stacks) {
        out << s.name << "  " << s.region;
        if (!s.dependencies.empty()) {
          out << "  (after";
          for (const auto& d : s.dependencies) out << ' ' << d;
          out << ')';
        }
        out << '\n';
      }
      return exit_ok;
    }
    if (command == plan) {
      if (o.s3_bucket) detail::check_s3_bucket(*o.s3_bucket, assembly);
      out << deploy_script(assembly, DeployPlanOptions{.assembly_dir = o.outdir, .s3_bucket = o.s3_bucket});
      return exit_ok;
    }

    step = "reading the previous assembly and comparing it";
    if (command == diff) return detail::run_diff(assembly, diff_options, o.outdir, o.stacks, out, err);
    step = "drawing the graph";
    if (command == graph) return detail::run_graph(assembly, graph_options, out);
    step = "reading the previous assembly in " + o.outdir + " for the replacement guard";

    Assembly previous = detail::guard_replacements(assembly, o.outdir, o.allow_replacement, o.strict, err);
    if (!o.stacks.empty()) {
      // A `--stack` run writes some stacks: the others of the previous
      // assembly stay in the folder for the guard of the next run.
      for (auto& s : previous.stacks)
        if (assembly.find(s.name) == nullptr) assembly.kept_stacks.push_back(std::move(s));
    }
    step = "writing the assembly to " + o.outdir;
    write_assembly(assembly, o.outdir);
    written_to = o.outdir;
    log.debug("written to {} in {:.2f} ms", o.outdir, ms());
    if (!o.quiet) {
      out << "Synthesized " << assembly.stacks.size() << " stack" << (assembly.stacks.size() == 1 ? "" : "s") << " to "
          << o.outdir << ":\n";
      for (const auto& s : assembly.stacks)
        out << "  " << s.template_file << "  " << s.region << "  " << s.template_text.size() << " bytes\n";
      std::vector<std::string> lines;
      app.walk([&](const Construct& c) { c.summarize(lines); });
      for (const auto& l : lines) out << l << '\n';
    }
    return exit_ok;
  } catch (const Error& e) {
    print_diagnostics(e.diagnostics(), err);
    if (const auto line = detail::strict_failure_line(e.diagnostics(), o.strict); !line.empty()) err << line << '\n';
    return exit_code_for(e);
  } catch (const std::bad_alloc&) {
    // Not a bug: something the run read or built is larger than this machine's memory.
    err << "error: "
        << Diagnostic{.code = codes::E459,
                      .message = "out of memory while " + step + ": what it holds is larger than this machine can keep",
                      .got = "std::bad_alloc",
                      .expected = "smaller inputs (settings, construct tree, previous assembly), or more memory"}
               .format()
        << '\n';
    return detail::exit_code_for(codes::E459);
  } catch (const std::exception& e) {
    err << "error: [drsynth." << codes::E900 << "] internal error: " << escape_control_characters(e.what()) << '\n';
    return detail::exit_code_for(codes::E900);
  }
}

}  // namespace

}  // namespace drsynth::cli

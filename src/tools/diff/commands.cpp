#include "tools/diff/commands.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "tools/diff/read.hpp"
#include "core/fd_io.hpp"
#include "drsynth/tools/diff.hpp"
#include "drsynth/tools/graph.hpp"
#include "drsynth/core/error_codes.hpp"

extern char** environ;

namespace drsynth::cli::detail {

namespace fs = std::filesystem;

CLI::App* add_diff_command(CLI::App& cli, DiffCommand& o, std::vector<std::string>& stacks) {
  auto* diff = cli.add_subcommand("diff", "compare the app with a previous assembly: what CloudFormation would update, "
                                          "interrupt or replace");
  diff->add_option("--against", o.against, "the previous assembly (default: the output folder, cdk.out or $CDK_OUTDIR)")
      ->type_name("DIR");
  diff->add_option("--stack", stacks, "only this stack; repeatable")->type_name("NAME");
  diff->add_flag("--json", o.json, "print the differences as JSON");
  diff->add_flag("--fail", o.fail, "exit 1 when there are differences");
  diff->add_option("--color", o.color, "colour the output: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  return diff;
}

CLI::App* add_graph_command(CLI::App& cli, GraphCommand& o) {
  auto* graph = cli.add_subcommand("graph", "draw the stacks by region in deployment order and the references between them");
  graph->add_option("--format", o.format, "dot, mermaid, or svg (needs Graphviz's dot)")
      ->check(CLI::IsMember({"dot", "mermaid", "svg"}))
      ->capture_default_str();
  graph->add_flag("--resources", o.resources, "draw each stack's resources and the references between them");
  return graph;
}

void add_guard_option(CLI::App& synth, bool& allow_replacement) {
  synth.add_flag("--allow-replacement", allow_replacement,
                 "write even if a stateful resource of the previous assembly would be replaced or deleted (rule S007)");
}

namespace {

bool use_color(const std::string& mode, const std::ostream& out) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  return &out == &std::cout && ::isatty(STDOUT_FILENO) == 1 && (no_color == nullptr || *no_color == '\0');
}

// The SVG Graphviz draws from `dot_text`.
std::string run_dot(const std::string& dot_text) {
  char in_name[] = "/tmp/drsynth-graph-XXXXXX";
  const int in_fd = ::mkstemp(in_name);
  if (in_fd < 0) fail(codes::E452, "", "cannot create a temporary file for Graphviz", std::strerror(errno), "a writable /tmp");
  struct Cleanup {
    const char* name;
    ~Cleanup() { ::unlink(name); }
  } cleanup{in_name};
  if (const int err = drsynth::detail::write_all(in_fd, dot_text); err != 0) {
    ::close(in_fd);
    fail(codes::E452, "", "cannot write a temporary file for Graphviz", std::strerror(err), "a writable /tmp");
  }
  ::close(in_fd);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) fail(codes::E452, "", "cannot run Graphviz's dot", std::strerror(errno), "");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  char arg0[] = "dot";
  char arg1[] = "-Tsvg";
  char* argv[] = {arg0, arg1, in_name, nullptr};
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, "dot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    fail(codes::E452, "", "--format svg needs Graphviz's dot, which cannot be run", std::string("dot: ") + std::strerror(rc),
         "Graphviz installed (Debian: apt-get install graphviz), or --format dot / mermaid");
  }
  std::string svg = drsynth::detail::read_to_end(pipe_fds[0]).text;
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    fail(codes::E452, "", "Graphviz's dot was ended by a signal before it finished the graph",
         "signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")",
         "dot -Tsvg to run to its end (memory and time limits?)");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail(codes::E452, "", "Graphviz's dot failed on the graph", "exit status " + std::to_string(WEXITSTATUS(status)),
         "dot -Tsvg to accept drsynth graph --format dot");
  return svg;
}

void print(const std::vector<Diagnostic>& ds, std::ostream& err) {
  for (const auto& d : ds)
    err << (d.severity == Severity::warning ? "warning: " : d.severity == Severity::note ? "note: " : "error: ")
        << d.format() << '\n';
}

}  // namespace

int run_diff(const Assembly& assembly, const DiffCommand& o, const std::string& outdir,
             const std::vector<std::string>& stacks, std::ostream& out, std::ostream& err) {
  if (o.against && o.against->empty())
    fail(codes::E450, "", "--against names no folder (the path is empty)", "\"\"",
         "the folder of a previous assembly (without --against: the output folder)");
  const fs::path dir = o.against ? fs::path(*o.against) : fs::path(outdir);
  Assembly before;
  std::error_code ec;
  if (o.against || fs::exists(dir / "manifest.json", ec))
    before = read_assembly(dir);
  else
    err << "note: there is no previous assembly in " << dir.string() << ": every stack is new\n";
  const AssemblyDiff d = diff_assemblies(before, assembly, DiffOptions{.stacks = stacks});
  if (o.json)
    out << diff_to_json(d).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  else
    out << format_diff(d, FormatOptions{.color = use_color(o.color, out)});
  return o.fail && !d.empty() ? 1 : 0;
}

int run_graph(const Assembly& assembly, const GraphCommand& o, std::ostream& out) {
  GraphOptions g{.format = o.format == "mermaid" ? GraphFormat::mermaid : GraphFormat::dot, .resources = o.resources};
  const std::string text = assembly_graph(assembly, g);
  out << (o.format == "svg" ? run_dot(text) : text);
  return 0;
}

namespace {

// The output folder's identity: another drsynth run publishing its assembly
// puts a new folder in its place.
std::pair<dev_t, ino_t> folder_identity(const fs::path& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return {0, 0};
  return {st.st_dev, st.st_ino};
}

bool same_stacks(const Assembly& a, const Assembly& b) {
  return a.stacks.size() == b.stacks.size() &&
         std::equal(a.stacks.begin(), a.stacks.end(), b.stacks.begin(), [](const StackArtifact& x, const StackArtifact& y) {
           return x.name == y.name && x.environment == y.environment && x.dependencies == y.dependencies &&
                  x.template_text == y.template_text;
         });
}

// The assembly in `dir`, read again when a concurrent run replaced the folder
// while it was being read (a file of the old one gone); a folder that stays
// the same and cannot be read is the error. `unchanged` is set when its
// stacks are those of `current` (names, regions, dependencies, template
// bytes): then nothing is replaced and its documents are not parsed.
Assembly read_previous_assembly(const fs::path& dir, const Assembly& current, bool& unchanged) {
  for (int attempt = 1;; ++attempt) {
    std::error_code ec;
    if (attempt > 1 && !fs::exists(dir / "manifest.json", ec)) return {};  // mid-publish: nothing left to compare
    const auto before = folder_identity(dir);
    try {
      // tree.json only when something differs: the comparison needs none.
      auto files = drsynth::detail::read_assembly_files(dir, /*with_tree=*/false);
      unchanged = same_stacks(files.assembly, current);
      if (!unchanged) {
        drsynth::detail::read_tree(files);
        drsynth::detail::check_assembly_json(files, dir);
      }
      return std::move(files.assembly);
    } catch (const Error&) {
      if (attempt >= 5 || folder_identity(dir) == before) throw;
    }
  }
}

}  // namespace

Assembly guard_replacements(const Assembly& assembly, const fs::path& outdir, bool allowed, bool strict,
                            std::ostream& err) {
  std::error_code ec;
  if (!fs::exists(outdir / "manifest.json", ec)) return {};  // nothing to replace
  Assembly before;
  bool unchanged = false;
  try {
    before = read_previous_assembly(outdir, assembly, unchanged);
  } catch (const Error& e) {
    if (!allowed) throw;
    std::vector<Diagnostic> ds = e.diagnostics();
    for (auto& d : ds) {
      d.severity = Severity::warning;
      d.message += " [not compared: --allow-replacement]";
    }
    print(ds, err);
    return {};
  }
  // Synthesizing the same system again (the usual case): the same stacks,
  // regions, dependencies and template bytes replace nothing; skip the diff.
  if (unchanged) return before;
  std::vector<Diagnostic> ds = check_replacements(diff_assemblies(before, assembly), assembly);
  bool refuse = false;
  for (auto& d : ds) {
    if (d.severity == Severity::note) continue;
    if (allowed) {
      d.severity = Severity::note;
      d.message += " [allowed by --allow-replacement]";
    } else if (d.severity == Severity::error || strict) {
      refuse = true;
    }
  }
  if (refuse) throw Error(std::move(ds));
  print(ds, err);
  return before;
}

}  // namespace drsynth::cli::detail

// The diff and graph subcommands and the replacement guard of synth, for
// src/tools/cli.cpp: each subcommand is declared and run by one function here.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "drsynth/synth/synth.hpp"

namespace drsynth::cli::detail {

struct DiffCommand {
  std::optional<std::string> against;  // the previous assembly; defaults to the output folder (an empty one is E450)
  std::string color = "auto";
  bool json = false;
  bool fail = false;
};

struct GraphCommand {
  std::string format = "dot";
  bool resources = false;
};

// `drsynth diff`; --stack is bound to `stacks`.
CLI::App* add_diff_command(CLI::App& cli, DiffCommand& o, std::vector<std::string>& stacks);
// `drsynth graph`.
CLI::App* add_graph_command(CLI::App& cli, GraphCommand& o);
// synth --allow-replacement.
void add_guard_option(CLI::App& synth, bool& allow_replacement);

// Compares `assembly` with the one in o.against (default: `outdir`); returns the exit code.
int run_diff(const Assembly& assembly, const DiffCommand& o, const std::string& outdir,
             const std::vector<std::string>& stacks, std::ostream& out, std::ostream& err);
int run_graph(const Assembly& assembly, const GraphCommand& o, std::ostream& out);

// Before synth writes `assembly` over the one in `outdir`: safety rule S007
// (docs/errors.md). Prints warnings and notes to `err`; throws Error (exit 1)
// when a stateful resource would be replaced or deleted without an
// acknowledgement and `allowed` is false (or on warnings with `strict`).
// Returns the previous assembly (empty when there is none, or when it could
// not be read and `allowed` let the run go on).
Assembly guard_replacements(const Assembly& assembly, const std::filesystem::path& outdir, bool allowed, bool strict,
                        std::ostream& err);

}  // namespace drsynth::cli::detail

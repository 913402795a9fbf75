// The output folder, the settings path and --s3-bucket, one row per mistake or
// odd case: the run fails with its code, message and exit code and nothing in
// the working area changes (the previous assembly and the user's files byte
// for byte, no temporaries left); or, for the cases drsynth must handle, it
// succeeds and changes only the output folder.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <set>

#include "synth/interrupt.hpp"
#include "test_support.hpp"

using namespace drsynth;
namespace fs = std::filesystem;

namespace {

struct Case {
  std::string name;
  std::vector<std::string> args;  // run in <work>/project
  std::function<void(const fs::path& project)> setup{};
  std::optional<std::string> cdk_outdir{};  // CDK_OUTDIR for the run
  std::string code{};                       // empty: the run must succeed
  int exit = cli::exit_io_error;
  std::vector<std::string> contains{};
  std::vector<std::string> may_change{};  // paths below <work> a successful run may change
  std::function<void(const fs::path& project)> after{};
};

// Every entry below `dir` with what it is: a folder, a file's bytes, a link's target.
std::map<std::string, std::string> everything(const fs::path& dir) {
  std::map<std::string, std::string> m;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    const auto rel = fs::relative(it->path(), dir).generic_string();
    const auto st = it->symlink_status();
    if (fs::is_symlink(st)) m[rel] = "link -> " + fs::read_symlink(it->path()).string();
    else if (fs::is_directory(st)) m[rel] = "folder";
    else if (fs::is_regular_file(st)) m[rel] = "file: " + test::read_file(it->path());
    else m[rel] = "other";
  }
  return m;
}

std::map<std::string, std::string> without(std::map<std::string, std::string> m, const std::vector<std::string>& prefixes) {
  std::erase_if(m, [&](const auto& kv) {
    return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) {
      return kv.first == p || kv.first.starts_with(p + "/");
    });
  });
  return m;
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

const std::string template_file = "cdk.out/DrPrimary-dev.template.json";

std::vector<Case> cases() {
  std::vector<Case> c;
  auto synth = [](std::string out) { return std::vector<std::string>{"synth", "-q", "-o", std::move(out)}; };
  // ---- folders drsynth must not replace ---------------------------------------
  c.push_back({.name = "-o . in a project folder", .args = synth("."), .code = "E407", .contains = {"working folder"}});
  c.push_back({.name = "-o .. above the project folder", .args = synth(".."), .code = "E407"});
  c.push_back({.name = "-o / (a parent of every folder)", .args = synth("/"), .code = "E407"});
  c.push_back({.name = "CDK_OUTDIR=. with a bare drsynth", .args = {}, .cdk_outdir = ".", .code = "E407"});
  c.push_back({.name = "-o a folder of the user's documents", .args = synth("docs"),
               .setup = [](const fs::path& p) { write(p / "docs/guide.md", "# guide\n"); write(p / "docs/img/logo.svg", "<svg/>"); },
               .code = "E404", .contains = {"docs is not empty and holds no assembly drsynth wrote", "guide.md, img/"}});
  c.push_back({.name = "-o the source folder", .args = synth("src"), .code = "E404", .contains = {"main.cpp"}});
  c.push_back({.name = "an assembly with a file the user added", .args = synth("cdk.out"),
               .setup = [](const fs::path& p) { write(p / "cdk.out/notes.txt", "mine\n"); },
               .code = "E405", .contains = {"notes.txt (not written by drsynth)"}});
  c.push_back({.name = "an assembly with a folder the user added", .args = synth("cdk.out"),
               .setup = [](const fs::path& p) { fs::create_directories(p / "cdk.out/extra"); },
               .code = "E405", .contains = {"extra/ (not written by drsynth)"}});
  c.push_back({.name = "an assembly with a template the user made longer", .args = synth("cdk.out"),
               .setup = [](const fs::path& p) { std::ofstream(p / template_file, std::ios::app) << " "; },
               .code = "E405", .contains = {"DrPrimary-dev.template.json (changed since drsynth wrote it)"}});
  c.push_back({.name = "an assembly with a template edited in place, same size", .args = synth("cdk.out"),
               .setup = [](const fs::path& p) {
                 std::fstream f(p / template_file, std::ios::in | std::ios::out | std::ios::binary);
                 f.seekp(10);
                 f.put('X');
               },
               .code = "E405", .contains = {"(changed since drsynth wrote it)"}});
  c.push_back({.name = "an assembly with a symbolic link the user added", .args = synth("cdk.out"),
               .setup = [](const fs::path& p) { fs::create_symlink("../src", p / "cdk.out/src-link"); },
               .code = "E405", .contains = {"src-link (not written by drsynth)"}});
  c.push_back({.name = "a folder of the user's with a copy of drsynth's marker", .args = synth("docs"),
               .setup = [](const fs::path& p) {
                 write(p / "docs/guide.md", "# guide\n");
                 fs::copy_file(p / "cdk.out/.drsynth-assembly.json", p / "docs/.drsynth-assembly.json");
               },
               .code = "E405", .contains = {"guide.md (not written by drsynth)"}});
  c.push_back({.name = "-o a symbolic link to the user's folder", .args = synth("out"),
               .setup = [](const fs::path& p) { write(p / "docs/guide.md", "x"); fs::create_directory_symlink("docs", p / "out"); },
               .code = "E404", .contains = {"guide.md"}});
  // ---- output paths ------------------------------------------------------------
  c.push_back({.name = "-o ''", .args = synth(""), .code = "E406", .contains = {"the output path (-o) is empty"}});
  c.push_back({.name = "CDK_OUTDIR='' with a bare drsynth", .args = {}, .cdk_outdir = "", .code = "E406",
               .contains = {"the output path (CDK_OUTDIR) is empty"}});
  c.push_back({.name = "-o with a newline at the end", .args = synth("out\n"), .code = "E406",
               .contains = {"control character", "\"out\\n\""}});
  c.push_back({.name = "-o with an escape sequence", .args = synth("out\x1b[2J"), .code = "E406", .contains = {"\"out\\x1b[2J\""}});
  c.push_back({.name = "deploy-plan -o with a tab", .args = {"deploy-plan", "-o", "a\tb"}, .code = "E406"});
  c.push_back({.name = "-o a symbolic link to nothing", .args = synth("out"),
               .setup = [](const fs::path& p) { fs::create_directory_symlink("missing", p / "out"); },
               .code = "E408", .contains = {"out -> missing"}});
  c.push_back({.name = "-o a file", .args = synth("drsynth.json"), .code = "E403"});
  c.push_back({.name = "-o below a file", .args = synth("drsynth.json/cdk.out"), .code = "E402"});
  // ---- settings paths and --s3-bucket --------------------------------------------
  c.push_back({.name = "--settings a FIFO without a writer", .args = {"list", "--settings", "fifo.json"},
               .setup = [](const fs::path& p) { REQUIRE(::mkfifo((p / "fifo.json").c_str(), 0644) == 0); },
               .code = "E541", .exit = cli::exit_user_error, .contains = {"fifo.json is not a regular file", "a FIFO"}});
  c.push_back({.name = "--settings a folder", .args = {"list", "--settings", "src"}, .code = "E541",
               .exit = cli::exit_user_error, .contains = {"a folder"}});
  c.push_back({.name = "--settings a device", .args = {"list", "--settings", "/dev/null"}, .code = "E541",
               .exit = cli::exit_user_error, .contains = {"a character device"}});
  c.push_back({.name = "drsynth.json that is a folder", .args = {"list"},
               .setup = [](const fs::path& p) { fs::remove(p / "drsynth.json"); fs::create_directory(p / "drsynth.json"); },
               .code = "E541", .exit = cli::exit_user_error, .contains = {"drsynth.json is not a regular file"}});
  c.push_back({.name = "--s3-bucket with upper case", .args = {"deploy-plan", "--s3-bucket", "Assets_{region}"},
               .code = "E543", .exit = cli::exit_user_error, .contains = {"\"Assets_eu-west-1\"", "lowercase"}});
  c.push_back({.name = "--s3-bucket empty", .args = {"deploy-plan", "--s3-bucket", ""}, .code = "E543",
               .exit = cli::exit_user_error, .contains = {"3 to 63 characters"}});
  c.push_back({.name = "--s3-bucket too long once the region is in", .args = {"deploy-plan", "--s3-bucket", std::string(55, 'a') + "-{region}"},
               .code = "E543", .exit = cli::exit_user_error, .contains = {"({region} replaced)"}});
  c.push_back({.name = "--s3-bucket shaped like an IP address", .args = {"deploy-plan", "--s3-bucket", "192.168.5.4"},
               .code = "E543", .exit = cli::exit_user_error, .contains = {"IP address"}});
  // ---- what drsynth must handle --------------------------------------------------
  c.push_back({.name = "a user file and folder named like temporaries stay", .args = synth("cdk.out"),
               .setup = [](const fs::path& p) {
                 write(p / ".cdk.out.tmp-999999-notes", "my notes\n");
                 write(p / ".cdk.out.tmp-999999-0/draft.txt", "a draft\n");
               },
               .may_change = {"project/cdk.out"}});
  c.push_back({.name = "a stale temporary folder of a killed run is removed", .args = synth("cdk.out"),
               .setup = [](const fs::path& p) {
                 write(p / ".cdk.out.tmp-999999-1/.drsynth-temporary", "drsynth-temporary/1\n999999\n");
                 write(p / ".cdk.out.tmp-999999-1/manifest.json", "{}");
               },
               .may_change = {"project/cdk.out", "project/.cdk.out.tmp-999999-1"},
               .after = [](const fs::path& p) { CHECK_FALSE(fs::exists(p / ".cdk.out.tmp-999999-1")); }});
  c.push_back({.name = "-o a symbolic link to an assembly is followed", .args = synth("cdk.out"),
               .setup = [](const fs::path& p) { fs::rename(p / "cdk.out", p / "real"); fs::create_directory_symlink("real", p / "cdk.out"); },
               .may_change = {"project/real"},
               .after = [](const fs::path& p) {
                 CHECK(fs::is_symlink(p / "cdk.out"));
                 CHECK(fs::exists(p / "real/manifest.json"));
               }});
  c.push_back({.name = "an empty folder is replaced", .args = synth("empty"),
               .setup = [](const fs::path& p) { fs::create_directory(p / "empty"); }, .may_change = {"project/empty"},
               .after = [](const fs::path& p) { CHECK(fs::exists(p / "empty/manifest.json")); }});
  c.push_back({.name = "a folder with only the AWS CDK CLI's lock files is replaced", .args = {},
               .setup = [](const fs::path& p) { write(p / "cdk.new/synth.lock", "1"); write(p / "cdk.new/read.1.1.lock", "1"); },
               .cdk_outdir = "cdk.new",
               .may_change = {"project/cdk.new"}, .after = [](const fs::path& p) { CHECK(fs::exists(p / "cdk.new/manifest.json")); }});
  c.push_back({.name = "an assembly of a drsynth before the marker is replaced", .args = synth("cdk.out"),
               .setup = [](const fs::path& p) { fs::remove(p / "cdk.out/.drsynth-assembly.json"); },
               .may_change = {"project/cdk.out"},
               .after = [](const fs::path& p) { CHECK(fs::exists(p / "cdk.out/.drsynth-assembly.json")); }});
  return c;
}

struct Chdir {
  fs::path old = fs::current_path();
  explicit Chdir(const fs::path& p) { fs::current_path(p); }
  ~Chdir() { fs::current_path(old); }
};

// <work>/project with src/, drsynth.json and the assembly of an earlier run in cdk.out.
void make_project(const fs::path& work, const fs::path& assembly) {
  write(work / "notes-beside-the-project.txt", "keep\n");
  write(work / "project/src/main.cpp", "int main() {}\n");
  write(work / "project/drsynth.json", "{}\n");
  fs::copy(assembly, work / "project/cdk.out", fs::copy_options::recursive);
}

}  // namespace

TEST_CASE("every bad output path or settings path is refused and nothing is touched; odd ones are handled", "[bad-output]") {
  test::TempDir base;
  REQUIRE(test::run_cli({"synth", "-q", "-o", (base.path / "assembly").string()}, patterns::define_default_system).code == 0);
  std::set<std::string> names;
  for (const auto& row : cases()) {
    INFO("case: " << row.name);
    CHECK(names.insert(row.name).second);
    test::TempDir work;
    make_project(work.path, base.path / "assembly");
    const fs::path project = work.path / "project";
    if (row.setup) row.setup(project);
    const auto before = everything(work.path);
    std::optional<test::ScopedEnv> env;
    if (row.cdk_outdir) env.emplace("CDK_OUTDIR", *row.cdk_outdir);
    test::CliResult r;
    {
      Chdir in(project);
      r = test::run_cli(row.args, patterns::define_default_system);
    }
    INFO("stderr: " << r.err);
    if (row.code.empty()) {
      CHECK(r.code == 0);
      CHECK(without(everything(work.path), row.may_change) == without(before, row.may_change));
    } else {
      CHECK(r.code == row.exit);
      CHECK_THAT(r.err, Catch::Contains("[drsynth." + row.code + "] <app>: "));
      CHECK(everything(work.path) == before);
    }
    for (const auto& text : row.contains) CHECK_THAT(r.err, Catch::Contains(text));
    if (row.after) row.after(project);
  }
}

namespace {
std::atomic<int> test_handler_got{0};
extern "C" void test_handler(int sig) { test_handler_got = sig; }
std::atomic<int> files_before_signal{0};
int signal_to_send = 0;
void send_signal_on_third_file(const fs::path&) {
  if (++files_before_signal == 3) ::raise(signal_to_send);
}
}  // namespace

TEST_CASE("SIGINT or SIGTERM during the write removes the temporary folder and exits with 128 + the signal", "[bad-output]") {
  for (const int sig : {SIGINT, SIGTERM}) {
    INFO("signal " << sig);
    test::TempDir work;
    const fs::path out = work.path / "cdk.out";
    REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system).code == 0);
    const auto before = everything(work.path);
    // An app with its own handler: drsynth cleans up, gives the signal back to
    // it, and fails with E409 (the default handler would end the process here).
    struct sigaction mine {}, old{};
    mine.sa_handler = test_handler;
    ::sigemptyset(&mine.sa_mask);
    REQUIRE(::sigaction(sig, &mine, &old) == 0);
    test_handler_got = 0;
    files_before_signal = 0;
    signal_to_send = sig;
    detail::before_write_hook = send_signal_on_third_file;
    const auto r = test::run_cli({"synth", "-q", "-o", out.string(), "-c", "environmentSuffix=next"}, patterns::define_default_system);
    detail::before_write_hook = nullptr;
    struct sigaction now {};
    ::sigaction(sig, &old, &now);
    CHECK(r.code == 128 + sig);
    CHECK_THAT(r.err, Catch::Contains("[drsynth.E409] <app>: interrupted by SIG") &&
                          Catch::Contains("the temporary folder was removed"));
    CHECK(test_handler_got == sig);           // raised again for the app's handler
    CHECK(now.sa_handler == test_handler);    // and that handler put back
    CHECK(files_before_signal >= 3);
    CHECK(everything(work.path) == before);   // previous assembly intact, no temporary left
  }
}

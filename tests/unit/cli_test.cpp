// The command line as library code: subcommands, context, settings, exit codes.
#include <sys/wait.h>

#include "drsynth/core/version.hpp"
#include "test_support.hpp"

using namespace drsynth;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
void app_with_suffix(App& app) {
  const std::string suffix = app.context_string("environmentSuffix", "dev");
  auto& s = app.add<Stack>("S", StackProps{.stack_name = "Stack-" + suffix, .env = {.region = "us-east-1"}});
  s.add<CfnResource>("Topic", CfnResourceProps{.type = "AWS::SNS::Topic", .properties = {{"TopicName", Value("t-" + suffix)}}});
  auto& w = app.add<Stack>("W", StackProps{.stack_name = "West-" + suffix, .env = {.region = "eu-west-1"}});
  w.add<CfnResource>("Queue", CfnResourceProps{.type = "AWS::SQS::Queue"});
}

// Runs the CLI with the working folder set to `dir` (for drsynth.json).
test::CliResult run_in(const fs::path& dir, std::vector<std::string> args) {
  const auto old = fs::current_path();
  fs::current_path(dir);
  auto r = test::run_cli(std::move(args), app_with_suffix);
  fs::current_path(old);
  return r;
}
}  // namespace

TEST_CASE("the version and help flags exit 0", "[cli]") {
  auto v = test::run_cli({"--version"}, app_with_suffix);
  CHECK(v.code == 0);
  CHECK_THAT(v.out, Catch::StartsWith("drsynth "));
  auto h = test::run_cli({"--help"}, app_with_suffix);
  CHECK(h.code == 0);
  CHECK_THAT(h.out, Catch::Contains("synth") && Catch::Contains("deploy-plan") && Catch::Contains("list"));
}

TEST_CASE("an app binary answers --version and --help with its own name and version", "[cli]") {
  const char* argv[] = {"orders-dr", "--version"};
  std::ostringstream out, err;
  CHECK(cli::run({.name = "orders-dr", .version = "2.3.0"}, 2, argv, app_with_suffix, out, err) == 0);
  CHECK_THAT(out.str(), Catch::StartsWith(std::string("orders-dr 2.3.0 (drsynth ") + version_string + ")"));
  const char* help[] = {"orders-dr", "--help"};
  std::ostringstream hout, herr;
  CHECK(cli::run({.name = "orders-dr", .version = "2.3.0"}, 2, help, app_with_suffix, hout, herr) == 0);
  CHECK_THAT(hout.str(), Catch::StartsWith("orders-dr: synthesizes its CloudFormation templates with drsynth"));
  const auto v = test::run_cli({"--version"}, app_with_suffix);  // drsynth itself: once
  CHECK_THAT(v.out, Catch::StartsWith(std::string("drsynth ") + version_string) && !Catch::Contains("(drsynth"));
}

TEST_CASE("an unknown option is a usage error with exit code 2", "[cli]") {
  auto r = test::run_cli({"synth", "--no-such-flag"}, app_with_suffix);
  CHECK(r.code == cli::exit_usage);
  CHECK_FALSE(r.err.empty());
}

TEST_CASE("context from the command line reaches the app and list prints stacks in deployment order", "[cli]") {
  auto r = test::run_cli({"list", "-c", "environmentSuffix=qa"}, app_with_suffix);
  CHECK(r.code == 0);
  CHECK(r.out == "Stack-qa  us-east-1\nWest-qa  eu-west-1\n");
}

TEST_CASE("drsynth.json in the working folder provides settings, -c overrides them", "[cli]") {
  test::TempDir dir;
  { std::ofstream(dir.path / "drsynth.json") << R"({"environmentSuffix": "fromfile"})"; }
  CHECK(run_in(dir.path, {"list"}).out.find("Stack-fromfile") != std::string::npos);
  CHECK(run_in(dir.path, {"list", "-c", "environmentSuffix=cli"}).out.find("Stack-cli") != std::string::npos);
}

TEST_CASE("invalid JSON in drsynth.json is an error naming the file and line", "[cli]") {
  test::TempDir dir;
  { std::ofstream(dir.path / "drsynth.json") << "{\n  \"environmentSuffix\": \"x\",\n  oops\n}\n"; }
  auto r = run_in(dir.path, {"synth", "-q"});
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("[drsynth.E505]") && Catch::Contains("drsynth.json:3"));
  CHECK_FALSE(fs::exists(dir.path / "cdk.out"));
}

TEST_CASE("a context value of the wrong type is an error naming the key", "[cli]") {
  // "-c environmentSuffix=42" is the string "42" (as typed); a JSON list is not a string.
  CHECK(test::run_cli({"list", "-c", "environmentSuffix=42"}, app_with_suffix).out.find("Stack-42") != std::string::npos);
  auto r = test::run_cli({"list", "-c", "environmentSuffix=[42]"}, app_with_suffix);
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("[drsynth.E501]") && Catch::Contains("'environmentSuffix' (-c)") && Catch::Contains("[42]"));
}

TEST_CASE("synth of selected stacks writes only those, an unknown stack name is an error listing the known ones", "[cli]") {
  test::TempDir dir;
  auto r = test::run_cli({"synth", "-q", "-o", (dir.path / "o").string(), "--stack", "West-dev"}, app_with_suffix);
  CHECK(r.code == 0);
  CHECK(fs::exists(dir.path / "o" / "West-dev.template.json"));
  CHECK_FALSE(fs::exists(dir.path / "o" / "Stack-dev.template.json"));
  auto bad = test::run_cli({"synth", "-q", "-o", (dir.path / "p").string(), "--stack", "Nope"}, app_with_suffix);
  CHECK(bad.code == cli::exit_user_error);
  CHECK_THAT(bad.err, Catch::Contains("Nope") && Catch::Contains("Stack-dev, West-dev"));
}

TEST_CASE("deploy-plan prints AWS CLI commands in dependency order", "[cli]") {
  auto r = test::run_cli({"deploy-plan"}, app_with_suffix);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("#!/usr/bin/env bash"));
  CHECK_THAT(r.out, Catch::Contains("aws cloudformation deploy --region 'us-east-1' --stack-name 'Stack-dev' "
                                    "--template-file 'Stack-dev.template.json' --capabilities CAPABILITY_NAMED_IAM"));
}

TEST_CASE("deploy-plan -o DIR runs the commands in DIR, and deploy.sh finds its own folder whatever its name", "[cli]") {
  test::TempDir dir;
  const fs::path out = dir.path / "my out";
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, app_with_suffix).code == 0);
  auto plan = test::run_cli({"deploy-plan", "-o", out.string()}, app_with_suffix);
  REQUIRE(plan.code == 0);
  CHECK_THAT(plan.out, Catch::Contains("CDPATH= cd -- '" + out.string() + "'\n"));
  CHECK_THAT(test::run_cli({"deploy-plan"}, app_with_suffix).out, Catch::Contains("CDPATH= cd -- 'cdk.out'\n"));
  // A fake aws that fails unless the template it is given is in the working folder.
  fs::create_directories(dir.path / "bin");
  std::ofstream(dir.path / "bin/aws") << "#!/usr/bin/env bash\nfor a; do case $a in *.template.json) [ -f \"$a\" ] || exit 9;; esac; done\n"
                                         "echo \"$*\" >> \"$AWS_CALLS\"\n";
  fs::permissions(dir.path / "bin/aws", fs::perms::owner_all);
  std::ofstream(dir.path / "plan.sh") << plan.out;
  const std::string env = "cd / && AWS_CALLS='" + (dir.path / "calls").string() + "' PATH='" + (dir.path / "bin").string() + ":'\"$PATH\" ";
  CHECK(std::system((env + "bash '" + (dir.path / "plan.sh").string() + "'").c_str()) == 0);
  CHECK_THAT(test::read_file(dir.path / "calls"), Catch::Contains("--stack-name Stack-dev"));
  // The assembly moved to a folder whose name ends in a newline, next to a
  // decoy without it: $(dirname "$0") would enter the decoy.
  const fs::path moved = dir.path / "moved\n";
  fs::rename(out, moved);
  fs::create_directory(dir.path / "moved");
  fs::remove(dir.path / "calls");
  CHECK(std::system((env + "'" + (moved / "deploy.sh").string() + "'").c_str()) == 0);
  CHECK_THAT(test::read_file(dir.path / "calls"), Catch::Contains("--stack-name West-dev"));
}

TEST_CASE("an unknown command is named, with a suggestion and the list of commands", "[cli]") {
  auto r = test::run_cli({"synthesize", "-o", "out"}, app_with_suffix);
  CHECK(r.code == cli::exit_usage);
  CHECK_THAT(r.err, Catch::StartsWith("error: unknown command 'synthesize' (did you mean 'synth'?)\n"));
  CHECK_THAT(r.err, Catch::Contains("commands: synth, list (ls), deploy-plan"));
  CHECK_FALSE(fs::exists("out"));
  auto odd = test::run_cli({"xyzzy\x1b[2J"}, app_with_suffix);
  CHECK(odd.code == cli::exit_usage);
  CHECK_THAT(odd.err, Catch::StartsWith("error: unknown command 'xyzzy\\x1b[2J'\n"));
  CHECK(test::run_cli({"ls"}, app_with_suffix).code == 0);  // an alias is a command
}

TEST_CASE("standard output on a full device fails the run with E542 and exit code 3", "[cli]") {
  test::TempDir dir;
  const std::string cmd = std::string("'") + DRSYNTH_BINARY + "' list > /dev/full 2> '" + (dir.path / "err").string() + "'";
  const int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == cli::exit_io_error);
  CHECK_THAT(test::read_file(dir.path / "err"), Catch::Contains("error: [drsynth.E542] <app>: cannot write to standard output"));
}

TEST_CASE("synth prints a summary, -v logs the phases", "[cli]") {
  test::TempDir dir;
  auto r = test::run_cli({"synth", "-v", "-o", (dir.path / "o").string()}, app_with_suffix);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("Synthesized 2 stacks") && Catch::Contains("Stack-dev.template.json"));
  CHECK_THAT(r.err, Catch::Contains("synthesized 2 stacks in"));
}

TEST_CASE("an exception from the app's own code is an internal error with exit code 70", "[cli]") {
  auto r = test::run_cli({"list"}, [](App&) { throw std::runtime_error("boom"); });
  CHECK(r.code == cli::exit_internal);
  CHECK_THAT(r.err, Catch::Contains("boom"));
}

TEST_CASE("an app built before the command line gets every subcommand but refuses context values", "[cli]") {
  App app({.read_environment = false});
  app_with_suffix(app);
  test::TempDir dir;
  const auto out = dir.path / "o";
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "drsynth");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream o, e;
    const int code = cli::run(app, static_cast<int>(argv.size()), argv.data(), o, e);
    return test::CliResult{code, o.str(), e.str()};
  };
  auto refused = run({"synth", "-q", "-o", out.string(), "-c", "environmentSuffix=qa"});
  CHECK(refused.code == cli::exit_user_error);
  CHECK_THAT(refused.err, Catch::Contains("[drsynth.E507]") && Catch::Contains("environmentSuffix=qa"));
  CHECK_FALSE(fs::exists(out));
  auto listed = run({"list"});
  CHECK(listed.code == 0);
  CHECK(listed.out == "Stack-dev  us-east-1\nWest-dev  eu-west-1\n");
  auto synthesized = run({"synth", "-q", "-o", out.string()});
  CHECK(synthesized.code == 0);
  CHECK(fs::exists(out / "Stack-dev.template.json"));
}

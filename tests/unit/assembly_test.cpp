// The cloud assembly on disk: manifest, templates, determinism, atomic writes.
#include <sys/stat.h>

#include "test_support.hpp"

using namespace drsynth;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
void two_regions(App& app) {
  const std::string suffix = app.context_string("environmentSuffix", "dev");
  auto& east = app.add<Stack>("East", StackProps{.stack_name = "East-" + suffix, .env = {.region = "us-east-1"}});
  auto& topic = east.add<CfnResource>(
      "Topic", CfnResourceProps{.type = "AWS::SNS::Topic", .properties = {{"TopicName", Value("t-" + suffix)}}});
  auto& west = app.add<Stack>("West", StackProps{.stack_name = "West-" + suffix, .env = {.region = "eu-west-1"}});
  auto& sub = west.add<CfnResource>("Sub", CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sub.set_property("TopicArn", topic.ref());
  sub.set_property("Protocol", "email");
  sub.set_property("Endpoint", "ops@example.com");
  sub.set_property("Region", "us-east-1");
}

void broken(App& app) {
  two_regions(app);
  app.add<Stack>("Bad", StackProps{.stack_name = "bad_name!", .env = {.region = "us-east-1"}});
}
}  // namespace

TEST_CASE("synth writes manifest.json, one template per stack, tree.json and deploy scripts", "[assembly]") {
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  auto r = test::run_cli({"synth", "-q", "-o", out.string()}, two_regions);
  REQUIRE(r.code == 0);
  CHECK(r.out.empty());
  auto manifest = test::read_json(out / "manifest.json");
  CHECK(manifest["version"] == "36.0.0");
  const auto& west = manifest["artifacts"]["West-dev"];
  CHECK(west["type"] == "aws:cloudformation:stack");
  CHECK(west["environment"] == "aws://unknown-account/eu-west-1");
  CHECK(west["properties"]["templateFile"] == "West-dev.template.json");
  CHECK(west["dependencies"] == json{"East-dev"});
  CHECK(manifest["artifacts"]["Tree"]["type"] == "cdk:tree");
  CHECK(fs::exists(out / "East-dev.template.json"));
  CHECK(test::read_json(out / "tree.json")["tree"]["children"]["East"]["children"]["Topic"]["attributes"]
                        ["aws:cdk:cloudformation:type"] == "AWS::SNS::Topic");
  const std::string deploy = test::read_file(out / "deploy.sh");
  const auto east_at = deploy.find("--stack-name 'East-dev'");
  const auto west_at = deploy.find("--stack-name 'West-dev'");
  CHECK(east_at != std::string::npos);
  CHECK(west_at > east_at);  // dependency order
  CHECK_THAT(deploy, Catch::Contains("aws cloudformation deploy --region 'eu-west-1'"));
  CHECK_THAT(deploy, Catch::Contains("--capabilities CAPABILITY_NAMED_IAM"));
  const std::string destroy = test::read_file(out / "destroy.sh");
  CHECK(destroy.find("'West-dev'") < destroy.find("'East-dev'"));  // reverse order
  struct stat st {};
  REQUIRE(::stat((out / "deploy.sh").c_str(), &st) == 0);
  CHECK((st.st_mode & S_IXUSR) != 0);
  // 2-space JSON with a final newline.
  const std::string text = test::read_file(out / "East-dev.template.json");
  CHECK(text.rfind("{\n  \"AWSTemplateFormatVersion\"", 0) == 0);
  CHECK(text.back() == '\n');
}

TEST_CASE("two synth runs give byte-identical files", "[assembly]") {
  test::TempDir dir;
  REQUIRE(test::run_cli({"synth", "-q", "-o", (dir.path / "a").string()}, two_regions).code == 0);
  REQUIRE(test::run_cli({"synth", "-q", "-o", (dir.path / "b").string()}, two_regions).code == 0);
  const auto a = test::snapshot(dir.path / "a");
  const auto b = test::snapshot(dir.path / "b");
  CHECK(a.size() == 7);
  CHECK(a == b);
}

TEST_CASE("the assembly's marker lists every file drsynth wrote with its size and SHA-256", "[assembly]") {
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, patterns::define_default_system).code == 0);
  const auto marker = test::read_json(out / ".drsynth-assembly.json");
  CHECK(marker["format"] == "drsynth-assembly/1");
  auto files = test::snapshot(out);
  files.erase(".drsynth-assembly.json");
  REQUIRE(marker["files"].size() == files.size());
  for (const auto& [name, bytes] : files) {
    INFO(name);
    REQUIRE(marker["files"].contains(name));
    CHECK(marker["files"][name]["bytes"] == bytes.size());
    CHECK(marker["files"][name]["sha256"] == sha256_hex(bytes));
  }
  CHECK(marker["folders"].size() >= 1);  // the Lambda code's asset folder
  for (const auto& f : marker["folders"]) CHECK(fs::is_directory(out / f.get<std::string>()));
}

TEST_CASE("a failing synthesis writes nothing and leaves an earlier assembly untouched", "[assembly]") {
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  auto fresh = test::run_cli({"synth", "-q", "-o", out.string()}, broken);
  CHECK(fresh.code == cli::exit_user_error);
  CHECK_FALSE(fs::exists(out));
  CHECK(fs::is_empty(dir.path));

  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, two_regions).code == 0);
  const auto before = test::snapshot(out);
  auto again = test::run_cli({"synth", "-q", "-o", out.string()}, broken);
  CHECK(again.code == cli::exit_user_error);
  CHECK_THAT(again.err, Catch::Contains("[drsynth.E202] Bad:"));
  CHECK(test::snapshot(out) == before);
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator{}) == 1);  // no temporaries left
}

TEST_CASE("a new synthesis replaces the previous assembly completely", "[assembly]") {
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, two_regions).code == 0);
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string(), "-c", "environmentSuffix=qa"}, two_regions).code == 0);
  CHECK(fs::exists(out / "East-qa.template.json"));
  CHECK_FALSE(fs::exists(out / "East-dev.template.json"));
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator{}) == 1);
}

TEST_CASE("an output path that is a file is an I/O error and the file is untouched", "[assembly]") {
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  { std::ofstream(out) << "keep me"; }
  auto r = test::run_cli({"synth", "-q", "-o", out.string()}, two_regions);
  CHECK(r.code == cli::exit_io_error);
  CHECK_THAT(r.err, Catch::Contains("[drsynth.E403]"));
  CHECK(test::read_file(out) == "keep me");
}

TEST_CASE("an unwritable output folder is an I/O error and leaves the old assembly", "[assembly]") {
  if (::geteuid() == 0) {
    // root writes anywhere: use a path below a file instead, which nobody can create.
    test::TempDir dir;
    { std::ofstream(dir.path / "file") << "x"; }
    auto r = test::run_cli({"synth", "-q", "-o", (dir.path / "file" / "cdk.out").string()}, two_regions);
    CHECK(r.code == cli::exit_io_error);
    CHECK_THAT(r.err, Catch::Contains("[drsynth.E402]"));
    return;
  }
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, two_regions).code == 0);
  const auto before = test::snapshot(out);
  fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec);
  auto r = test::run_cli({"synth", "-q", "-o", out.string()}, two_regions);
  fs::permissions(dir.path, fs::perms::owner_all);
  CHECK(r.code == cli::exit_io_error);
  CHECK(test::snapshot(out) == before);
}

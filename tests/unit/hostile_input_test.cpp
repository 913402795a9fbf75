// Issue 22: hostile and careless input. Each test is named after the
// behaviour it shows: nothing crashes, hangs or grows without bound, nothing
// reaches a shell or a terminal raw, no previous assembly is altered, and what
// CloudFormation would refuse is refused at synth time with a code and a path.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "drsynth/drsynth.hpp"
#include "drsynth/kms/key.hpp"
#include "core/read_back.hpp"
#include "synth/interrupt.hpp"
#include "test_support.hpp"

using namespace drsynth;
namespace fs = std::filesystem;

namespace {

Stack& stack_in(App& app, std::string id = "S", std::string region = "us-east-1") {
  const std::string name = id + "-dev";
  return app.add<Stack>(std::move(id), StackProps{.stack_name = name, .env = {.region = std::move(region)}});
}

CfnResource& topic(Construct& scope, std::string id) {
  return scope.add<CfnResource>(std::move(id), CfnResourceProps{.type = "AWS::SNS::Topic"});
}

std::vector<Diagnostic> errors_of(const std::function<void(App&)>& define) {
  App app;
  define(app);
  return test::synth_errors(app);
}

bool has(const std::vector<Diagnostic>& ds, const std::string& code, const std::string& path, const std::string& text = {}) {
  return std::any_of(ds.begin(), ds.end(), [&](const Diagnostic& d) {
    return d.code == code && d.path == path && d.format().find(text) != std::string::npos;
  });
}

std::string all(const std::vector<Diagnostic>& ds) {
  std::string s;
  for (const auto& d : ds) s += d.format() + "\n";
  return s;
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// A two-stack app: Base (a topic) and Data (a KMS key whose KeySpec forces a replacement).
std::function<void(App&)> two_stacks(std::string key_spec = "SYMMETRIC_DEFAULT") {
  return [key_spec](App& app) {
    topic(stack_in(app, "Base"), "Topic");
    auto& data = stack_in(app, "Data");
    data.add<CfnResource>("Key", CfnResourceProps{.type = "AWS::KMS::Key",
                                                  .properties = {{"KeySpec", Value(key_spec)},
                                                                 {"EnableKeyRotation", Value(false)}}})
        .apply_removal_policy(RemovalPolicy::destroy);
  };
}

// A process id that is not in use: a child that has exited and was reaped.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

// A hang guard, not a performance figure: a read that blocks (a FIFO, a
// device) never returns, so any bound tells it apart; the bound is generous
// so that a loaded machine or a sanitizer build does not fail it.
constexpr double hang_bound_seconds = 30;

template <class F>
double seconds(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// ---- regions and the deploy scripts ----------------------------------------

TEST_CASE("a stack region that is not an AWS region is refused with E206 naming the stack", "[hostile][region]") {
  for (const std::string region : {"us-east-1\ntouch PWNED\n#", "mars-1", "US-EAST-1", " us-east-1", "*", "us-east-1;id",
                                   "us-east-1 ", "$(id)", "us-east-99", "xx-east-1"}) {
    INFO(region);
    const auto ds = errors_of([&](App& app) { topic(stack_in(app, "S", region), "T"); });
    CHECK(has(ds, "E206", "S"));
    CHECK(all(ds).find('\n') == all(ds).size() - 1);  // one line: the newline is printed escaped
  }
  for (const std::string region : {"us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1", "ap-east-2"}) {
    INFO(region);
    CHECK(errors_of([&](App& app) { topic(stack_in(app, "S", region), "T"); }).empty());
  }
}

TEST_CASE("shell metacharacters in every value of deploy.sh, destroy.sh and deploy-plan execute nothing", "[hostile][scripts]") {
  // Every value that reaches the scripts, set (after synthesis, as a library
  // user may) to text full of what a shell acts on; the scripts then pass
  // bash -n and run against a fake aws on PATH without creating PWNED.
  const std::string evil = "x'\"$(touch PWNED)`touch PWNED`;touch PWNED #\n touch PWNED\r\\";
  test::TempDir dir;
  App app;
  auto& s = stack_in(app, "S");
  auto& bucket = s.add<CfnResource>("B", CfnResourceProps{.type = "AWS::S3::Bucket"});
  bucket.apply_removal_policy(RemovalPolicy::destroy);
  s.add_pre_destroy_step({.kind = Stack::PreDestroyStep::Kind::empty_bucket, .resource = &bucket, .reason = evil});
  using Step = Stack::PreDestroyStep;
  s.add_pre_destroy_step({.kind = Step::Kind::disarm_function, .resource = &bucket, .reason = evil,
                          .detail = Stack::DisarmFunction{.function_name = evil, .timeout_seconds = 0,
                                                          .lock_parameter = evil}});
  s.add_pre_destroy_step({.kind = Step::Kind::reset_weighted_record, .resource = &bucket, .reason = evil,
                          .detail = Stack::ResetWeightedRecord{.zone = &bucket, .health_check = &bucket,
                                                               .record_name = evil, .set_identifier = evil,
                                                               .weight = 100, .ttl = 30}});
  s.add_pre_destroy_step({.kind = Step::Kind::remove_global_secondaries, .resource = &bucket, .reason = evil,
                          .detail = Stack::RemoveGlobalSecondaries{.global_cluster_id = evil,
                                                                   .primary_cluster_id = evil}});
  s.add_pre_destroy_step({.kind = Step::Kind::delete_parameters, .resource = nullptr, .reason = evil,
                          .detail = Stack::DeleteParameters{.path = evil, .regions = {evil, evil}}});
  (void)s.assets_bucket();  // deploy.sh then needs a bucket per region
  auto& other = stack_in(app, "O");
  topic(other, "T");
  Assembly a = synthesize(app);
  for (auto& st : a.stacks) {
    st.region = "us-east-1" + evil;
    st.name += evil;
    st.template_file = st.name + ".template.json";
    st.dependencies = {evil};
  }
  const fs::path bin = dir.path / "bin";
  write(bin / "aws", "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$AWS_LOG\"\n");
  fs::permissions(bin / "aws", fs::perms::owner_all);
  const fs::path work = dir.path / ("work" + evil.substr(0, 30));
  fs::create_directories(work);
  int n = 0;
  for (const auto& [name, text] :
       {std::pair{"deploy.sh", deploy_script(a)}, std::pair{"destroy.sh", destroy_script(a)},
        std::pair{"plan.sh", deploy_script(a, {.assembly_dir = work.string(), .s3_bucket = "b-{region}" + evil})}}) {
    INFO(name << "\n" << text);
    const fs::path script = work / name;
    write(script, text);
    {
      test::ScopedEnv script_env("HOSTILE_SCRIPT", script.string());
      CHECK(std::system("bash -n \"$HOSTILE_SCRIPT\"") == 0);
    }
    for (const std::string bucket_name : {"", "b-{region}", "$(touch PWNED)"}) {
      // Paths and values through the environment: the command line itself holds no value.
      const std::string log = (dir.path / ("aws" + std::to_string(n++) + ".log")).string();
      test::ScopedEnv script_env("HOSTILE_SCRIPT", script.string());
      test::ScopedEnv log_env("AWS_LOG", log);
      test::ScopedEnv bucket_env("DRSYNTH_S3_BUCKET", bucket_name);
      const std::string cmd = "cd '" + dir.path.string() + "' && PATH='" + bin.string() +
                              "':/usr/bin:/bin bash \"$HOSTILE_SCRIPT\" >/dev/null 2>&1";
      (void)std::system(cmd.c_str());
      CHECK_FALSE(fs::exists(dir.path / "PWNED"));
      CHECK_FALSE(fs::exists(work / "PWNED"));
      // What aws received: the values as one argument each, unchanged.
      if (fs::exists(log)) CHECK_THAT(test::read_file(log), Catch::Contains("--region us-east-1x'\"$(touch PWNED)"));
    }
  }
  CHECK_THAT(deploy_script(a), Catch::Contains("(us-east-1x'\"$(touch PWNED)`touch PWNED`;touch PWNED #\\n touch PWNED\\r"));
}

TEST_CASE("messages escape bidi controls and line separators as well as control characters", "[hostile][escape]") {
  CHECK(escape_control_characters("a\u202Eb") == "a\\u202eb");
  CHECK(escape_control_characters("a\u2066b\u2069") == "a\\u2066b\\u2069");
  CHECK(escape_control_characters("x\u2028y") == "x\\u2028y");
  CHECK(escape_control_characters("\xEF\xBB\xBFz") == "\\ufeffz");
  CHECK(escape_control_characters("caf\u00e9 \u65e5\u672c") == "caf\u00e9 \u65e5\u672c");
  CHECK(escape_control_characters(escape_control_characters("a\x1b[2Jb")) == escape_control_characters("a\x1b[2Jb"));
}

TEST_CASE("a tag value with U+202E is refused and printed escaped in E410", "[hostile][escape]") {
  const auto ds = errors_of([](App& app) {
    auto& s = stack_in(app);
    topic(s, "T");
    s.set_tag("Owner", "abc\u202Edef");
  });
  REQUIRE(has(ds, "E410", "S"));
  CHECK(all(ds).find("\u202E") == std::string::npos);
  CHECK_THAT(all(ds), Catch::Contains("\\u202e"));
}

TEST_CASE("a fullwidth vertical line is refused in a tag like an ASCII one", "[hostile][tags]") {
  CHECK(has(errors_of([](App& app) {
              auto& s = stack_in(app);
              topic(s, "T");
              s.set_tag("Team", "a\uFF5Cb");
            }),
            "E410", "S"));
  const auto r = test::run_cli({"synth", "-q", "-o", "/nonexistent/never", "-c", "project=a\uFF5Cb"}, patterns::define_default_system);
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("setting 'project'"));
}

// ---- the previous assembly is never altered -------------------------------

TEST_CASE("a same-size hand edit of a template is found after a touch or chmod of the marker", "[hostile][reuse]") {
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, two_stacks()).code == 0);
  auto text = test::read_file(out / "Base-dev.template.json");
  const auto at = text.find("AWS::SNS::Topic");
  REQUIRE(at != std::string::npos);
  text.replace(at, 15, "AWS::SNS::Tqpic");  // same size
  write(out / "Base-dev.template.json", text);
  // The marker changes after the edit: its times say nothing about the files.
  ::chmod((out / ".drsynth-assembly.json").c_str(), 0600);
  ::chmod((out / ".drsynth-assembly.json").c_str(), 0644);
  ::utimensat(AT_FDCWD, (out / ".drsynth-assembly.json").c_str(), nullptr, 0);
  const auto before = test::snapshot(out);
  const auto r = test::run_cli({"synth", "-q", "-o", out.string()}, two_stacks());
  CHECK(r.code == cli::exit_io_error);
  CHECK_THAT(r.err, Catch::Contains("E405") && Catch::Contains("Base-dev.template.json (changed since drsynth wrote it)"));
  CHECK(test::snapshot(out) == before);
}

TEST_CASE("a run that fails under another umask leaves the previous assembly's modes as they were", "[hostile][reuse]") {
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, two_stacks()).code == 0);
  std::map<std::string, mode_t> modes;
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    modes[e.path().string()] = st.st_mode;
  }
  const mode_t old_mask = ::umask(077);
  static int writes = 0;
  writes = 0;
  detail::before_write_hook = [](const fs::path&) {
    if (++writes == 4) throw Error(Diagnostic{.code = "E402", .message = "disk full (test)"}, ErrorKind::io);
  };
  const auto r = test::run_cli({"synth", "-q", "-o", out.string()}, two_stacks());
  detail::before_write_hook = nullptr;
  ::umask(old_mask);
  CHECK(r.code == cli::exit_io_error);
  for (const auto& [path, mode] : modes) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    INFO(path);
    CHECK(st.st_mode == mode);
  }
  for (const auto& e : fs::directory_iterator(dir.path)) CHECK(e.path().filename() == "cdk.out");
}

TEST_CASE("a --stack run keeps the other stacks for the guard: S007 still fires on the next full run", "[hostile][guard]") {
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, two_stacks()).code == 0);
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string(), "--stack", "Base-dev"}, two_stacks()).code == 0);
  CHECK_FALSE(fs::exists(out / "Data-dev.template.json"));  // the manifest and scripts name Base only
  CHECK(fs::exists(out / ".drsynth-kept/Data-dev.template.json"));
  const auto before = test::snapshot(out);
  const auto r = test::run_cli({"synth", "-q", "-o", out.string()}, two_stacks("RSA_2048"));
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("[drsynth.S007] Data/Key: stateful resource AWS::KMS::Key"));
  CHECK(test::snapshot(out) == before);
  // And the diff sees Data as it was, not as a new stack.
  const auto d = test::run_cli({"diff", "-o", out.string(), "--color", "never"}, two_stacks());
  CHECK_THAT(d.out, !Catch::Contains("new stack"));
}

// ---- one bounded reader for everything read back ---------------------------

TEST_CASE("the bounded reader refuses FIFOs, devices and large files without blocking", "[hostile][reader]") {
  test::TempDir dir;
  const auto fifo = dir.path / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const double t = seconds([&] {
    CHECK(detail::read_regular_file(fifo, 100).status == detail::ReadBack::Status::not_regular);
    CHECK(detail::read_regular_file("/dev/zero", 100).status == detail::ReadBack::Status::not_regular);
  });
  CHECK(t < hang_bound_seconds);
  write(dir.path / "big", std::string(200, 'x'));
  CHECK(detail::read_regular_file(dir.path / "big", 100).status == detail::ReadBack::Status::too_large);
  CHECK(detail::read_regular_file(dir.path / "missing", 100).status == detail::ReadBack::Status::missing);
  CHECK(detail::json_nesting_problem(std::string(600, '[')).find("deeper than 512") != std::string::npos);
  CHECK(detail::json_nesting_problem("[\"[[[[\"]", 2).empty());  // brackets in strings do not count
}

namespace {
// A synthesized two-stack assembly in `out` to tamper with.
void previous(const fs::path& out) { REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, two_stacks()).code == 0); }
test::CliResult diff_against(const fs::path& dir) {
  return test::run_cli({"diff", "--against", dir.string(), "--color", "never"}, two_stacks());
}
// diff --against a previous assembly after `tamper` changed it: refused with `code` and `text`, without hanging.
void refused_after(const std::function<void(const fs::path&)>& tamper, const std::string& code, const std::string& text) {
  test::TempDir dir;
  const auto out = dir.path / "old";
  previous(out);
  tamper(out);
  test::CliResult r;
  CHECK(seconds([&] { r = diff_against(out); }) < hang_bound_seconds);
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains(code) && Catch::Contains(text));
}
void replace_with_fifo(const fs::path& p) {
  fs::remove(p);
  REQUIRE(::mkfifo(p.c_str(), 0600) == 0);
}
}  // namespace

TEST_CASE("diff refuses a manifest that is a FIFO without blocking", "[hostile][reader]") {
  refused_after([](const fs::path& out) { replace_with_fifo(out / "manifest.json"); }, "E453", "FIFO");
}

TEST_CASE("diff refuses a template that is a FIFO or a link to /dev/zero", "[hostile][reader]") {
  refused_after([](const fs::path& out) { replace_with_fifo(out / "Base-dev.template.json"); }, "E453", "FIFO");
  refused_after(
      [](const fs::path& out) {
        fs::remove(out / "Base-dev.template.json");
        fs::create_symlink("/dev/zero", out / "Base-dev.template.json");
      },
      "E453", "character device");
}

TEST_CASE("diff refuses 2,000 artifacts that name one template", "[hostile][reader]") {
  refused_after(
      [](const fs::path& out) {
        nlohmann::json m = test::read_json(out / "manifest.json");
        const auto one = m["artifacts"]["Base-dev"];
        for (int i = 0; i < 2000; ++i) m["artifacts"]["Copy" + std::to_string(i)] = one;
        write(out / "manifest.json", m.dump());
      },
      "E456", "two artifacts name the file Base-dev.template.json");
}

TEST_CASE("diff refuses more artifacts than it reads", "[hostile][reader]") {
  refused_after(
      [](const fs::path& out) {
        nlohmann::json m = test::read_json(out / "manifest.json");
        for (int i = 0; i < 10001; ++i) m["artifacts"]["N" + std::to_string(i)] = {{"type", "cdk:asset"}};
        write(out / "manifest.json", m.dump());
      },
      "E456", "artifacts, more than drsynth reads (10000)");
}

TEST_CASE("diff refuses a template larger than it reads", "[hostile][reader]") {
  refused_after([](const fs::path& out) { write(out / "Base-dev.template.json", std::string(17 * 1024 * 1024, ' ')); },
                "E454", "larger than drsynth reads");
}

TEST_CASE("diff and the guard refuse a template or tree.json nested 100,000 deep instead of crashing", "[hostile][reader]") {
  test::TempDir dir;
  const auto out = dir.path / "old";
  previous(out);
  const std::string deep = "{\"Resources\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  SECTION("template, diff --against") {
    write(out / "Base-dev.template.json", deep);
    const auto r = diff_against(out);
    CHECK(r.code == cli::exit_user_error);
    CHECK_THAT(r.err, Catch::Contains("E455") && Catch::Contains("nested deeper than 512 levels"));
  }
  SECTION("tree.json, diff --against") {
    write(out / "tree.json", std::string(100000, '{') + std::string(100000, '}'));
    const auto r = diff_against(out);
    CHECK(r.code == cli::exit_user_error);
    CHECK_THAT(r.err, Catch::Contains("E455"));
  }
  SECTION("template of a legacy assembly (no marker), the guard of synth") {
    write(out / "Base-dev.template.json", deep);
    fs::remove(out / ".drsynth-assembly.json");
    const auto r = test::run_cli({"synth", "-q", "-o", out.string()}, two_stacks());
    CHECK(r.code == cli::exit_user_error);
    CHECK_THAT(r.err, Catch::Contains("E455"));
  }
}

TEST_CASE("diff prints names from a previous assembly with their escape sequences escaped", "[hostile][escape]") {
  test::TempDir dir;
  const auto out = dir.path / "old";
  previous(out);
  nlohmann::json t = test::read_json(out / "Base-dev.template.json");
  t["Resources"]["Evil\x1b[2J\u202E"] = {{"Type", "AWS::SNS::Topic\x1b]0;pwned\x07"}};
  write(out / "Base-dev.template.json", t.dump());
  for (const std::string color : {"never", "always"}) {
    const auto r = test::run_cli({"diff", "--against", out.string(), "--color", color}, two_stacks());
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("Evil\\x1b[2J\\u202e"));
    CHECK(r.out.find("\u202E") == std::string::npos);
    CHECK(r.out.find("\x07") == std::string::npos);
    CHECK(r.out.find("\x1b]") == std::string::npos);
    if (color == "never") CHECK(r.out.find('\x1b') == std::string::npos);
  }
}

TEST_CASE("graph escapes construct ids with escape sequences in dot and mermaid", "[hostile][escape]") {
  auto define = [](App& app) { topic(stack_in(app), "Evil\x1b[31m\u202E"); };
  for (const std::string format : {"dot", "mermaid"}) {
    const auto r = test::run_cli({"graph", "--resources", "--format", format}, define);
    CHECK(r.code == 0);
    CHECK(r.out.find('\x1b') == std::string::npos);
    CHECK(r.out.find("\u202E") == std::string::npos);
  }
}

TEST_CASE("a probe CA bundle that is a FIFO, /dev/zero or PEM markers around garbage is refused", "[hostile][reader]") {
  test::TempDir dir;
  const auto fifo = dir.path / "ca.fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  write(dir.path / "garbage.pem", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
  for (const auto& [variant_name, code] : {std::pair{"rds-replica", "E813"}, std::pair{"aurora-global", "E829"}}) {
    const std::string variant = variant_name;  // a lambda below uses it: clang 14 captures no structured binding
    for (const auto& path : {fifo.string(), std::string("/dev/zero"), (dir.path / "garbage.pem").string()}) {
      INFO(variant << " " << path);
      test::CliResult r;
      CHECK(seconds([&] {
              r = test::run_cli({"list", "-c", std::string("variant=") + variant, "-c", "probeCaBundle=" + path},
                                patterns::define_default_system);
            }) < hang_bound_seconds);
      CHECK(r.code == cli::exit_user_error);
      CHECK_THAT(r.err, Catch::Contains(code) && Catch::Contains("probeCaBundle"));
    }
  }
}

TEST_CASE("diff --against \"\" and an empty CDK_OUTDIR are errors, not the default folder", "[hostile][cli]") {
  const auto r = test::run_cli({"diff", "--against", ""}, two_stacks());
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("E450") && Catch::Contains("--against names no folder"));
  test::ScopedEnv env("CDK_OUTDIR", "");
  const auto e = test::run_cli({"diff"}, two_stacks());
  CHECK(e.code == cli::exit_io_error);
  CHECK_THAT(e.err, Catch::Contains("E406") && Catch::Contains("CDK_OUTDIR"));
}

// ---- the construct tree ----------------------------------------------------

TEST_CASE("a construct tree 10,000 deep is refused at once with E112", "[hostile][tree]") {
  App app;
  Construct* at = &stack_in(app);
  const double t = seconds([&] {
    try {
      for (int i = 0; i < 10000; ++i) at = &at->add<Construct>("c");
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.diagnostics().front().code == "E112");
      CHECK_THAT(e.diagnostics().front().format(), Catch::Contains("at most 128 levels"));
    }
  });
  CHECK(t < hang_bound_seconds);
}

TEST_CASE("out of memory is reported as E459 naming the step, not as an internal error", "[hostile][cli]") {
  const auto r = test::run_cli({"list"}, [](App&) { throw std::bad_alloc(); });
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("[drsynth.E459]") && Catch::Contains("building the app's construct tree"));
  CHECK_THAT(r.err, !Catch::Contains("E900"));
}

// ---- what CloudFormation would refuse, at synth time -----------------------

TEST_CASE("a Ref to a resource built outside add<> is refused with E231", "[hostile][template]") {
  App app;
  auto& s = stack_in(app);
  CfnResource orphan(s, "Orphan", CfnResourceProps{.type = "AWS::SNS::Topic"});  // not added to the tree
  s.add<CfnResource>("User", CfnResourceProps{.type = "AWS::SNS::Subscription",
                                              .properties = {{"TopicArn", orphan.ref()}, {"Protocol", Value("sqs")}}});
  const auto ds = test::synth_errors(app);
  CHECK(has(ds, "E231", "S/User", "Ref names Orphan"));
}

TEST_CASE("a resource that depends on itself is refused with E232", "[hostile][template]") {
  const auto ds = errors_of([](App& app) {
    auto& t = topic(stack_in(app), "T");
    t.add_dependency(t);
  });
  CHECK(has(ds, "E232", "S/T", "depends on itself"));
}

TEST_CASE("two resources that depend on each other are refused with E232 naming both", "[hostile][template]") {
  const auto ds = errors_of([](App& app) {
    auto& s = stack_in(app);
    auto& a = topic(s, "A");
    auto& b = topic(s, "B");
    a.set_property("DisplayName", b.get_att("TopicName"));
    b.add_dependency(a);
  });
  REQUIRE(!ds.empty());
  CHECK(ds.front().code == "E232");
  CHECK_THAT(all(ds), Catch::Contains("S/A") && Catch::Contains("S/B") && Catch::Contains("cycle"));
}

TEST_CASE("an override that leaves a dangling Ref is refused with E231", "[hostile][template]") {
  const auto ds = errors_of([](App& app) {
    topic(stack_in(app), "T").add_override("Properties.DisplayName", Value::object({{"Ref", Value("Nope")}}));
  });
  CHECK(has(ds, "E231", "S/T", "Ref names Nope"));
}

TEST_CASE("overrides that break the template's shape are refused with E234", "[hostile][template]") {
  CHECK(has(errors_of([](App& app) { topic(stack_in(app), "T").add_override("Type", Value(42)); }), "E234", "S/T",
            "Type that is not a string"));
  CHECK(has(errors_of([](App& app) { topic(stack_in(app), "T").add_override("Properties", Value("x")); }), "E234", "S/T",
            "Properties that is not an object"));
  CHECK(has(errors_of([](App& app) { topic(stack_in(app), "T").set_deletion_policy("Bogus"); }), "E234", "S/T",
            "DeletionPolicy"));
  CHECK(has(errors_of([](App& app) {
              topic(stack_in(app), "T").add_override("Properties.Tags", Value::object({{"", Value("x")}}));
            }),
            "E234", "S/T", "empty key"));
  CHECK(has(errors_of([](App& app) { topic(stack_in(app), "T").add_override("Bogus", Value("x")); }), "E234", "S/T",
            "attribute CloudFormation does not know"));
}

TEST_CASE("resource types that are not Service::Name::Type-shaped are refused with E233", "[hostile][template]") {
  for (const std::string type : {"", "not a type", "AWS::SNS", "AWS::SNS::Topic\n", "AWS::::Topic"}) {
    INFO(type);
    const auto ds = errors_of([&](App& app) {
      stack_in(app).add<CfnResource>("T", CfnResourceProps{.type = type});
    });
    CHECK(std::any_of(ds.begin(), ds.end(), [](const Diagnostic& d) { return d.code == "E233"; }));
  }
  CHECK(errors_of([](App& app) { stack_in(app).add<CfnResource>("T", CfnResourceProps{.type = "Custom::My-Thing"}); })
            .empty());
}

TEST_CASE("a stack with no resources is refused with E235", "[hostile][template]") {
  const auto ds = errors_of([](App& app) {
    topic(stack_in(app, "Full"), "T");
    stack_in(app, "Empty").add<CfnOutput>("Out", {.value = Value("x")});
  });
  CHECK(has(ds, "E235", "Empty"));
  CHECK_FALSE(has(ds, "E235", "Full"));
}

// ---- settings ---------------------------------------------------------------

TEST_CASE("applicationCidrs: a network listed twice or a set that adds up to the internet is refused", "[hostile][settings]") {
  auto run = [](const std::string& cidrs) {
    return test::run_cli({"list", "-c", "applicationCidrs=" + cidrs}, patterns::define_default_system);
  };
  const auto twice = run(R"(["10.1.0.0/16","10.1.0.0/16"])");
  CHECK(twice.code == cli::exit_user_error);
  CHECK_THAT(twice.err, Catch::Contains("E709") && Catch::Contains("setting 'applicationCidrs'") &&
                            Catch::Contains("twice"));
  const auto spelled = run(R"(["2001:db8::/32","2001:0db8:0::/32"])");
  CHECK_THAT(spelled.err, Catch::Contains("E709"));
  const auto world = run(R"(["0.0.0.0/1","128.0.0.0/1"])");
  CHECK(world.code == cli::exit_user_error);
  CHECK_THAT(world.err, Catch::Contains("E710") && Catch::Contains("setting 'applicationCidrs'") &&
                            Catch::Contains("whole internet"));
  const auto world6 = run(R"(["::/1","8000::/1"])");
  CHECK_THAT(world6.err, Catch::Contains("E710"));
  CHECK(run(R"(["10.1.0.0/16","10.2.0.0/16"])").code == 0);
}

TEST_CASE("a security group whose ingress networks add up to the internet is refused with E710", "[hostile][settings]") {
  const auto ds = errors_of([](App& app) {
    auto& s = stack_in(app);
    auto& vpc = s.add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.0/16"});
    auto& sg = s.add<ec2::SecurityGroup>("Sg", {.vpc = vpc, .description = "db"});
    sg.allow_from_cidr("0.0.0.0/2", "a").allow_from_cidr("64.0.0.0/2", "b").allow_from_cidr("128.0.0.0/1", "c");
  });
  CHECK(has(ds, "E710", "S/Sg", "together cover every address"));
}

TEST_CASE("setting lengths are counted in characters, as the messages say", "[hostile][settings]") {
  const std::string japanese = "\u65e5\u672c";  // 2 characters, 6 bytes
  std::string value;
  for (int i = 0; i < 100; ++i) value += japanese;  // 200 characters, 600 bytes
  CHECK(test::run_cli({"list", "-c", "project=" + value}, patterns::define_default_system).code == 0);
  const auto r = test::run_cli({"list", "-c", "project=" + value + value}, patterns::define_default_system);
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("400 characters"));
}

// ---- the output folder ------------------------------------------------------

TEST_CASE("a temporary left by a kill between creating it and writing its marker is removed by the next run", "[hostile][output]") {
  test::TempDir dir;
  const auto out = dir.path / "cdk.out";
  for (const std::string marker : {"", "drsynth-temp", "drsynth-temporary/1\n"}) {
    const auto tmp = dir.path / (".cdk.out.tmp-" + std::to_string(dead_pid()) + "-0");
    fs::create_directories(tmp);
    write(tmp / ".drsynth-temporary", marker);
    REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, two_stacks()).code == 0);
    CHECK_FALSE(fs::exists(tmp));
  }
  // A folder of the user's with that name and other contents stays.
  const auto mine = dir.path / (".cdk.out.tmp-" + std::to_string(dead_pid()) + "-0");
  write(mine / ".drsynth-temporary", "");
  write(mine / "notes.txt", "mine");
  REQUIRE(test::run_cli({"synth", "-q", "-o", out.string()}, two_stacks()).code == 0);
  CHECK(fs::exists(mine / "notes.txt"));
}

TEST_CASE("an output name too long for its temporary is refused with E406 before any work", "[hostile][output]") {
  test::TempDir dir;
  for (std::size_t n : {230u, 250u, 255u}) {
    const auto r = test::run_cli({"synth", "-q", "-o", (dir.path / std::string(n, 'o')).string()}, two_stacks());
    CHECK(r.code == cli::exit_io_error);
    CHECK_THAT(r.err, Catch::Contains("E406") && Catch::Contains("name is too long"));
  }
  CHECK(fs::is_empty(dir.path));
}

TEST_CASE("a umask that takes the owner's write permission is refused with E402 naming it", "[hostile][output]") {
  test::TempDir dir;
  const mode_t old = ::umask(0277);
  const auto r = test::run_cli({"synth", "-q", "-o", (dir.path / "cdk.out").string()}, two_stacks());
  ::umask(old);
  CHECK(r.code == cli::exit_io_error);
  CHECK_THAT(r.err, Catch::Contains("E402") && Catch::Contains("umask 0277"));
  CHECK(fs::is_empty(dir.path));
}

TEST_CASE("E807 prints the budget's steps on lines of their own", "[hostile][messages]") {
  const auto r = test::run_cli({"list", "-c", "recoveryTimeObjectiveSeconds=60"}, patterns::define_default_system);
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("E807") && !Catch::Contains("\\n"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') > 3);
}

TEST_CASE("E826 prints the failover budget's steps on lines of their own", "[hostile][messages]") {
  const auto r = test::run_cli({"list", "-c", "variant=aurora-global", "-c", "recoveryTimeObjectiveSeconds=60"},
                               patterns::define_default_system);
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("E826") && !Catch::Contains("\\n"));
}

TEST_CASE("synth > /dev/full says the new assembly was written", "[hostile][cli]") {
  test::TempDir dir;
  const std::string out = (dir.path / "cdk.out").string();
  std::vector<const char*> argv{"drsynth", "synth", "-o", out.c_str()};
  std::ostream full(nullptr);  // every write fails, like a full device
  std::ostringstream err;
  const int rc = cli::run(static_cast<int>(argv.size()), argv.data(), two_stacks(), full, err);
  CHECK(rc == cli::exit_io_error);
  CHECK_THAT(err.str(), Catch::Contains("E542") && Catch::Contains("the new assembly was written to " + out));
  CHECK(fs::exists(dir.path / "cdk.out/manifest.json"));
}

TEST_CASE("graph --format svg reports a dot killed by a signal as a signal", "[hostile][cli]") {
  test::TempDir dir;
  write(dir.path / "dot", "#!/bin/sh\nkill -9 $$\n");
  fs::permissions(dir.path / "dot", fs::perms::owner_all);
  test::ScopedEnv path("PATH", dir.path.string() + ":/usr/bin:/bin");
  const auto r = test::run_cli({"graph", "--format", "svg"}, two_stacks());
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("E452") && Catch::Contains("signal 9") && !Catch::Contains("exit status 0"));
}

TEST_CASE("E401 for an id that is not UTF-8 names the construct", "[hostile][messages]") {
  const auto ds = errors_of([](App& app) {
    auto& s = stack_in(app);
    topic(s, "T");
    s.add<Construct>("Group").add<Construct>("bad\xff");
  });
  REQUIRE(!ds.empty());
  CHECK(ds.front().code == "E401");
  CHECK_THAT(ds.front().format(), Catch::Contains("S/Group/bad\\xff"));
}

TEST_CASE("the diff summary says how many stacks are new", "[hostile][diff]") {
  test::TempDir dir;
  test::ScopedEnv outdir("CDK_OUTDIR", (dir.path / "none").string());
  const auto r = test::run_cli({"diff", "--color", "never"}, two_stacks());
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("2 stacks with differences (2 new)"));
}

TEST_CASE("settings of the other built-in system say which variant reads them", "[hostile][settings]") {
  const auto r = test::run_cli({"list", "-c", "secondaryRegion=us-west-2"}, patterns::define_default_system);
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("E510") && Catch::Contains("variant=aurora-global"));
  const auto a = test::run_cli({"list", "-c", "variant=aurora-global", "-c", "drRegion=us-west-2"},
                               patterns::define_default_system);
  CHECK_THAT(a.err, Catch::Contains("E510") && Catch::Contains("variant=rds-replica"));
}

TEST_CASE("deletionProtection=true says that destroyable=false is needed, once", "[hostile][settings]") {
  const auto r = test::run_cli({"list", "-c", "variant=aurora-global", "-c", "deletionProtection=true"},
                               patterns::define_default_system);
  CHECK(r.code == cli::exit_user_error);
  CHECK_THAT(r.err, Catch::Contains("setting 'deletionProtection'") && Catch::Contains("destroyable=false"));
  CHECK_THAT(r.err, Catch::Contains("[drsynth.E829]") && !Catch::Contains("[drsynth.S005]"));
  CHECK(test::run_cli({"list", "-c", "variant=aurora-global", "-c", "deletionProtection=true", "-c",
                       "destroyable=false", "-c", "alarmEmails=a@example.com"},
                      patterns::define_default_system)
            .code == 0);
}

TEST_CASE("every documented range is the one enforced, with one error naming the key", "[hostile][settings]") {
  struct Row {
    std::vector<std::string> args;
    std::string key;
  };
  const std::vector<Row> rows{
      {{"-c", "probeTimeoutSeconds=11"}, "probeTimeoutSeconds"},
      {{"-c", "variant=aurora-global", "-c", "probeTimeoutSeconds=30"}, "probeTimeoutSeconds"},
      {{"-c", "primaryVpcCidr=10.10.0.0/24"}, "primaryVpcCidr"},
      {{"-c", "variant=aurora-global", "-c", "primaryVpcCidr=10.30.0.0/23"}, "primaryVpcCidr"},
      {{"-c", "variant=aurora-global", "-c", "instanceClass=db.serverless", "-c", "minCapacityAcu=0.75"}, "minCapacityAcu"},
      {{"-c", "variant=aurora-global", "-c", "instanceClass=db.serverless", "-c", "minCapacityAcu=0.5000000000000001"},
       "minCapacityAcu"},
      {{"-c", "variant=aurora-global", "-c", "instanceClass=db.x2iedn.xlarge"}, "instanceClass"},
      {{"-c", "variant=aurora-global", "-c", "instanceClass=db.r6id.large"}, "instanceClass"},
  };
  for (const auto& row : rows) {
    std::vector<std::string> args{"list"};
    args.insert(args.end(), row.args.begin(), row.args.end());
    const auto r = test::run_cli(args, patterns::define_default_system);
    INFO(r.err);
    CHECK(r.code == cli::exit_user_error);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_THAT(r.err, Catch::Contains("setting '" + row.key + "'"));
  }
  const auto r6id = test::run_cli({"list", "-c", "variant=aurora-global", "-c", "instanceClass=db.r6id.large"},
                                  patterns::define_default_system);
  CHECK_THAT(r6id.err, Catch::Contains("db.r6id only as db.r6id.24xlarge, db.r6id.32xlarge"));
  CHECK(test::run_cli({"list", "-c", "probeTimeoutSeconds=10", "-c", "primaryVpcCidr=10.10.0.0/23", "-c",
                       "alarmEmails=a@example.com"},
                      patterns::define_default_system)
            .code == 0);
}

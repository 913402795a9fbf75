#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include <filesystem>
#include <fstream>
#include <memory>

#include "drsynth/core/asset.hpp"
#include "drsynth/assertions/template.hpp"
#include "drsynth/iam/role.hpp"
#include "drsynth/lambda/failover_function.hpp"
#include "drsynth/lambda/function.hpp"
#include "drsynth/lambda/health_probe.hpp"
#include "core/digest.hpp"
#include "ops_fixture.hpp"
#include "test_support.hpp"

using namespace drsynth;
using assertions::absent;
using assertions::array_with;
using assertions::Template;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

lambda::FunctionProps inline_function(std::string name = "fn-dev") {
  return lambda::FunctionProps{.function_name = std::move(name), .inline_code = "def handler(e, c):\n    return 1\n"};
}

}  // namespace

// ---- iam -----------------------------------------------------------------

TEST_CASE("a role is assumed by its service principal and keeps statements in ServiceRole/DefaultPolicy", "[iam]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  auto& role = s.add<iam::Role>("Worker", iam::RoleProps{.role_name = "worker-dev", .assumed_by = "lambda.amazonaws.com"});
  role.add_to_policy({.actions = {"sns:Publish"}, .resources = {"arn:aws:sns:eu-west-1:123456789012:t"}});
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::IAM::Role",
                            {{"RoleName", "worker-dev"},
                             {"AssumeRolePolicyDocument",
                              {{"Statement", json::array({{{"Effect", "Allow"},
                                                           {"Principal", {{"Service", "lambda.amazonaws.com"}}},
                                                           {"Action", "sts:AssumeRole"}}})}}}});
  const auto roles = t.find_resources("AWS::IAM::Role");
  REQUIRE(roles.size() == 1);
  const auto& policy = t.only_resource("AWS::IAM::Policy");
  CHECK(policy["Properties"]["Roles"] == json::array({{{"Ref", roles[0]}}}));
  CHECK(policy["Properties"]["PolicyName"] == t.find_resources("AWS::IAM::Policy")[0]);
  CHECK(policy["Properties"]["PolicyDocument"]["Statement"][0]["Action"] == "sns:Publish");
}

TEST_CASE("a wildcard action is an error unless the statement acknowledges it", "[iam]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  auto& role = s.add<iam::Role>("R", iam::RoleProps{.assumed_by = "lambda.amazonaws.com"});
  role.add_to_policy({.actions = {"s3:*"}, .resources = {"arn:aws:s3:::bucket/*"}});
  role.add_to_policy({.actions = {"sqs:*"},
                      .resources = {"arn:aws:sqs:eu-west-1:123456789012:q"},
                      .acknowledge_wildcard = "the queue is owned by this function"});
  const auto ds = ops_test::synth_errors(app);
  int e770 = 0;
  for (const auto& d : ds) e770 += d.code == "E770" ? 1 : 0;
  CHECK(e770 == 1);
  ops_test::require_error(app, "E770", "S/R", "s3:*");
}

TEST_CASE("resource * is an error unless every action only supports *", "[iam]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  auto& ok = s.add<iam::Role>("Ok", iam::RoleProps{.assumed_by = "lambda.amazonaws.com"});
  ok.add_to_policy({.actions = {"cloudwatch:PutMetricData"}, .resources = {"*"}});
  ok.add_to_policy({.actions = {"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"},
                    .resources = {"*"}});
  CHECK(ops_test::synth_errors(app).empty());

  App app2({.read_environment = false});
  auto& s2 = ops_test::make_lambda_stack(app2);
  auto& bad = s2.add<iam::Role>("Bad", iam::RoleProps{.assumed_by = "lambda.amazonaws.com"});
  bad.add_to_policy({.actions = {"cloudwatch:PutMetricData", "rds:PromoteReadReplica"}, .resources = {"*"}});
  ops_test::require_error(app2, "E771", "S/Bad", "*");
}

TEST_CASE("a statement without actions or resources is an error", "[iam]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  auto& role = s.add<iam::Role>("R", iam::RoleProps{.assumed_by = "lambda.amazonaws.com"});
  role.add_to_policy({.actions = {}, .resources = {}});
  role.add_to_policy({.actions = {"PromoteReadReplica"}, .resources = {"arn:aws:rds:eu-west-1:1:db:x"}});
  ops_test::require_error(app, "E772", "S/R", "[]");
  ops_test::require_error(app, "E773", "S/R", "[]");
  ops_test::require_error(app, "E774", "S/R", "PromoteReadReplica");
}

TEST_CASE("role name and principal are validated", "[iam]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  s.add<iam::Role>("R", iam::RoleProps{.role_name = std::string(65, 'r'), .assumed_by = "lambda"});
  ops_test::require_error(app, "E775", "S/R", "rrrr");
  ops_test::require_error(app, "E776", "S/R", "lambda");
}

// ---- lambda::Function ----------------------------------------------------

TEST_CASE("a function gets a ServiceRole with AWSLambdaBasicExecutionRole and a log group it writes to", "[lambda]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  s.add<lambda::Function>("Fn", inline_function());
  auto t = Template::from_app(app, "S");
  t.has_resource_properties(
      "AWS::IAM::Role",
      {{"ManagedPolicyArns",
        json::array({{{"Fn::Sub", "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}}})}});
  t.has_resource("AWS::Logs::LogGroup", {{"DeletionPolicy", "Delete"},
                                         {"UpdateReplacePolicy", "Delete"},
                                         {"Properties", {{"LogGroupName", "/aws/lambda/fn-dev"}, {"RetentionInDays", 14}}}});
  const auto lg = t.find_resources("AWS::Logs::LogGroup");
  REQUIRE(lg.size() == 1);
  t.has_resource_properties("AWS::Lambda::Function",
                            {{"FunctionName", "fn-dev"},
                             {"Runtime", "python3.12"},
                             {"Handler", "index.handler"},
                             {"Code", {{"ZipFile", "def handler(e, c):\n    return 1\n"}}},
                             {"LoggingConfig", {{"LogGroup", {{"Ref", lg[0]}}}}},
                             {"VpcConfig", absent()}});
}

TEST_CASE("a function in a VPC gets AWSLambdaVPCAccessExecutionRole and VpcConfig", "[lambda]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  auto props = inline_function();
  props.vpc = {.subnet_ids = {"subnet-1", "subnet-2"}, .security_group_ids = {"sg-1"}};
  s.add<lambda::Function>("Fn", props);
  auto t = Template::from_app(app, "S");
  t.has_resource_properties(
      "AWS::IAM::Role",
      {{"ManagedPolicyArns",
        json::array({{{"Fn::Sub", "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"}}})}});
  t.has_resource_properties("AWS::Lambda::Function",
                            {{"VpcConfig", {{"SubnetIds", {"subnet-1", "subnet-2"}}, {"SecurityGroupIds", {"sg-1"}}}}});
}

TEST_CASE("asset code is uploaded to deploy.sh's bucket, or to the CDK bootstrap bucket when none is given", "[lambda]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  auto& fn = s.add<lambda::Function>(
      "Fn", lambda::FunctionProps{.function_name = "fn-dev", .code_asset = ops_test::stub_runtime_dir() / "probe"});
  auto t = Template::from_app(app, "S");
  REQUIRE(fn.asset() != nullptr);
  t.has_resource_properties(
      "AWS::Lambda::Function",
      {{"Code", {{"S3Bucket", {{"Fn::If", {"AssetsBucketGiven", {{"Ref", "AssetsBucket"}},
                                             {{"Fn::Sub", "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"}}}}}},
                 {"S3Key", fn.asset()->zip_name()}}}});
  CHECK(t.json()["Parameters"]["AssetsBucket"]["Default"] == "");  // cdk deploy gives no parameters
  CHECK(t.json()["Conditions"]["AssetsBucketGiven"] ==
        json::parse(R"({"Fn::Not": [{"Fn::Equals": [{"Ref": "AssetsBucket"}, ""]}]})"));
}

TEST_CASE("a relative code folder the working folder lacks is read beside the app's source, wherever it runs",
          "[lambda][assets]") {
  // tests/data/asset_beside_source, written relative to this file (tests/unit/), from a working folder without it.
  test::TempDir elsewhere;
  const fs::path before = fs::current_path();
  fs::current_path(elsewhere.path);
  struct Back {
    fs::path to;
    ~Back() { fs::current_path(to); }
  } back{before};
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  auto& fn = s.add<lambda::Function>(
      "Fn", lambda::FunctionProps{.function_name = "fn-dev", .code_asset = "../data/asset_beside_source"});
  const Assembly a = synthesize(app);  // no E220
  REQUIRE(fn.asset() != nullptr);
  REQUIRE(fn.asset()->files().size() == 1);
  CHECK(fn.asset()->files()[0].relative_path == "index.py");
  CHECK(fn.asset()->source() == fs::path(DRSYNTH_SOURCE_DIR) / "tests/data/asset_beside_source");
  // A folder that is nowhere is still E220 with the path as given.
  App missing({.read_environment = false});
  ops_test::make_lambda_stack(missing).add<lambda::Function>(
      "Fn", lambda::FunctionProps{.function_name = "fn-dev", .code_asset = "no/such/folder"});
  const auto ds = ops_test::synth_errors(missing);
  bool e220 = false;
  for (const auto& d : ds) e220 = e220 || (d.code == "E220" && d.got.find("no/such/folder") != std::string::npos);
  CHECK(e220);
}

TEST_CASE("a stack with assets has an asset manifest in CDK's format, and the manifest artifacts that use it",
          "[lambda][assembly]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  auto& fn = s.add<lambda::Function>(
      "Fn", lambda::FunctionProps{.function_name = "fn-dev", .code_asset = ops_test::stub_runtime_dir() / "probe"});
  app.add<Stack>("Plain", StackProps{.env = {.region = "eu-west-1", .account = "111111111111"}})
      .add<CfnResource>("Topic", CfnResourceProps{.type = "AWS::SNS::Topic"});
  const Assembly a = synthesize(app);
  const StackArtifact& art = *a.find("S");
  CHECK(art.assets_file == "S.assets.json");
  CHECK(a.find("Plain")->assets_file.empty());  // no assets: nothing to publish, deployed as before
  const std::string zip = fn.asset()->zip_name();
  const std::string template_hash = detail::sha256_hex(art.template_text);
  const std::string region = art.region;
  const json destination = {
      {"bucketName", "cdk-hnb659fds-assets-${AWS::AccountId}-" + region},
      {"region", region},
      {"assumeRoleArn", "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-file-publishing-role-"
                        "${AWS::AccountId}-" + region}};
  json zip_destination = destination, template_destination = destination;
  zip_destination["objectKey"] = zip;
  template_destination["objectKey"] = template_hash + ".json";
  CHECK(json::parse(art.assets_text) ==
        json({{"version", "36.0.0"},
              {"dockerImages", json::object()},
              {"files",
               {{fn.asset()->hash(),
                 {{"source", {{"path", zip}, {"packaging", "file"}}},
                  {"destinations", {{"current_account-" + region, zip_destination}}}}},
                {template_hash,
                 {{"source", {{"path", "S.template.json"}, {"packaging", "file"}}},
                  {"destinations", {{"current_account-" + region, template_destination}}}}}}}}));
  const json manifest = json::parse(a.manifest_text);
  CHECK(manifest["artifacts"]["S.assets"] ==
        json::parse(R"({"type": "cdk:asset-manifest", "properties": {"file": "S.assets.json",
                        "requiresBootstrapStackVersion": 6,
                        "bootstrapStackVersionSsmParameter": "/cdk-bootstrap/hnb659fds/version"}})"));
  const json& stack = manifest["artifacts"]["S"];
  CHECK(stack["dependencies"] == json{"S.assets"});
  CHECK(stack["properties"]["additionalDependencies"] == json{"S.assets"});
  CHECK(stack["properties"]["assumeRoleArn"] ==
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-deploy-role-${AWS::AccountId}-" + region);
  CHECK(stack["properties"]["cloudFormationExecutionRoleArn"] ==
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-" + region);
  CHECK(stack["properties"]["stackTemplateAssetObjectUrl"] ==
        "s3://cdk-hnb659fds-assets-${AWS::AccountId}-" + region + "/" + template_hash + ".json");
  CHECK(stack["properties"]["requiresBootstrapStackVersion"] == 6);
  // The asset manifest comes right before its stack; a stack without assets keeps the plain artifact.
  std::vector<std::string> order;
  const auto in_order = nlohmann::ordered_json::parse(a.manifest_text);
  for (const auto& [id, _] : in_order["artifacts"].items()) order.push_back(id);
  CHECK(std::find(order.begin(), order.end(), "S.assets") + 1 == std::find(order.begin(), order.end(), "S"));
  CHECK_FALSE(manifest["artifacts"]["Plain"]["properties"].contains("assumeRoleArn"));
  CHECK_FALSE(manifest["artifacts"].contains("Plain.assets"));
}

TEST_CASE("an asset manifest of a stack with an account names the account, as cdk deploy would", "[lambda][assembly]") {
  App app({.read_environment = false});
  ops_test::stub_runtime_dir();
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "eu-west-1", .account = "111111111111"}});
  s.add<lambda::Function>(
      "Fn", lambda::FunctionProps{.function_name = "fn-dev", .code_asset = ops_test::stub_runtime_dir() / "probe"});
  const Assembly a = synthesize(app);
  const json files = json::parse(a.find("S")->assets_text)["files"];
  for (const auto& [id, f] : files.items()) {
    const json& d = f["destinations"]["111111111111-eu-west-1"];
    CHECK(d["bucketName"] == "cdk-hnb659fds-assets-111111111111-eu-west-1");
    CHECK(d["assumeRoleArn"] ==
          "arn:${AWS::Partition}:iam::111111111111:role/cdk-hnb659fds-file-publishing-role-111111111111-eu-west-1");
  }
  CHECK(json::parse(a.manifest_text)["artifacts"]["S"]["properties"]["assumeRoleArn"] ==
        "arn:${AWS::Partition}:iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-eu-west-1");
}

TEST_CASE("role policy statements make the function depend on the DefaultPolicy", "[lambda]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  auto& fn = s.add<lambda::Function>("Fn", inline_function());
  fn.add_to_role_policy({.actions = {"sns:Publish"}, .resources = {"arn:aws:sns:eu-west-1:123456789012:t"}});
  auto t = Template::from_app(app, "S");
  t.has_resource("AWS::Lambda::Function", {{"DependsOn", json::array({"FnServiceRoleDefaultPolicyC6A839BF"})}});
}

TEST_CASE("reserved concurrency and environment are rendered", "[lambda]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  auto props = inline_function();
  props.reserved_concurrency = 1;
  props.environment = {{"A", "1"}, {"B", Value::pseudo(Pseudo::region)}};
  s.add<lambda::Function>("Fn", props);
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::Lambda::Function",
                            {{"ReservedConcurrentExecutions", 1},
                             {"Environment", {{"Variables", {{"A", "1"}, {"B", {{"Ref", "AWS::Region"}}}}}}}});
}

TEST_CASE("environment variables added after construction join, a second value for a name replaces the first",
          "[lambda]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  auto props = inline_function();
  props.environment = {{"A", "1"}};
  auto& fn = s.add<lambda::Function>("Fn", props);
  fn.add_environment("C", "3");
  fn.add_environment("B", Value::pseudo(Pseudo::region));
  fn.add_environment("A", "one");
  auto t = Template::from_app(app, "S");
  const auto& vars = t.json()["Resources"][t.find_resources("AWS::Lambda::Function", json::object()).at(0)]["Properties"]["Environment"]["Variables"];
  CHECK(vars == json{{"A", "one"}, {"B", {{"Ref", "AWS::Region"}}}, {"C", "3"}});

  App bare({.read_environment = false});
  auto& fn2 = ops_test::make_lambda_stack(bare).add<lambda::Function>("Fn", inline_function());
  fn2.add_environment("ONLY", "x");
  Template::from_app(bare, "S").has_resource_properties("AWS::Lambda::Function",
                                                        {{"Environment", {{"Variables", {{"ONLY", "x"}}}}}});
}

TEST_CASE("bad function props are reported together", "[lambda]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  s.add<lambda::Function>("Fn", lambda::FunctionProps{.function_name = "bad name!",
                                                      .runtime = "java21",
                                                      .handler = "com.x.Handler",
                                                      .inline_code = "class X {}",
                                                      .timeout_seconds = 901,
                                                      .memory_mb = 64,
                                                      .environment = {{"1BAD", "x"}},
                                                      .vpc = {.subnet_ids = {"subnet-1"}},
                                                      .reserved_concurrency = -1,
                                                      .log_retention_days = 10});
  ops_test::require_error(app, "E760", "S/Fn", "bad name!");
  ops_test::require_error(app, "E761", "S/Fn", "901");
  ops_test::require_error(app, "E762", "S/Fn", "64");
  ops_test::require_error(app, "E763", "S/Fn", "java21");
  ops_test::require_error(app, "E763", "S/Fn", "com.x.Handler");
  ops_test::require_error(app, "E764", "S/Fn", "-1");
  ops_test::require_error(app, "E765", "S/Fn", "10");
  ops_test::require_error(app, "E766", "S/Fn", "1BAD");
  ops_test::require_error(app, "E767", "S/Fn", "1 subnets");
}

TEST_CASE("a function needs exactly one kind of code", "[lambda]") {
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  s.add<lambda::Function>("None", lambda::FunctionProps{.function_name = "none"});
  auto both = inline_function("both");
  both.code_asset = ops_test::stub_runtime_dir() / "probe";
  s.add<lambda::Function>("Both", both);
  auto files_and_inline = inline_function("files-and-inline");
  files_and_inline.code_files = std::make_shared<const std::vector<AssetFile>>(
      std::vector<AssetFile>{{"index.py", "def handler(e, c):\n    return 1\n"}});
  s.add<lambda::Function>("FilesAndInline", files_and_inline);
  const auto ds = ops_test::synth_errors(app);
  CHECK(ops_test::find_diagnostic(ds, "E763", "S/None") != nullptr);
  CHECK(ops_test::find_diagnostic(ds, "E763", "S/Both") != nullptr);
  CHECK(ops_test::find_diagnostic(ds, "E763", "S/FilesAndInline") != nullptr);
}

TEST_CASE("runtime_dir honours DRSYNTH_RUNTIME_DIR", "[lambda]") {
  const auto dir = ops_test::stub_runtime_dir();
  CHECK(lambda::runtime_dir() == dir);
}

TEST_CASE("without DRSYNTH_RUNTIME_DIR the ready-made functions ship the handler code compiled into the library",
          "[lambda][runtime]") {
  namespace fs = std::filesystem;
  ops_test::stub_runtime_dir();  // sets DRSYNTH_RUNTIME_DIR once per process: before it is emptied here
  test::ScopedEnv compiled_in("DRSYNTH_RUNTIME_DIR", "");
  CHECK(lambda::runtime_dir().empty());
  App app({.read_environment = false});
  auto f = ops_test::build_failover_stack(app);
  for (const auto* fn : {static_cast<const lambda::Function*>(f.probe), static_cast<const lambda::Function*>(f.failover)}) {
    const std::string handler = fn == f.probe ? "probe" : "failover";
    const std::string package = fn == f.probe ? "drsynth_pgwire" : "drsynth_failover";
    INFO(handler);
    const Asset& code = *fn->asset();
    CHECK(code.source().empty());  // not read from any folder
    // Exactly the files of runtime/<handler>/ and runtime/<package>/ as
    // <package>/... (as an Asset of that folder with the package added reads
    // them), byte for byte.
    App reference({.read_environment = false});
    auto& rs = reference.add<Stack>("R", StackProps{.env = {.region = "eu-west-1"}});
    std::map<std::string, fs::path> package_files;
    const auto root = fs::path(DRSYNTH_SOURCE_DIR) / "runtime" / package;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      const std::string rel = fs::relative(e.path(), root).generic_string();
      if (e.is_regular_file() && rel.find("__pycache__") == std::string::npos) package_files[package + "/" + rel] = e.path();
    }
    REQUIRE_FALSE(package_files.empty());
    const auto& from_folder = rs.add<Asset>("Code", AssetProps{.path = fs::path(DRSYNTH_SOURCE_DIR) / "runtime" / handler,
                                                               .extra_files = package_files});
    REQUIRE_FALSE(from_folder.files().empty());
    REQUIRE(code.files().size() == from_folder.files().size());
    for (std::size_t i = 0; i < code.files().size(); ++i) {
      CHECK(code.files()[i].relative_path == from_folder.files()[i].relative_path);
      CHECK(code.files()[i].content == from_folder.files()[i].content);
      // The digests computed at build time are those of the bytes, handed
      // to the Asset with each file.
      CHECK(code.files()[i].sha256 == code.file_sha256()[i]);
      CHECK(code.file_sha256()[i] == sha256_hex(code.files()[i].content));
      CHECK(code.file_sha256()[i] == from_folder.file_sha256()[i]);
    }
    CHECK(code.hash() == from_folder.hash());
  }
}

TEST_CASE("an asset of files in memory hashes like a folder of the same files; empty or both is E220", "[asset]") {
  namespace fs = std::filesystem;
  test::TempDir dir;
  fs::create_directories(dir.path / "code" / "lib");
  std::ofstream(dir.path / "code" / "index.py") << "import lib.x\n";
  std::ofstream(dir.path / "code" / "lib" / "x.py") << "X = 1\n";
  App app({.read_environment = false});
  auto& s = ops_test::make_lambda_stack(app);
  const auto& folder = s.add<Asset>("Folder", AssetProps{.path = dir.path / "code"});
  // Given out of order: sorted like a folder's files.
  const auto files = std::make_shared<const std::vector<AssetFile>>(
      std::vector<AssetFile>{{"lib/x.py", "X = 1\n"}, {"index.py", "import lib.x\n"}});
  const auto& memory = s.add<Asset>("Memory", AssetProps{.files = files});
  CHECK(memory.hash() == folder.hash());
  CHECK(memory.files().front().relative_path == "index.py");
  CHECK(memory.size() == folder.size());
  s.add<Asset>("Empty", AssetProps{.files = std::make_shared<const std::vector<AssetFile>>()});
  s.add<Asset>("Both", AssetProps{.path = dir.path / "code", .files = files});
  const auto ds = ops_test::synth_errors(app);
  CHECK(ops_test::find_diagnostic(ds, "E220", "S/Empty") != nullptr);
  CHECK(ops_test::find_diagnostic(ds, "E220", "S/Both") != nullptr);
  CHECK(ops_test::find_diagnostic(ds, "E220", "S/Folder") == nullptr);
  CHECK(ops_test::find_diagnostic(ds, "E220", "S/Memory") == nullptr);
}

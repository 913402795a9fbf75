#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "drsynth/drsynth.hpp"

using namespace drsynth;

namespace {
std::vector<std::string_view> split(const std::string& path, std::vector<std::string>& storage) {
  storage.clear();
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/')) storage.push_back(part);
  return {storage.begin(), storage.end()};
}
}  // namespace

TEST_CASE("every path of cdk-logical-ids.tsv gets the logical ID aws-cdk-lib gave it", "[logical-id]") {
  std::ifstream in(DRSYNTH_TESTDATA_DIR "/cdk-logical-ids.tsv");
  REQUIRE(in.good());
  std::string line;
  int rows = 0;
  std::vector<std::string> storage;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    const std::string path = line.substr(0, tab);
    const std::string expected = line.substr(tab + 1);
    INFO("path " << path);
    CHECK(make_logical_id(split(path, storage)) == expected);
    ++rows;
  }
  CHECK(rows == 54);
}

TEST_CASE("logical IDs of elements come from their path below the stack", "[logical-id]") {
  App app({.read_environment = false});
  auto& stack = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& group = stack.add<Construct>("Vpc");
  auto& vpc = group.add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::EC2::VPC"});
  CHECK(vpc.logical_id() == "Vpc8378EB38");
  auto& top = stack.add<CfnOutput>("PrimaryEndpoint", CfnOutputProps{.value = "x"});
  CHECK(top.logical_id() == "PrimaryEndpoint");
  top.override_logical_id("Custom");
  CHECK(top.logical_id() == "Custom");
}

TEST_CASE("two elements with one logical ID in a stack are an error naming both paths", "[logical-id]") {
  App app({.read_environment = false});
  auto& stack = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& a = stack.add<CfnResource>("A", CfnResourceProps{.type = "AWS::SNS::Topic"});
  auto& b = stack.add<CfnResource>("B", CfnResourceProps{.type = "AWS::SNS::Topic"});
  b.override_logical_id("A");
  try {
    (void)synthesize(app);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == "E301");
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains("S/B") && Catch::Contains("S/A"));
    (void)a;
  }
}

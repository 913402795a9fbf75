// The construct tree and values.
#include "test_support.hpp"

using namespace drsynth;
using nlohmann::json;

TEST_CASE("paths are the ids joined by '/' from below the app, children kept in insertion order", "[tree]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& g = s.add<Construct>("Group");
  g.add<Construct>("Zeta");
  g.add<Construct>("Alpha");
  CHECK(g.path() == "S/Group");
  REQUIRE(g.children().size() == 2);
  CHECK(g.children()[0]->id() == "Zeta");
  CHECK(g.children()[1]->path() == "S/Group/Alpha");
  CHECK(&g.stack() == &s);
}

TEST_CASE("duplicate, empty and slash ids are errors naming the path", "[tree]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  s.add<Construct>("Thing");
  try {
    s.add<Construct>("Thing");
    FAIL("duplicate id accepted");
  } catch (const Error& e) {
    CHECK(e.code() == "E103");
    CHECK_THAT(std::string(e.what()), Catch::Contains("S/Thing"));
  }
  try {
    s.add<Construct>("");
    FAIL("empty id accepted");
  } catch (const Error& e) {
    CHECK(e.code() == "E101");
    CHECK(e.diagnostics()[0].path == "S");
  }
  try {
    s.add<Construct>("a/b");
    FAIL("id with a slash accepted");
  } catch (const Error& e) {
    CHECK(e.code() == "E102");
    CHECK_THAT(std::string(e.what()), Catch::Contains("\"a/b\""));
  }
}

TEST_CASE("a scope with many children still finds every duplicate id", "[tree]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  for (int i = 0; i < 100; ++i) s.add<Construct>("C" + std::to_string(i));
  CHECK(s.find_child("C0") == s.children().front().get());
  CHECK(s.find_child("C99") == s.children().back().get());
  CHECK(s.find_child("C100") == nullptr);
  for (const char* taken : {"C0", "C15", "C16", "C99"}) {
    INFO(taken);
    try {
      s.add<Construct>(taken);
      FAIL("duplicate id accepted");
    } catch (const Error& e) {
      CHECK(e.code() == "E103");
      CHECK(e.diagnostics()[0].path == std::string("S/") + taken);
    }
  }
  CHECK(s.children().size() == 100);
}

TEST_CASE("two stacks with one stack name, or a stack named Tree, are errors (E305)", "[tree]") {
  App app({.read_environment = false});
  app.add<Stack>("A", StackProps{.stack_name = "Same", .env = {.region = "us-east-1"}});
  auto& scope = app.add<Construct>("Group");
  scope.add<Stack>("B", StackProps{.stack_name = "Same", .env = {.region = "eu-west-1"}});
  app.add<Stack>("Tree", StackProps{.env = {.region = "us-east-1"}});
  const auto errors = test::synth_errors(app);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].code == "E305");
  CHECK(errors[0].path == "Group/B");
  CHECK_THAT(errors[0].format(), Catch::Contains("(the other is A)") && Catch::Contains("Same"));
  CHECK(errors[1].code == "E305");
  CHECK(errors[1].path == "Tree");
}

TEST_CASE("a resource outside any stack is an error", "[tree]") {
  App app({.read_environment = false});
  try {
    app.add<CfnResource>("Loose", CfnResourceProps{.type = "AWS::SNS::Topic"});
    FAIL("resource outside a stack accepted");
  } catch (const Error& e) {
    CHECK(e.code() == "E105");
    CHECK(e.diagnostics()[0].path == "Loose");
  }
}

TEST_CASE("the tree is locked once synthesis starts", "[tree]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  s.add<CfnResource>("T", CfnResourceProps{.type = "AWS::SNS::Topic"});
  (void)synthesize(app);
  CHECK_THROWS_AS(s.add<Construct>("Late"), Error);
}

TEST_CASE("stack names and regions are validated, all problems reported together sorted by path", "[tree]") {
  App app({.read_environment = false});
  app.add<Stack>("Zed", StackProps{.stack_name = "9-bad-name", .env = {.region = "us-east-1"}});
  app.add<Stack>("Alpha", StackProps{.env = {.region = ""}});
  auto e = test::synth_error(app);
  REQUIRE(e.diagnostics().size() == 2);
  CHECK(e.diagnostics()[0].path == "Alpha");
  CHECK(e.diagnostics()[0].code == "E203");
  CHECK(e.diagnostics()[1].path == "Zed");
  CHECK(e.diagnostics()[1].code == "E202");
  CHECK_THAT(e.diagnostics()[1].format(), Catch::Contains("\"9-bad-name\""));
}

TEST_CASE("an account-agnostic stack renders its account as AWS::AccountId", "[values]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& t = s.add<CfnResource>("T", CfnResourceProps{.type = "AWS::SNS::Topic"});
  t.set_property("TopicName", s.format_arn("sns", Value("x")));
  auto a = synthesize(app);
  CHECK(a.find("S")->template_json()["Resources"]["T"]["Properties"]["TopicName"] ==
        json{{"Fn::Sub", "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:x"}});
  CHECK(a.find("S")->environment == "aws://unknown-account/us-east-1");
}

TEST_CASE("intrinsic helpers render CloudFormation's syntax", "[values]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1", .account = "123456789012"}});
  auto& t = s.add<CfnResource>("T", CfnResourceProps{.type = "AWS::SNS::Topic"});
  auto& r = s.add<CfnResource>("R", CfnResourceProps{.type = "Custom::Thing"});
  r.set_property("Join", Value::join("-", {Value("a"), t.ref()}));
  r.set_property("Select", Value::select(1, Value::get_azs()));
  r.set_property("Sub", Value::sub("${X}-${AWS::Region}", {{"X", t.get_att("TopicName")}}));
  r.set_property("Import", Value::import_value("name"));
  r.set_property("Pseudo", Value::pseudo(Pseudo::partition));
  r.set_property("Secret", Value::resolve_secretsmanager(t.ref(), "password"));
  r.set_property("Ssm", Value::resolve_ssm("/my/param"));
  r.set_property("Account", s.account_value());
  auto a = synthesize(app);
  const auto& p = a.find("S")->template_json()["Resources"]["R"]["Properties"];
  CHECK(p["Join"] == json::parse(R"({"Fn::Join":["-",["a",{"Ref":"T"}]]})"));
  CHECK(p["Select"] == json::parse(R"({"Fn::Select":[1,{"Fn::GetAZs":""}]})"));
  CHECK(p["Sub"] == json::parse(R"({"Fn::Sub":["${X}-${AWS::Region}",{"X":{"Fn::GetAtt":["T","TopicName"]}}]})"));
  CHECK(p["Import"] == json::parse(R"({"Fn::ImportValue":"name"})"));
  CHECK(p["Pseudo"] == json::parse(R"({"Ref":"AWS::Partition"})"));
  CHECK(p["Secret"] ==
        json::parse(R"({"Fn::Join":["",["{{resolve:secretsmanager:",{"Ref":"T"},":SecretString:password}}"]]})"));
  CHECK(p["Ssm"] == "{{resolve:ssm:/my/param}}");
  CHECK(p["Account"] == "123456789012");
}

TEST_CASE("resource attributes: DependsOn sorted, removal policy, overrides, condition, metadata", "[values]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& z = s.add<CfnResource>("Zed", CfnResourceProps{.type = "AWS::SNS::Topic"});
  auto& a = s.add<CfnResource>("Alpha", CfnResourceProps{.type = "AWS::SNS::Topic"});
  auto& r = s.add<CfnResource>("R", CfnResourceProps{.type = "AWS::SQS::Queue",
                                                      .properties = {{"QueueName", "q"}, {"Gone", "x"}}});
  r.add_dependency(z);
  r.add_dependency(a);
  r.add_dependency(a);
  r.apply_removal_policy(RemovalPolicy::destroy);
  r.add_override("Properties.RedrivePolicy.maxReceiveCount", 5);
  r.add_deletion_override("Properties.Gone");
  r.set_condition("IsProd");
  auto out = synthesize(app).find("S")->template_json()["Resources"]["R"];
  CHECK(out["DependsOn"] == json{"Alpha", "Zed"});
  CHECK(out["DeletionPolicy"] == "Delete");
  CHECK(out["UpdateReplacePolicy"] == "Delete");
  CHECK(out["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5);
  CHECK_FALSE(out["Properties"].contains("Gone"));
  CHECK(out["Condition"] == "IsProd");
}

TEST_CASE("inherited tags merge with a resource's own tags and Tags property, with and without overrides", "[values]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto make = [&](const char* id) -> CfnResource& {
    auto& r = s.add<CfnResource>(id, CfnResourceProps{.type = "AWS::SQS::Queue"});
    r.set_property("Tags", Value::array({Value::object({{"Key", "Explicit"}, {"Value", "e"}}),
                                         Value::object({{"Key", "Environment"}, {"Value", "mine"}})}));
    Tags::of(r).add("Owner", "team");
    return r;
  };
  make("Plain");
  make("Overridden").add_override("Properties.QueueName", "q");
  Tags::of(app).add("Environment", "outer").add("Project", "p");
  Tags::of(s).add("Owner", "stack");
  auto t = synthesize(app).find("S")->template_json()["Resources"];
  const json expected = json::parse(R"([{"Key":"Environment","Value":"mine"},{"Key":"Explicit","Value":"e"},)"
                                    R"({"Key":"Owner","Value":"team"},{"Key":"Project","Value":"p"}])");
  CHECK(t["Plain"]["Properties"]["Tags"] == expected);
  CHECK(t["Overridden"]["Properties"]["Tags"] == expected);
  CHECK(t["Overridden"]["Properties"]["QueueName"] == "q");
}

TEST_CASE("Tags::of applies to every taggable resource below the scope, the closest scope winning", "[values]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& q = s.add<CfnResource>("Q", CfnResourceProps{.type = "AWS::SQS::Queue"});
  auto& zone = s.add<CfnResource>("Zone", CfnResourceProps{.type = "AWS::Route53::HostedZone"});
  auto& perm = s.add<CfnResource>("Perm", CfnResourceProps{.type = "AWS::Lambda::Permission"});
  Tags::of(app).add("Project", "p").add("Environment", "outer");
  Tags::of(s).add("Environment", "inner");
  auto t = synthesize(app).find("S")->template_json()["Resources"];
  CHECK(t["Q"]["Properties"]["Tags"] ==
        json::parse(R"([{"Key":"Environment","Value":"inner"},{"Key":"Project","Value":"p"}])"));
  CHECK(t["Zone"]["Properties"]["HostedZoneTags"].size() == 2);
  CHECK_FALSE(t["Perm"].contains("Properties"));
  (void)q, (void)zone, (void)perm;
}

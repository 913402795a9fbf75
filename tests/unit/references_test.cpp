// References between stacks: same stack, same region, other region, other account.
#include <algorithm>

#include "test_support.hpp"

using namespace drsynth;
using nlohmann::json;

namespace {
struct ThreeStacks {
  App app{{.read_environment = false}};
  Stack& producer = app.add<Stack>("Producer", StackProps{.stack_name = "Producer", .env = {.region = "us-east-1"}});
  CfnResource& topic = producer.add<CfnResource>("Topic", CfnResourceProps{.type = "AWS::SNS::Topic"});
  Stack& same_region =
      app.add<Stack>("SameRegion", StackProps{.stack_name = "SameRegion", .env = {.region = "us-east-1"}});
  Stack& other_region =
      app.add<Stack>("OtherRegion", StackProps{.stack_name = "OtherRegion", .env = {.region = "eu-west-1"}});
  // CloudFormation refuses a stack without resources (E235): each consumer holds one of its own.
  CfnResource& same_region_topic = same_region.add<CfnResource>("Own", CfnResourceProps{.type = "AWS::SNS::Topic"});
  CfnResource& other_region_topic = other_region.add<CfnResource>("Own", CfnResourceProps{.type = "AWS::SNS::Topic"});
};
}  // namespace

TEST_CASE("a reference inside one stack renders Ref and Fn::GetAtt", "[references]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& q = s.add<CfnResource>("Queue", CfnResourceProps{.type = "AWS::SQS::Queue"});
  auto& sub = s.add<CfnResource>("Sub", CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sub.set_property("Endpoint", q.get_att("Arn"));
  sub.set_property("TopicArn", q.ref());
  auto a = synthesize(app);
  const auto& props = a.find("S")->template_json()["Resources"]["Sub"]["Properties"];
  CHECK(props["Endpoint"] == json{{"Fn::GetAtt", {"Queue", "Arn"}}});
  CHECK(props["TopicArn"] == json{{"Ref", "Queue"}});
  CHECK_FALSE(a.find("S")->template_json().contains("Outputs"));
  CHECK(a.find("S")->dependencies.empty());
}

TEST_CASE("a same-region reference becomes an Export in the producer and Fn::ImportValue in the consumer",
          "[references]") {
  ThreeStacks t;
  auto& sub = t.same_region.add<CfnResource>("Sub", CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sub.set_property("TopicArn", t.topic.ref());
  auto a = synthesize(t.app);
  const std::string output_id = "ExportsOutputRefTopicA7DE468A";  // what aws-cdk-lib names it
  CHECK(a.find("SameRegion")->template_json()["Resources"]["Sub"]["Properties"]["TopicArn"] ==
        json{{"Fn::ImportValue", "Producer:" + output_id}});
  CHECK(a.find("Producer")->template_json()["Outputs"][output_id] ==
        json{{"Value", {{"Ref", "Topic"}}}, {"Export", {{"Name", "Producer:" + output_id}}}});
  CHECK(a.find("SameRegion")->dependencies == std::vector<std::string>{"Producer"});
}

TEST_CASE("a cross-region reference becomes an output and Fn::GetStackOutput", "[references]") {
  ThreeStacks t;
  auto& sub = t.other_region.add<CfnResource>("Sub", CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sub.set_property("TopicArn", t.topic.get_att("TopicArn"));
  auto a = synthesize(t.app);
  const auto& value = a.find("OtherRegion")->template_json()["Resources"]["Sub"]["Properties"]["TopicArn"];
  REQUIRE(value.contains("Fn::GetStackOutput"));
  const auto& gso = value["Fn::GetStackOutput"];
  CHECK(gso["StackName"] == "Producer");
  CHECK(gso["Region"] == "us-east-1");
  const std::string output = gso["OutputName"];
  CHECK(output.rfind("ExportsOutputFnGetAttTopicTopicArn", 0) == 0);
  const auto& out = a.find("Producer")->template_json()["Outputs"][output];
  CHECK(out["Value"] == json{{"Fn::GetAtt", {"Topic", "TopicArn"}}});
  CHECK_FALSE(out.contains("Export"));  // no export needed (and none would work across regions)
  CHECK(a.find("OtherRegion")->dependencies == std::vector<std::string>{"Producer"});
}

TEST_CASE("a CfnOutput in another region may read an attribute (Fn::GetAtt) of the producer", "[references]") {
  // The output wraps the reference in an Fn::Join it builds while writing; the
  // attribute's name must outlive that Value (it once dangled: a crash or garbage).
  ThreeStacks t;
  t.other_region.add<CfnOutput>("TopicName", CfnOutputProps{.value = t.topic.get_att("TopicName")});
  auto a = synthesize(t.app);
  const auto& value = a.find("OtherRegion")->template_json()["Outputs"]["TopicName"]["Value"];
  const auto& gso = value["Fn::Join"][1][0]["Fn::GetStackOutput"];
  const std::string output = gso["OutputName"];
  CHECK(output.rfind("ExportsOutputFnGetAttTopicTopicName", 0) == 0);
  CHECK(a.find("Producer")->template_json()["Outputs"][output]["Value"] ==
        json{{"Fn::GetAtt", {"Topic", "TopicName"}}});
}

TEST_CASE("a CfnOutput in another region that references a producer renders Fn::GetStackOutput inside Fn::Join",
          "[references]") {
  // cfn-lint 1.51.0 refuses Fn::GetStackOutput as an output's Value (E6101); inside Fn::Join
  // both it and CloudFormation accept it (docs/architecture.md, "References between stacks").
  ThreeStacks t;
  t.other_region.add<CfnOutput>("PrimaryTopic", CfnOutputProps{.value = t.topic.ref()});
  t.other_region.add<CfnOutput>("Written", CfnOutputProps{.value = Value::get_stack_output("Producer", "Out", "us-east-1")});
  t.other_region.add<CfnOutput>("Joined", CfnOutputProps{.value = Value::join("/", {"arn", t.topic.ref()})});
  t.same_region.add<CfnOutput>("Imported", CfnOutputProps{.value = t.topic.ref()});
  auto a = synthesize(t.app);
  const auto& outputs = a.find("OtherRegion")->template_json()["Outputs"];
  const json gso = {{"Fn::GetStackOutput",
                     {{"StackName", "Producer"}, {"Region", "us-east-1"}, {"OutputName", "ExportsOutputRefTopicA7DE468A"}}}};
  CHECK(outputs["PrimaryTopic"]["Value"] == json{{"Fn::Join", {"", {gso}}}});
  CHECK(outputs["Written"]["Value"] ==
        json{{"Fn::Join",
              {"", {{{"Fn::GetStackOutput", {{"StackName", "Producer"}, {"Region", "us-east-1"}, {"OutputName", "Out"}}}}}}}});
  // Already inside a function: unchanged.
  CHECK(outputs["Joined"]["Value"] == json{{"Fn::Join", {"/", {"arn", gso}}}});
  // Same region: Fn::ImportValue is a string where an output's Value may be one.
  CHECK(a.find("SameRegion")->template_json()["Outputs"]["Imported"]["Value"] ==
        json{{"Fn::ImportValue", "Producer:ExportsOutputRefTopicA7DE468A"}});
}

TEST_CASE("an export name that depends on a resource, an import or another stack's output is E230", "[references]") {
  ThreeStacks t;
  auto& param = t.producer.add<CfnParameter>("Suffix", CfnParameterProps{});
  t.producer.add<CfnOutput>("ByResource", CfnOutputProps{.value = "x", .export_name = t.topic.ref()});
  t.other_region.add<CfnOutput>("ByOtherRegion",
                                CfnOutputProps{.value = "x", .export_name = Value::join("-", {"a", t.topic.ref()})});
  t.producer.add<CfnOutput>("ByImport", CfnOutputProps{.value = "x", .export_name = Value::import_value("Other:Name")});
  t.producer.add<CfnOutput>("Fine", CfnOutputProps{.value = "x", .export_name = Value::join("-", {Value::pseudo(Pseudo::stack_name), param.ref()})});
  const auto ds = test::synth_errors(t.app);
  auto has = [&](const std::string& path, const std::string& text) {
    return std::any_of(ds.begin(), ds.end(), [&](const Diagnostic& d) {
      return d.code == "E230" && d.path == path && d.format().find(text) != std::string::npos;
    });
  };
  CHECK(has("Producer/ByResource", "it refers to Producer/Topic"));
  CHECK(has("OtherRegion/ByOtherRegion", "it refers to Producer/Topic"));
  CHECK(has("Producer/ByImport", "it uses Fn::ImportValue"));
  CHECK(has("Producer/ByImport", "AWS::StackName"));
  CHECK(std::none_of(ds.begin(), ds.end(), [](const Diagnostic& d) { return d.path == "Producer/Fine"; }));
}

TEST_CASE("outputs created by the resolver are deduplicated: ten uses give one output", "[references]") {
  ThreeStacks t;
  for (int i = 0; i < 10; ++i) {
    auto& sub =
        t.other_region.add<CfnResource>("Sub" + std::to_string(i), CfnResourceProps{.type = "AWS::SNS::Subscription"});
    sub.set_property("TopicArn", t.topic.ref());
    auto& sub2 =
        t.same_region.add<CfnResource>("Sub" + std::to_string(i), CfnResourceProps{.type = "AWS::SNS::Subscription"});
    sub2.set_property("TopicArn", t.topic.ref());
  }
  auto a = synthesize(t.app);
  const auto& outputs = a.find("Producer")->template_json()["Outputs"];
  REQUIRE(outputs.size() == 1);
  // Used from both regions: one output, exported for the same-region importer.
  CHECK(outputs.begin().value().contains("Export"));
}

TEST_CASE("a reference to a stack in another known account is an error unless a reader role is given",
          "[references]") {
  App app({.read_environment = false});
  auto& p = app.add<Stack>("P", StackProps{.env = {.region = "us-east-1", .account = "111111111111"}});
  auto& topic = p.add<CfnResource>("Topic", CfnResourceProps{.type = "AWS::SNS::Topic"});
  auto& c = app.add<Stack>("C", StackProps{.env = {.region = "us-east-1", .account = "222222222222"}});
  auto& sub = c.add<CfnResource>("Sub", CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sub.set_property("TopicArn", topic.ref());
  auto e = test::synth_error(app);
  CHECK(test::has_diagnostic(e, "E304", "C/Sub", "111111111111"));

  App app2({.read_environment = false});
  auto& p2 = app2.add<Stack>("P", StackProps{.env = {.region = "us-east-1", .account = "111111111111"}});
  auto& topic2 = p2.add<CfnResource>("Topic", CfnResourceProps{.type = "AWS::SNS::Topic"});
  auto& c2 = app2.add<Stack>("C", StackProps{.env = {.region = "us-east-1", .account = "222222222222"},
                                             .cross_account_reader_role_arn = "arn:aws:iam::111111111111:role/reader"});
  auto& sub2 = c2.add<CfnResource>("Sub", CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sub2.set_property("TopicArn", topic2.ref());
  auto a = synthesize(app2);
  const auto& gso = a.find("C")->template_json()["Resources"]["Sub"]["Properties"]["TopicArn"]["Fn::GetStackOutput"];
  CHECK(gso["RoleArn"] == "arn:aws:iam::111111111111:role/reader");
}

TEST_CASE("a dependency cycle fails naming every stack and the construct paths of each edge", "[references]") {
  App app({.read_environment = false});
  auto& a = app.add<Stack>("A", StackProps{.env = {.region = "us-east-1"}});
  auto& b = app.add<Stack>("B", StackProps{.env = {.region = "eu-west-1"}});
  auto& ta = a.add<CfnResource>("TopicA", CfnResourceProps{.type = "AWS::SNS::Topic"});
  auto& tb = b.add<CfnResource>("TopicB", CfnResourceProps{.type = "AWS::SNS::Topic"});
  auto& sa = a.add<CfnResource>("SubA", CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sa.set_property("TopicArn", tb.ref());
  auto& sb = b.add<CfnResource>("SubB", CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sb.set_property("TopicArn", ta.ref());
  auto e = test::synth_error(app);
  REQUIRE(e.code() == "E303");
  const std::string msg = e.what();
  CHECK_THAT(msg, Catch::Contains("A -> B -> A"));
  CHECK_THAT(msg, Catch::Contains("A/SubA uses B/TopicB"));
  CHECK_THAT(msg, Catch::Contains("B/SubB uses A/TopicA"));
}

TEST_CASE("a stack that references itself is not a cycle", "[references]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& t = s.add<CfnResource>("Topic", CfnResourceProps{.type = "AWS::SNS::Topic"});
  auto& sub = s.add<CfnResource>("Sub", CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sub.set_property("TopicArn", t.ref());
  s.add_dependency(s);
  CHECK_NOTHROW(synthesize(app));
}

TEST_CASE("DependsOn on a resource of another stack becomes a stack dependency", "[references]") {
  ThreeStacks t;
  auto& q = t.same_region.add<CfnResource>("Queue", CfnResourceProps{.type = "AWS::SQS::Queue"});
  q.add_dependency(t.topic);
  auto a = synthesize(t.app);
  CHECK_FALSE(a.find("SameRegion")->template_json()["Resources"]["Queue"].contains("DependsOn"));
  CHECK(a.find("SameRegion")->dependencies == std::vector<std::string>{"Producer"});
}

TEST_CASE("stacks are ordered so that every stack comes after the stacks it depends on", "[references]") {
  App app({.read_environment = false});
  auto& late = app.add<Stack>("Late", StackProps{.env = {.region = "us-east-1"}});
  auto& early = app.add<Stack>("Early", StackProps{.env = {.region = "us-east-1"}});
  auto& topic = early.add<CfnResource>("Topic", CfnResourceProps{.type = "AWS::SNS::Topic"});
  auto& sub = late.add<CfnResource>("Sub", CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sub.set_property("TopicArn", topic.ref());
  auto a = synthesize(app);
  REQUIRE(a.stacks.size() == 2);
  CHECK(a.stacks[0].name == "Early");
  CHECK(a.stacks[1].name == "Late");
  auto manifest = json::parse(a.manifest_text);
  CHECK(manifest["artifacts"]["Late"]["dependencies"] == json{"Early"});
}

TEST_CASE("a reference to an element of another App is an error naming the referring construct (E302)",
          "[references]") {
  App other({.read_environment = false});
  auto& other_stack = other.add<Stack>("Other", StackProps{.env = {.region = "us-east-1"}});
  auto& foreign = other_stack.add<CfnResource>("T", CfnResourceProps{.type = "AWS::SNS::Topic"});
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  s.add<CfnResource>("Sub", CfnResourceProps{.type = "AWS::SNS::Subscription"})
      .set_property("TopicArn", foreign.ref());
  const auto errors = test::synth_errors(app);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].code == "E302");
  CHECK(errors[0].path == "S/Sub");
  CHECK_THAT(errors[0].format(), Catch::Contains("Ref(Other/T)"));
}

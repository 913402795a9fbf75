// The synthesis engine: element kinds write themselves through EntryWriter,
// overrides are a patch merged by that same writer, the safety rules come
// from one table, and bad text or a misused Value are drsynth Errors.
#include <random>

#include "drsynth/core/cfn_condition.hpp"
#include "drsynth/core/cfn_mapping.hpp"
#include "drsynth/core/entry_writer.hpp"
#include "core/safety_rules.hpp"
#include "test_support.hpp"

using namespace drsynth;
using nlohmann::json;

namespace {

Stack& stack(App& app, const std::string& id = "S", const std::string& region = "us-east-1") {
  return app.add<Stack>(id, StackProps{.env = {.region = region}});
}

json resource(App& app, const std::string& stack_name, const std::string& id) {
  return synthesize(app).find(stack_name)->template_json()["Resources"][id];
}

// An element kind written outside the engine, writing members out of order.
class Unsorted : public CfnElement {
 public:
  Unsorted(Construct& scope, std::string id) : CfnElement(scope, std::move(id)) {}
  std::string_view section() const noexcept override { return "Resources"; }
  void write(EntryWriter& w) const override {
    w.begin_entry();
    if (w.member("Type")) w.string("AWS::SNS::Topic");
    if (w.member("Properties", true)) w.object({});
    w.end_entry();
  }
};

}  // namespace

TEST_CASE("overrides are a patch: set creates objects, removal of what is absent changes nothing, order counts",
          "[engine]") {
  App app({.read_environment = false});
  auto& s = stack(app);
  auto& q = s.add<CfnResource>("Q", CfnResourceProps{.type = "AWS::SQS::Queue",
                                                      .properties = {{"QueueName", "q"},
                                                                     {"Scalar", "x"},
                                                                     {"Nested", Value::object({{"Keep", 1}, {"Drop", 2}})}}});
  q.add_override("Properties.New.Deep.Value", 1);      // objects created on the way
  q.add_override("Properties.Scalar.Inner", true);      // a string an override reaches into becomes an object
  q.add_deletion_override("Properties.Nested.Drop");   // removed
  q.add_deletion_override("Properties.Absent.Thing");  // nothing to remove: nothing appears
  q.add_override("Properties.Set", Value::object({{"A", 1}}));
  q.add_override("Properties.Set.B", 2);               // below a value an override set: merged into it
  q.add_override("Properties.Later.X", 1);
  q.add_override("Properties.Later", "replaced");      // the last override of a path wins
  q.add_deletion_override("Properties.Gone");
  q.add_override("Properties.Gone.Again", 3);          // set after a removal starts a new object
  q.add_override("Metadata.Note", "from an override"); // a member the resource did not have
  q.add_override("UpdateReplacePolicy", "Retain");
  const auto& other = s.add<CfnResource>("Other", CfnResourceProps{.type = "AWS::SQS::Queue"});
  q.add_override("Properties.QueueName", other.get_att("Arn"));  // references in overrides resolve
  const json r = resource(app, "S", "Q");
  CHECK(r == json::parse(R"({
    "Metadata": {"Note": "from an override"},
    "Properties": {
      "Gone": {"Again": 3},
      "Later": "replaced",
      "Nested": {"Keep": 1},
      "New": {"Deep": {"Value": 1}},
      "QueueName": {"Fn::GetAtt": ["Other", "Arn"]},
      "Scalar": {"Inner": true},
      "Set": {"A": 1, "B": 2}
    },
    "Type": "AWS::SQS::Queue",
    "UpdateReplacePolicy": "Retain"
  })"));
}

TEST_CASE("an override may replace or remove the inherited tags, or reach into them", "[engine]") {
  App app({.read_environment = false});
  auto& s = stack(app);
  Tags::of(s).add("Owner", "team");
  s.add<CfnResource>("Replaced", CfnResourceProps{.type = "AWS::SNS::Topic"})
      .add_override("Properties.Tags", Value::array({Value::object({{"Key", "Only"}, {"Value", "me"}})}));
  s.add<CfnResource>("Removed", CfnResourceProps{.type = "AWS::SNS::Topic"}).add_deletion_override("Properties.Tags");
  s.add<CfnResource>("Param", CfnResourceProps{.type = "AWS::SSM::Parameter", .properties = {{"Type", "String"}}})
      .add_override("Properties.Tags.Extra", "x");  // a map of tags: merged
  const json t = synthesize(app).find("S")->template_json()["Resources"];
  CHECK(t["Replaced"]["Properties"]["Tags"] == json::parse(R"([{"Key":"Only","Value":"me"}])"));
  CHECK(t["Removed"]["Properties"] == json::object());  // the object stays, without the member
  CHECK(t["Param"]["Properties"]["Tags"] == json::parse(R"({"Extra":"x","Owner":"team"})"));
}

TEST_CASE("overrides index lists as aws-cdk-lib does: merge into, set, remove, append", "[engine][overrides]") {
  App app({.read_environment = false});
  auto& s = stack(app);
  Tags::of(s).add("Owner", "team");
  const auto target = [](const char* id) { return Value::object({{"Arn", "arn:aws:sqs:us-east-1:111111111111:q"}, {"Id", id}}); };
  auto& rule = s.add<CfnResource>("Rule", CfnResourceProps{.type = "AWS::Events::Rule",
                                                            .properties = {{"ScheduleExpression", "rate(1 hour)"},
                                                                           {"Targets", Value::array({target("A"), target("B"), target("C")})},
                                                                           {"Map", Value::object({{"Keep", 1}})}}});
  rule.add_override("Properties.Targets.0.RetryPolicy.MaximumRetryAttempts", 3);  // merged into element 0
  rule.add_override("Properties.Targets.2.Id", "C2");                             // a member of element 2 replaced
  rule.add_deletion_override("Properties.Targets.1");                             // removed: no gap, no null
  rule.add_override("Properties.Targets.3", target("D"));                         // the rendered length appends
  rule.add_override("Properties.Targets.4.Id", "E");                              // and the next, built from nothing
  rule.add_override("Properties.Map.0", "zero");                                  // in an object a number is a key
  rule.add_override("Metadata.a\\.b", "dot");                                     // "\." is a dot inside a key
  auto& topic = s.add<CfnResource>("Topic", CfnResourceProps{.type = "AWS::SNS::Topic"});
  topic.add_override("Properties.Tags.0.Value", "overridden");  // the inherited tags are a list too
  auto& other = s.add<CfnResource>("Other", CfnResourceProps{.type = "AWS::SNS::Topic"});
  topic.add_dependency(other);
  topic.add_override("DependsOn.1", "Rule");                   // DependsOn is a list
  auto& set = s.add<CfnResource>("Set", CfnResourceProps{.type = "AWS::SNS::Topic"});
  set.add_override("Properties.List", Value::array({1, 2, 3}));
  set.add_override("Properties.List.1", 20);   // into a list an override set, at once
  set.add_deletion_override("Properties.List.0");  // there, a removal moves the rest up
  const json t = synthesize(app).find("S")->template_json()["Resources"];
  CHECK(t["Rule"] == json::parse(R"json({
    "Metadata": {"a.b": "dot"},
    "Properties": {
      "Map": {"0": "zero", "Keep": 1},
      "ScheduleExpression": "rate(1 hour)",
      "Tags": [{"Key": "Owner", "Value": "team"}],
      "Targets": [
        {"Arn": "arn:aws:sqs:us-east-1:111111111111:q", "Id": "A", "RetryPolicy": {"MaximumRetryAttempts": 3}},
        {"Arn": "arn:aws:sqs:us-east-1:111111111111:q", "Id": "C2"},
        {"Arn": "arn:aws:sqs:us-east-1:111111111111:q", "Id": "D"},
        {"Id": "E"}
      ]
    },
    "Type": "AWS::Events::Rule"
  })json"));
  CHECK(t["Topic"]["Properties"]["Tags"] == json::parse(R"([{"Key": "Owner", "Value": "overridden"}])"));
  CHECK(t["Topic"]["DependsOn"] == json::parse(R"(["Other", "Rule"])"));
  CHECK(t["Set"]["Properties"]["List"] == json::parse("[20, 3]"));
}

TEST_CASE("an override that indexes past a list's end, or where there is no list, is E236 naming it", "[engine][overrides]") {
  App app({.read_environment = false});
  auto& s = stack(app);
  const auto target = Value::object({{"Arn", "arn:aws:sqs:us-east-1:111111111111:q"}, {"Id", "A"}});
  auto rule = [&](const char* id) -> CfnResource& {
    return s.add<CfnResource>(id, CfnResourceProps{.type = "AWS::Events::Rule",
                                                   .properties = {{"Name", "r"}, {"Targets", Value::array({target})}}});
  };
  rule("Past").add_override("Properties.Targets.2.RetryPolicy.MaximumRetryAttempts", 3);
  rule("Absent").add_override("Properties.DeadLetters.0.Arn", "x");
  rule("Scalar").add_override("Properties.Name.0", "x");
  rule("Key").add_override("Properties.Targets.RetryPolicy", "x");
  auto& set = rule("InSet");
  set.add_override("Properties.Extra", Value::array({1}));
  set.add_override("Properties.Extra.5", 2);
  rule("Removal").add_deletion_override("Properties.Targets.7");  // nothing to remove: fine
  const auto e = test::synth_error(app);
  std::string all;
  for (const auto& d : e.diagnostics()) all += d.format() + "\n";
  INFO(all);
  CHECK(e.diagnostics().size() == 5);
  CHECK_THAT(all, Catch::Contains(
      "[drsynth.E236] S/Past: the override \"Properties.Targets.2.RetryPolicy.MaximumRetryAttempts\" indexes past the end "
      "of the list Properties.Targets (aws-cdk-lib would leave null elements in the gap, which CloudFormation refuses) "
      "(got index 2 of a list of 1, expected an index from 0 to 1 (1 appends an element))"));
  CHECK_THAT(all, Catch::Contains(
      "[drsynth.E236] S/Absent: the override \"Properties.DeadLetters.0.Arn\" indexes Properties.DeadLetters, which is not "
      "a list (aws-cdk-lib would write an object with a key \"0\" there, which CloudFormation refuses) (got no "
      "Properties.DeadLetters, expected a list at Properties.DeadLetters, or an override that sets the whole list)"));
  CHECK_THAT(all, Catch::Contains("[drsynth.E236] S/Scalar: the override \"Properties.Name.0\" indexes Properties.Name, "
                                  "which is not a list"));
  CHECK_THAT(all, Catch::Contains("(got \"r\", expected a list at Properties.Name"));
  CHECK_THAT(all, Catch::Contains("[drsynth.E236] S/Key: the override \"Properties.Targets.RetryPolicy\" names a key of "
                                  "Properties.Targets, which is a list (got key \"RetryPolicy\", expected an index from 0 to 1)"));
  CHECK_THAT(all, Catch::Contains("[drsynth.E236] S/InSet: the override \"Properties.Extra.5\" indexes past the end of the "
                                  "list Properties.Extra"));
}

TEST_CASE("the safety rules see what an overridden resource renders to", "[engine]") {
  App app({.read_environment = false});
  auto& s = stack(app);
  auto& logs = s.add<CfnResource>("Logs", CfnResourceProps{.type = "AWS::Logs::LogGroup",
                                                            .properties = {{"RetentionInDays", 30}}});
  logs.add_deletion_override("Properties.RetentionInDays");
  const auto e = test::synth_error(app);
  CHECK(test::has_diagnostic(e, "S006", "S/Logs", "keeps its logs forever"));
}

TEST_CASE("an element kind that writes its members out of order is E109, naming it", "[engine]") {
  App app({.read_environment = false});
  stack(app).add<Unsorted>("U");
  const auto e = test::synth_error(app);
  CHECK(e.code() == "E109");
  CHECK(e.kind() == ErrorKind::internal);
  CHECK(test::has_diagnostic(e, "E109", "S/U", "\"Properties\" out of order"));
}

TEST_CASE("CfnCondition: a Conditions entry, Condition on a resource, Fn::If in a property", "[engine][conditions]") {
  App app({.read_environment = false});
  auto& s = stack(app);
  auto& env = s.add<CfnParameter>("Env", CfnParameterProps{.allowed_values = {"dev", "prod"}});
  auto& is_prod = s.add<CfnCondition>("IsProd", {.expression = condition_equals(env.ref(), "prod")});
  auto& not_prod = s.add<CfnCondition>("NotProd", {.expression = condition_not(condition_ref(is_prod))});
  auto& topic = s.add<CfnResource>("Topic", CfnResourceProps{.type = "AWS::SNS::Topic"});
  topic.set_condition(is_prod);
  topic.set_property("DisplayName", fn_if(is_prod, "Production", Value::pseudo(Pseudo::no_value)));
  s.add<CfnResource>("Queue", CfnResourceProps{.type = "AWS::SQS::Queue"}).set_condition(not_prod);
  const Assembly a = synthesize(app);
  const json& t = a.find("S")->template_json();
  CHECK(t["Conditions"] == json::parse(R"({
    "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
    "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]}
  })"));
  CHECK(t["Resources"]["Topic"] == json::parse(R"({
    "Condition": "IsProd",
    "Properties": {"DisplayName": {"Fn::If": ["IsProd", "Production", {"Ref": "AWS::NoValue"}]}},
    "Type": "AWS::SNS::Topic"
  })"));
  CHECK(t["Resources"]["Queue"]["Condition"] == "NotProd");
  // The template's members in key order: Conditions between the version and Metadata.
  const std::string& text = a.find("S")->template_text;
  CHECK(text.find("\"AWSTemplateFormatVersion\"") < text.find("\"Conditions\""));
  CHECK(text.find("\"Conditions\"") < text.find("\"Metadata\""));
}

TEST_CASE("CfnCondition: bad expressions (E211, E212) and a condition of another stack (E213)", "[engine][conditions]") {
  App app({.read_environment = false});
  auto& a = stack(app, "A");
  auto& b = stack(app, "B");
  a.add<CfnCondition>("Empty", {});
  a.add<CfnCondition>("OneOr", {.expression = condition_or({condition_equals("a", "a")})});
  auto& there = a.add<CfnCondition>("There", {.expression = condition_equals("a", "b")});
  b.add<CfnResource>("T", CfnResourceProps{.type = "AWS::SNS::Topic"}).set_condition(there);
  const auto e = test::synth_error(app);
  CHECK(test::has_diagnostic(e, "E211", "A/Empty"));
  CHECK(test::has_diagnostic(e, "E212", "A/OneOr", "Fn::Or"));

  App other({.read_environment = false});
  auto& c = stack(other, "C");
  auto& d = stack(other, "D");
  auto& cond = c.add<CfnCondition>("Cond", {.expression = condition_equals("a", "b")});
  d.add<CfnResource>("T", CfnResourceProps{.type = "AWS::SNS::Topic"}).set_condition(cond);
  const auto e2 = test::synth_error(other);
  CHECK(test::has_diagnostic(e2, "E213", "D/T", "Conditions entry Cond of another stack"));
}

TEST_CASE("CfnMapping: a Mappings entry read with Fn::FindInMap; bad keys and values", "[engine][mappings]") {
  App app({.read_environment = false});
  auto& s = stack(app);
  auto& sizes = s.add<CfnMapping>("Sizes", {.mapping = {{"us-east-1", {{"Class", "db.r6g.large"}, {"Storage", 100}}},
                                                         {"eu-west-1", {{"Class", "db.r6g.xlarge"}, {"Storage", 200}}}}});
  s.add<CfnResource>("Param", CfnResourceProps{.type = "AWS::SSM::Parameter",
                                               .properties = {{"Type", "String"},
                                                              {"Value", sizes.find_in_map(Value::pseudo(Pseudo::region), "Class")}}});
  const json t = synthesize(app).find("S")->template_json();
  CHECK(t["Mappings"] == json::parse(R"({"Sizes": {
    "eu-west-1": {"Class": "db.r6g.xlarge", "Storage": 200},
    "us-east-1": {"Class": "db.r6g.large", "Storage": 100}}})"));
  CHECK(t["Resources"]["Param"]["Properties"]["Value"] ==
        json::parse(R"({"Fn::FindInMap": ["Sizes", {"Ref": "AWS::Region"}, "Class"]})"));

  App bad({.read_environment = false});
  auto& b = stack(bad);
  b.add<CfnMapping>("None", {});
  b.add<CfnMapping>("Bad", {.mapping = {{"a b", {{"ok", 1}}}, {"k", {{"v", Value::pseudo(Pseudo::region)}}}}});
  const auto e = test::synth_error(bad);
  CHECK(test::has_diagnostic(e, "E214", "S/None"));
  CHECK(test::has_diagnostic(e, "E215", "S/Bad", "\"a b\""));
  CHECK(test::has_diagnostic(e, "E216", "S/Bad", "k.v"));
}

TEST_CASE("one safety-rule table: acknowledge() accepts its rules, docs/errors.md documents each", "[engine][safety]") {
  const std::string docs = test::read_file(std::string(DRSYNTH_SOURCE_DIR) + "/docs/errors.md");
  App app({.read_environment = false});
  auto& s = stack(app);
  for (const auto& rule : detail::safety_rules()) {
    INFO(rule.id);
    CHECK_NOTHROW(s.acknowledge(std::string(rule.id), "a reason"));
    CHECK(docs.find("| " + std::string(rule.id) + " | " + std::string(rule.summary)) != std::string::npos);
  }
  try {
    s.acknowledge("S999", "why");
    FAIL("S999 was accepted");
  } catch (const Error& e) {
    CHECK(e.code() == "E108");
    CHECK_THAT(e.diagnostics().front().expected, Catch::Contains(detail::safety_rule_ids()));
  }
  CHECK(detail::action_requires_star_resource("CloudWatch:PutMetricData"));
  CHECK_FALSE(detail::action_requires_star_resource("rds:PromoteReadReplica"));
}

TEST_CASE("text is checked as UTF-8 exactly as nlohmann's dump() checks it, failing with E401", "[engine]") {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const int n = static_cast<int>(rng() % 6) + 1;
    for (int k = 0; k < n; ++k) {
      // Lead and continuation bytes at the edges of the valid ranges, and plain ASCII.
      static constexpr unsigned char bytes[] = {0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2,
                                                0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4,
                                                0xf5, 0xff, 0x0a, 0x22};
      s.push_back(static_cast<char>(bytes[rng() % sizeof bytes]));
    }
    INFO(json(std::vector<int>(s.begin(), s.end())).dump());
    std::optional<std::string> expected;
    try {
      expected = json(s).dump(2) + "\n";
    } catch (const json::type_error&) {
    }
    if (expected) {
      REQUIRE(to_file_text(json(s)) == *expected);
    } else {
      try {
        (void)to_file_text(json(s));
        FAIL("invalid UTF-8 was written");
      } catch (const Error& e) {
        REQUIRE(e.code() == "E401");
      }
    }
  }
}

TEST_CASE("a Value read as the wrong kind is Error E110, not std::logic_error", "[engine]") {
  const Value v(42);
  try {
    (void)v.as_string();
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == "E110");
    CHECK(e.kind() == ErrorKind::internal);
    CHECK(e.diagnostics().front().got == "42");
  }
}

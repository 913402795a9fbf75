// Golden files: whole templates and manifests compared byte for byte with
// tests/golden/<case>/. On a difference the test prints the first lines that
// differ. After an intended change, regenerate them with
//   DRSYNTH_UPDATE_GOLDEN=1 build/drsynth_tests "[golden]"
// and review the diff in git.
#include <set>

#include "drsynth/core/cfn_condition.hpp"
#include "drsynth/core/cfn_mapping.hpp"
#include "test_support.hpp"

using namespace drsynth;

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// "" when equal; else the first differing lines with a little context.
std::string difference(const std::string& expected, const std::string& actual) {
  if (expected == actual) return {};
  const auto e = lines(expected);
  const auto a = lines(actual);
  std::size_t i = 0;
  while (i < e.size() && i < a.size() && e[i] == a[i]) ++i;
  std::ostringstream out;
  out << "first difference at line " << i + 1 << ":\n";
  for (std::size_t k = i > 2 ? i - 2 : 0; k < i; ++k) out << "  " << e[k] << "\n";
  for (std::size_t k = i; k < std::min(e.size(), i + 5); ++k) out << "- " << e[k] << "\n";
  for (std::size_t k = i; k < std::min(a.size(), i + 5); ++k) out << "+ " << a[k] << "\n";
  return out.str();
}

void check_golden(const std::string& name, const Assembly& a) {
  const std::filesystem::path dir = std::filesystem::path(DRSYNTH_TEST_GOLDEN_DIR) / name;
  std::map<std::string, std::string> files{{"manifest.json", a.manifest_text}};
  for (const auto& s : a.stacks) files[s.template_file] = s.template_text;
  const char* update = std::getenv("DRSYNTH_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    for (const auto& [file, text] : files) std::ofstream(dir / file, std::ios::binary) << text;
  }
  std::set<std::string> on_disk;
  for (const auto& e : std::filesystem::directory_iterator(dir)) on_disk.insert(e.path().filename().string());
  for (const auto& [file, text] : files) {
    INFO(name << "/" << file);
    REQUIRE(on_disk.contains(file));
    const std::string diff = difference(test::read_file(dir / file), text);
    INFO(diff);
    CHECK(diff.empty());
    on_disk.erase(file);
  }
  INFO("golden files no test produces: " << on_disk.size());
  CHECK(on_disk.empty());
}

// A queue in `stack` subscribed to `topic`, which may live in another stack.
void subscribe_queue(Stack& stack, const CfnResource& topic, const std::string& name) {
  auto& queue = stack.add<CfnResource>(
      "Queue", CfnResourceProps{.type = "AWS::SQS::Queue", .properties = {{"QueueName", Value(name)}}});
  auto& sub = stack.add<CfnResource>("Subscription", CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sub.set_property("TopicArn", topic.ref());
  sub.set_property("Protocol", "sqs");
  sub.set_property("Endpoint", queue.get_att("Arn"));
}

}  // namespace

TEST_CASE("golden: references within a stack, across stacks of a region and across regions", "[golden]") {
  App app({.read_environment = false});
  auto& east = app.add<Stack>("East", StackProps{.stack_name = "GoldenEast", .env = {.region = "us-east-1"}});
  auto& topic = east.add<CfnResource>("Topic", CfnResourceProps{.type = "AWS::SNS::Topic"});
  east.add<CfnOutput>("TopicArn", CfnOutputProps{.value = topic.ref(), .description = "the topic"});
  subscribe_queue(app.add<Stack>("Consumer", StackProps{.stack_name = "GoldenEastConsumer", .env = {.region = "us-east-1"}}),
                  topic, "golden-east");
  subscribe_queue(app.add<Stack>("West", StackProps{.stack_name = "GoldenWest", .env = {.region = "eu-west-1"}}), topic,
                  "golden-west");
  Tags::of(app).add("Project", "golden");
  check_golden("references", synthesize(app));
}

TEST_CASE("golden: every element kind, resource attributes, tags and overrides", "[golden]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("Elements", StackProps{.env = {.region = "eu-west-1"}, .description = "every element kind"});
  auto& env = s.add<CfnParameter>("Env", CfnParameterProps{.default_value = Value("dev"),
                                                            .description = "the environment",
                                                            .allowed_values = {"dev", "prod"}});
  auto& token = s.add<CfnParameter>("Token", CfnParameterProps{.no_echo = true});
  auto& is_prod = s.add<CfnCondition>("IsProd", {.expression = condition_equals(env.ref(), "prod")});
  auto& sizes = s.add<CfnMapping>("Retention", {.mapping = {{"dev", {{"Days", 7}}}, {"prod", {{"Days", 30}}}}});
  auto& logs = s.add<CfnResource>("Logs", CfnResourceProps{.type = "AWS::Logs::LogGroup"});
  logs.set_property("RetentionInDays", sizes.find_in_map(env.ref(), "Days"));
  logs.set_property("LogGroupName", fn_if(is_prod, "/golden/prod", Value::pseudo(Pseudo::no_value)));
  logs.apply_removal_policy(RemovalPolicy::destroy);
  auto& topic = s.add<CfnResource>("Topic", CfnResourceProps{.type = "AWS::SNS::Topic"});
  topic.set_condition(is_prod);
  topic.add_dependency(logs);
  topic.set_property("DisplayName", token.ref());
  topic.suppress_lint("W1234", "a reason kept beside the suppression");
  topic.add_override("Properties.KmsMasterKeyId", "alias/aws/sns");
  Tags::of(s).add("Owner", "golden");
  s.add<CfnOutput>("LogsArn", CfnOutputProps{.value = logs.get_att("Arn"), .export_name = Value("golden-logs")});
  check_golden("elements", synthesize(app));
}

TEST_CASE("golden: overrides that index lists (aws-cdk-lib's addOverride paths)", "[golden]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.stack_name = "GoldenOverrides", .env = {.region = "us-east-1"}});
  Tags::of(s).add("Project", "golden");
  auto& queue = s.add<CfnResource>("Queue", CfnResourceProps{.type = "AWS::SQS::Queue"});
  auto& dead = s.add<CfnResource>("DeadLetters", CfnResourceProps{.type = "AWS::SQS::Queue"});
  const auto target = [&](const char* id) { return Value::object({{"Arn", queue.get_att("Arn")}, {"Id", id}}); };
  auto& rule = s.add<CfnResource>(
      "Rule", CfnResourceProps{.type = "AWS::Events::Rule",
                               .properties = {{"ScheduleExpression", "rate(5 minutes)"},
                                              {"Targets", Value::array({target("Probe"), target("Old")})}}});
  rule.add_override("Properties.Targets.0.RetryPolicy.MaximumRetryAttempts", 3);
  rule.add_override("Properties.Targets.0.DeadLetterConfig.Arn", dead.get_att("Arn"));
  rule.add_deletion_override("Properties.Targets.1");
  rule.add_override("Properties.Targets.2", target("New"));
  rule.add_override("Properties.Tags.0.Value", "overridden");
  // DependsOn is a list too (on resources the rule does not reference already: cfn-lint W3005).
  rule.add_dependency(s.add<CfnResource>("Topic", CfnResourceProps{.type = "AWS::SNS::Topic"}));
  s.add<CfnResource>("Archive", CfnResourceProps{.type = "AWS::SQS::Queue"});
  rule.add_override("DependsOn.1", "Archive");
  check_golden("overrides", synthesize(app));
}

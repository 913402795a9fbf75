// AWS limits checked before deployment: the tag rules (E410/E411) on every
// construct.
#include "synth/tag_rules.hpp"
#include "test_support.hpp"

using namespace drsynth;

TEST_CASE("tag rules follow AWS: lengths in characters, the allowed set, no aws: keys", "[aws-limits]") {
  using internal::tag_key_problem;
  using internal::tag_value_problem;
  CHECK(tag_key_problem("cost-center:team_a/b=c+d@e.f g").empty());
  CHECK(tag_value_problem("").empty());  // an empty value is allowed
  CHECK(tag_value_problem("Zürich Ωmega 東京 ２０２４").empty());  // letters and digits of any script
  CHECK(tag_key_problem(std::string(128, 'k')).empty());
  CHECK(tag_key_problem(std::string(129, 'k')) == "has 129 characters, more than 128");
  CHECK(tag_value_problem(std::string(256, 'v')).empty());
  CHECK(tag_value_problem(std::string(64, 'v') + std::string(192, 'e')).empty());
  // 256 characters of two bytes each: within the limit, which counts characters.
  std::string umlauts;
  for (int i = 0; i < 256; ++i) umlauts += "ü";
  CHECK(tag_value_problem(umlauts).empty());
  CHECK(tag_value_problem(umlauts + "ü") == "has 257 characters, more than 256");
  CHECK(tag_key_problem("") == "is empty");
  CHECK(tag_key_problem("aws:cloudformation:stack-name") == "starts with aws:, which AWS keeps for its own tags");
  CHECK(tag_key_problem("Aws:x") == "starts with aws:, which AWS keeps for its own tags");
  CHECK(tag_key_problem("awsx").empty());
  for (const auto& bad : std::vector<std::string>{"a\tb", "a\nb", std::string("a\0b", 3), "a\x1b[31m", "a\x7f", "a\xc2\x9b" "b"})
    CHECK(tag_value_problem(bad) == "holds a control character");
  CHECK(tag_value_problem("a|b") == "holds '|', not a letter, digit, space or _ . : / = + - @");
  CHECK(tag_value_problem("50 €") == "holds '€', not a letter, digit, space or _ . : / = + - @");
  CHECK(tag_value_problem("ok 👍") == "holds '👍', not a letter, digit, space or _ . : / = + - @");
  CHECK(tag_value_problem("a\xff") == "not UTF-8 text");
}

TEST_CASE("tags are checked where they are set, on every construct, and in explicit tags properties", "[aws-limits]") {
  App app({.read_environment = false});
  Tags::of(app).add("Team", "payments");
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  Tags::of(s).add("Bad", "x;y");
  auto& zone = s.add<CfnResource>("Zone", CfnResourceProps{.type = "AWS::Route53::HostedZone"});
  zone.set_property("HostedZoneTags", Value::array({Value::object({{"Key", Value("aws:x")}, {"Value", Value("v")}})}));
  auto& param = s.add<CfnResource>("Param", CfnResourceProps{.type = "AWS::SSM::Parameter"});
  param.set_property("Tags", Value::object({{"Owner", Value("a\tb")}}));
  const auto ds = test::synth_errors(app);
  std::vector<std::string> found;
  for (const auto& d : ds)
    if (d.code == "E410") found.push_back(d.path + ": " + d.message);
  CHECK(found == std::vector<std::string>{
                     "S: the value of tag 'Bad' holds ';', not a letter, digit, space or _ . : / = + - @",
                     "S/Param: the value of tag 'Owner' holds a control character",
                     "S/Zone: tag key starts with aws:, which AWS keeps for its own tags",
                 });
}

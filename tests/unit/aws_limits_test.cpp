// AWS limits checked before deployment: the tag rules (E410/E411) on every
// construct and the security-group rules quota (W718).
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "core/tag_rules.hpp"
#include "test_support.hpp"

using namespace drsynth;

namespace {
std::vector<Diagnostic> quota_warnings(const ec2::SecurityGroup& sg) {
  Validation v;
  sg.validate(v);
  auto ds = v.take();
  std::erase_if(ds, [](const Diagnostic& d) { return d.code != "W718"; });
  return ds;
}
std::string cidr(int i, bool v6) {
  return v6 ? "2001:db8:" + std::to_string(i) + "::/48" : "10." + std::to_string(i / 200) + "." + std::to_string(i % 200) + ".0/24";
}
}  // namespace

TEST_CASE("a security group warns above 60 rules per direction and IP version, AWS's default quota", "[aws-limits]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& vpc = s.add<ec2::Vpc>("Vpc", {});
  auto& at_quota = s.add<ec2::SecurityGroup>("AtQuota", {.vpc = vpc});
  for (int i = 0; i < 60; ++i) at_quota.allow_from_cidr(cidr(i, false), "app").allow_from_cidr(cidr(i, true), "app v6");
  CHECK(quota_warnings(at_quota).empty());  // 60 IPv4 and 60 IPv6 rules: each within its quota

  auto& over = s.add<ec2::SecurityGroup>("Over", {.vpc = vpc});
  for (int i = 0; i < 61; ++i) over.allow_from_cidr(cidr(i, false), "app");
  const auto ds = quota_warnings(over);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].severity == Severity::warning);
  CHECK(ds[0].path == "S/Over");
  CHECK(ds[0].got == "61 inbound IPv4 rules");
  CHECK_THAT(ds[0].message, Catch::Contains("default quota of 60") && Catch::Contains("Inbound or outbound rules per security group"));

  // A rule whose source is another group counts for IPv4 and for IPv6.
  auto& mixed = s.add<ec2::SecurityGroup>("Mixed", {.vpc = vpc});
  for (int i = 0; i < 60; ++i) mixed.allow_from_cidr(cidr(i, true), "app v6");
  mixed.allow_from(at_quota, std::nullopt, "peer group");
  const auto mixed_ds = quota_warnings(mixed);
  REQUIRE(mixed_ds.size() == 1);
  CHECK(mixed_ds[0].got == "61 inbound IPv6 rules");

  auto& egress = s.add<ec2::SecurityGroup>("Egress", {.vpc = vpc});
  for (int i = 0; i < 61; ++i) egress.allow_to_cidr(cidr(i, false), 443, "out");
  REQUIRE(quota_warnings(egress).size() == 1);
  CHECK(quota_warnings(egress)[0].got == "61 outbound IPv4 rules");
}

TEST_CASE("the DR system with 300 application CIDRs synthesizes with the quota warning, and fails with --strict", "[aws-limits]") {
  std::string cidrs = "applicationCidrs=[";
  for (int i = 0; i < 300; ++i) cidrs += std::string(i == 0 ? "\"" : ",\"") + cidr(i, false) + "\"";
  cidrs += "]";
  test::TempDir dir;
  const auto ok = test::run_cli({"synth", "-q", "-o", (dir.path / "a").string(), "-c", cidrs}, patterns::define_default_system);
  CHECK(ok.code == 0);
  CHECK_THAT(ok.err, Catch::Contains("warning: [drsynth.W718] DisasterRecovery/Primary/DbSg: ") &&
                         Catch::Contains("warning: [drsynth.W718] DisasterRecovery/Replica/DbSg: "));
  const auto strict = test::run_cli({"synth", "-q", "--strict", "-o", (dir.path / "b").string(), "-c", cidrs},
                                    patterns::define_default_system);
  CHECK(strict.code == cli::exit_user_error);
  CHECK_THAT(strict.err, Catch::Contains("[drsynth.E540] <app>: the run failed because of --strict"));
}

TEST_CASE("tag rules follow AWS: lengths in characters, the allowed set, no aws: keys", "[aws-limits]") {
  using detail::tag_key_problem;
  using detail::tag_value_problem;
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

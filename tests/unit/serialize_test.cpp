// The fast serializers (synth/internal.hpp) give exactly nlohmann's dump(2).
#include <random>

#include "synth/internal.hpp"
#include "test_support.hpp"

using namespace drsynth;
using nlohmann::json;

namespace {
std::mt19937 rng(42);
std::string random_string() {
  std::string s;
  const int n = static_cast<int>(rng() % 8);
  for (int i = 0; i < n; ++i) {
    const int k = static_cast<int>(rng() % 7);
    s.push_back(k == 0 ? static_cast<char>(rng() % 0x20) : k == 1 ? '"' : k == 2 ? '\\' : k == 3 ? '\x7f' : k == 4 ? '/' : static_cast<char>('a' + rng() % 26));
  }
  if (rng() % 10 == 0) s += "caf\xc3\xa9 \xe2\x80\x94";
  return s;
}
json random_json(int depth) {
  switch (rng() % (depth > 3 ? 5 : 7)) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return static_cast<std::int64_t>(rng()) - 2'000'000'000LL;
    case 3: return random_string();
    case 4: return static_cast<double>(rng() % 1000) / 7.0;
    case 5: {
      json a = json::array();
      for (int i = static_cast<int>(rng() % 4); i > 0; --i) a.push_back(random_json(depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      // Keys never empty: CloudFormation refuses an empty key in a resource (E234).
      for (int i = static_cast<int>(rng() % 4); i > 0; --i) o["k" + random_string()] = random_json(depth + 1);
      return o;
    }
  }
}
}  // namespace

TEST_CASE("the template serializer writes exactly what nlohmann dump(2) writes", "[synth]") {
  for (int i = 0; i < 5000; ++i) {
    const json j = random_json(0);
    REQUIRE(to_file_text(j) == j.dump(2) + "\n");
  }
  const json big = json{{"n", std::numeric_limits<std::uint64_t>::max()}, {"m", std::numeric_limits<std::int64_t>::min()}};
  CHECK(to_file_text(big) == big.dump(2) + "\n");
  CHECK_THROWS_AS(to_file_text(json(std::string("a\xff"))), Error);
}

TEST_CASE("tree.json written directly equals the serialized tree document", "[synth]") {
  App app({.read_environment = false});
  for (int i = 0; i < 3; ++i)
    app.add<patterns::PostgresDisasterRecovery>("DisasterRecovery" + std::to_string(i * 5),
                                                {.environment_suffix = "s" + std::to_string(i)});
  // Acknowledgements are part of tree.json too (several, one rule twice: the last reason wins).
  auto& scope = *app.children().front();
  scope.acknowledge("S002", "reviewed");
  scope.acknowledge("S001", "first");
  scope.acknowledge("S001", "second");
  const std::string text = detail::tree_text(app);
  CHECK(text == detail::dump_checked(detail::tree_json(app), ""));
  CHECK(text.find("\"S001\": \"second\"") != std::string::npos);
}

TEST_CASE("templates written straight from construct values are exactly nlohmann's dump(2) of the same document",
          "[synth]") {
  // Random literal values (escapes, UTF-8, floats, empty containers, nesting)
  // as resource properties, metadata, output values and parameter defaults.
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  json expected_props = json::object();
  for (int i = 0; i < 300; ++i) {
    const std::string id = "R" + std::to_string(i);
    auto& r = s.add<CfnResource>(id, CfnResourceProps{.type = "AWS::SNS::Topic"});
    json props = json::object();
    for (int k = static_cast<int>(rng() % 4); k > 0; --k) props["k" + random_string()] = random_json(1);
    for (const auto& [k, v] : props.items()) r.set_property(k, Value::from_json(v));
    if (i % 7 == 0) r.metadata()["Note"] = Value::from_json(random_json(2));
    expected_props[id] = props;
  }
  s.add<CfnOutput>("Out", CfnOutputProps{.value = Value::from_json(json::array({random_json(2), "x"})), .description = "d\n\"q\""});
  s.add<CfnParameter>("Param", CfnParameterProps{.default_value = Value::from_json(random_json(2)), .allowed_values = {"a", "b"}});
  const auto a = synthesize(app);
  const auto& art = *a.find("S");
  const json doc = json::parse(art.template_text);
  CHECK(art.template_text == doc.dump(2) + "\n");
  CHECK(art.template_json() == doc);
  for (const auto& [id, props] : expected_props.items()) {
    INFO(id);
    const auto& r = doc["Resources"][id];
    CHECK(r.value("Properties", json::object()) == props);
  }
  CHECK(art.resource_count == 300);
  CHECK(art.output_count == 1);
  CHECK(art.parameter_count == 1);
}

TEST_CASE("text that is not UTF-8 in a property fails with E401 naming the construct, nothing written", "[synth]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  s.add<CfnResource>("Good", CfnResourceProps{.type = "AWS::SNS::Topic"});
  auto& bad = s.add<CfnResource>("Bad", CfnResourceProps{.type = "AWS::SNS::Topic"});
  bad.set_property("TopicName", Value(std::string("caf\xe9")));
  const auto errors = test::synth_errors(app);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].code == "E401");
  CHECK(errors[0].path == "S/Bad");
}

TEST_CASE("templates written on several threads are the same bytes as on one, errors too", "[synth]") {
  auto build = [](App& app, bool broken) {
    for (int i = 0; i < 6; ++i)
      app.add<patterns::PostgresDisasterRecovery>("DisasterRecovery" + std::to_string(i),
                                                  {.environment_suffix = "s" + std::to_string(i)});
    if (broken) {
      // Problems in two stacks, found by whichever thread writes them.
      for (const char* name : {"DrPrimary-s1", "DrFailover-s4"}) {
        for (const auto& c : app.children())
          for (const auto& s : c->children())
            if (const auto* stack = dynamic_cast<Stack*>(s.get()); stack != nullptr && stack->stack_name() == name)
              static_cast<Stack*>(s.get())->add<CfnResource>("Bad", CfnResourceProps{.type = "AWS::SNS::Topic"})
                  .set_property("TopicName", Value(std::string("caf\xe9")));
      }
    }
  };
  App one({.read_environment = false});
  App four({.read_environment = false});
  build(one, false);
  build(four, false);
  const auto a = synthesize(one, {.threads = 1});
  const auto b = synthesize(four, {.threads = 4});
  REQUIRE(a.stacks.size() == 42);  // 6 systems of 7 stacks
  REQUIRE(a.stacks.size() == b.stacks.size());
  for (std::size_t i = 0; i < a.stacks.size(); ++i) {
    INFO(a.stacks[i].name);
    CHECK(a.stacks[i].name == b.stacks[i].name);
    CHECK(a.stacks[i].template_text == b.stacks[i].template_text);
    CHECK(a.stacks[i].dependencies == b.stacks[i].dependencies);
  }
  CHECK(a.manifest_text == b.manifest_text);
  CHECK(a.tree_text == b.tree_text);

  App bad_one({.read_environment = false});
  App bad_four({.read_environment = false});
  build(bad_one, true);
  build(bad_four, true);
  auto errors = [](App& app, unsigned threads) {
    try {
      (void)synthesize(app, {.threads = threads});
    } catch (const Error& e) {
      std::vector<std::string> out;
      for (const auto& d : e.diagnostics()) out.push_back(d.format());
      return out;
    }
    return std::vector<std::string>{};
  };
  const auto e1 = errors(bad_one, 1);
  REQUIRE(e1.size() == 2);
  CHECK_THAT(e1[0], Catch::Contains("DisasterRecovery1/Primary/Bad") && Catch::Contains("E401"));
  CHECK_THAT(e1[1], Catch::Contains("DisasterRecovery4/Failover/Bad"));
  CHECK(errors(bad_four, 4) == e1);
}

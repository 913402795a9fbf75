// The DR system's physical names come from its table (src/patterns/dr_names.hpp)
// and the DR kit's (src/patterns/dr_kit_names.hpp): every name-like property
// the templates carry is a name of the tables (or contains one, as
// "/aws/lambda/<function name>" does), and the longest suffix is computed
// from both.
#include <set>

#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "patterns/dr_names.hpp"
#include "test_support.hpp"

using namespace drsynth;
using nlohmann::json;
namespace names = drsynth::patterns::detail;

namespace {

// Names, identifiers and tag values (Name tags); a display name is a label, not a name.
bool name_like(const std::string& key) {
  return (key.ends_with("Name") && key != "DisplayName") || key.ends_with("Identifier") || key == "Value";
}

// Every string under a name-like key that carries the suffix.
void collect(const json& j, const std::string& key, const std::string& suffix, std::set<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) collect(v, k, suffix, out);
  } else if (j.is_array()) {
    for (const auto& v : j) collect(v, key, suffix, out);
  } else if (j.is_string() && name_like(key) && j.get<std::string>() != suffix &&  // the Environment tag
             j.get<std::string>().find(suffix) != std::string::npos) {
    out.insert(j.get<std::string>());
  }
}

}  // namespace

TEST_CASE("every physical name of the DR system comes from the name table", "[dr][names]") {
  const std::string suffix = "zq9";
  App app(AppProps{.read_environment = false});
  app.add<patterns::PostgresDisasterRecovery>("DisasterRecovery", {.environment_suffix = suffix});
  const auto assembly = synthesize(app);

  std::set<std::string> table;
  const names::Names n(suffix);
  for (const auto& r : names::name_rules) table.insert(n(r.name));
  const auto kit = names::kit_names(suffix);
  for (const auto& r : names::kit_name_rules)
    for (int x = 0; x < 2; ++x)
      for (int s = 0; s < 2; ++s) {
        // A site's view of each site, the fence and lag guard of the site
        // itself, the hold and the unreachability of the other site, the
        // rest of the site that runs it.
        const bool of_other = r.name == names::KitName::hold_alarm || r.name == names::KitName::unreachable_alarm;
        if (r.name != names::KitName::view_alarm && !of_other && x != s) continue;
        if (of_other && x == s) continue;
        table.insert(kit(r.name, x, s));
      }

  std::set<std::string> found;
  for (const auto& s : assembly.stacks) {
    found.insert(s.name);
    collect(s.template_json()["Resources"], "", suffix, found);
  }
  REQUIRE(found.size() > 20);
  std::set<std::string> used;
  for (const auto& name : found) {
    INFO("name built outside the table: " << name);
    bool from_table = false;
    for (const auto& t : table) {
      if (name.find(t) != std::string::npos) {
        from_table = true;
        used.insert(t);
      }
    }
    CHECK(from_table);
  }
  // And the table holds no name the system does not use (outputs and the
  // record's zone count as uses).
  for (const auto& t : table) {
    INFO("table name never used: " << t);
    const bool in_templates = used.contains(t) || [&] {
      for (const auto& s : assembly.stacks)
        if (s.template_text.find("\"" + t + "\"") != std::string::npos) return true;
      return false;
    }();
    CHECK(in_templates);
  }
}

TEST_CASE("the longest environment suffix is computed from the name tables", "[dr][names]") {
  constexpr auto limit = names::suffix_limit();
  // "lambda-failover-rds-primary-<suffix>": Lambda function names have at most 64 characters.
  STATIC_REQUIRE(limit.max_length == 36);
  CHECK(limit.what() == "failover function name");
  for (const auto& r : names::name_rules) {
    INFO(r.what);
    CHECK(r.prefix.size() + limit.max_length + r.tail.size() <= r.max_length);
  }
  const std::string longest(limit.max_length, 'x');
  const auto kit = names::kit_names(longest);
  for (const auto& r : names::kit_name_rules) {
    INFO(r.what);
    CHECK(kit(r.name, 0, 1).size() <= r.max_length);
  }
  CHECK(names::spelled(limit, "dev") == "lambda-failover-rds-primary-dev");
}

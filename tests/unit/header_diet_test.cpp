// The headers an app needs for the README example (app, cli, the pattern, an
// alarm, stacks) and the synthesis phases do not parse nlohmann/json.hpp, only
// its forward declarations: that is most of what compiling an app costs
// (docs/performance.md, "Inner loop"). Checked at compile time: this file
// includes nothing else first.
#include "drsynth/core/app.hpp"
#include "drsynth/tools/cli.hpp"
#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "drsynth/rds/read_replica.hpp"
#include "drsynth/core/settings.hpp"
#include "drsynth/sns/topic.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/synth/synth.hpp"

#ifdef INCLUDE_NLOHMANN_JSON_HPP_
#error "a narrow public header includes nlohmann/json.hpp: use nlohmann/json_fwd.hpp"
#endif
#ifndef INCLUDE_NLOHMANN_JSON_FWD_HPP_
#error "expected nlohmann/json_fwd.hpp through drsynth/core/settings.hpp"
#endif

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

TEST_CASE("settings entries hold their JSON value behind a pointer and copy it deeply", "[settings]") {
  drsynth::settings::Context c{{"environmentSuffix", "qa"}};
  const drsynth::settings::Entry* e = c.find("environmentSuffix");
  REQUIRE(e != nullptr);
  CHECK(e->value() == "qa");
  drsynth::settings::Entry copy = *e;
  c.set("environmentSuffix", "prod");
  CHECK(copy.value() == "qa");
  CHECK(c.find("environmentSuffix")->value() == "prod");
  drsynth::settings::Entry moved = std::move(copy);
  CHECK(moved.value() == "qa");
}

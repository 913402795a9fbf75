// The shipped drsynth binary's app: one of the built-in systems, chosen by the
// setting `variant`.
#include <array>
#include <nlohmann/json.hpp>
#include <string_view>

#include "drsynth/app.hpp"
#include "drsynth/patterns/aurora_global_disaster_recovery.hpp"
#include "drsynth/patterns/postgres_disaster_recovery.hpp"

namespace drsynth::patterns {

namespace {

constexpr std::array<std::string_view, 2> variants{"rds-replica", "aurora-global"};

}  // namespace

void define_default_system(App& app) {
  // The seed asks for everything destroyable: let safety rule S005 hold the
  // system to it unless the settings say otherwise.
  if (app.context("destroyable") == nullptr) app.set_context("destroyable", true);
  const auto variant = app.settings().get_string("variant").value_or("rds-replica");
  if (variant == "aurora-global") {
    app.add<AuroraGlobalDisasterRecovery>("AuroraGlobalDr", aurora_settings_from_context(app));
  } else if (variant == "rds-replica") {
    app.add<PostgresDisasterRecovery>("DisasterRecovery", settings_from_context(app));
  } else {
    throw Error(settings::detail::refused_setting(
        app.settings(), "variant",
        settings::Refusal{"E831", "is not a built-in system", "rds-replica (the default) or aurora-global"},
        settings::shown(*app.settings().find("variant"))));
  }
}

}  // namespace drsynth::patterns

// The shipped drsynth binary's app: one of the built-in systems, chosen by the
// setting `variant`.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>

#include "drsynth/core/app.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/patterns/aurora_global_disaster_recovery.hpp"
#include "drsynth/patterns/postgres_disaster_recovery.hpp"

namespace drsynth::patterns {

void define_default_system(App& app) {
  // The seed asks for everything destroyable: let safety rule S005 hold the
  // system to it unless the settings say otherwise.
  const bool destroyable_by_default = app.context("destroyable") == nullptr;
  if (destroyable_by_default) app.set_context("destroyable", true);
  const auto variant = app.settings().get_string("variant").value_or("rds-replica");
  // A key of the other built-in system: E510 says which variant reads it.
  const auto& dr_rows = postgres_dr_settings().rows();
  const auto& aurora_rows = aurora_global_settings().rows();
  auto has_key = [](const auto& rows, std::string_view key) {
    return std::any_of(rows.begin(), rows.end(), [&](const auto& r) { return r.key == key; });
  };
  if (variant == "aurora-global") {
    for (const auto& r : dr_rows)
      if (!has_key(aurora_rows, r.key)) app.settings().hint_unknown(r.key, "a setting of variant=rds-replica (the default)");
  } else {
    for (const auto& r : aurora_rows)
      if (!has_key(dr_rows, r.key))
        app.settings().hint_unknown(r.key, "a setting of variant=aurora-global (-c variant=aurora-global)");
  }
  if (variant == "aurora-global") {
    auto props = aurora_settings_from_context(app);
    // One error naming both keys rather than an S005 per protected resource.
    if (props.deletion_protection && destroyable_by_default)
      throw Error(settings::detail::refused_setting(
          app.settings(), "deletionProtection",
          settings::Refusal{codes::E829,
                            "is true, but the built-in system is destroyable unless told otherwise (safety rule "
                            "S005 refuses deletion protection in a destroyable app)",
                            "-c destroyable=false with deletionProtection=true (production), or deletionProtection=false"},
          "true"));
    app.add<AuroraGlobalDisasterRecovery>("AuroraGlobalDr", std::move(props));
  } else if (variant == "rds-replica") {
    app.add<PostgresDisasterRecovery>("DisasterRecovery", settings_from_context(app));
  } else {
    throw Error(settings::detail::refused_setting(
        app.settings(), "variant",
        settings::Refusal{codes::E831, "is not a built-in system", "rds-replica (the default) or aurora-global"},
        settings::shown(*app.settings().find("variant"))));
  }
}

}  // namespace drsynth::patterns

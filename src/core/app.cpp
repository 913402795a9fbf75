#include "drsynth/core/app.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>

#include "drsynth/core/error_codes.hpp"

namespace drsynth {

const settings::Table<AppSettings>& app_settings_table() {
  static const settings::Table<AppSettings> table(
      codes::E509, {{.key = "destroyable",
                .prop = "destroyable",
                .member = &AppSettings::destroyable,
                .doc = "safety rule S005 refuses any Retain/Snapshot policy or deletion protection "
                       "(the built-in system sets it to `true` unless given)"}});
  return table;
}

App::App(AppProps props) : Construct(std::string("App")) {
  set_app(this);
  if (props.read_environment) {
    // The AWS CDK CLI passes context to an app executable this way; values
    // set in code win over it.
    if (const char* env = std::getenv("CDK_CONTEXT_JSON"); env != nullptr && *env != '\0') {
      context_.add_environment(env);
    }
  }
  for (auto& [key, entry] : props.context.entries())
    context_.set(key, entry.value(), entry.origin, entry.typed);
  // Read by the renderer (safety rules), after the tree is built.
  for (const auto& row : app_settings_table().rows()) context_.declare(row.key);
}

const nlohmann::json* App::context(std::string_view key) const {
  context_.declare(key);
  const auto* e = context_.find(key);
  return e == nullptr ? nullptr : &e->value();
}

std::string App::context_string(std::string_view key, std::string fallback) const {
  return context_.get_string(key).value_or(std::move(fallback));
}

std::int64_t App::context_int(std::string_view key, std::int64_t fallback) const {
  return context_.get_integer(key).value_or(fallback);
}

double App::context_number(std::string_view key, double fallback) const {
  return context_.get_number(key).value_or(fallback);
}

bool App::context_bool(std::string_view key, bool fallback) const {
  return context_.get_boolean(key).value_or(fallback);
}

void App::set_context(std::string key, nlohmann::json value) { context_.set(std::move(key), std::move(value)); }

void App::validate(Validation& v) const {
  try {
    (void)app_settings_table().read(context_);
  } catch (const Error& e) {
    for (const auto& d : e.diagnostics()) v.add(d);
  }
  for (auto& d : context_.unknown_keys()) v.add(std::move(d));
}

}  // namespace drsynth

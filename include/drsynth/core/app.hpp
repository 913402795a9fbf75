// App: the root of the construct tree, and where context values live.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "drsynth/core/construct.hpp"
#include "drsynth/core/settings.hpp"

namespace drsynth {

struct AppProps {
  // The context values. The CLI passes a finished context (drsynth.json,
  // CDK_CONTEXT_JSON, -c, with their origins); an app built in code can set
  // values: {.context = {{"environmentSuffix", "qa"}}}.
  settings::Context context{};
  // Add CDK_CONTEXT_JSON (as the AWS CDK CLI sets it) beneath `context`.
  bool read_environment = true;
};

// The settings every app understands (docs/cli.md).
struct AppSettings {
  bool destroyable = false;  // safety rule S005 refuses anything kept on delete
};
[[nodiscard]] const settings::Table<AppSettings>& app_settings_table();

class App : public Construct {
 public:
  explicit App(AppProps props = {});

  // The value as given, nullptr when unset.
  [[nodiscard]] const nlohmann::json* context(std::string_view key) const;
  // Typed reads under the rules of settings.hpp, the fallback when unset;
  // Error E501 naming the key and its origin when the type is wrong.
  [[nodiscard]] std::string context_string(std::string_view key, std::string fallback) const;
  [[nodiscard]] std::int64_t context_int(std::string_view key, std::int64_t fallback) const;
  [[nodiscard]] double context_number(std::string_view key, double fallback) const;
  [[nodiscard]] bool context_bool(std::string_view key, bool fallback) const;
  // Sets a value in code (it wins over every source).
  void set_context(std::string key, nlohmann::json value);
  // Every read above declares its key; a key given in drsynth.json,
  // CDK_CONTEXT_JSON or -c that nothing declared is E510 at validation
  // ("did you mean"). Declare keys an app reads only in some runs.
  void declare_context_key(std::string_view key) const { context_.declare(key); }
  // "'key' (drsynth.json:3)": the key with where its value came from, for messages.
  [[nodiscard]] std::string describe_context_key(std::string_view key) const { return context_.describe(key); }
  [[nodiscard]] const settings::Context& settings() const noexcept { return context_; }

  // The app's own settings (AppSettings) and the unknown keys (E510).
  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.App"; }

 private:
  settings::Context context_;
};

}  // namespace drsynth

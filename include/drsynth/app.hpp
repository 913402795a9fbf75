// App: the root of the construct tree, and where context values live.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "drsynth/construct.hpp"

namespace drsynth {

struct AppProps {
  // Context values (JSON). The CLI fills them from drsynth.json, the
  // CDK_CONTEXT_JSON environment variable and -c key=value, in that order.
  std::map<std::string, nlohmann::json, std::less<>> context{};
  // Where each context value came from ("drsynth.json:3", "-c",
  // "CDK_CONTEXT_JSON"), for error messages; optional.
  std::map<std::string, std::string, std::less<>> context_origin{};
  // Read CDK_CONTEXT_JSON from the environment (as the AWS CDK CLI sets it).
  bool read_environment = true;
};

class App : public Construct {
 public:
  explicit App(AppProps props = {});

  [[nodiscard]] const nlohmann::json* context(std::string_view key) const;
  // A string context value, or the fallback when unset. A value that is not a
  // string is an error naming the key (E501).
  [[nodiscard]] std::string context_string(std::string_view key, std::string fallback) const;
  [[nodiscard]] std::int64_t context_int(std::string_view key, std::int64_t fallback) const;
  [[nodiscard]] double context_number(std::string_view key, double fallback) const;
  void set_context(std::string key, nlohmann::json value);
  void set_context_origin(std::string key, std::string origin);
  // The value of a -c key=value exactly as typed (a setting that wants a
  // string takes "15.10" from it rather than the number 15.1); nullptr when
  // the value did not come from -c.
  void set_context_argument_text(std::string key, std::string text);
  [[nodiscard]] const std::string* context_argument_text(std::string_view key) const;
  // "'key' (drsynth.json:3)": the key with where its value came from, for messages.
  [[nodiscard]] std::string describe_context_key(std::string_view key) const;
  [[nodiscard]] const std::map<std::string, nlohmann::json, std::less<>>& all_context() const noexcept { return context_; }

  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.App"; }

 private:
  std::map<std::string, nlohmann::json, std::less<>> context_;
  std::map<std::string, std::string, std::less<>> context_origin_;
  std::map<std::string, std::string, std::less<>> context_argument_text_;
};

// Parses "key=value" as given to -c: the value is JSON when it parses as JSON
// (numbers, booleans, objects), else a plain string.
[[nodiscard]] std::pair<std::string, nlohmann::json> parse_context_argument(std::string_view arg);

}  // namespace drsynth

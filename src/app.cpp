#include "drsynth/app.hpp"

#include <cstdlib>

namespace drsynth {

App::App(AppProps props) : Construct(std::string("App")), context_(std::move(props.context)) {
  set_app(this);
  if (props.read_environment) {
    // The AWS CDK CLI passes context to an app executable this way.
    if (const char* env = std::getenv("CDK_CONTEXT_JSON"); env != nullptr && *env != '\0') {
      auto j = nlohmann::json::parse(env, nullptr, false);
      if (j.is_discarded() || !j.is_object())
        fail("E502", "", "CDK_CONTEXT_JSON is not a JSON object", std::string(env).substr(0, 80), "a JSON object");
      for (auto& [k, v] : j.items()) context_.try_emplace(k, v);  // explicit props win
    }
  }
}

const nlohmann::json* App::context(std::string_view key) const {
  auto it = context_.find(key);
  return it == context_.end() ? nullptr : &it->second;
}

std::string App::context_string(std::string_view key, std::string fallback) const {
  const auto* v = context(key);
  if (v == nullptr) return fallback;
  if (!v->is_string()) fail("E501", "", "context value '" + std::string(key) + "' must be a string", v->dump(), "a string");
  return v->get<std::string>();
}

std::int64_t App::context_int(std::string_view key, std::int64_t fallback) const {
  const auto* v = context(key);
  if (v == nullptr) return fallback;
  if (v->is_number_integer()) return v->get<std::int64_t>();
  if (v->is_string()) {
    // "-c x=5" parses as JSON 5 already; accept "5" from a settings file too.
    const auto& s = v->get_ref<const std::string&>();
    char* end = nullptr;
    const long long n = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end != nullptr && *end == '\0') return n;
  }
  fail("E501", "", "context value '" + std::string(key) + "' must be an integer", v->dump(), "an integer");
}

double App::context_number(std::string_view key, double fallback) const {
  const auto* v = context(key);
  if (v == nullptr) return fallback;
  if (v->is_number()) return v->get<double>();
  fail("E501", "", "context value '" + std::string(key) + "' must be a number", v->dump(), "a number");
}

void App::set_context(std::string key, nlohmann::json value) { context_[std::move(key)] = std::move(value); }

std::pair<std::string, nlohmann::json> parse_context_argument(std::string_view arg) {
  const auto eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0)
    fail("E503", "", "context argument must be key=value", "\"" + std::string(arg) + "\"", "key=value");
  std::string key(arg.substr(0, eq));
  std::string text(arg.substr(eq + 1));
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || j.is_string()) return {std::move(key), nlohmann::json(std::move(text))};
  return {std::move(key), std::move(j)};
}

}  // namespace drsynth

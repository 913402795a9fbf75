#include "drsynth/app.hpp"

#include <algorithm>
#include <cstdlib>

#include "settings_text.hpp"

namespace drsynth {

namespace {
std::string shown(const nlohmann::json& v) {
  std::string s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}
}  // namespace

App::App(AppProps props)
    : Construct(std::string("App")), context_(std::move(props.context)), context_origin_(std::move(props.context_origin)) {
  set_app(this);
  if (props.read_environment) {
    // The AWS CDK CLI passes context to an app executable this way.
    if (const char* env = std::getenv("CDK_CONTEXT_JSON"); env != nullptr && *env != '\0') {
      const std::string_view text(env);
      if (settings::invalid_utf8_at(text) != std::string_view::npos || text.size() > settings::max_file_bytes)
        fail("E502", "", "CDK_CONTEXT_JSON is not UTF-8 text of a sensible size", settings::printable(text),
             "a JSON object");
      int depth = 0;
      int deepest = 0;
      for (char c : text) {  // brackets inside strings count too: a conservative bound
        if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
        if (c == ']' || c == '}') --depth;
      }
      auto j = deepest > settings::max_depth ? nlohmann::json(nullptr) : nlohmann::json::parse(text, nullptr, false);
      if (j.is_discarded() || !j.is_object())
        fail("E502", "", "CDK_CONTEXT_JSON is not a JSON object", settings::printable(text), "a JSON object");
      for (auto& [k, v] : j.items())
        if (context_.try_emplace(k, v).second) context_origin_.try_emplace(k, "CDK_CONTEXT_JSON");  // explicit props win
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
  if (v->is_number())
    if (const auto* typed = context_argument_text(key)) return *typed;  // "-c version=15.10"
  if (!v->is_string()) fail("E501", "", "context value " + describe_context_key(key) + " must be a string", shown(*v), "a string");
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
  fail("E501", "", "context value " + describe_context_key(key) + " must be an integer", shown(*v), "an integer");
}

double App::context_number(std::string_view key, double fallback) const {
  const auto* v = context(key);
  if (v == nullptr) return fallback;
  if (v->is_number()) return v->get<double>();
  fail("E501", "", "context value " + describe_context_key(key) + " must be a number", shown(*v), "a number");
}

void App::set_context_argument_text(std::string key, std::string text) {
  context_argument_text_[std::move(key)] = std::move(text);
}

const std::string* App::context_argument_text(std::string_view key) const {
  auto it = context_argument_text_.find(key);
  return it == context_argument_text_.end() ? nullptr : &it->second;
}

void App::set_context(std::string key, nlohmann::json value) {
  context_origin_.erase(key);
  if (auto it = context_argument_text_.find(key); it != context_argument_text_.end()) context_argument_text_.erase(it);
  context_[std::move(key)] = std::move(value);
}

void App::set_context_origin(std::string key, std::string origin) { context_origin_[std::move(key)] = std::move(origin); }

std::string App::describe_context_key(std::string_view key) const {
  std::string s = "'" + settings::printable(key, 120) + "'";
  if (auto it = context_origin_.find(key); it != context_origin_.end()) s += " (" + it->second + ")";
  return s;
}

std::pair<std::string, nlohmann::json> parse_context_argument(std::string_view arg) {
  const auto eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0)
    fail("E503", "", "context argument must be key=value", "\"" + settings::printable(arg) + "\"", "key=value");
  std::string key(arg.substr(0, eq));
  std::string text(arg.substr(eq + 1));
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || j.is_string()) return {std::move(key), nlohmann::json(std::move(text))};
  return {std::move(key), std::move(j)};
}

}  // namespace drsynth

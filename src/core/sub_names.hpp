// The names an Fn::Sub string refers to (internal), for the engine's template
// check and the diff: "${Db.Endpoint.Address} and ${Topic}" -> (Db,
// Endpoint.Address), (Topic, ""); ${!Literal} and pseudo parameters
// (${AWS::Region}) are not names.
#pragma once

#include <string>
#include <string_view>

namespace drsynth::detail {

template <class F>
void for_each_sub_name(const std::string& text, F&& on /* (std::string name, std::string attribute) */) {
  std::size_t pos = 0;
  while ((pos = text.find("${", pos)) != std::string::npos) {
    const std::size_t end = text.find('}', pos);
    if (end == std::string::npos) break;
    const std::string inner = text.substr(pos + 2, end - pos - 2);
    pos = end + 1;
    if (inner.empty() || inner[0] == '!' || inner.starts_with("AWS::")) continue;
    const std::size_t dot = inner.find('.');
    on(inner.substr(0, dot), dot == std::string::npos ? std::string() : inner.substr(dot + 1));
  }
}

}  // namespace drsynth::detail
